"""`annotator recover` refuses while the project is open elsewhere: later edits would land in the renamed file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from annotator import cli_commands
from annotator.project import open_project
from annotator.storage import backup
from tests.storage.helpers import make_project

HOLD_OPEN = """
import sys
from annotator.project import open_project
p = open_project(sys.argv[1])
print("open", flush=True)
sys.stdin.readline()
p.close()
"""


def test_recover_refuses_while_another_process_has_the_project_open(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    make_project(path)
    taken = backup.take_backup(path)
    before = path.read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_OPEN, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        result = CliRunner().invoke(cli_commands.app, ["recover", str(path)])
        assert result.exit_code == 1
        assert "is open in annotator" in result.output and "nothing was changed" in result.output
        assert path.read_bytes() == before and not list(tmp_path.glob("*.before-restore-*"))
    finally:
        holder.communicate("\n", timeout=60)
    result = CliRunner().invoke(cli_commands.app, ["recover", str(path)])  # closed now: allowed
    assert result.exit_code == 0, result.output
    assert str(taken) in result.output


def test_a_project_closed_in_this_process_can_be_recovered(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    make_project(path)
    backup.take_backup(path)
    p = open_project(path)
    assert CliRunner().invoke(cli_commands.app, ["recover", str(path)]).exit_code == 1
    p.close()
    assert CliRunner().invoke(cli_commands.app, ["recover", str(path)]).exit_code == 0
