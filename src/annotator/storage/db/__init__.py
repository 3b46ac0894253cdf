"""Engine creation, connection pragmas, the schema version and every SQLite-specific primitive.

This package is the application's only place that knows SQLite (and its only importer of ``sqlite3``),
with one deliberate exception: ``document_list.py`` also reads the document list with the stdlib
driver at launch, before SQLAlchemy has loaded.
The rest of the storage layer takes a database URL (``sqlite:///path`` today, PostgreSQL later);
a bare path means a SQLite project file. The primitives of backups and integrity checks and the
translation of driver errors into ``StorageError`` live here so that ``backup.py`` and
``migrations.py`` stay neutral. This package imports neither of them: ``opening.py``, above
all three, opens a project (create, refuse, back up and migrate).

Rules for repository code, which these primitives rely on:
- a method that writes is decorated with :func:`writes` (IMMEDIATE transaction, clear errors);
- a streamed result is closed before its connection goes back to the pool: an unfinished
  SQLite cursor keeps a read transaction open, and a writer later handed that connection
  fails at once with "database is locked" instead of waiting.
"""

from __future__ import annotations

import functools
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, ParamSpec, Protocol, TypeVar
from urllib.parse import quote, unquote

from sqlalchemy import event, inspect, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError
from sqlmodel import create_engine

from annotator.storage import models
from annotator.storage.db import postgres
from annotator.storage.db.in_use import close_engine, hold_in_use_lock, used_alone  # noqa: F401 (opening.py)
from annotator.storage.db.reads import PointQuery, distinct_values, json_rows, stream_rows
from annotator.storage.errors import ProjectDamagedError, ProjectOpenError, StorageError

__all__ = ["PointQuery", "ProjectDamagedError", "ProjectOpenError", "StorageError", "close_engine",
           "distinct_values", "json_rows", "stream_rows", "used_alone"]  # re-exported for callers

SCHEMA_VERSION = 9
APP_ID = "annotator-project"
BUSY_TIMEOUT_MS = 10_000
# FULL: a committed edit survives power loss, not only a crash (NORMAL may lose the last
# commits on power loss). Module-level so the benchmark can compare the two.
SYNCHRONOUS = "FULL"
SQLITE_MAGIC = b"SQLite format 3\x00"

P = ParamSpec("P")
R = TypeVar("R")


class _WriteState:
    """Which connection holds this write method's IMMEDIATE transaction (None: not begun yet)."""

    __slots__ = ("conn",)

    def __init__(self) -> None:
        self.conn: Connection | None = None


# Set while a repository write method runs, so its transaction starts with BEGIN IMMEDIATE:
# a deferred transaction that reads and then writes cannot wait for another writer (SQLite
# returns "database is locked" at once instead of honouring busy_timeout). Reads nested in
# that transaction (on other pooled connections) stay deferred, or they would wait on it.
_writing: ContextVar[_WriteState | None] = ContextVar("annotator_writing", default=None)


def database_url(project: str | Path) -> str:
    """A project file's SQLite URL (a URL is returned as it is).

    The path is percent-encoded: a URL's parser reads ``?`` as the start of its options
    and decodes ``%xx``, so "/data/Q&A?/p.annotator" or "/data/100%25/p.annotator" would
    otherwise open (or create) a database at another path.
    """
    s = str(project)
    if postgres.is_url(s):
        return postgres.normalized_url(s) if postgres.is_postgres(s) else s
    return f"sqlite:///{quote(str(Path(s).expanduser().resolve()), safe='/')}"


def display_name(project: str | Path) -> str:
    """How messages name a project: its path, or its URL with the password masked."""
    s = str(project)
    return postgres.display_url(s) if postgres.is_url(s) else s


def project_label(project: str | Path) -> str:
    """A short name for titles: the file's name, or "database on host" for a server project."""
    s = str(project)
    return postgres.server_and_database(s) if postgres.is_url(s) else Path(s).name


def remembered_location(project: str | Path) -> str:
    """What preferences may keep of a project's location: never a password."""
    s = str(project)
    return postgres.url_without_password(s) if postgres.is_url(s) else s


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL (None for other backends and in-memory databases)."""
    if not is_sqlite(url):
        return None
    path = make_url(url).database
    return Path(path) if path and path != ":memory:" and not path.startswith("file:") else None


def engine_path(engine: Engine) -> Path | None:
    return sqlite_path(str(engine.url))


def _uri_file(engine: Engine) -> str | None:
    """The file of a SQLite ``file:`` URI engine (a project opened read-only), for messages."""
    database = engine.url.database or ""
    return unquote(database.removeprefix("file:")) if is_sqlite(str(engine.url)) and database.startswith("file:") else None


def shareable(engine: Engine) -> bool:
    """Whether another process can open this database (not SQLite in memory)."""
    return not is_sqlite(str(engine.url)) or engine_path(engine) is not None


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's own transaction handling never BEGINs before DDL or reads; we emit BEGIN
    # ourselves (_sqlite_begin) so migrations are transactional and writes can be IMMEDIATE.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # WAL lets readers (export, stats) run while the GUI writes.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    state = _writing.get()
    if state is not None and state.conn is None:
        state.conn = conn
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def _sqlite_end(conn: Connection) -> None:
    state = _writing.get()
    if state is not None and state.conn is conn:
        state.conn = None


def make_engine(url: str) -> Engine:
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "commit", _sqlite_end)
        event.listen(engine, "rollback", _sqlite_end)
    elif postgres.is_postgres(url):
        engine = postgres.make_engine(url)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


# -- turning driver errors into messages a reviewer can act on -------------------------------
_SQLITE_MESSAGES: dict[int, tuple[str, str]] = {
    5: ("busy", "the project is busy in another window or program (waited {t} s); try again"),
    6: ("busy", "the project is busy in another window or program (waited {t} s); try again"),
    8: ("read_only", "the project file {path} is read-only, so this change was not saved. Copy the "
                     "file to a folder you can write to and open the copy, or fix its permissions"),
    10: ("io", "the disk reported an error while saving to {path}; this change was not saved. "
               "Check the disk (or network drive) and try again"),
    11: ("damaged", "the project file {path} is damaged; this change was not saved. Close annotator "
                    "and run: annotator recover \"{path}\""),
    13: ("disk_full", "the disk holding {path} is full, so this change was not saved. Everything saved "
                      "before is safe; free some space and try again"),
    14: ("cannot_open", "cannot open the project file {path} (moved, deleted, or its folder is not "
                        "writable); this change was not saved"),
    26: ("damaged", "the project file {path} is damaged or not a project; this change was not saved"),
}


def storage_error(exc: DatabaseError, engine: Engine) -> StorageError:
    """A clear StorageError for a driver error raised while writing (the change was rolled back)."""
    if engine.dialect.name == "postgresql":
        found = postgres.storage_error(exc, engine.url.render_as_string(hide_password=False))
        if found is not None:
            return found
    code = getattr(exc.orig, "sqlite_errorcode", None)
    path = engine_path(engine) or _uri_file(engine) or engine.url.render_as_string(hide_password=True)
    if code is not None and (code & 0xFF) in _SQLITE_MESSAGES:
        reason, template = _SQLITE_MESSAGES[code & 0xFF]
        return StorageError(template.format(path=path, t=BUSY_TIMEOUT_MS // 1000) + ".", reason)
    return StorageError(f"the database refused this change ({exc.orig}); it was not saved.")


def _translatable(exc: BaseException) -> bool:
    # IntegrityError and ProgrammingError are bugs in the caller, not conditions to explain,
    # except a server's refusal of a role's privileges (ProgrammingError on PostgreSQL).
    if postgres.sqlstate(exc) in ("42501", "25006"):
        return True
    return isinstance(exc, OperationalError) or type(exc) is DatabaseError


# Per engine (by id): asked before each write, the reason to refuse it (None: go ahead). A
# large project is checked on a thread after it opens; once found damaged it takes no writes.
_write_vetoes: dict[int, Callable[[], str | None]] = {}


def refuse_writes_when(engine: Engine, veto: Callable[[], str | None]) -> None:
    """Every write through ``engine`` first asks ``veto``; a message refuses it (StorageError "damaged")."""
    _write_vetoes[id(engine)] = veto


@contextmanager
def writing(engine: Engine) -> Iterator[None]:
    """Mark the enclosed transactions as writes and turn driver failures into StorageError."""
    veto = _write_vetoes.get(id(engine))
    refused = veto() if veto is not None else None
    if refused is not None:
        raise StorageError(refused, "damaged")
    token = _writing.set(_writing.get() or _WriteState())
    try:
        yield
    except DatabaseError as exc:
        if _translatable(exc):
            raise storage_error(exc, engine) from exc
        raise
    finally:
        _writing.reset(token)


class _HasEngine(Protocol):
    engine: Engine


def writes(method: Callable[P, R]) -> Callable[P, R]:
    """Decorator for repository methods that write: IMMEDIATE transactions, clear errors."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        owner: _HasEngine = args[0]  # type: ignore[assignment]
        outermost = _writing.get() is None
        for attempt in range(postgres.RETRIES + 1):
            try:
                with writing(owner.engine):
                    return method(*args, **kwargs)
            except (StorageError, DBAPIError) as exc:
                cause = exc if isinstance(exc, DBAPIError) else exc.__cause__
                if not (outermost and cause is not None and postgres.should_retry(cause)
                        and attempt < postgres.RETRIES):
                    raise
            # Another writer won a race (PostgreSQL): the whole method runs again in a new
            # transaction, after a short random pause, with caches of ids it may have made
            # in the rolled-back one forgotten.
            getattr(owner, "_annotator_ids", {}).clear()
            time.sleep(random.uniform(0.002, 0.02) * (attempt + 1))
        raise AssertionError("unreachable")

    return wrapper


# -- file-level primitives: sniffing, checking, copying ---------------------------------------
def looks_like_sqlite(path: Path) -> bool:
    """True for an empty file or one that starts with the SQLite header."""
    with open(path, "rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    return head == b"" or head == SQLITE_MAGIC


def _connect_file(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


def quick_check(path: Path, *, full: bool = False) -> list[str]:
    """Structural problems of a SQLite file, empty when sound (``full`` also checks contents).

    It reads every page of the file once, so its time grows with the project's size.
    """
    try:
        conn = _connect_file(path)
        try:
            rows = conn.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [r[0] for r in rows if r[0] != "ok"]


def file_schema_version(path: Path) -> int | None:
    """The schema version recorded in a project file (None when it has none or is unreadable)."""
    try:
        conn = _connect_file(path)
        try:
            row = conn.execute("SELECT value FROM project_meta WHERE key = 'schema_version'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None
    return int(row[0]) if row else None


def _read_only_uri(path: Path) -> str:
    return f"file:{quote(str(path.resolve()), safe='/')}?mode=ro"


def inspect_file(path: Path) -> int | None:
    """The schema version of the project file at ``path`` (None: empty, a project to create),
    read without changing a byte of it; raises ProjectOpenError for anything else.

    Every engine connection switches the file to WAL, which rewrites its header: a foreign
    database or a newer project must be refused before that, untouched.
    """
    if path.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            row = (conn.execute("SELECT value FROM project_meta WHERE key = 'schema_version'").fetchone()
                   if "project_meta" in tables else None)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code in (11, 26):  # SQLITE_CORRUPT, SQLITE_NOTADB behind a valid header
            # opening.py adds the newest backup and the way back (backup.py sits above this module)
            raise ProjectDamagedError(f"{path} is damaged: {exc}", [str(exc)]) from exc
        raise ProjectOpenError(f"{path}: cannot be read ({exc}); the file was not changed") from exc
    if not tables:
        return None
    if row is None:
        raise ProjectOpenError(f"{path}: an SQLite database, but not an annotator project; the file was not changed")
    try:
        version = int(str(row[0]))
    except ValueError:
        raise ProjectOpenError(f"{path}: its schema_version {row[0]!r} is not a number, so this is not a project "
                               "annotator can read; the file was not changed") from None
    if version > SCHEMA_VERSION:
        raise ProjectOpenError(
            f"{path} was written by a newer annotator (schema {version}; this one reads up to "
            f"{SCHEMA_VERSION}). Update annotator to open it; the file was not changed.")
    return version


def copy_database(source: Path, dest: Path) -> None:
    """Copy a SQLite database with the backup API: a consistent snapshot even while others write.

    Copying the file itself could miss commits still in the -wal file or catch a page half
    written; the backup API reads through SQLite's own locking. ``dest`` is overwritten.
    """
    dest.unlink(missing_ok=True)
    try:
        src = _connect_file(source)
        try:
            dst = sqlite3.connect(str(dest), isolation_level=None)
            try:
                src.backup(dst)  # one step, so concurrent writers never force a restart
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise StorageError(f"could not copy {source} to {dest}: {exc}", "copy_failed") from exc


# -- the schema version ----------------------------------------------------------------------
def schema_version(engine: Engine) -> int | None:
    """The version recorded in the file, or None for an empty database."""
    if not inspect(engine).has_table("project_meta"):
        return None
    meta = models.ProjectMeta.__table__
    with engine.connect() as c:
        value = c.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return int(value) if value is not None else None


# Why opening a sound project failed, for the errors that are about its disk or folder.
OPEN_MESSAGES = {
    8: "{path} cannot be opened for writing (a read-only file or disk); copy it to a folder you can write to",
    13: "the disk holding {path} is full, so the project cannot be opened; free some space and try again",
    14: "cannot open {path}: annotator needs to create files beside it (its -wal and -shm) in {folder}, "
        "which is not writable; copy the project to a folder you can write to",
}


def writable(path: Path) -> bool:
    """Whether the project file and its folder (where SQLite keeps the -wal and -shm) take writes."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def open_read_only(path: Path) -> Engine:
    """An engine that only reads ``path`` (in a read-only folder or on read-only media).

    Reading commands work; a write fails with "read-only" (a StorageError). Without a -wal
    file holding commits, SQLite opens it as immutable, which needs no -shm beside it.
    """
    version = inspect_file(path)
    if version != SCHEMA_VERSION:
        raise ProjectOpenError(f"{path} is read-only and was made by an older annotator, so it cannot be "
                               "upgraded here; copy it to a folder you can write to and open the copy")
    wal = Path(f"{path}-wal")
    pending = wal.exists() and wal.stat().st_size > 0
    options = "mode=ro" if pending else "mode=ro&immutable=1"
    return make_engine(f"sqlite:///file:{quote(str(path.resolve()), safe='/')}?{options}&uri=true")


def integrity_problems(engine: Engine, *, full: bool = False) -> list[str]:
    """Structural check of an open SQLite project (empty list when sound); on demand.

    ``full`` runs integrity_check (contents and indexes too, several times slower).
    """
    if engine.dialect.name != "sqlite":
        return []
    with engine.connect() as c:
        rows = [r[0] for r in c.execute(text("PRAGMA integrity_check" if full else "PRAGMA quick_check"))]
        rows += [f"foreign key broken in {r[0]}" for r in c.execute(text("PRAGMA foreign_key_check"))]
    return [r for r in rows if r != "ok"]
