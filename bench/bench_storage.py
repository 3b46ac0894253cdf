"""Crash-safety costs: one add_span with synchronous=FULL vs NORMAL, and opening a large project.

    python bench/bench_storage.py [--quick] [--calls 500] [--docs 20000] [--doc-spans 200000]

add_span: the long-article project (one document holding 20,000 spans by "bench"), a fresh
copy per mode, 20 warm-up calls, then ``--calls`` timed AnnotationService.add_span calls on
that document, each committed before it returns (what the UI waits for when tagging).

Open: a ``--docs`` documents / ``--doc-spans`` spans project (~100 MB at the defaults), no
backup of it yet, so the open-time check and the daily backup are both due. Reports
quick_check alone (warm, and cold when the page cache can be dropped), the backup alone,
and open_project() until it returns, which is what the reviewer waits for.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
import generate  # noqa: E402
from benchlib import Figure, percentile  # noqa: E402


def add_span_latency(mode: str, source: Path, calls: int) -> list[float]:
    from annotator.services import AnnotationService
    from annotator.storage import db
    from annotator.storage.repository import Repository

    db.SYNCHRONOUS = mode
    work = Path(tempfile.mkdtemp(prefix="bench-storage-")) / "p.annotator"
    db.copy_database(source, work)
    repo = Repository.open(work, create=False)[0]
    svc = AnnotationService(repo, "bench")
    n = len(repo.document(1).text)
    assert len(svc.spans(1)) >= 1000, "the article project should hold the long article's spans"
    times: list[float] = []
    for i in range(calls + 20):
        start = (i * 7919) % (n - 50)
        t0 = time.perf_counter()
        svc.add_span(1, start, start + 12, "claim")
        if i >= 20:
            times.append((time.perf_counter() - t0) * 1000)
    repo.close()
    return times


def drop_page_cache() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3")
        return True
    except OSError:
        return False


def open_costs(source: Path) -> dict[str, float]:
    from annotator.project import open_project
    from annotator.storage import backup, db

    out: dict[str, float] = {"size_mb": source.stat().st_size / 1e6}
    work = Path(tempfile.mkdtemp(prefix="bench-open-"))
    os.environ["ANNOTATOR_HOME"] = str(work / "home")
    path = work / "big.annotator"
    db.copy_database(source, path)
    if drop_page_cache():
        t0 = time.perf_counter()
        db.quick_check(path)
        out["quick_check_cold_ms"] = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    assert db.quick_check(path) == []
    out["quick_check_warm_ms"] = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    taken = backup.take_backup(path, directory=work / "scratch-backups")
    out["backup_ms"] = (time.perf_counter() - t0) * 1000
    taken.unlink()
    t0 = time.perf_counter()
    project = open_project(path, create=False)
    out["open_ms"] = (time.perf_counter() - t0) * 1000
    assert project.health is not None
    report = project.health.result(timeout=600)
    out["open_check_and_backup_done_ms"] = (time.perf_counter() - t0) * 1000
    assert report.ok and report.backup_taken is not None
    project.close()
    return out


def main() -> None:
    ap = benchlib.parser(__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=500)
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--doc-spans", type=int, default=200000)
    args = ap.parse_args()
    if args.quick:
        args.calls, args.docs, args.doc_spans = 100, 2000, 20000
    article = generate.article_project(200_000 if args.quick else 1_000_000, 20_000)
    figures: list[Figure] = []
    notes: list[str] = []
    for mode in ("FULL", "NORMAL"):
        t = add_span_latency(mode, article, args.calls)
        p50, p95 = percentile(t, 50), percentile(t, 95)
        figures.append(Figure(f"add_span synchronous={mode} p95", p95, "ms", "<= 16 ms", 16.0, "lower",
                              f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {percentile(t, 99):.2f} ms, "
                              f"max {max(t):.2f} ms over {len(t)} calls"))
    big = generate.project(args.docs, args.doc_spans)
    costs = open_costs(big)
    cold = costs.get("quick_check_cold_ms")
    figures += [
        Figure("open_project (check+backup on a thread above 16 MB)", costs["open_ms"], "ms",
               note=f"project {costs['size_mb']:.0f} MB"),
        Figure("open-time quick_check, warm", costs["quick_check_warm_ms"], "ms"),
        Figure("open-time quick_check, cold cache", cold, "ms", display="n/a (cannot drop caches)" if cold is None else ""),
        Figure("daily backup (SQLite backup API)", costs["backup_ms"], "ms"),
        Figure("background check + backup finished after open", costs["open_check_and_backup_done_ms"], "ms"),
    ]
    notes.append(f"fsync cost dominates FULL; this disk: {benchlib.machine_info().get('platform', '')}")
    benchlib.emit("storage", figures, notes)


if __name__ == "__main__":
    main()
