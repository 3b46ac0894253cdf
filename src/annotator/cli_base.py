"""What every ``annotator`` command shares: the typer app, the ``--project`` option, opening the
project (refusing a missing one unless the command creates it, checking it before a write),
one-line errors, a progress bar and plain tables.

The command modules (``cli_commands``, ``cli_team``, ``cli_model``) register on :data:`app`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from annotator.project import Project

app = typer.Typer(
    name="annotator",
    help="Label claims, mechanisms, interventions, citations and disclaimers in health articles. "
    "Without a command, opens the desktop app.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts mention text[start:end], which is not markup
    context_settings={"help_option_names": ["-h", "--help"]},
)

# A string, not a Path: a database URL (postgresql+psycopg://user@host/db) is no file path,
# and Path() would fold its "//".
ProjectOpt = Annotated[
    str | None,
    typer.Option("--project", envvar="ANNOTATOR_PROJECT", show_default=False,
                 help="Project file or PostgreSQL URL (postgresql+psycopg://user@host/db); import and gui "
                      "create a missing file, other commands refuse it. "
                      "Default: $ANNOTATOR_PROJECT, else your default project."),
]


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"annotator: {message}", err=True)
    raise typer.Exit(code)


def _project_target(project: str | None) -> Path:
    from annotator.config import default_project_path

    return Path(project) if project is not None else default_project_path()


def _missing(target: Path) -> str:
    """What to say when a command that only reads is pointed at a project that is not there."""
    return (f"no project at {target}; check the path, or create the project with "
            f"`annotator new \"{target}\"` or `annotator import FILES --project \"{target}\"`")


def _open(project: str | None, *, create: bool = False, reads_only: bool = False) -> Project:
    """The project. Only ``create`` (import, new) makes one that does not exist: a command that
    reads refuses a missing file, so a mistyped ``--project`` never leaves an empty project behind.
    A database URL is never taken for a file path.

    A command that ``reads_only`` skips a large file's check and backup (see ``open_project``).
    One that writes runs both here, whatever the file's size: a thread would die with the
    process, so a large project would never be checked or backed up from the command line,
    and a damaged one would take the command's writes.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from annotator.project import open_project
    from annotator.storage.db import ProjectOpenError

    if not create and (project is None or "://" not in project):
        target = _project_target(project)
        if not target.exists():
            _fail(_missing(target), 2)
    try:
        proj = open_project(project, create=create, background_care=False)
    except ProjectOpenError as exc:
        _fail(str(exc), 2)
    except SQLAlchemyError as exc:
        from annotator.storage.db import display_name
        from annotator.storage.db.postgres import mask_secrets

        name = display_name(project) if project else "the default project"
        _fail(mask_secrets(f"{name} cannot be opened: {exc}", project or ""), 2)
    if not reads_only:
        try:
            _check_before_writing(proj)
        except ProjectOpenError as exc:
            proj.close()
            _fail(str(exc), 2)
    return proj


def _check_before_writing(proj: Project) -> None:
    """Run a large file's open-time check and daily backup now (small files had theirs on open)."""
    from annotator.storage import db
    from annotator.storage.backup import open_time_care

    file = db.engine_path(proj.repo.engine)
    if proj.health is None and not proj.created and file is not None:
        proj.health = open_time_care(file, background=False)  # raises ProjectDamagedError
    report = proj.health.result() if proj.health is not None else None
    if report is not None and report.backup_error:
        typer.echo(f"annotator: warning: {report.backup_error}", err=True)


class _Bar:
    """A (done, total, message) callback drawing a progress bar on stderr."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.done = 0

    def __call__(self, done: int, total: int, _message: str) -> None:
        if self.bar is None:
            self.bar = typer.progressbar(length=max(total, 1), label=self.label, file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        if done > self.done:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """Plain aligned columns: numbers to the right, text to the left."""
    cells = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    numeric = [all(isinstance(r[i], int) for r in rows) and bool(rows) for i in range(len(header))]
    return ["  " + "  ".join(c.rjust(w) if numeric[i] else c.ljust(w)
                             for i, (c, w) in enumerate(zip(r, widths))).rstrip() for r in cells]
