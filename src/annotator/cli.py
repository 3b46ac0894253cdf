"""The ``annotator`` command: a tiny dispatcher in front of the typer app.

Starting the GUI is the common case and must be quick, so ``annotator`` alone, ``annotator
gui`` and ``annotator [gui] --project PATH`` are recognised here by hand and handed to the
UI without importing typer, SQLAlchemy or the storage layer (the UI loads those itself, after
its window is up). Everything else goes to :mod:`annotator.cli_commands`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from annotator.gui_launch import launch_gui


def gui_request(argv: Sequence[str]) -> tuple[bool, str | None]:
    """Whether ``argv`` only asks for the GUI, and the project it names (or None).

    Anything unusual (help, unknown options, an empty path) is left to the full parser,
    which knows how to explain it.
    """
    project: str | None = None
    seen_gui = False
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "gui" and not seen_gui:
            seen_gui = True
        elif arg == "--project" and i + 1 < len(args) and project is None:
            project = args[i + 1]
            i += 1
        elif arg.startswith("--project=") and project is None:
            project = arg.partition("=")[2]
        else:
            return False, None
        i += 1
    if project == "":
        return False, None
    return True, project if project is not None else (os.environ.get("ANNOTATOR_PROJECT") or None)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (``annotator``) and ``python -m annotator``."""
    args = list(sys.argv[1:] if argv is None else argv)
    is_gui, project = gui_request(args)
    if is_gui:
        sys.exit(launch_gui(project))
    from annotator.cli_commands import run

    run(args)


if __name__ == "__main__":
    main()
