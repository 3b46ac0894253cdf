"""Opening a project: the database, its own label set, and the default project's first run."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from annotator.config import default_project_path
from annotator.labels import default_labels
from annotator.records import LabelRecord
from annotator.storage import db
from annotator.storage.backup import HealthReport, care_runs_in_background, open_time_care
from annotator.storage.repository import Repository


@dataclass
class Project:
    path: str
    repo: Repository
    created: bool
    # The open-time integrity check and daily backup (done already for small files; on a
    # thread for large ones). None for new projects and non-file databases.
    health: Future[HealthReport] | None = None

    @property
    def labels(self) -> list[LabelRecord]:
        return self.repo.labels()

    def close(self) -> None:
        self.repo.close()


def sample_corpus_dir() -> Path | None:
    """The checkout's sample_corpus/ (present in a clone or an editable install)."""
    candidate = Path(__file__).resolve().parents[2] / "sample_corpus"
    return candidate if candidate.is_dir() else None


def open_project(path: str | Path | None = None, *, create: bool = True, background_care: bool = True) -> Project:
    """Open a project file (or database URL), creating it with the default labels if new.

    The default project (``path`` None) imports the sample corpus when it is first made.
    An existing file is checked (and backed up once a day): a small one before this returns,
    a large one on a thread (see :func:`open_time_care`). ``background_care=False`` skips
    that thread, for a short command that only reads (``annotator export``, ``stats``): it
    would end with the process long before a large file's check and copy are done, after
    competing with the command for the disk and the cores.
    """
    target = path if path is not None else default_project_path()
    repo, created = Repository.open(target, create=create)
    health: Future[HealthReport] | None = None
    file = db.engine_path(repo.engine)
    if not created and file is not None and (background_care or not care_runs_in_background(file)):
        try:
            health = open_time_care(file)
        except BaseException:  # damaged: nothing may keep the file open behind the error
            repo.close()
            raise
    if created:
        repo.store_labels(default_labels())
    project = Project(str(target), repo, created, health)
    if created and path is None and (corpus := sample_corpus_dir()) is not None:
        from annotator.importing import import_paths

        import_paths(repo, [corpus])
    return project
