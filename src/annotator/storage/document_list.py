"""The document list: every document with one reviewer's status and span count, as columns.

One read, run from two places. :meth:`Repository.document_list` runs it on its own
connection (any backend) whenever the list is refreshed. At launch, the app runs it before
SQLAlchemy has even loaded: a thread reads it with the stdlib ``sqlite3`` driver on a
read-only connection while Qt and the window load, so a 100,000-document list is on screen
within a second of launch. That is why this module is outside ``repository`` and imports
nothing heavy.

Each statement aggregates a whole column into one JSON array inside the database (one step,
with the GIL released; the arrays are parsed in C), instead of fetching a row per document.
The project is still opened the proper way afterwards (schema check, migrations, health
check); the launch read is used only when that open succeeds on the schema version it read.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import islice
from operator import lt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from annotator.records import DocumentColumns

# Every document (an index-only scan of ix_document_list); then this reviewer's statuses and
# span counts, which exist for few documents and are merged in Python (a join would cost a
# lookup per document). ``{}`` is the dialect's JSON array aggregate over the column.
_STATEMENTS = (
    ("SELECT {id}, {title}, {format}, {source}, {char_count} FROM "
     "(SELECT id, title, format, source, char_count FROM document ORDER BY id) AS d", "id"),
    ("SELECT {document_id}, {status} FROM document_status WHERE annotator_id = :aid", "document_id"),
    ("SELECT {document_id}, {n} FROM (SELECT document_id, count(*) AS n FROM span "
     "WHERE annotator_id = :aid GROUP BY document_id) AS c", "document_id"),
)
_AGGREGATE = {
    "sqlite": "json_group_array({column})",
    "postgresql": "CAST(json_agg({column} ORDER BY {order}) AS TEXT)",
}

Row = Sequence[Any]


def statements(dialect: str) -> list[str]:
    """The three statements of the read, spelled for ``dialect`` ("sqlite" or "postgresql")."""
    aggregate = _AGGREGATE[dialect]
    out = []
    for template, order in _STATEMENTS:
        columns = {c: aggregate.format(column=c, order=order)
                   for c in ("id", "title", "format", "source", "char_count", "document_id", "status", "n")}
        out.append(template.format(**columns))
    return out


def read_columns(run: Callable[[str], Row], dialect: str) -> DocumentColumns:
    """The list, running each statement with ``run`` (which binds ``:aid`` and returns the one row)."""
    return columns_from(*(run(sql) for sql in statements(dialect)))


def _arrays(row: Row) -> list[list[Any]]:
    return [orjson.loads(v) if v is not None else [] for v in row]  # PostgreSQL: no rows gives NULL


def columns_from(documents: Row, statuses: Row, counts: Row) -> DocumentColumns:
    """The list's columns from the three statements' rows, in id order."""
    from annotator.records import DocumentColumns  # here, not at the top: this may run on the launch thread

    ids, titles, formats, sources, chars = _arrays(documents)
    n = len(ids)
    if not all(map(lt, ids, islice(ids, 1, None))):
        # An aggregate's order is not promised: put the columns in id order ourselves.
        order = sorted(range(n), key=ids.__getitem__)
        ids, titles, formats, sources, chars = ([col[i] for i in order] for col in (ids, titles, formats, sources, chars))
    row_of = dict(zip(ids, range(n)))
    status_col = ["todo"] * n
    for doc_id, status in zip(*_arrays(statuses)):
        status_col[row_of[doc_id]] = status
    count_col = [0] * n
    for doc_id, count in zip(*_arrays(counts)):
        count_col[row_of[doc_id]] = count
    return DocumentColumns(ids, titles, formats, sources, chars, status_col, count_col)


# -- the launch read -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ListSnapshot:
    """The list as read at launch from ``path`` for ``reviewer``, in the file's ``schema_version``."""

    path: Path
    reviewer: str
    schema_version: int
    columns: DocumentColumns


def read_list_snapshot(path: str | Path, reviewer: str, hold: threading.Event | None = None) -> ListSnapshot | None:
    """This reviewer's document list from a SQLite project file, or None if it cannot be read.

    ``hold``: once SQLite has done its part, wait for this before turning the result into
    Python lists, which holds the GIL for tens of milliseconds (the window sets it once it
    has painted, so that work does not slow the window's start-up).
    """
    file = Path(path).expanduser().resolve()
    name = reviewer.strip()
    if not name or not file.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{file.as_uri()}?mode=ro", uri=True, timeout=1.0, check_same_thread=False)
    except (sqlite3.Error, ValueError):
        return None
    try:
        conn.execute("BEGIN")  # one read transaction: the version and the rows agree
        version = conn.execute("SELECT value FROM project_meta WHERE key = 'schema_version'").fetchone()
        found = conn.execute("SELECT id FROM annotator WHERE name = ?", (name,)).fetchone()
        params = {"aid": found[0] if found else None}
        rows = [conn.execute(sql, params).fetchone() for sql in statements("sqlite")]
        conn.execute("COMMIT")
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    if hold is not None:
        hold.wait(timeout=5.0)
    try:
        columns = columns_from(*rows)
    except (ValueError, KeyError, TypeError):
        return None
    return ListSnapshot(file, name, int(version[0]), columns) if version else None


def start_list_snapshot(path: str | Path, reviewer: str, hold: threading.Event | None = None
                        ) -> Future[ListSnapshot | None]:
    """Read the snapshot on a daemon thread (quitting never waits for it); ``hold`` as above."""
    future: Future[ListSnapshot | None] = Future()

    def run() -> None:
        try:
            future.set_result(read_list_snapshot(path, reviewer, hold))
        except BaseException as exc:  # the reader must never take the app down: no snapshot then
            future.set_exception(exc)

    threading.Thread(target=run, name="annotator-list-snapshot", daemon=True).start()
    return future
