"""Only new, import and gui make a project; commands that read refuse a missing one, and say how to make it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import folder, invoke, project  # noqa: F401


@pytest.mark.parametrize("command", [
    ["stats"], ["stats", "--json"], ["labels"], ["export", "-o", "out.jsonl"], ["validate", "data.jsonl"],
])
def test_a_mistyped_project_is_refused_and_nothing_is_created(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "data.jsonl").write_text("", encoding="utf-8")
    typo = tmp_path / "defualt.annotator"
    args = [a if not a.endswith((".jsonl",)) else str(tmp_path / a) for a in command]
    result = invoke(*args, "--project", typo)
    assert result.exit_code == 2
    assert f"no project at {typo}" in result.output and "annotator new" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.jsonl"]


def test_backups_of_a_missing_project_are_refused(tmp_path: Path) -> None:
    result = invoke("backups", tmp_path / "nope.annotator")
    assert result.exit_code == 2 and "no project at" in result.output


def test_new_creates_an_empty_project_once_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "study.annotator"
    created = invoke("new", path)
    assert created.exit_code == 0, created.output
    stats = json.loads(invoke("stats", "--json", "--project", path).output)
    assert stats["documents"] == 0 and set(stats["spans_per_label"]) == {
        "claim", "mechanism", "intervention", "citation", "disclaimer"}
    before = path.read_bytes()
    again = invoke("new", path)
    assert again.exit_code == 1 and "already exists" in again.output
    assert path.read_bytes() == before
    assert invoke("new", tmp_path / "no-such-folder" / "x.annotator").exit_code == 1


def test_import_still_creates_the_project_it_names(tmp_path: Path, folder: Path) -> None:  # noqa: F811
    path = tmp_path / "fresh.annotator"
    assert "imported" in invoke("import", folder, "--project", path).output
    assert json.loads(invoke("stats", "--json", "--project", path).output)["documents"] == 2


def test_statuses_read_to_do_as_the_app_says_and_filters_accept_both(tmp_path: Path, project: Path) -> None:  # noqa: F811
    table = invoke("stats", "--project", project).output
    assert "to do" in table and "in progress" in table and "todo" not in table
    for word in ("in progress", "in_progress", "In-Progress"):
        out = tmp_path / f"{word.replace(' ', '')}.jsonl"
        result = invoke("export", "-o", out, "--status", word, "--project", project)
        assert result.exit_code == 0, result.output
        assert len(out.read_text(encoding="utf-8").splitlines()) == 1  # document 1: alice's first span started it


def test_export_help_gives_each_format_its_own_paragraph() -> None:
    from annotator.exporters.registry import FORMATS

    lines = invoke("export", "--help").output.splitlines()
    starts = [next(i for i, line in enumerate(lines) if line.strip().startswith(f"{name}: ")) for name in FORMATS]
    assert starts == sorted(starts) and all(not lines[i - 1].strip() for i in starts)
