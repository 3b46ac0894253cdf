"""atomic_output: the file appears whole or not at all, hashed as written; exports never write
over the project or over a file no export wrote."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.cli_commands import app
from annotator.exporters import base
from annotator.exporters.base import ExportError
from annotator.exporters.registry import run_export
from annotator.project import Project

from .corpus import small_project

CHUNKS = [bytes([i]) * 700 for i in range(40)]  # 28,000 bytes in writes of 700


def write_all(path: Path) -> dict[Path, tuple[str, int]]:
    found: dict[Path, tuple[str, int]] = {}
    with base.atomic_output(path, found) as fh:
        for chunk in CHUNKS:
            fh.write(chunk)
    return found


def test_the_file_appears_whole_with_its_digest(tmp_path: Path) -> None:
    found = write_all(tmp_path / "out.jsonl")
    data = b"".join(CHUNKS)
    assert (tmp_path / "out.jsonl").read_bytes() == data
    assert found[tmp_path / "out.jsonl"] == (hashlib.sha256(data).hexdigest(), len(data))


def test_a_failed_block_leaves_nothing_behind(tmp_path: Path) -> None:
    (tmp_path / "out.jsonl").write_bytes(b"the previous export\n")
    with pytest.raises(RuntimeError), base.atomic_output(tmp_path / "out.jsonl") as fh:
        fh.write(b"half")
        raise RuntimeError("stop")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]
    assert (tmp_path / "out.jsonl").read_bytes() == b"the previous export\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Iterator[Project]:
    p = small_project(tmp_path / "p.annotator")
    yield p
    p.close()


def _project_rows(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, sha256 FROM document ORDER BY id").fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("companion", ["", "-wal", "-shm", "-journal"])
def test_an_export_never_writes_over_the_project(corpus: Project, companion: str) -> None:
    project = Path(corpus.path)
    target = Path(str(project) + companion)
    existed = target.exists()
    with pytest.raises(ExportError, match="project file"):
        run_export(corpus.repo, "canonical", target)
    assert target.exists() == existed
    assert not list(project.parent.glob("*.part"))
    assert _project_rows(project)


def test_the_cli_refuses_out_on_the_project_and_the_project_survives(corpus: Project) -> None:
    project = Path(corpus.path)
    rows = _project_rows(project)
    corpus.close()
    result = CliRunner().invoke(app, ["export", "--project", str(project), "--out", str(project)])
    assert result.exit_code != 0
    assert "project file" in result.output
    assert _project_rows(project) == rows and rows


def test_an_export_never_writes_over_a_file_it_did_not_write(corpus: Project, tmp_path: Path) -> None:
    mine = tmp_path / "notes.jsonl"
    mine.write_text("my own notes\n")
    with pytest.raises(ExportError, match="no earlier export wrote it"):
        run_export(corpus.repo, "canonical", mine)
    assert mine.read_text() == "my own notes\n"
    ours = tmp_path / "data.jsonl"
    run_export(corpus.repo, "canonical", ours)
    first = ours.read_bytes()
    run_export(corpus.repo, "canonical", ours)  # an earlier export (its manifest lists it) is replaced
    assert ours.read_bytes() == first


def test_a_temporary_file_left_by_a_killed_export_is_removed_by_the_next(tmp_path: Path) -> None:
    import os
    import time

    stale, fresh = tmp_path / ".out.jsonl.abc123.part", tmp_path / ".out.jsonl.def456.part"
    other = tmp_path / ".notes.txt.abc123.part"
    for f in (stale, fresh, other):
        f.write_bytes(b"half")
    old = time.time() - base.STALE_PART_S - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    write_all(tmp_path / "out.jsonl")
    assert not stale.exists()
    assert fresh.exists() and other.exists()  # maybe another export's, running now; another target's


@pytest.mark.parametrize("fmt, name", [("canonical", "ds.jsonl"), ("brat", "ds")])
def test_a_kill_after_the_data_lands_leaves_no_card_of_the_previous_export(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, name: str) -> None:
    """Issue 21: the new data is in place but the process dies before its manifest is written.
    The previous export's manifest and card must not be left describing the new data."""
    from annotator.exporters import manifest

    p = small_project(tmp_path / "p.annotator")
    try:
        out = tmp_path / name
        run_export(p.repo, fmt, out)
        old_manifest, old_card = manifest.manifest_paths(out, fmt == "brat")
        assert old_manifest.exists() and old_card.exists()

        def killed(*_args: object, **_kwargs: object) -> None:
            raise KeyboardInterrupt  # what SIGINT does; SIGKILL stops the process at the same point

        monkeypatch.setattr(manifest, "write", killed)
        with pytest.raises(KeyboardInterrupt):
            run_export(p.repo, fmt, out)
        assert out.exists()  # the new data landed whole
        assert not old_manifest.exists() and not old_card.exists()
    finally:
        p.close()
