"""`annotator backups` and `annotator recover`: a damaged project gets its backup back, and keeps the wreck."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator import cli_commands
from annotator.project import open_project
from annotator.services import AnnotationService
from annotator.storage import backup, db

runner = CliRunner()


def invoke(*args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(cli_commands.app, [str(a) for a in args])


def _make_project(path: Path) -> None:
    """A project of many pages (so damage in the middle hits table data), annotated by alice."""
    from annotator.importing import import_paths

    folder = path.parent / "articles"
    folder.mkdir()
    for i in range(40):
        (folder / f"a{i:02}.txt").write_text(f"Article {i}: vitamin D helps sleep. " * 60 + "\n", encoding="utf-8")
    project = open_project(path)
    import_paths(project.repo, sorted(folder.iterdir()))
    AnnotationService(project.repo, "alice").add_span(1, 0, 7, "claim")
    project.close()


def _damage(path: Path) -> None:
    """Overwrite whole pages in the middle of the file: what a bad disk or a half copy leaves."""
    size = path.stat().st_size
    page = 4096
    middle = (size // page // 2) * page
    with path.open("r+b") as f:
        f.seek(middle)
        f.write(b"\xde\xad\xbe\xef" * (page * 2 // 4))


def _spans(path: Path) -> list[tuple[int, int, str]]:
    project = open_project(path, create=False)
    try:
        return [(s.start, s.end, s.label) for s in project.repo.spans(1, "alice")]
    finally:
        project.close()


@pytest.fixture()
def damaged(tmp_path: Path) -> tuple[Path, Path]:
    path = tmp_path / "p.annotator"
    _make_project(path)
    taken = backup.take_backup(path)
    _damage(path)
    assert db.quick_check(path), "the test's damage should be detectable"
    return path, taken


def test_recover_restores_the_newest_backup_and_keeps_the_damaged_file(damaged: tuple[Path, Path]) -> None:
    path, taken = damaged
    wreck = path.read_bytes()
    result = invoke("recover", path)
    assert result.exit_code == 0, result.output
    assert f"restored  {path} from {taken}" in result.output
    assert db.quick_check(path) == []
    assert _spans(path) == [(0, 7, "claim")]
    (aside,) = path.parent.glob("p.annotator.before-restore-*")
    assert aside.read_bytes() == wreck  # moved aside untouched, never deleted
    assert str(aside) in result.output


def test_recover_a_named_backup(damaged: tuple[Path, Path]) -> None:
    path, taken = damaged
    result = invoke("recover", path, "--backup", taken.name)  # a bare name, as `backups` lists it
    assert result.exit_code == 0, result.output
    assert _spans(path) == [(0, 7, "claim")]


def test_recover_without_a_backup_fails_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    _make_project(path)
    before = path.read_bytes()
    result = invoke("recover", path)
    assert result.exit_code == 1
    assert "nothing was changed" in result.output and "there is no backup" in result.output
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("p.annotator.before-restore-*"))


def test_recover_refuses_a_missing_or_damaged_backup(damaged: tuple[Path, Path], tmp_path: Path) -> None:
    path, taken = damaged
    wreck = path.read_bytes()
    assert invoke("recover", path, "--backup", tmp_path / "nope.annotator").exit_code == 1
    _damage(taken)
    result = invoke("recover", path)
    assert result.exit_code == 1 and "damaged too" in result.output
    assert path.read_bytes() == wreck


def test_backups_lists_name_time_and_size(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    _make_project(path)
    empty = invoke("backups", path)
    assert empty.exit_code == 0 and "No backups of" in empty.output
    first = backup.take_backup(path, tag="before-v2")
    second = backup.take_backup(path)
    result = invoke("backups", path)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    rows = [ln for ln in lines if first.name in ln or second.name in ln]
    assert [second.name in rows[0], first.name in rows[1]] == [True, True]  # newest first
    assert "before-v2" in rows[1] and re.search(r"  \d+\.\d (KB|MB)", rows[0])
    assert "annotator recover" in result.output
