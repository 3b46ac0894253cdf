"""PostgreSQL specifics: telling a database URL from a file path, showing it without its
password, the engine, which server errors are retried or explained, and change notifications.

Credentials come from the URL, libpq's password file (``~/.pgpass``, ``PGPASSFILE``) or the
environment (``PGPASSWORD``, ``PGUSER``, ...), all read by libpq itself; the application only
ever shows or stores a URL with its password masked or removed (:func:`display_url`,
:func:`url_without_password`).
"""

from __future__ import annotations

import re
import time
import weakref
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError

from annotator.storage.errors import StorageError

# scheme://... with a scheme as RFC 3986 spells it (sqlite:///x, postgresql+psycopg://u@h/db).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
NOTIFY_CHANNEL = "annotator_changes"
# Tables whose changes another reviewer's window shows; a statement-level trigger on each
# sends one notification per statement (the payload is the table's name).
WATCHED_TABLES = ("document", "span", "document_status", "label", "annotator")
# SQLSTATEs a write retries from the start: serialization failure, deadlock, and a unique
# violation (two writers adding the same annotator, status or document at once; on the
# retry the row is there and is updated or skipped instead).
RETRY_SQLSTATES = frozenset({"40001", "40P01", "23505"})
RETRIES = 8


def is_url(project: object) -> bool:
    """Whether a --project value is a database URL (never a file path)."""
    return bool(_URL.match(str(project)))


def is_postgres(url: str) -> bool:
    return is_url(url) and make_url(url).get_backend_name() == "postgresql"


def normalized_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` as psycopg 3 URLs (SQLAlchemy's default is psycopg2)."""
    u = make_url(url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url)
    if u.drivername == "postgresql":
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


def display_url(url: str) -> str:
    """The URL as shown in messages, titles and logs: the password masked as ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not parseable: mask anything between "user:" and "@"
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def url_without_password(url: str) -> str:
    """The URL to remember (preferences, recent projects): libpq finds the password again."""
    return make_url(url)._replace(password=None).render_as_string(hide_password=False)


def mask_secrets(message: str, url: str) -> str:
    """``message`` with the URL's password (and the raw URL) replaced by their masked forms."""
    try:
        password = make_url(url).password
    except Exception:
        password = None
    message = message.replace(url, display_url(url))
    if password:
        message = message.replace(str(password), "***")
    return message


def server_and_database(url: str) -> str:
    """``database on host`` for the window title and status bar ("database on local socket")."""
    u = make_url(url)
    host = u.host or u.query.get("host") or "local socket"
    if isinstance(host, tuple):
        host = host[0]
    host = "local socket" if str(host).startswith("/") else str(host)
    port = f":{u.port}" if u.port else ""
    user = f"{u.username}@" if u.username else ""
    return f"{u.database} on {user}{host}{port}"


# The server process ids behind each engine's connections: a window's change watcher ignores
# the notifications its own edits cause (it shows those already).
_OWN_PIDS: weakref.WeakKeyDictionary[Engine, set[int]] = weakref.WeakKeyDictionary()


def make_engine(url: str) -> Engine:
    engine = create_engine(normalized_url(url), pool_size=3, max_overflow=5)
    pids: set[int] = set()
    _OWN_PIDS[engine] = pids

    def remember_pid(dbapi_conn: Any, _record: Any) -> None:
        pid = getattr(getattr(dbapi_conn, "info", None), "backend_pid", None)
        if pid:
            pids.add(int(pid))

    event.listen(engine, "connect", remember_pid)
    event.listen(engine, "checkin", _note_idle)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


# A connection is pinged when it comes out of the pool after a pause, not before every use:
# a burst of tagging pays no extra round trip, and a server restarted meanwhile is noticed
# before a read fails (a write would run again anyway; see should_retry).
IDLE_PING_SECONDS = 5.0


def _note_idle(_dbapi_conn: Any, record: Any) -> None:
    if record is not None:
        record.info["annotator_idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    since = record.info.get("annotator_idle_since")
    if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
        return
    try:
        dbapi_conn.execute("SELECT 1")
        dbapi_conn.rollback()
    except Exception as exc:
        raise DisconnectionError(f"the server closed this connection ({exc})") from exc


def own_pids(engine: Engine) -> set[int]:
    return _OWN_PIDS.get(engine, set())


def sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlstate", None)


def should_retry(exc: BaseException) -> bool:
    """A lost race, or a pooled connection the server had closed (restart, idle timeout): the
    engine does not ping before each use (a round trip per edit), so a write finding its
    connection dead runs again on a fresh one."""
    return isinstance(exc, DBAPIError) and (sqlstate(exc) in RETRY_SQLSTATES or exc.connection_invalidated)


def storage_error(exc: DBAPIError, url: str) -> StorageError | None:
    """A clear StorageError for a server error that is the user's to act on (None: a bug)."""
    state = sqlstate(exc) or ""
    where = server_and_database(url)
    if state == "42501" or state == "25006":  # insufficient privilege, read-only transaction
        user = make_url(url).username or "your database role"
        return StorageError(f"{user} may only read the team project {where}, so this change was not saved. "
                            "Ask the database's administrator for write access.", "read_only")
    if state.startswith("08") or state in ("57P01", "57P02", "57P03"):
        return StorageError(f"lost the connection to the team project {where}; this change was not saved. "
                            "Check the network and try again.", "io")
    if state == "53100":
        return StorageError(f"the server holding {where} is out of disk space; this change was not saved.",
                            "disk_full")
    if state in RETRY_SQLSTATES:
        return StorageError(f"the team project {where} stayed busy with other reviewers' changes; this change "
                            "was not saved. Try again.", "busy")
    return None


# -- change notifications (LISTEN/NOTIFY) ------------------------------------------------------
_FUNCTION = f"""
CREATE OR REPLACE FUNCTION annotator_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('{NOTIFY_CHANNEL}', TG_TABLE_NAME);
  RETURN NULL;
END $$
"""


def install_notify_triggers(c: Connection) -> None:
    """One statement-level trigger per watched table, sending a notification on each change."""
    c.execute(text(_FUNCTION))
    for table in WATCHED_TABLES:
        c.execute(text(f"DROP TRIGGER IF EXISTS annotator_notify ON {table}"))
        c.execute(text(f"CREATE TRIGGER annotator_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                       f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION annotator_notify()"))


class NotificationListener:
    """A connection of its own that LISTENs on the project's channel; :meth:`changed` never blocks."""

    def __init__(self, url: str) -> None:
        import psycopg

        u = make_url(normalized_url(url)).set(drivername="postgresql")
        self._conn: Any = psycopg.connect(u.render_as_string(hide_password=False), autocommit=True)
        self._conn.execute(f"LISTEN {NOTIFY_CHANNEL}")

    def changed(self, ignore: set[int] | frozenset[int] = frozenset()) -> bool:
        """Whether a notification from a server process not in ``ignore`` arrived since the last
        call (all drained, without waiting)."""
        seen = False
        for note in self._conn.notifies(timeout=0):
            seen = seen or note.pid not in ignore
        return seen

    def close(self) -> None:
        self._conn.close()


# -- bulk loading (annotator copy) ------------------------------------------------------------
_FOREIGN_KEYS = text("""
SELECT cl.relname, con.conname, pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid
JOIN pg_namespace ns ON ns.oid = cl.relnamespace
WHERE con.contype = 'f' AND ns.nspname = current_schema() AND cl.relname = ANY(:tables)
""")
_PLAIN_INDEXES = text("""
SELECT i.indexname, i.indexdef FROM pg_indexes i
WHERE i.schemaname = current_schema() AND i.tablename = ANY(:tables)
AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conname = i.indexname)
""")


class BulkLoad:
    """Inside one transaction: foreign keys and plain indexes of ``tables`` set aside while rows
    are loaded, then made again (each foreign key checked once over the whole table, each index
    built once, instead of per row)."""

    def __init__(self, c: Connection, tables: list[str]) -> None:
        self._c = c
        self._fks = [tuple(r) for r in c.execute(_FOREIGN_KEYS, {"tables": tables})]
        self._indexes = [tuple(r) for r in c.execute(_PLAIN_INDEXES, {"tables": tables})]

    def __enter__(self) -> BulkLoad:
        for table, name, _ in self._fks:
            self._c.execute(text(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"'))
        for name, _ in self._indexes:
            self._c.execute(text(f'DROP INDEX "{name}"'))
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is not None:
            return  # the transaction rolls back, taking the drops with it
        for _, definition in self._indexes:
            self._c.execute(text(definition))
        for table, name, definition in self._fks:
            self._c.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'))
