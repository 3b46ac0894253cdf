"""Backups are consistent and rotate; a damaged file is refused with a way back; restore works."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from annotator.config import backup_dir
from annotator.project import open_project
from annotator.services import AnnotationService
from annotator.storage import backup, db
from annotator.storage.errors import ProjectDamagedError, StorageError

from .helpers import make_project, reopen


def add_spans(path: Path, n: int, note: str = "n") -> None:
    repo = reopen(path)
    svc = AnnotationService(repo, "alice")
    for i in range(n):
        svc.add_span(1, i % 100, i % 100 + 10, "claim", f"{note}{i} " + "x" * 200)
    repo.close()


def count_spans(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM span").fetchone()[0]
    finally:
        conn.close()


def test_a_backup_holds_commits_still_in_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    make_project(path)
    repo = reopen(path)
    svc = AnnotationService(repo, "alice")
    for i in range(20):
        svc.add_span(1, i, i + 5, "claim")
    # The project stays open: those commits are in p.annotator-wal, not yet in the file.
    naive = tmp_path / "naive-copy.annotator"
    shutil.copyfile(path, naive)
    taken = backup.take_backup(path)
    repo.close()
    assert count_spans(naive) < 20  # why copying a live WAL database loses edits
    assert count_spans(taken) == 20
    assert not Path(f"{taken}-wal").exists() and db.quick_check(taken) == []


def test_backups_rotate_per_project_and_leave_everything_else_alone(tmp_path: Path) -> None:
    mine, other = tmp_path / "a" / "study.annotator", tmp_path / "b" / "study.annotator"
    make_project(mine)
    make_project(other)
    stranger = backup_dir() / "notes.txt"
    taken_other = backup.take_backup(other)
    stranger.write_text("mine", encoding="utf-8")
    taken = [backup.take_backup(mine) for _ in range(backup.KEEP + 3)]
    kept = backup.list_backups(mine)
    assert [b.path for b in kept] == taken[::-1][: backup.KEEP]  # newest first
    assert all(b.path.name.startswith("study-") for b in kept)
    assert taken_other.exists() and stranger.exists()
    assert backup.list_backups(other)[0].path == taken_other


def test_a_changed_project_is_backed_up_at_most_once_a_day(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    make_project(path)
    p = open_project(path)
    assert p.health is not None and p.health.result().backup_taken is not None
    p.close()
    p = open_project(path)
    assert p.health is not None and p.health.result().backup_taken is None  # same day
    p.close()
    (only,) = backup.list_backups(path)
    yesterday = only.taken_at - timedelta(days=1, minutes=1)
    aged = only.path.with_name(only.path.name.replace(only.taken_at.strftime(backup._STAMP),
                                                      yesterday.strftime(backup._STAMP)))
    os.replace(only.path, aged)
    os.utime(aged, (yesterday.timestamp(),) * 2)
    stamp = (datetime.now(timezone.utc) - timedelta(days=2)).timestamp()
    for f in (path, Path(f"{path}-wal")):
        if f.exists():
            os.utime(f, (stamp, stamp))
    assert not backup.daily_backup_due(path)  # old backup, but nothing changed since
    add_spans(path, 1)
    assert backup.daily_backup_due(path)
    p = open_project(path)
    assert p.health is not None and p.health.result().backup_taken is not None
    p.close()
    assert len(backup.list_backups(path)) == 2


def corrupt_span_table(path: Path) -> None:
    """Overwrite the span table's root page with junk, as a failing disk might."""
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'span'").fetchone()[0]
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * page)
        f.write(b"\xa5" * page)


@pytest.fixture()
def damaged(tmp_path: Path) -> tuple[Path, Path]:
    path = tmp_path / "p.annotator"
    make_project(path)
    add_spans(path, 200, "early")
    good = backup.take_backup(path)
    add_spans(path, 5, "late")
    corrupt_span_table(path)
    return path, good


def test_a_damaged_file_is_refused_naming_the_newest_backup(damaged: tuple[Path, Path]) -> None:
    path, good = damaged
    with pytest.raises(ProjectDamagedError) as info:
        open_project(path)
    message = str(info.value)
    assert f"{path} is damaged" in message and str(good) in message
    assert f'annotator recover "{path}"' in message
    assert info.value.backup == good and info.value.problems


def test_a_large_damaged_file_is_reported_by_the_background_check(
        damaged: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    path, good = damaged
    monkeypatch.setattr(backup, "SYNC_CHECK_MAX_BYTES", 0)
    p = open_project(path)  # opens at once; the check runs on a thread
    assert p.health is not None
    report = p.health.result(timeout=60)
    p.close()
    assert not report.ok and report.backup_taken is None  # never back up a damaged file
    assert report.message is not None and str(good) in report.message


def test_a_reading_command_skips_a_large_file_s_background_care(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`annotator export` and `stats` on a large project: no check thread, no backup copy."""
    from typer.testing import CliRunner

    from annotator import cli_commands

    path = tmp_path / "p.annotator"
    make_project(path)
    directory = backup_dir()
    monkeypatch.setattr(backup, "SYNC_CHECK_MAX_BYTES", 0)  # every file counts as large
    p = open_project(path, background_care=False)
    assert p.health is None
    p.close()
    runner = CliRunner()
    assert runner.invoke(cli_commands.app, ["stats", "--project", str(path)]).exit_code == 0
    result = runner.invoke(cli_commands.app, ["export", "--project", str(path), "--out", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 0, result.output
    assert backup.list_backups(path, directory) == []  # no daily backup was started
    p = open_project(path)  # the app (and the writing commands) still take care of it
    assert p.health is not None and p.health.result(timeout=60).backup_taken is not None
    p.close()


def test_a_small_damaged_file_is_refused_by_a_reading_command_too(damaged: tuple[Path, Path]) -> None:
    path, _good = damaged
    with pytest.raises(ProjectDamagedError):
        open_project(path, background_care=False)


def test_restore_puts_the_backup_back_and_keeps_the_damaged_file(damaged: tuple[Path, Path]) -> None:
    path, good = damaged
    restored, aside = backup.recover(path)
    assert restored == good and aside is not None and aside.name.startswith("p.annotator.before-restore-")
    assert db.quick_check(path) == [] and count_spans(path) == 200
    assert db.quick_check(aside) != []  # kept as it was, for a specialist
    p = open_project(path)
    assert len(p.repo.spans(1)) == 200
    p.close()


def test_restore_refuses_a_damaged_backup_and_touches_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    make_project(path)
    add_spans(path, 50)
    bad = backup.take_backup(path)
    corrupt_span_table(bad)
    before = path.read_bytes()
    with pytest.raises(StorageError, match="damaged too"):
        backup.restore_backup(bad, path)
    assert path.read_bytes() == before


def test_without_a_backup_the_message_says_how_to_salvage(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    make_project(path)
    add_spans(path, 200)
    corrupt_span_table(path)
    with pytest.raises(ProjectDamagedError, match=r"no backup of it.*\.recover"):
        open_project(path)
    with pytest.raises(StorageError, match="there is no backup"):
        backup.recover(path)


def test_full_integrity_check_on_demand(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    make_project(path)
    repo = reopen(path)
    assert db.integrity_problems(repo.engine, full=True) == []
    repo.close()


def test_a_large_project_found_damaged_after_opening_refuses_writes(
        damaged: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    path, good = damaged
    monkeypatch.setattr(backup, "SYNC_CHECK_MAX_BYTES", 0)
    p = open_project(path)  # opens at once; the check runs on a thread
    assert p.health is not None and not p.health.result(timeout=60).ok
    with pytest.raises(StorageError) as info:
        AnnotationService(p.repo, "alice").add_span(1, 0, 5, "claim")
    p.close()
    assert info.value.reason == "damaged" and f'annotator recover "{path}"' in str(info.value)
