"""Team figures: agreement over three reviewers, and merging one project file into another.

    python bench/bench_team.py [--quick]

Agreement: a project of 1,000 documents (about 4,000 characters each), each annotated by three
reviewers with about 20 spans apiece (the same generated spans, each reviewer dropping,
shifting or relabelling some of them), timed as the whole command a user runs:
``annotator agreement --json`` in a fresh process, best of three.

Merge: two projects of 2,000 documents, half of the texts shared, each by its own reviewer;
``annotator merge`` of one into a fresh copy of the other, in a fresh process, best of three.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
import generate  # noqa: E402
from benchlib import Figure  # noqa: E402

LABELS = ("claim", "mechanism", "intervention", "citation", "disclaimer")


def reviewer_spans(rng: random.Random, spans: list[tuple[int, int, str]], n: int) -> list[tuple[int, int, str]]:
    """One reviewer's version of a document's spans: most kept, some shifted, relabelled or dropped."""
    out = set()
    for start, end, label in spans:
        roll = rng.random()
        if roll < 0.08:
            continue
        if roll < 0.16 and end - start > 4:
            end -= 2
        elif roll < 0.22:
            label = rng.choice(LABELS)
        if 0 <= start < end <= n:
            out.add((start, end, label))
    return sorted(out)


def team_project(path: Path, reviewers: list[str], *, total: int, first: int = 0, count: int | None = None,
                 seed: int) -> None:
    """Documents ``first`` .. ``first + count`` of a generated corpus of ``total`` (20 spans
    each on average), each annotated by every reviewer."""
    from annotator.importers.base import ImportedSpan
    from annotator.importing import sha256_text
    from annotator.project import open_project

    last = first + (total if count is None else count)
    rng = random.Random(seed)
    project = open_project(path)
    try:
        batch = []
        for doc in generate.iter_documents(total, total * 20, seed=0):
            if not first <= doc.index < last:
                continue
            imported = generate._imported(doc, None, None)
            work = [(who, "done", [ImportedSpan(s, e, lb) for s, e, lb in reviewer_spans(rng, doc.spans, len(doc.text))])
                    for who in reviewers]
            imported.annotator, imported.status, imported.spans = work[0]
            imported.extra_annotations = work[1:]
            batch.append((imported, sha256_text(doc.text)))
            if len(batch) >= 500:
                project.repo.add_documents(batch)
                batch = []
        if batch:
            project.repo.add_documents(batch)
    finally:
        project.close()


def cached(name: str, build) -> Path:  # type: ignore[no-untyped-def]
    path = generate.OUT / f"team-{name}-v1{generate._schema()}.annotator"
    return generate._cached(path, build)


def run_command(*args: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of ``annotator ARGS`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "annotator", *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"annotator {' '.join(args)} failed: {done.stderr or done.stdout}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    args = benchlib.parser(__doc__.split("\n")[0]).parse_args()
    scale = 10 if args.quick else 1
    docs = 1000 // scale
    agreement_path = cached(f"agreement-d{docs}", lambda p: team_project(p, ["ann", "bea", "cai"], total=docs, seed=1))
    agreement_runs = [run_command("agreement", "--json", "--project", str(agreement_path)) for _ in range(3)]
    baseline_runs = [run_command("stats", "--json", "--project", str(agreement_path)) for _ in range(3)]

    merge_docs = 2000 // scale
    total = merge_docs * 3 // 2
    here = cached(f"merge-here-d{merge_docs}", lambda p: team_project(p, ["ann"], total=total, count=merge_docs, seed=2))
    there = cached(f"merge-there-d{merge_docs}", lambda p: team_project(
        p, ["bea"], total=total, first=merge_docs // 2, count=merge_docs, seed=3))
    merge_runs = []
    for _ in range(3):
        work = Path(tempfile.mkdtemp(prefix="bench-team-")) / "here.annotator"
        shutil.copyfile(here, work)
        merge_runs.append(run_command("merge", str(there), "--project", str(work)))
        shutil.rmtree(work.parent)
    best = min(agreement_runs)
    figures = [
        Figure(f"agreement, 3 reviewers x {docs} documents x ~20 spans (whole command)", best[0], "s",
               "<= 2 s", 2.0, "lower", note=f"CPU {best[1]:.2f} s"),
        Figure("agreement: CPU time of that process", best[1], "s"),
        Figure("`annotator stats` on the same project (start-up and open, for scale)", min(baseline_runs)[0], "s"),
        Figure(f"merge a {merge_docs}-document project into another (half the texts shared)", min(merge_runs)[0], "s",
               "<= 10 s", 10.0, "lower"),
    ]
    load = os.getloadavg()[0]
    benchlib.emit("team", figures, [f"best of three fresh processes; merge into a fresh copy each time; "
                                    f"load average {load:.1f} on {os.cpu_count()} cores"])


if __name__ == "__main__":
    main()
