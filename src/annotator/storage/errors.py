"""The storage layer's own errors, so callers never see a raw driver traceback.

Backend-neutral: ``db`` decides which driver error means what; everyone else catches these.
"""

from __future__ import annotations

from pathlib import Path


class StorageError(Exception):
    """A change could not be saved (read-only file, full disk, busy, damaged).

    Nothing already stored was lost: the failed change was rolled back as a whole.
    ``reason`` is a short machine-readable cause for callers that react differently.
    """

    def __init__(self, message: str, reason: str = "other") -> None:
        super().__init__(message)
        self.reason = reason


class ProjectOpenError(Exception):
    """The project cannot be opened (damaged, newer schema, unreadable); nothing was changed."""


class ProjectDamagedError(ProjectOpenError):
    """The file is an SQLite database that fails its integrity check or cannot be read.

    ``backup`` is the newest backup of this project (None when there is none), which is
    what ``annotator.storage.backup.restore_backup`` puts back.
    """

    def __init__(self, message: str, problems: list[str], backup: Path | None = None) -> None:
        super().__init__(message)
        self.problems = problems
        self.backup = backup
