"""Child process for the GUI benchmarks: start the real app on a project, report when things show.

    python bench/gui_probe.py shown|list PROJECT [--reviewer NAME] [--rows N]

It installs no code in the application: it subclasses ``QApplication`` before the app
imports it and watches ``notify``, so it sees the main window's first paint and knows when
the event that caused it (expose, update request) has returned, i.e. every child has
painted too. Then
  shown  prints {"shown": t} once the main window's first paint is complete and exits;
  list   keeps running until the document list view's model holds ``--rows`` rows (or
         cannot fetch more) and a paint of that view followed, then prints the times.
Times are ``time.monotonic()`` (CLOCK_MONOTONIC on Linux, the same clock in the parent).
Also reported: whether sqlmodel / pymupdf were imported at that moment, and RSS.
"""

from __future__ import annotations

import time

T_MAIN = time.monotonic()  # before any import of ours: the interpreter's own start-up came first

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

HEAVY = ("sqlmodel", "sqlalchemy", "pymupdf", "fitz")
ENTRY: dict[str, str] = {"name": ""}  # which application entry point this run used
STATE: dict[str, object] = {"shown": None}  # what the event filter has seen so far


def report(**fields: object) -> None:
    fields.update(t_main=T_MAIN, entry=ENTRY["name"], show_event=STATE.get("show_event"),
                  modules_at_show=STATE.get("modules_at_show"), modules_at_paint=STATE.get("modules_at_paint"), rss_mb=benchlib.rss_mb(), peak_rss_mb=benchlib.peak_rss_mb(),
                  modules={m: m in sys.modules for m in HEAVY})
    sys.stdout.write("PROBE " + json.dumps(fields) + "\n")
    sys.stdout.flush()


def finish(code: int = 0) -> None:
    # Skip the app's shutdown (preferences, window state): the measurement is over and
    # a clean shutdown of a 100k-row model can take longer than the run itself.
    sys.stdout.flush()
    os._exit(code)


def main() -> None:
    mode, project = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    reviewer = args[args.index("--reviewer") + 1] if "--reviewer" in args else "reviewer-1"
    rows = int(args[args.index("--rows") + 1]) if "--rows" in args else 0
    timeout_s = float(args[args.index("--timeout") + 1]) if "--timeout" in args else 60.0

    from PySide6 import QtWidgets
    from PySide6.QtCore import QEvent, QModelIndex, QObject, QTimer

    state = STATE

    def list_view(window: QtWidgets.QWidget) -> QtWidgets.QAbstractItemView | None:
        view = window.findChild(QtWidgets.QAbstractItemView, "documentListView")
        if view is None:
            views = [v for v in window.findChildren(QtWidgets.QAbstractItemView) if v.model() is not None]
            view = max(views, key=lambda v: v.model().rowCount(), default=None)
        return view

    depth = [0]  # nesting of QApplication.notify calls
    after_paint: list[Callable[[], None]] = []  # run when the outermost event that led to a paint has returned

    def on_event(receiver: QObject, event: QEvent) -> None:
        kind = event.type()
        if kind == QEvent.Type.Show and isinstance(receiver, QtWidgets.QMainWindow) and "show_event" not in state:
            # showEvent: the window is mapped, but nothing is on screen until it paints.
            state["show_event"] = time.monotonic()
            state["modules_at_show"] = {m: m in sys.modules for m in HEAVY}
        elif kind == QEvent.Type.Paint and isinstance(receiver, QtWidgets.QWidget):
            if "window" not in state and isinstance(receiver.window(), QtWidgets.QMainWindow):
                state["window"] = receiver.window()
                after_paint.append(first_paint_done)
            elif state.get("list_ready") and receiver is state.get("viewport") and "list_painted" not in state:
                state["list_painted"] = True
                after_paint.append(list_paint_done)

    def first_paint_done() -> None:
        # The whole backing store (window and children) has been painted by now.
        state["shown"] = time.monotonic()
        state["modules_at_paint"] = {m: m in sys.modules for m in HEAVY}
        if mode == "shown":
            report(shown=state["shown"])
            finish()
        QTimer.singleShot(0, poll)

    def list_paint_done() -> None:
        report(shown=state["shown"], list_shown=time.monotonic(), rows=state["rows"])
        finish()

    def poll() -> None:
        window = state["window"]
        view = list_view(window)  # type: ignore[arg-type]
        if view is not None and view.isVisible() and view.model() is not None:
            model = view.model()
            n = model.rowCount()
            if n and (n >= rows or not model.canFetchMore(QModelIndex())):
                state.update(list_ready=True, rows=n, viewport=view.viewport())
                view.viewport().update()  # the next paint of the list ends the measurement
                return
        if time.monotonic() - T_MAIN > timeout_s:
            report(shown=state["shown"], error=f"document list not populated after {timeout_s:.0f} s",
                   rows=view.model().rowCount() if view is not None and view.model() else 0)
            finish(2)
        QTimer.singleShot(2, poll)

    base = QtWidgets.QApplication

    class ProbedApplication(base):  # type: ignore[misc, valid-type]
        def notify(self, receiver: QObject, event: QEvent) -> bool:
            on_event(receiver, event)
            depth[0] += 1
            try:
                return super().notify(receiver, event)
            finally:
                depth[0] -= 1
                if depth[0] == 0 and after_paint:
                    done = after_paint[:]
                    after_paint.clear()
                    for callback in done:
                        callback()

    QtWidgets.QApplication = ProbedApplication  # type: ignore[misc]
    launch(project, reviewer)


def launch(project: str, reviewer: str) -> None:
    """Start the application the way a user does: the CLI's ``gui`` command when there is one.

    ``BENCH_ENTRY`` = cli | run_app | open_main_window forces one path.
    """
    import importlib.util

    from PySide6 import QtWidgets

    forced = os.environ.get("BENCH_ENTRY", "")
    ENTRY["name"] = forced
    if forced in ("", "cli") and importlib.util.find_spec("annotator.cli") is not None:
        ENTRY["name"] = "annotator.cli:main gui --project"
        from annotator.cli import main as cli_main

        sys.argv = ["annotator", "gui", "--project", project]
        cli_main()
        return
    try:
        from annotator.ui import app as app_module
    except ImportError as exc:
        report(error=f"annotator.ui.app: {exc}")
        finish(3)
    if forced in ("", "run_app") and hasattr(app_module, "run_app"):
        ENTRY["name"] = "annotator.ui.app.run_app"
        app_module.run_app(project)
    elif hasattr(app_module, "open_main_window"):
        ENTRY["name"] = "annotator.ui.app.open_main_window"
        qapp = QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]])
        window = app_module.open_main_window(project, reviewer=reviewer)
        window.show()
        qapp.exec()
    else:
        report(error="annotator.ui.app has neither run_app nor open_main_window")
        finish(3)


if __name__ == "__main__":
    main()
