"""Copying a whole project to another database: a SQLite file to a PostgreSQL database and back.

Every row keeps its id, so the copy's exports are the original's byte for byte. The export
caches (being removed) are not copied: exports make them again where the backend keeps them.
Rows go over in batches: into PostgreSQL by COPY (psycopg's, the fastest way in), into SQLite
by executemany on its own driver. The copy is written in one transaction; a copy that fails
leaves the destination as it was (a new file is removed, a server database emptied again).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any
from pathlib import Path

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from annotator.storage import db, opening
from annotator.storage.db import postgres
from annotator.storage.errors import ProjectOpenError, StorageError
from annotator.storage.models import ProjectMeta

Progress = Callable[[int, int, str], None]
BATCH = 2000


def copied_tables() -> list[Table]:
    """The tables a copy carries, parents before children (project_meta handled apart)."""
    return [t for t in SQLModel.metadata.sorted_tables
            if t.name != ProjectMeta.__tablename__]


def _counts(conn: Connection, tables: list[Table]) -> dict[str, int]:
    return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}


def _copy_into_postgres(d: Connection, table: Table, rows: Iterable[Sequence[Any]],
                        tick: Callable[[int, str], None]) -> None:
    """All of a table's rows in one COPY statement (psycopg's)."""
    cols = ", ".join(f'"{c.name}"' for c in table.columns)
    cursor = d.connection.driver_connection.cursor()  # type: ignore[union-attr]
    pending = 0
    with cursor.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            pending += 1
            if pending == BATCH:
                tick(pending, table.name)
                pending = 0
    tick(pending, table.name)


def _insert_rows(d: Connection, table: Table, rows: Iterable[Sequence[Any]],
                 tick: Callable[[int, str], None]) -> None:
    names = [c.name for c in table.columns]
    stmt = insert(table)
    for batch in _batched(rows):
        d.execute(stmt, [dict(zip(names, r)) for r in batch])
        tick(len(batch), table.name)


def _batched(rows: Iterable[Sequence[Any]]) -> Iterator[list[Sequence[Any]]]:
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _reset_sequences(dst: Connection, tables: list[Table]) -> None:
    """After rows with explicit ids, PostgreSQL's id sequences must continue past them."""
    for t in tables:
        pk = list(t.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement is not False and str(pk[0].type) == "INTEGER":
            dst.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{t.name}\"', '{pk[0].name}'), "
                             f"COALESCE((SELECT MAX(\"{pk[0].name}\") FROM \"{t.name}\"), 0) + 1, false)"))


def copy_project(source: str | Path, dest: str | Path, progress: Progress | None = None) -> dict[str, int]:
    """Copy the project at ``source`` into ``dest`` (a new file or an empty database).

    Returns the rows copied per table. Raises ProjectOpenError when ``dest`` already holds
    something, StorageError when the copy fails (``dest`` is then left as it was).
    """
    src, _ = opening.open_engine(source, create=False)
    try:
        dest_url = db.database_url(dest)
        dest_file = db.sqlite_path(dest_url)
        if dest_file is not None and dest_file.exists() and dest_file.stat().st_size > 0:
            raise ProjectOpenError(f"{dest_file} already exists; copy into a new file")
        dst, created = opening.open_engine(dest, create=True)
        if not created:
            dst.dispose()
            raise ProjectOpenError(f"{db.display_name(dest)} already holds a project; copy into an empty database")
        try:
            return _copy(src, dst, progress)
        except BaseException:
            _undo_create(dst, dest_file)
            raise
    finally:
        src.dispose()


def _undo_create(dst: Engine, dest_file: Path | None) -> None:
    dst.dispose()
    if dest_file is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{dest_file}{suffix}").unlink(missing_ok=True)
        return
    with dst.begin() as c:  # a server database: drop what open_engine created in it
        c.execute(text("DROP FUNCTION IF EXISTS annotator_notify() CASCADE"))
    SQLModel.metadata.drop_all(dst)
    dst.dispose()


def _copy(src: Engine, dst: Engine, progress: Progress | None) -> dict[str, int]:
    tables = copied_tables()
    meta = ProjectMeta.__table__
    with src.connect() as s:
        # One snapshot of the source for the whole copy, while others may go on writing to it.
        if s.dialect.name == "postgresql":
            s = s.execution_options(isolation_level="REPEATABLE READ")
        s.begin()
        counts = _counts(s, tables)
        with db.writing(dst), dst.begin() as d:
            kept = {r[0]: r[1] for r in s.execute(select(meta.c.key, meta.c.value))}
            for key, value in kept.items():
                if key != "schema_version":
                    d.execute(meta.delete().where(meta.c.key == key))
                    d.execute(insert(meta).values(key=key, value=value))
            loading = (postgres.BulkLoad(d, [t.name for t in tables]) if d.dialect.name == "postgresql"
                       else contextlib.nullcontext())
            with loading:
                _copy_tables(s, d, tables, counts, progress)
            if d.dialect.name == "postgresql":
                _reset_sequences(d, tables)
        with dst.connect() as d:
            copied = _counts(d, tables)
    if copied != counts:
        raise StorageError(f"the copy holds {copied} rows, the original {counts}", "copy_failed")
    return copied


def _copy_tables(s: Connection, d: Connection, tables: list[Table], counts: dict[str, int],
                 progress: Progress | None) -> None:
    total, done = sum(counts.values()), 0

    def tick(n: int, name: str) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total, name)

    for table in tables:
        query = select(*table.columns).order_by(*table.primary_key.columns)
        with db.stream_rows(s, query, BATCH) as rows:
            if d.dialect.name == "postgresql":
                _copy_into_postgres(d, table, rows, tick)
            else:
                _insert_rows(d, table, rows, tick)
        tick(0, table.name)
