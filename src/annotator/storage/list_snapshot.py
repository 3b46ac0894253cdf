"""The document list read straight from a project file, before SQLAlchemy is loaded.

Why this exists beside :meth:`Repository.document_list`: at start-up the window paints
before SQLAlchemy and SQLModel load (about half a second), yet a 100,000-document list
should be on screen within a second of launch. So while Qt loads, a thread reads the list
with the stdlib ``sqlite3`` module, read-only, in one aggregate statement: SQLite does the
whole scan inside a single step with the GIL released, so it overlaps the GUI's start-up
instead of competing with it (a row-by-row fetch would take the GIL back per row).

The project is still opened the proper way afterwards (schema check, migrations, health
check); the snapshot is used only when that open succeeds on the schema version the
snapshot read. Anything unexpected (not a SQLite file, another layout, a title holding the
separator) gives None and the list comes from the repository. The only SQL outside the
repository, and SQLite-only by design; keep it equivalent to ``Repository.document_list``
(tests compare the two).
"""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import islice
from operator import lt
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from annotator.records import DocumentColumns

_SEP = "\x1f"  # ASCII unit separator: never typed, and a count check catches it anyway
# Three aggregates, each one step inside SQLite: every document (an index-only scan of
# ix_document_list since schema 3), then this reviewer's statuses and span counts, which
# exist for few documents and are merged in Python. Joining them in SQL instead costs a
# lookup per document: half as much time again.
_DOCUMENTS = ("SELECT count(*), " + ", ".join(f"group_concat({c}, char(31))" for c in (
    "id", "title", "format", "source", "char_count")) + " FROM (SELECT id, title, format, source, char_count "
    "FROM document ORDER BY id)")
_STATUSES = ("SELECT count(*), group_concat(document_id, char(31)), group_concat(status, char(31)) "
             "FROM document_status WHERE annotator_id = :aid")
_COUNTS = ("SELECT count(*), group_concat(document_id, char(31)), group_concat(n, char(31)) "
           "FROM (SELECT document_id, count(*) AS n FROM span WHERE annotator_id = :aid GROUP BY document_id)")


@dataclass(frozen=True, slots=True)
class ListSnapshot:
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
        rows = [conn.execute(q, params).fetchone() for q in (_DOCUMENTS, _STATUSES, _COUNTS)]
        conn.execute("COMMIT")
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    if hold is not None:
        hold.wait(timeout=5.0)
    try:
        columns = _columns(*rows)
    except (ValueError, KeyError):
        return None
    return ListSnapshot(file, name, int(version[0]), columns) if version and columns is not None else None


def _split(row: tuple[object, ...]) -> list[list[str]] | None:
    """An aggregate row (count, concatenated columns...) as lists; None if a value held the separator."""
    n = int(row[0])  # type: ignore[call-overload]
    parts = [str(v).split(_SEP) if n else [] for v in row[1:]]
    return parts if all(len(p) == n for p in parts) else None


def _columns(documents: tuple[object, ...], statuses: tuple[object, ...], counts: tuple[object, ...]
             ) -> DocumentColumns | None:
    from annotator.records import DocumentColumns  # here, not at the top: this runs on the reader thread

    docs, st, cn = _split(documents), _split(statuses), _split(counts)
    if docs is None or st is None or cn is None:
        return None  # let the repository read it
    ids = list(map(int, docs[0]))
    n = len(ids)
    order = None
    if not all(map(lt, ids, islice(ids, 1, None))):
        # SQLite does not promise an aggregate's order; put the columns in id order ourselves.
        order = sorted(range(n), key=ids.__getitem__)
        docs = [[col[i] for i in order] for col in docs]
        ids = list(map(int, docs[0]))
    row_of = dict(zip(ids, range(n)))
    status_col = ["todo"] * n
    for doc_id, status in zip(st[0], st[1]):
        status_col[row_of[int(doc_id)]] = status
    count_col = [0] * n
    for doc_id, count in zip(cn[0], cn[1]):
        count_col[row_of[int(doc_id)]] = int(count)
    return DocumentColumns(ids, docs[1], docs[2], docs[3], list(map(int, docs[4])), status_col, count_col)


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
