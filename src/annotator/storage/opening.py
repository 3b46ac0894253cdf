"""Opening a project database: create a new one, refuse a newer or damaged one, back up and migrate an older one.

Above ``db``, ``backup`` and ``migrations`` (the repository calls it), so that none of those
three needs another one that needs it back.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import Session, SQLModel

from annotator import __version__
from annotator.storage import backup, db, migrations, models
from annotator.storage.db import postgres
from annotator.storage.errors import ProjectDamagedError, ProjectOpenError


def open_engine(project: str | Path, *, create: bool = True) -> tuple[Engine, bool]:
    """Open (and create if needed) a project database. Returns (engine, created).

    An older file is backed up and migrated; a newer or damaged one is refused, untouched.
    """
    url = db.database_url(project)
    name = db.display_name(project)
    path = db.sqlite_path(url)
    if path is not None and not path.exists() and not create:
        raise ProjectOpenError(f"no project file at {path}")
    try:
        if path is not None and path.exists() and not db.looks_like_sqlite(path):
            raise ProjectOpenError(f"{project}: not a readable annotator project (not an SQLite database)")
        if path is not None and path.exists():
            try:
                db.inspect_file(path)  # a foreign or newer file is refused before any engine touches it
            except ProjectDamagedError as exc:
                raise backup.damaged_error(path, exc.problems) from exc
    except OSError as exc:
        raise ProjectOpenError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if path is not None and path.exists() and not db.writable(path):
        return db.open_read_only(path), False
    engine = db.make_engine(url)
    try:
        version = db.schema_version(engine)
    except (DatabaseError, OperationalError) as exc:
        engine.dispose()
        code = getattr(exc.orig, "sqlite_errorcode", 0) & 0xFF
        if path is not None and code in (11, 26):  # SQLITE_CORRUPT, SQLITE_NOTADB behind a valid header
            raise backup.damaged_error(path, [str(exc.orig)]) from exc
        if path is not None and code in db.OPEN_MESSAGES:
            raise ProjectOpenError(db.OPEN_MESSAGES[code].format(path=path, folder=path.parent)) from exc
        raise ProjectOpenError(postgres.mask_secrets(f"{name}: not a readable annotator project ({exc.orig})",
                                                     url)) from exc
    if version is not None and version > db.SCHEMA_VERSION:
        engine.dispose()
        raise ProjectOpenError(
            f"{name} was written by a newer annotator (schema {version}; this one reads up to "
            f"{db.SCHEMA_VERSION}). Update annotator to open it; the project was not changed."
        )
    created = version is None
    if created and not create:
        engine.dispose()
        raise ProjectOpenError(f"no annotator project in {name}")
    if created:
        if inspect(engine).get_table_names():
            engine.dispose()
            raise ProjectOpenError(f"{name}: a database, but not an annotator project")
        with db.writing(engine):
            SQLModel.metadata.create_all(engine)
            if engine.dialect.name == "postgresql":
                with engine.begin() as c:
                    postgres.install_notify_triggers(c)
            with Session(engine) as s:
                s.add(models.ProjectMeta(key="schema_version", value=str(db.SCHEMA_VERSION)))
                s.add(models.ProjectMeta(key="application_id", value=db.APP_ID))
                s.add(models.ProjectMeta(key="created_by", value=f"annotator {__version__}"))
                s.add(models.ProjectMeta(key="created_at", value=models.utc_now()))
                s.commit()
    elif version < db.SCHEMA_VERSION:
        try:
            migrations.upgrade(engine, version, path)
        except BaseException:
            engine.dispose()
            raise
    if path is not None:
        try:
            db.hold_in_use_lock(engine, path)
        except BaseException:
            engine.dispose()
            raise
    return engine, created
