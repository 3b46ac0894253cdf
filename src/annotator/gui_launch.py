"""Starting the desktop app from a command, shared by the quick dispatcher and the typer commands.

It imports the UI only when called, so commands that never open a window never load Qt.
"""

from __future__ import annotations

import sys


def launch_gui(project: str | None) -> int:
    """Run the desktop app until its window closes; the exit code of the event loop."""
    try:
        from annotator.ui.app import run_app
    except ImportError as exc:
        print(f"annotator: the desktop app cannot start ({exc}); the other commands still work, "
              "see `annotator --help`", file=sys.stderr)
        return 1
    from annotator.ui.platform_check import PlatformUnavailable

    try:
        return run_app(project)
    except PlatformUnavailable as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return 1
