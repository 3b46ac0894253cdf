"""A command that writes checks the project first and takes its daily backup before it exits, at any size."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from annotator import cli_commands
from annotator.storage import backup

from tests.storage.helpers import make_project


def pad_past_the_background_threshold(path: Path) -> None:
    """Grow the project beyond SYNC_CHECK_MAX_BYTES, where the app checks it on a thread."""
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO project_meta (key, value) VALUES ('padding', ?)",
                     ("x" * (backup.SYNC_CHECK_MAX_BYTES + 1024 * 1024),))
    assert backup.care_runs_in_background(path)


def test_import_into_a_large_project_takes_the_daily_backup_before_exiting(tmp_path: Path) -> None:
    path = tmp_path / "big.annotator"
    make_project(path)
    pad_past_the_background_threshold(path)
    article = tmp_path / "new.txt"
    article.write_text("Magnesium helps sleep, the article claims.\n", encoding="utf-8")
    # A real process: a backup left to a thread would die with it.
    proc = subprocess.run([sys.executable, "-m", "annotator", "import", str(article), "--project", str(path)],
                          capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    taken = backup.list_backups(path)
    assert len(taken) == 1 and taken[0].path.stat().st_size > backup.SYNC_CHECK_MAX_BYTES


def test_a_damaged_large_project_refuses_an_import_and_points_to_recover(tmp_path: Path) -> None:
    from tests.storage.test_backups import corrupt_span_table

    path = tmp_path / "big.annotator"
    make_project(path)
    pad_past_the_background_threshold(path)
    backup.take_backup(path)
    corrupt_span_table(path)
    article = tmp_path / "new.txt"
    article.write_text("Magnesium helps sleep, the article claims.\n", encoding="utf-8")
    result = CliRunner().invoke(cli_commands.app, ["import", str(article), "--project", str(path)])
    assert result.exit_code == 2
    assert f'annotator recover "{path}"' in result.output
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM document").fetchone()[0] == 3  # nothing was added
