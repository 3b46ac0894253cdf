"""Rotating backups of project files, the open-time health check, and putting a backup back.

Backups live in ``config.backup_dir()``, named ``<stem>-<key>-<UTC timestamp>[-<tag>]<suffix>``
(``key`` is a short hash of the project's full path, so two projects that share a file name
never rotate each other's backups away). They are taken with SQLite's backup API through
``db.copy_database`` (never a file copy of a live WAL database): before every schema
migration, and at most once a day when a changed project is opened. The newest ``KEEP``
per project are kept.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from annotator.config import PROJECT_SUFFIX, backup_dir
from annotator.storage import db
from annotator.storage.errors import ProjectDamagedError, StorageError

KEEP = 5
DAILY = 24 * 3600.0
# quick_check reads the whole file. Up to this size it takes a fraction of a second even with
# a cold page cache, so it runs before the window opens and a damaged file is refused at once;
# larger projects open at once and are checked (and backed up) on a background thread.
SYNC_CHECK_MAX_BYTES = 16 * 1024 * 1024
_STAMP = "%Y%m%dT%H%M%S.%fZ"
_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{6}\.\d{6}Z)(?:-(?P<tag>[a-z0-9-]+))?$")


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    taken_at: datetime  # UTC
    tag: str | None  # e.g. "before-v2" for the copy taken before a migration


@dataclass(frozen=True, slots=True)
class HealthReport:
    """What the open-time check found; ``message`` is for the user when ``problems`` is set."""

    problems: list[str] = field(default_factory=list)
    backup_taken: Path | None = None
    message: str | None = None
    backup_error: str | None = None  # the daily backup failed (full disk, folder not writable)

    @property
    def ok(self) -> bool:
        return not self.problems


def _key(project: Path) -> str:
    return hashlib.sha256(str(project.resolve()).encode("utf-8")).hexdigest()[:8]


def _prefix(project: Path) -> str:
    return f"{project.stem}-{_key(project)}-"


def _suffix(project: Path) -> str:
    return project.suffix or PROJECT_SUFFIX


def list_backups(project: str | Path, directory: Path | None = None) -> list[Backup]:
    """This project's backups, newest first."""
    project = Path(project)
    directory = directory or backup_dir()
    prefix, suffix = _prefix(project), _suffix(project)
    found: list[Backup] = []
    if not directory.is_dir():
        return found
    for entry in directory.iterdir():
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(suffix)):
            continue
        m = _NAME.match(name[len(prefix): len(name) - len(suffix)])
        if m:
            when = datetime.strptime(m["stamp"], _STAMP).replace(tzinfo=timezone.utc)
            found.append(Backup(entry, when, m["tag"]))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def newest_backup(project: str | Path, directory: Path | None = None) -> Path | None:
    backups = list_backups(project, directory)
    return backups[0].path if backups else None


def take_backup(project: str | Path, *, tag: str | None = None, directory: Path | None = None,
                keep: int = KEEP) -> Path:
    """Copy the project into the backup folder now and drop all but the newest ``keep``."""
    project = Path(project)
    directory = directory or backup_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime(_STAMP)
    dest = directory / f"{_prefix(project)}{stamp}{'-' + tag if tag else ''}{_suffix(project)}"
    # Written under another name and renamed when complete, so a crash mid-copy never
    # leaves something that looks like a backup.
    partial = dest.with_name(dest.name + ".partial")
    try:
        db.copy_database(project, partial)
        os.replace(partial, dest)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _rotate(project, directory, keep)
    return dest


def _rotate(project: Path, directory: Path, keep: int) -> None:
    for old in list_backups(project, directory)[keep:]:
        old.path.unlink(missing_ok=True)
    cutoff = time.time() - 3600  # a partial this old belongs to a process that died
    prefix = _prefix(project)
    for stale in directory.iterdir():
        try:
            if stale.name.startswith(prefix) and stale.name.endswith(".partial") and stale.stat().st_mtime < cutoff:
                stale.unlink()
        except OSError:
            pass


def _changed_since(project: Path, when: datetime) -> bool:
    # Commits land in the -wal file first and reach the main file at checkpoints.
    stamps = [p.stat().st_mtime for p in (project, Path(f"{project}-wal")) if p.exists()]
    return max(stamps, default=0.0) > when.timestamp()


def daily_backup_due(project: Path, directory: Path | None = None, now: datetime | None = None) -> bool:
    backups = list_backups(project, directory)
    if not backups:
        return True
    now = now or datetime.now(timezone.utc)
    newest = backups[0].taken_at
    return (now - newest).total_seconds() >= DAILY and _changed_since(project, newest)


def check_and_back_up(project: str | Path, *, directory: Path | None = None) -> HealthReport:
    """quick_check the file, then take the daily backup if one is due (never of a damaged file)."""
    project = Path(project)
    problems = db.quick_check(project)
    if problems:
        return HealthReport(problems, None, damaged_message(project, problems, newest_backup(project, directory)))
    try:
        taken = take_backup(project, directory=directory) if daily_backup_due(project, directory) else None
    except (OSError, StorageError) as exc:  # no backup today is worth a warning, not a refusal
        return HealthReport([], None, None, f"could not back up {project}: {exc}")
    return HealthReport([], taken, None)


def care_runs_in_background(project: str | Path) -> bool:
    """Whether :func:`open_time_care` checks ``project`` on a thread (a large file) by default."""
    return Path(project).stat().st_size > SYNC_CHECK_MAX_BYTES


def open_time_care(project: str | Path, *, background: bool | None = None,
                   directory: Path | None = None) -> Future[HealthReport]:
    """Run ``check_and_back_up`` for a project being opened.

    Small files are checked before returning and a damaged one raises ProjectDamagedError;
    large ones are checked on a thread and the returned future carries the report (the UI
    shows ``report.message`` if it has one). Backup failures never stop the project opening.
    """
    project = Path(project)
    if background is None:
        background = care_runs_in_background(project)
    future: Future[HealthReport] = Future()

    def run() -> None:
        try:
            future.set_result(check_and_back_up(project, directory=directory))
        except BaseException as exc:  # the thread must not die silently: the caller sees it
            future.set_exception(exc)

    if background:
        # Daemon: quitting right after opening must not wait for a backup; the copy is made
        # under a .partial name, so an interrupted one is never mistaken for a backup.
        threading.Thread(target=run, name="annotator-open-check", daemon=True).start()
        return future
    run()
    report = future.result()
    if not report.ok:
        raise ProjectDamagedError(report.message or "damaged", report.problems, newest_backup(project, directory))
    return future


def damaged_message(project: Path, problems: list[str], newest: Path | None) -> str:
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    head = f"{project} is damaged: {problems[0] if problems else 'unreadable'}{more}."
    if newest is None:
        return (f"{head} There is no backup of it in {backup_dir()}. Keep the file as it is: "
                f"'sqlite3 \"{project}\" .recover' can often salvage most of it.")
    taken = list_backups(project, newest.parent)
    when = next((b.taken_at for b in taken if b.path == newest), None)
    when_text = f" (taken {when:%Y-%m-%d %H:%M} UTC)" if when else ""
    return (f"{head} The newest backup is {newest}{when_text}. To restore it, close annotator and run:\n"
            f"    annotator recover \"{project}\"\n"
            f"The damaged file is kept beside it (…{project.name}.before-restore-…); edits made after "
            f"the backup are not in it.")


def damaged_error(project: Path, problems: list[str]) -> ProjectDamagedError:
    """The refusal to open a damaged project, naming its newest backup and the way back."""
    newest = newest_backup(project)
    return ProjectDamagedError(damaged_message(project, problems, newest), problems, newest)


def restore_backup(backup: str | Path, target: str | Path) -> Path | None:
    """Put ``backup`` in place of the project file ``target``; close every window on it first.

    The file being replaced (with its -wal and -shm) is renamed ``<name>.before-restore-<stamp>``
    rather than deleted. Returns that name, or None when there was no file. Refuses (raises
    StorageError) a backup that is itself damaged, leaving the target untouched.
    """
    backup, target = Path(backup), Path(target)
    if not backup.is_file():
        raise StorageError(f"no backup file at {backup}", "missing")
    problems = db.quick_check(backup)
    if problems:
        raise StorageError(f"the backup {backup} is damaged too ({problems[0]}); pick an older one", "damaged")
    incoming = target.with_name(target.name + ".restoring")
    db.copy_database(backup, incoming)
    aside: Path | None = None
    if target.exists():
        aside = target.with_name(f"{target.name}.before-restore-{datetime.now(timezone.utc).strftime(_STAMP)}")
        os.replace(target, aside)
        for extra in ("-wal", "-shm"):  # kept with their file: SQLite pairs them by name
            side = Path(f"{target}{extra}")
            if side.exists():
                os.replace(side, Path(f"{aside}{extra}"))
    os.replace(incoming, target)
    return aside


def recover(project: str | Path, backup: str | Path | None = None) -> tuple[Path, Path | None]:
    """What ``annotator recover PROJECT [--backup FILE]`` does: restore the newest (or given) backup.

    Returns (backup restored, where the replaced file was kept).
    """
    project = Path(project)
    chosen = Path(backup) if backup is not None else newest_backup(project)
    if chosen is None:
        raise StorageError(f"there is no backup of {project} in {backup_dir()}", "missing")
    return chosen, restore_backup(chosen, project)
