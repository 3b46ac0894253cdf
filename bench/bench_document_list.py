"""A project with 100,000 documents: time until the document list is populated and shown, and RSS.

    python bench/bench_document_list.py [--quick] [--docs 100000] [--runs 3]

Each run starts the real app (gui_probe.py, offscreen Qt) on a generated project and
waits until the list view ("documentListView", else the fullest item view) has every
document (or its model cannot fetch more) and has painted after that. The time counts
from spawning the process, so it is what a user waits for when opening the project;
the part after the main window's showEvent is reported too. Resident memory is read
in the child at that moment (VmRSS), with its peak (VmHWM).
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from benchlib import Figure  # noqa: E402

TIME_LIMIT_MS = 1000.0
RSS_LIMIT_MB = 250.0


def main() -> None:
    ap = benchlib.parser(__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int)
    ap.add_argument("--runs", type=int)
    args = ap.parse_args()
    docs = args.docs or (5_000 if args.quick else 100_000)
    runs = args.runs or (1 if args.quick else 3)
    name = f"{docs:,}-document project: list shown (from process start, median)"
    rss_name = f"{docs:,}-document project: resident memory with the list shown"
    try:
        import annotator.ui.app  # noqa: F401
    except ImportError as exc:
        benchlib.unavailable("document_list", f"annotator.ui.app: {exc}",
                             [(name, f"≤ {TIME_LIMIT_MS:.0f} ms"), (rss_name, f"≤ {RSS_LIMIT_MB:.0f} MB")])
        return
    import generate

    # Two spans per document on average: the list shows span counts, so some must exist.
    project = benchlib.scratch_copy(generate.project(docs, 2 * docs, chars=1500))
    print(f"data: {project}")
    project.read_bytes()
    results = [benchlib.run_probe("list", project, rows=docs, timeout_s=120) for _ in range(runs)]
    errors = [str(r["error"]) for r in results if "error" in r]
    if errors:
        benchlib.emit("document_list", [Figure(name, None, "", f"≤ {TIME_LIMIT_MS:.0f} ms")], status="error",
                      reason=errors[0])
        return
    total = [1000 * (float(r["list_shown"]) - float(r["spawn"])) for r in results]
    # From the window's showEvent (right after window.show() in every entry point), not its
    # first paint: an app that opens the project before painting would make that look instant.
    after = [1000 * (float(r["list_shown"]) - float(r["show_event"] or r["shown"])) for r in results]
    rss = max(float(r["rss_mb"]) for r in results)
    peak = max(float(r["peak_rss_mb"]) for r in results)
    rows = min(int(r["rows"]) for r in results)
    median = statistics.median(total)
    figures = [
        Figure(name, median, "ms", f"≤ {TIME_LIMIT_MS:.0f} ms", TIME_LIMIT_MS, "lower",
               f"{median:.0f} ms ({statistics.median(after):.0f} ms of it after the window's showEvent)"),
        Figure(rss_name, rss, "MB", f"≤ {RSS_LIMIT_MB:.0f} MB", RSS_LIMIT_MB, "lower",
               f"{rss:.0f} MB (peak {peak:.0f} MB)"),
    ]
    notes = [f"list model rows when shown: {rows:,} of {docs:,}; entry point: {results[0].get('entry')}"]
    benchlib.emit("document_list", figures, notes)


if __name__ == "__main__":
    main()
