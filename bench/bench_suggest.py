"""Model in the loop: `annotator train` on 500 done documents, and suggesting for one document.

    python bench/bench_suggest.py [--quick] [--documents 200]

The project (``suggest_corpus.py``, cached under bench/out/) holds 625 documents of about
4,000 characters: 500 marked done with their spans, 125 left open. Training is timed as
the whole command a user runs (``python -m annotator train``, a new process: imports,
examples, features, held-out scores, baseline, learning curve, storing the model). Suggesting
for one document is timed in process with the model loaded once, as the app keeps it:
split the text, score every sentence for every label, replace the document's suggestions
in the project; judged on p95 over the open documents. ``--quick``: 60 documents of 1,500
characters.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from benchlib import Figure  # noqa: E402

TRAIN_LIMIT_S = 30.0
SUGGEST_LIMIT_MS = 50.0
TRAIN_NAME = "train on 500 documents x 4,000 characters (whole command)"
SUGGEST_NAME = "suggest for one document (p95)"
VERSION = 1  # bump when suggest_corpus changes what it makes


def _project(done: int, chars: int) -> Path:
    import suggest_corpus

    from annotator.storage.db import SCHEMA_VERSION

    docs = done * 5 // 4  # every fifth document stays open
    path = benchlib.BENCH_DIR / "out" / f"suggest-d{docs}-c{chars}-v{VERSION}-schema{SCHEMA_VERSION}.annotator"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".building-{os.getpid()}-{path.name}")
        suggest_corpus.write_project(tmp, docs, chars)
        tmp.replace(path)
    return benchlib.scratch_copy(path)


def _accept_times(p: object, doc_ids: list[int]) -> list[float]:
    """Milliseconds per accept (the reviewer's span stored, the suggestion gone), 5 per document."""
    from annotator.suggestions.review import SuggestionService

    svc = SuggestionService(p.repo, "bench-reviewer")  # type: ignore[attr-defined]
    out = []
    for doc_id in doc_ids:
        for s in svc.suggestions(doc_id)[:5]:
            t0 = time.perf_counter()
            svc.accept(s.id)
            out.append(1000 * (time.perf_counter() - t0))
    return out


def main() -> None:
    ap = benchlib.parser(__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, help="open documents to time suggestions on")
    args = ap.parse_args()
    done, chars = (48, 1500) if args.quick else (500, 4000)
    try:
        import annotator.suggestions.store  # noqa: F401
        from annotator.suggestions.model import require_model_libraries

        require_model_libraries()
    except Exception as exc:  # noqa: BLE001  (missing package or not written yet)
        benchlib.unavailable("suggest", str(exc), [(TRAIN_NAME, f"≤ {TRAIN_LIMIT_S:.0f} s"),
                                                   (SUGGEST_NAME, f"≤ {SUGGEST_LIMIT_MS:.0f} ms")])
        return
    project = _project(done, chars)
    load_start = os.getloadavg()[0]

    import resource

    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "annotator", "train", "--project", str(project)],
                          capture_output=True, text=True)
    train_s = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    train_cpu_s = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    if proc.returncode != 0:
        benchlib.emit("suggest", [Figure(TRAIN_NAME, None, "", f"≤ {TRAIN_LIMIT_S:.0f} s")], status="error",
                      reason=proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "train failed")
        return
    print(proc.stdout.strip())

    from annotator.project import open_project
    from annotator.suggestions.store import document_suggestions, load

    p = open_project(project)
    try:
        t0 = time.perf_counter()
        trained = load(p.repo)
        load_ms = 1000 * (time.perf_counter() - t0)
        assert trained is not None
        open_ids = p.repo.documents_not_done()[: args.documents or 125]
        times: list[float] = []
        cpu_times: list[float] = []
        made = 0
        for doc_id in open_ids:
            t0, c0 = time.perf_counter(), time.process_time()
            text = p.repo.texts([doc_id])[doc_id][0]
            found = document_suggestions(trained, doc_id, text)
            made += len(p.repo.replace_suggestions([doc_id], found))
            times.append(1000 * (time.perf_counter() - t0))
            cpu_times.append(1000 * (time.process_time() - c0))
        accept_times = _accept_times(p, open_ids[:10])
    finally:
        p.close()
    p95 = benchlib.percentile(times, 95)
    m = trained.record.metrics
    figures = [
        Figure(TRAIN_NAME if not args.quick else "train on 48 documents x 1,500 characters (whole command)",
               train_s, "s", f"≤ {TRAIN_LIMIT_S:.0f} s", TRAIN_LIMIT_S, "lower",
               f"{train_s:.1f} s ({m['documents']['train']} + {m['documents']['test']} documents, "
               f"{m['sentences']['train'] + m['sentences']['test']} sentences; micro F1 {m['micro']['f1']:.3f}, "
               f"keyword baseline {m['baseline']['micro']['f1']:.3f})"),
        Figure(SUGGEST_NAME, p95, "ms", f"≤ {SUGGEST_LIMIT_MS:.0f} ms", SUGGEST_LIMIT_MS, "lower",
               f"p95 {p95:.1f} ms, p50 {benchlib.percentile(times, 50):.1f} ms, max {max(times):.1f} ms over "
               f"{len(times)} documents ({made} suggestions stored)"),
        Figure("accept a suggestion: service and storage only (p95)", benchlib.percentile(accept_times, 95), "ms",
               "part of: key -> stored -> repainted p95 ≤ 16 ms (the repaint is the app's)",
               display=f"p95 {benchlib.percentile(accept_times, 95):.1f} ms, p50 "
                       f"{benchlib.percentile(accept_times, 50):.1f} ms over {len(accept_times)} accepts"),
    ]
    notes = [f"the train command's CPU time: {train_cpu_s:.1f} s (user + system; wall time above it is "
             "waiting for a core)",
             f"suggest for one document, CPU time: p95 {benchlib.percentile(cpu_times, 95):.1f} ms, "
             f"p50 {benchlib.percentile(cpu_times, 50):.1f} ms",
             f"loading the stored model, importing scikit-learn and skops first: {load_ms:.0f} ms (once per session)",
             f"load average {load_start:.2f} at start, {os.getloadavg()[0]:.2f} at end, {os.cpu_count()} cores"]
    benchlib.emit("suggest", figures, notes)


if __name__ == "__main__":
    main()
