"""Starting the GUI: the QApplication, the window, then the project (in that order).

The window is shown before the project opens, because opening imports SQLAlchemy,
SQLModel and (for PDFs) PyMuPDF, which together take about a second.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from annotator.config import APP, Preferences
from annotator.ui.main_window import MainWindow


def ensure_app() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP)
    app.setOrganizationName(APP)
    app.setApplicationDisplayName("annotator")
    from annotator.ui.theme import apply_theme

    apply_theme(app, Preferences.load().theme)
    return app


def _project_to_open(project_path: str | Path | None) -> str | None:
    if project_path is not None:
        return str(project_path)
    last = Preferences.load().last_project
    return last if last and ("://" in last or Path(last).exists()) else None


def launch(project_path: str | Path | None = None) -> tuple[QApplication, MainWindow]:
    """Show the window now and open the project on the first turn of the event loop."""
    app = ensure_app()
    window = MainWindow()
    window.show()
    target = _project_to_open(project_path)
    QTimer.singleShot(0, lambda: window.open_project(target))
    return app, window


def run_app(project_path: str | None = None) -> int:
    """The ``annotator gui`` entry point: runs until the window closes."""
    app, _window = launch(project_path)
    return app.exec()


def open_main_window(project_path: str | Path | None = None, *, reviewer: str | None = None) -> MainWindow:
    """Open the main window on a project file and return it, shown and loaded.

    For scripts and tests: creates the QApplication if there is none, opens the project
    synchronously (``None``: the last or the default project) as ``reviewer`` (``None``:
    the stored name, asked once), and returns without running the event loop.
    """
    app = ensure_app()
    window = MainWindow()
    window.show()
    app.processEvents()
    window.open_project(_project_to_open(project_path), reviewer)
    return window
