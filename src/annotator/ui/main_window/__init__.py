"""The main window package: ``window`` holds docks and wiring, the other modules behaviour."""

from __future__ import annotations

from annotator.ui.main_window.window import MainWindow

__all__ = ["MainWindow"]
