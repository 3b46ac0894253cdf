"""A team project on PostgreSQL: concurrent writers, tagging latency, live updates, copying in.

    .venv/bin/python bench/bench_postgres.py [--quick] [--skip-copy]

Uses the server named by ANNOTATOR_TEST_PG (as .ci/run sets it), else starts a throwaway one
from the machine's PostgreSQL binaries (tests/pg.py), Unix socket only. Figures:
(a) 4 processes x 250 span adds at once on one project: spans stored, errors, duplicates;
(b) tag a span in the real main window on the benchmark article (1 MB, 20,000 spans) stored on
PostgreSQL: key -> stored -> painted, p95; (c) one window's tag visible in a second window on
the same project: seconds, worst of the trials; (d) ``annotator copy`` of the 20,000-document
benchmark project (bench/generate.py) into PostgreSQL, without and with the verification.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchlib  # noqa: E402
from benchlib import Figure  # noqa: E402

WRITER = Path(__file__).resolve().parents[1] / "tests" / "storage" / "pg_writer.py"


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def concurrency(url: str, processes: int, adds: int) -> tuple[int, int, int, float]:
    """(stored, errors, duplicates, seconds) of ``processes`` writers adding ``adds`` spans each."""
    from annotator.importers.base import ImportedDocument
    from annotator.importing import sha256_text
    from annotator.project import open_project

    text = "Probiotics reduce nerve pain in adults, a small trial suggests. Ask your doctor first."
    p = open_project(url)
    (doc_id,) = p.repo.add_documents([(ImportedDocument(text, "t", "txt", "t.txt"), sha256_text(text))])
    p.close()
    procs = [subprocess.Popen([sys.executable, str(WRITER), url, f"reviewer-{i % 2}", str(adds), f"w{i}", str(doc_id)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for i in range(processes)]
    t0 = time.perf_counter()
    for proc in procs:
        proc.stdin.write("go\n")  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]
    reports = [json.loads(proc.communicate()[0].splitlines()[-1]) for proc in procs]
    seconds = time.perf_counter() - t0
    p = open_project(url, create=False)
    notes = [s.note for s in p.repo.spans(doc_id)]
    p.close()
    return len(notes), sum(r["errors"] for r in reports), len(notes) - len(set(notes)), seconds


def _open_big(window, app) -> int:  # type: ignore[no-untyped-def]
    big = max(range(window.doc_model.rowCount()), key=lambda r: window.doc_model.summary(r).char_count)
    big_id = window.doc_model.summary(big).id
    window.documents.open(big_id)
    while window.documents.loading:
        app.processEvents()
        time.sleep(0.001)
    return big_id


def _tag(view, app, rng: random.Random, key, cpu: list[float] | None = None) -> float:  # type: ignore[no-untyped-def]
    """Select a few words and press a label key; milliseconds from key to stored and painted
    (and the GUI thread's CPU milliseconds for it appended to ``cpu``)."""
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest

    text = view.store.text
    start16 = view.store.utf16.to_utf16(rng.randrange(0, len(text) - 100))
    cursor = view.textCursor()
    cursor.setPosition(start16)
    cursor.setPosition(start16 + rng.randint(5, 60), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    view.centerCursor()
    view.setFocus()
    app.processEvents()
    before = len(view.store)
    c0, t0 = time.thread_time(), time.perf_counter()
    QTest.keyClick(view, key)
    app.processEvents()
    elapsed = (time.perf_counter() - t0) * 1000
    if cpu is not None:
        cpu.append((time.thread_time() - c0) * 1000)
    if len(view.store) != before + 1:
        raise SystemExit("a label key did not add a span")
    return elapsed


def gui_figures(url: str, tags: int, trials: int) -> tuple[list[float], list[float], list[float], str]:
    """Tag latencies (ms) in one window, then seconds until a tag shows in a second window."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from annotator.ui import open_main_window

    mine = open_main_window(url, reviewer="bench")
    app = QApplication.instance()
    _open_big(mine, app)
    mine.activateWindow()  # label keys are window shortcuts: they reach the active window
    app.processEvents()
    view = mine.view
    article = f"{len(view.store.text):,} characters, {len(view.store):,} spans"
    rng = random.Random(11)
    keys = [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5]
    cpu: list[float] = []
    latencies = [_tag(view, app, rng, keys[i % 5], cpu) for i in range(tags)]
    other = open_main_window(url, reviewer="bench")  # the same reviewer's second window
    _open_big(other, app)
    mine.activateWindow()
    app.processEvents()
    visible = []
    for i in range(trials):
        t0 = time.perf_counter()
        _tag(view, app, rng, keys[i % 5])
        target = len(view.store)
        while len(other.view.store) < target and time.perf_counter() - t0 < 10:
            app.processEvents()
            time.sleep(0.002)
        visible.append(time.perf_counter() - t0)
    mine.close()
    other.close()
    return latencies, visible, cpu, article


def copy_figures(pg_database: Callable[[], str], quick: bool, verify: bool) -> tuple[float, float | None, str]:
    import generate

    from annotator.exporters.compare import canonical_digest
    from annotator.storage.repository.copying import copy_project

    docs, spans = (2_000, 100_000) if quick else (20_000, 1_000_000)
    source = generate.project(docs, spans)
    url = pg_database()
    done = [0]
    t0 = time.perf_counter()
    copy_project(str(source), url, progress=lambda d, _t, _m: done.__setitem__(0, d))
    copied = time.perf_counter() - t0
    checked = None
    if verify:
        t1 = time.perf_counter()
        if canonical_digest(str(source)) != canonical_digest(url):
            raise SystemExit("the copy's canonical export differs from the original's")
        checked = copied + time.perf_counter() - t1
    return copied, checked, f"{docs:,} documents, {spans:,} spans, {done[0]:,} rows"


def main() -> int:
    parser = benchlib.parser(__doc__.splitlines()[0])
    parser.add_argument("--skip-copy", action="store_true", help="leave out the 20,000-document copy")
    parser.add_argument("--no-verify", action="store_true", help="time the copy without its verification")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="annotator-bench-pg-"))
    os.environ["ANNOTATOR_HOME"] = str(tmp / "home")
    from tests import pg

    if not pg.server_url():
        benchlib.unavailable("postgres", pg.UNAVAILABLE, [("4 x 250 span adds", "1,000 stored, 0 errors"),
                                                          ("tag a span on PostgreSQL", "p95 ≤ 16 ms")])
        return 0
    made: list[str] = []

    def database() -> str:
        made.append(pg.fresh_database())
        return made[-1]

    figures, notes = [], [f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs at start"]
    try:
        stored, errors, duplicates, seconds = concurrency(database(), 4, 250)
        figures.append(Figure("4 processes x 250 span adds: spans stored", stored, "spans", "1,000", 1000, "higher",
                              f"{stored} stored, {errors} errors, {duplicates} duplicates in {seconds:.1f} s"))
        figures.append(Figure("4 x 250: errors + duplicates", errors + duplicates, "", "0", 0, "lower"))

        import bench_tagging

        size, spans = (200_000, 4_000) if args.quick else (1_000_000, 20_000)
        article, _small, _big = bench_tagging.build_project(tmp, size, spans)
        from annotator.storage.repository.copying import copy_project

        url = database()
        copy_project(str(article), url)
        latencies, visible, cpu, described = gui_figures(url, 30 if args.quick else 200, 5 if args.quick else 20)
        figures.append(Figure("tag a span on PostgreSQL (key -> stored -> painted)", p95(latencies), "ms",
                              "p95 ≤ 16 ms", 16.0, "lower",
                              f"p50 {statistics.median(latencies):.1f} / p95 {p95(latencies):.1f} / "
                              f"max {max(latencies):.1f} ms"))
        figures.append(Figure("  GUI-thread CPU time per tag (info: excludes waiting for the CPU)", p95(cpu), "ms",
                              display=f"p50 {statistics.median(cpu):.1f} / p95 {p95(cpu):.1f} ms"))
        figures.append(Figure("another window shows the tag", max(visible), "s", "≤ 2 s", 2.0, "lower",
                              f"median {statistics.median(visible):.2f} s, worst {max(visible):.2f} s "
                              f"of {len(visible)}"))
        notes.append(f"article: {described}")
        if not args.skip_copy:
            copied, checked, what = copy_figures(database, args.quick, not args.no_verify)
            figures.append(Figure("annotator copy to PostgreSQL", copied, "s", "≤ 60 s", 60.0, "lower",
                                  f"{copied:.1f} s ({what})"))
            if checked is not None:
                figures.append(Figure("  with the byte-identical export check (info)", checked, "s",
                                      display=f"{checked:.1f} s"))
    finally:
        for url in made:
            pg.drop_database(url)
    notes.append(f"load average {os.getloadavg()[0]:.2f} at the end")
    benchlib.emit("postgres", figures, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
