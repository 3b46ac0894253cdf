"""Tagging while the model trains: key -> stored -> repainted in the real main window, Model → Train running.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_train_tagging.py [--quick] [--tags 60]

The project is ``suggest_corpus.py``'s (cached under bench/out/, as for bench_suggest.py):
500 documents of about 4,000 characters marked done, 125 open. The window opens an open
document; first ``--tags`` spans are tagged by key with nothing else running (the same
run's reference), then Model → Train is started from the Model menu's controller and spans
are tagged the same way for as long as it runs, a reviewer's pace apart (the event loop
turns for 30 ms between tags). Each tag is timed from the key press until the span is stored
and the text repainted; the GUI thread's CPU time is reported beside it. Judged on the p95
while training against the 16 ms frame. Also reported: that training finished (a model is
stored) and how long it took. ``--quick``: 48 done documents of 1,500 characters.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from bench_suggest import _project  # noqa: E402
from bench_tagging import figure, load, report  # noqa: E402
from benchlib import Figure  # noqa: E402

FRAME_LIMIT_MS = 16.0
PACE_S = 0.03


def main() -> int:
    parser = benchlib.parser(__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, help="tags without training (the reference)")
    args = parser.parse_args()
    done, chars = (48, 1500) if args.quick else (500, 4000)
    args.tags = args.tags or (30 if args.quick else 100)
    try:
        from annotator.suggestions.model import require_model_libraries

        require_model_libraries()
    except Exception as exc:  # noqa: BLE001  (missing package)
        benchlib.unavailable("train_tagging", str(exc), [("tag a span while training runs", "p95 ≤ 16 ms")])
        return 0
    load_start = load()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="annotator-bench-"))
    os.environ["ANNOTATOR_HOME"] = str(tmp / "home")
    project = _project(done, chars)

    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from annotator.storage.repository import Repository
    from annotator.ui import open_main_window

    repo, _ = Repository.open(project, create=False)
    doc_id = repo.documents_not_done()[0]
    window = open_main_window(project, reviewer="bench")
    app = QApplication.instance()
    window.activateWindow()
    window.documents.open(doc_id)
    while window.documents.loading:
        app.processEvents()
        time.sleep(0.001)
    view = window.view
    text = view.store.text
    keys = [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5]
    rng = random.Random(11)

    def tag_once(i: int) -> tuple[float, float]:
        start = rng.randrange(0, len(text) - 80)
        start16 = view.store.utf16.to_utf16(start)
        cursor = view.textCursor()
        cursor.setPosition(start16)
        cursor.setPosition(start16 + rng.randint(5, 60), QTextCursor.MoveMode.KeepAnchor)
        view.setTextCursor(cursor)
        view.setFocus()
        app.processEvents()
        before = len(view.store)
        c0 = time.thread_time()
        t0 = time.perf_counter()
        QTest.keyClick(view, keys[i % 5])
        app.processEvents()  # the targeted repaint the app really does
        elapsed = (time.perf_counter() - t0) * 1000
        cpu = (time.thread_time() - c0) * 1000
        if len(view.store) != before + 1:
            raise SystemExit(f"tag {i} did not add a span: {window.statusBar().currentMessage()}")
        return elapsed, cpu

    def pace() -> None:
        until = time.perf_counter() + PACE_S
        while time.perf_counter() < until:
            app.processEvents()
            time.sleep(0.002)

    idle, idle_cpu = [], []
    for i in range(args.tags):
        wall, cpu = tag_once(i)
        idle.append(wall)
        idle_cpu.append(cpu)
        pace()

    t_train = time.perf_counter()
    handle = window.model.train()
    if handle is None:
        raise SystemExit("Model → Train did not start")
    window.activateWindow()  # the reviewer clicks back into the text; the progress dialog stays open
    busy, busy_cpu, busy_at = [], [], []
    i = 0
    while window.model.task is not None:
        began = time.perf_counter() - t_train
        wall, cpu = tag_once(i)
        if window.model.task is not None:  # only tags that began and ended while training ran
            busy.append(wall)
            busy_cpu.append(cpu)
            busy_at.append(began)
        i += 1
        pace()
    train_s = time.perf_counter() - t_train
    message = window.statusBar().currentMessage()
    stored = repo.latest_model()
    repo.close()
    window.close()
    if stored is None or not busy:
        benchlib.emit("train_tagging", [Figure("tag a span while training runs", None, "", "p95 ≤ 16 ms")],
                      status="error", reason=f"training did not store a model: {message}" if stored is None
                      else "training ended before any tag")
        return 1

    print(f"load average: {load():.2f} on {os.cpu_count()} CPUs (figures are wall-clock)")
    report("tag a span while training runs", busy, FRAME_LIMIT_MS)
    report("  GUI-thread CPU time, training", busy_cpu, FRAME_LIMIT_MS)
    report("tag a span, nothing else running", idle, FRAME_LIMIT_MS)
    report("  GUI-thread CPU time, nothing running", idle_cpu, FRAME_LIMIT_MS)
    metrics = stored.metrics
    trained = (f"Model → Train finished in {train_s:.1f} s (a model is stored: {metrics['documents']['train']} "
               f"training documents, micro F1 {metrics['micro']['f1']:.3f}); {message}")
    print(trained)
    slowest = max(range(len(busy)), key=busy.__getitem__)
    slowest_note = f"slowest tag while training: {busy[slowest]:.0f} ms, {busy_at[slowest]:.1f} s after Train"
    print(slowest_note)
    figures = [
        figure("tag a span while Model → Train runs (key → stored → repainted)", busy, FRAME_LIMIT_MS),
        figure("GUI-thread CPU time per tag while training runs", busy_cpu, None),
        figure("tag a span, same run, nothing else running (reference)", idle, None),
        figure("GUI-thread CPU time per tag, nothing else running (reference)", idle_cpu, None),
        Figure("Model → Train from the window, start to model stored", train_s, "s",
               display=f"{train_s:.1f} s ({len(busy)} tags meanwhile)"),
    ]
    notes = [trained, slowest_note, f"project: {done * 5 // 4} documents of about {chars:,} characters, {done} marked done",
             f"load average {load_start:.2f} at start, {load():.2f} at end, on {os.cpu_count()} CPUs; "
             "the figures are wall-clock, so other work on the machine inflates them"]
    benchlib.emit("train_tagging", figures, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
