"""A project in a read-only folder still reads (stats, export); writes are refused as read-only."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator import cli_commands
from annotator.storage import db

from .helpers import make_project


def checkpointed(path: Path) -> bytes:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    Path(f"{path}-wal").unlink(missing_ok=True)
    Path(f"{path}-shm").unlink(missing_ok=True)
    return path.read_bytes()


def check_reads_work_and_writes_are_refused(path: Path, tmp_path: Path) -> None:
    before = path.read_bytes()
    stats = CliRunner().invoke(cli_commands.app, ["stats", "--json", "--project", str(path)])
    assert stats.exit_code == 0, stats.output
    assert '"documents": 3' in stats.output
    article = tmp_path / "new.txt"
    article.write_text("Magnesium helps sleep.\n")
    result = CliRunner().invoke(cli_commands.app, ["import", str(article), "--project", str(path)])
    assert result.exit_code != 0
    assert "read-only" in result.output and "not a readable annotator project" not in result.output
    assert path.read_bytes() == before


def test_a_read_only_folder_still_serves_stats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.annotator"
    make_project(path)
    checkpointed(path)
    monkeypatch.setattr(db, "writable", lambda p: False)  # as a read-only folder reports it
    check_reads_work_and_writes_are_refused(path, tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_really_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "p.annotator"
    make_project(path)
    checkpointed(path)
    folder.chmod(0o555)
    try:
        check_reads_work_and_writes_are_refused(path, tmp_path)
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("code, words", [(13, "is full"), (8, "read-only"), (14, "not writable")])
def test_a_disk_problem_at_open_is_named_as_such(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  code: int, words: str) -> None:
    """Issue 21, item 14: a full disk (SQLITE_FULL), a read-only disk (SQLITE_READONLY) or a folder
    where SQLite cannot make its -wal/-shm (SQLITE_CANTOPEN) is reported as that, not as "not a
    readable annotator project". The error is injected where SQLite raises it: the first read."""
    from sqlalchemy.exc import OperationalError

    from annotator.project import open_project
    from annotator.storage import opening
    from annotator.storage.errors import ProjectOpenError

    path = tmp_path / "p.annotator"
    open_project(path).close()

    def failing(_engine: object) -> int:
        orig = sqlite3.OperationalError("disk trouble")
        orig.sqlite_errorcode = code  # type: ignore[attr-defined]
        raise OperationalError("SELECT value FROM project_meta", {}, orig)

    monkeypatch.setattr(db, "schema_version", failing)
    with pytest.raises(ProjectOpenError, match=words) as raised:
        opening.open_engine(path, create=False)
    assert "not a readable annotator project" not in str(raised.value)
