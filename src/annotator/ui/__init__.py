"""The desktop GUI: the only package that imports PySide6.

``open_main_window(project_path, reviewer=...)`` opens a loaded main window (scripts, tests);
``run_app(project_path)`` runs the application (``annotator gui``). Both load lazily so
``import annotator.ui`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotator.ui.app import open_main_window, run_app

__all__ = ["open_main_window", "run_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from annotator.ui import app

        return getattr(app, name)
    raise AttributeError(f"module 'annotator.ui' has no attribute {name!r}")
