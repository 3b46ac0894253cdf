"""Starting the GUI: the window paints first, then the project opens behind it.

Order matters for how quickly something useful is on screen:
1. a thread starts reading the document list straight from the project file (stdlib
   sqlite3, see ``storage.document_list``) while Qt and the window's modules load;
2. the window is built, shown and painted, with nothing from the database layer imported;
3. after that first paint a worker opens the project (SQLAlchemy, SQLModel, schema check:
   about half a second) while the window shows "Opening project…" and, as soon as the
   snapshot is ready, the document list.

This module imports no Qt at the top, so step 1 can start before Qt loads.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.config import APP, Preferences

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from annotator.storage.document_list import ListSnapshot
    from annotator.ui.main_window import MainWindow

if importlib.util.find_spec("PySide6") is None:  # what `annotator gui` explains when Qt is missing
    raise ImportError("No module named 'PySide6'")


def ensure_app() -> QApplication:
    """The QApplication, made if needed; :class:`PlatformUnavailable` instead of Qt aborting."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    from annotator.ui.platform_check import check_platform

    check_platform(os.environ)  # Qt would abort the process with a misleading message
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP)
    app.setOrganizationName(APP)
    app.setApplicationDisplayName("annotator")
    from annotator.ui.theme import apply_theme

    apply_theme(app, Preferences.load().theme)
    return app


def _project_to_open(project_path: str | Path | None, prefs: Preferences | None = None) -> str | None:
    if project_path is not None:
        return str(project_path)
    last = (prefs or Preferences.load()).last_project
    return last if last and ("://" in last or Path(last).exists()) else None


def _start_snapshot(target: str | None, prefs: Preferences, hold: threading.Event
                    ) -> Future[ListSnapshot | None] | None:
    """Start reading the document list now, when the project is a file and the reviewer known."""
    if target is None or "://" in target or not prefs.reviewer.strip() or not Path(target).is_file():
        return None
    from annotator.storage.document_list import start_list_snapshot

    return start_list_snapshot(target, prefs.reviewer, hold)


def launch(project_path: str | Path | None = None) -> tuple[QApplication, MainWindow]:
    """Show the window now; the project opens on a worker thread once the window has painted."""
    prefs = Preferences.load()
    target = _project_to_open(project_path, prefs)
    painted = threading.Event()  # the snapshot's Python half waits for the first paint
    snapshot = _start_snapshot(target, prefs, painted)
    app = ensure_app()
    from annotator.ui.main_window import MainWindow
    from annotator.ui.main_window.opening import after_first_paint

    window = MainWindow()

    def open_project() -> None:
        painted.set()
        window.open_project_in_background(target, snapshot=snapshot)

    after_first_paint(window, open_project)
    window.show()
    return app, window


def run_app(project_path: str | None = None) -> int:
    """The ``annotator gui`` entry point: runs until the window closes."""
    app, _window = launch(project_path)
    code = app.exec()
    from annotator.ui.workers import wait_for_tasks

    # A project may still be opening on a worker; let it finish before the interpreter goes.
    wait_for_tasks(3000)
    return code


def open_main_window(project_path: str | Path | None = None, *, reviewer: str | None = None) -> MainWindow:
    """Open the main window on a project file and return it, shown and loaded.

    For scripts and tests: creates the QApplication if there is none, opens the project
    synchronously (``None``: the last or the default project) as ``reviewer`` (``None``:
    the stored name, asked once), and returns without running the event loop.
    """
    app = ensure_app()
    from annotator.ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    app.processEvents()
    window.open_project(_project_to_open(project_path), reviewer)
    return window
