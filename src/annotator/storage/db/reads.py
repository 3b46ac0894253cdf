"""Reading primitives: rows streamed from the driver, statements run many times, SQL
aggregates spelled per dialect (SQLite's and PostgreSQL's).

Part of the :mod:`annotator.storage.db` package, the only place that knows SQLite; the
repository reaches these through ``db`` (``db.stream_rows``, ``db.PointQuery``, ...).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain
from typing import Any

from sqlalchemy import String
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Executable
from sqlalchemy.sql.functions import FunctionElement


# SQLAlchemy's result rows cost more than the driver's own: for an export's million spans,
# more than the query. On SQLite the compiled statement runs on the driver's own
# cursor (whose rows are plain tuples and which streams by nature); elsewhere SQLAlchemy's
# streaming result keeps server-side cursors, which a plain DBAPI cursor would not.
def _driver_args(compiled: Any, params: dict[str, Any]) -> Any:
    values = {**compiled.params, **params}
    return tuple(values[k] for k in compiled.positiontup) if compiled.positional else values


# Compiled SQL per statement object and dialect. A statement made once and run with new
# bind values (an export's batches) compiles once instead of once per batch; a statement
# that goes away takes its entry with it.
_COMPILED: weakref.WeakKeyDictionary[Any, dict[str, tuple[str, Any]]] = weakref.WeakKeyDictionary()


def _compile(conn: Connection, stmt: Executable) -> tuple[str, Any]:
    per_dialect = _COMPILED.get(stmt)
    if per_dialect is None:
        per_dialect = _COMPILED[stmt] = {}
    found = per_dialect.get(conn.dialect.name)
    if found is None:
        compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        found = per_dialect[conn.dialect.name] = (str(compiled), compiled)
    return found


@contextmanager
def stream_rows(conn: Connection, stmt: Executable, batch: int = 1024,
                params: Mapping[str, Any] | None = None) -> Iterator[Iterator[Sequence[Any]]]:
    """The rows of ``stmt`` (with ``params`` for its bind parameters), fetched ``batch`` at a
    time, as an iterator valid inside the block.

    On SQLite the iterator is made of C iterators only (no Python frame per row).
    """
    if conn.dialect.name != "sqlite":
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(stmt, dict(params or {}))
        with result:
            yield iter(result)
        return
    sql, compiled = _compile(conn, stmt)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, _driver_args(compiled, dict(params or {})))
        yield chain.from_iterable(iter(functools.partial(cursor.fetchmany, batch), []))
    finally:
        cursor.close()  # an unfinished statement would keep its read transaction open


class PointQuery:
    """One statement run many times with new values for its bind parameters: the first row."""

    def __init__(self, conn: Connection, stmt: Executable) -> None:
        self._conn, self._stmt = conn, stmt
        self._cursor: Any = None
        if conn.dialect.name == "sqlite":
            compiled = stmt.compile(dialect=conn.dialect)
            self._sql, self._fixed, self._order = str(compiled), compiled.params, compiled.positiontup or ()
            self._cursor = conn.connection.cursor()

    def first(self, **params: Any) -> Sequence[Any] | None:
        if self._cursor is None:
            return self._conn.execute(self._stmt, params).first()
        values = {**self._fixed, **params}
        row = self._cursor.execute(self._sql, [values[k] for k in self._order]).fetchone()
        self._cursor.fetchall()  # finish the statement, so no read stays open between calls
        return row

    def close(self) -> None:
        if self._cursor is not None:
            self._cursor.close()


def _aggregate(name: str, doc: str, sqlite: str, other: str) -> type[FunctionElement]:
    """A SQL aggregate function over its arguments, giving a string: spelled ``sqlite`` on
    SQLite and ``other`` elsewhere (PostgreSQL), ``{}`` standing for the arguments."""

    def on_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
        return sqlite.format(compiler.process(element.clauses, **kw))

    def elsewhere(element: Any, compiler: Any, **kw: Any) -> str:
        return other.format(compiler.process(element.clauses, **kw))

    kind = type(name, (FunctionElement,), {"__doc__": doc, "type": String(), "inherit_cache": True})
    compiles(kind, "sqlite")(on_sqlite)
    compiles(kind)(elsewhere)
    return kind


# One aggregate in the database instead of a row per value or member into Python.
distinct_values = _aggregate(
    "distinct_values", "The distinct values of an integer column in each group, comma-separated.",
    "group_concat(DISTINCT {})", "string_agg(DISTINCT CAST({} AS VARCHAR), ',')")
json_rows = _aggregate(
    "json_rows", "The members of each group as one JSON array of arrays (in no set order), parsed in C.",
    "json_group_array(json_array({}))", "CAST(json_agg(json_build_array({})) AS TEXT)")
