"""Engine creation, connection pragmas and the schema version: the only SQLite-specific module.

The rest of the storage layer takes a database URL (``sqlite:///path`` today, PostgreSQL
later); a bare path means a SQLite project file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import Session, SQLModel, create_engine

from annotator import __version__
from annotator.storage import models

SCHEMA_VERSION = 1
APP_ID = "annotator-project"


class ProjectOpenError(Exception):
    """The project cannot be opened (damaged, newer schema, unreadable); nothing was changed."""


def database_url(project: str | Path) -> str:
    s = str(project)
    if "://" in s:
        return s
    return f"sqlite:///{Path(s).expanduser().resolve()}"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    # WAL lets readers (export, stats) run while the GUI writes; FULL makes each
    # committed edit survive power loss, not only a process crash.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.close()


def make_engine(url: str) -> Engine:
    if is_sqlite(url):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def schema_version(engine: Engine) -> int | None:
    """The version recorded in the file, or None for an empty database."""
    if not inspect(engine).has_table("project_meta"):
        return None
    meta = models.ProjectMeta.__table__
    with engine.connect() as c:
        value = c.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return int(value) if value is not None else None


def open_engine(project: str | Path, *, create: bool = True) -> tuple[Engine, bool]:
    """Open (and create if needed) a project database. Returns (engine, created)."""
    url = database_url(project)
    if not create and is_sqlite(url):
        path = make_url(url).database
        if path and not Path(path).exists():
            raise ProjectOpenError(f"no project file at {path}")
    engine = make_engine(url)
    try:
        version = schema_version(engine)
    except (DatabaseError, OperationalError) as exc:
        engine.dispose()
        raise ProjectOpenError(f"{project}: not a readable annotator project ({exc.orig})") from exc
    if version is not None and version > SCHEMA_VERSION:
        engine.dispose()
        raise ProjectOpenError(
            f"{project} was written by a newer annotator (schema {version}; this one reads up to "
            f"{SCHEMA_VERSION}). Update annotator to open it; the file was not changed."
        )
    created = version is None
    if created:
        if inspect(engine).get_table_names():
            engine.dispose()
            raise ProjectOpenError(f"{project}: a database, but not an annotator project")
        SQLModel.metadata.create_all(engine)
        with Session(engine) as s:
            s.add(models.ProjectMeta(key="schema_version", value=str(SCHEMA_VERSION)))
            s.add(models.ProjectMeta(key="application_id", value=APP_ID))
            s.add(models.ProjectMeta(key="created_by", value=f"annotator {__version__}"))
            s.add(models.ProjectMeta(key="created_at", value=models.utc_now()))
            s.commit()
    return engine, created


def integrity_problems(engine: Engine) -> list[str]:
    """Quick structural check of a SQLite file (empty list when sound)."""
    if engine.dialect.name != "sqlite":
        return []
    with engine.connect() as c:
        rows = [r[0] for r in c.execute(text("PRAGMA quick_check"))]
        rows += [f"foreign key broken in {r[0]}" for r in c.execute(text("PRAGMA foreign_key_check"))]
    return [r for r in rows if r != "ok"]
