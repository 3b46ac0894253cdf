"""A file that is not this annotator's project is inspected read-only and refused untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.project import open_project
from annotator.storage.errors import ProjectOpenError


def rollback_journal_db(path: Path, *statements: str) -> bytes:
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()
    return path.read_bytes()


def assert_untouched(path: Path, before: bytes) -> None:
    assert path.read_bytes() == before  # header bytes 18-19 (journal mode) included
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()


def test_a_foreign_sqlite_file_is_refused_and_not_switched_to_wal(tmp_path: Path) -> None:
    path = tmp_path / "contacts.db"
    before = rollback_journal_db(path, "CREATE TABLE person (name TEXT)", "INSERT INTO person VALUES ('Ann')")
    with pytest.raises(ProjectOpenError, match="not an annotator project"):
        open_project(path)
    assert_untouched(path, before)


def test_a_newer_schema_in_rollback_journal_mode_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.annotator"
    before = rollback_journal_db(path, "CREATE TABLE project_meta (key TEXT PRIMARY KEY, value TEXT)",
                                 "INSERT INTO project_meta VALUES ('schema_version', '99')")
    with pytest.raises(ProjectOpenError, match="newer annotator"):
        open_project(path)
    assert_untouched(path, before)


def test_a_schema_version_that_is_not_a_number_is_a_clear_refusal(tmp_path: Path) -> None:
    path = tmp_path / "odd.annotator"
    before = rollback_journal_db(path, "CREATE TABLE project_meta (key TEXT PRIMARY KEY, value TEXT)",
                                 "INSERT INTO project_meta VALUES ('schema_version', 'six')")
    with pytest.raises(ProjectOpenError, match="is not a number"):
        open_project(path)
    assert_untouched(path, before)
