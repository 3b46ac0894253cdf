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
from pathlib import Path

from annotator.records import DocumentColumns

_SEP = "\x1f"  # ASCII unit separator: never typed, and a count check catches it anyway
_COLUMNS = ("d.id", "d.title", "d.format", "d.source", "d.char_count", "coalesce(st.status, 'todo')",
            "coalesce(cn.n, 0)")
_QUERY = (
    "SELECT count(*), " + ", ".join(f"group_concat({c}, char(31))" for c in _COLUMNS) + " "
    "FROM (SELECT id, title, format, source, char_count FROM document ORDER BY id) AS d "
    "LEFT JOIN document_status AS st ON st.document_id = d.id AND st.annotator_id = :aid "
    "LEFT JOIN (SELECT document_id, count(*) AS n FROM span WHERE annotator_id = :aid GROUP BY document_id) AS cn "
    "ON cn.document_id = d.id"
)


@dataclass(frozen=True, slots=True)
class ListSnapshot:
    path: Path
    reviewer: str
    schema_version: int
    columns: DocumentColumns


def read_list_snapshot(path: str | Path, reviewer: str) -> ListSnapshot | None:
    """This reviewer's document list from a SQLite project file, or None if it cannot be read."""
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
        row = conn.execute(_QUERY, {"aid": found[0] if found else None}).fetchone()
        conn.execute("COMMIT")
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    try:
        columns = _columns(row)
    except ValueError:
        return None
    return ListSnapshot(file, name, int(version[0]), columns) if version and columns is not None else None


def _columns(row: tuple[object, ...]) -> DocumentColumns | None:
    n = int(row[0])  # type: ignore[call-overload]
    if n == 0:
        return DocumentColumns()
    parts = [str(v).split(_SEP) for v in row[1:]]
    if any(len(p) != n for p in parts):
        return None  # a separator inside a value: let the repository read it
    ids, titles, formats, sources, chars, statuses, counts = parts
    cols = DocumentColumns(list(map(int, ids)), titles, formats, sources, list(map(int, chars)), statuses,
                           list(map(int, counts)))
    if any(a >= b for a, b in zip(cols.ids, cols.ids[1:])):
        # SQLite does not promise an aggregate's order; put the columns in id order ourselves.
        order = sorted(range(n), key=cols.ids.__getitem__)
        cols = DocumentColumns(*([col[i] for i in order] for col in (
            cols.ids, cols.titles, cols.formats, cols.sources, cols.char_counts, cols.statuses, cols.span_counts)))
    return cols


def start_list_snapshot(path: str | Path, reviewer: str) -> Future[ListSnapshot | None]:
    """Read the snapshot on a daemon thread (quitting never waits for it)."""
    future: Future[ListSnapshot | None] = Future()

    def run() -> None:
        try:
            future.set_result(read_list_snapshot(path, reviewer))
        except BaseException as exc:  # the reader must never take the app down: no snapshot then
            future.set_exception(exc)

    threading.Thread(target=run, name="annotator-list-snapshot", daemon=True).start()
    return future
