"""One odd file never stops an import run: each is refused (or skipped) with its reason, the rest import."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator import cli_commands
from annotator.importing import import_paths
from annotator.project import open_project
from annotator.validation import validate_file

GOOD = "Vitamin D helps sleep, a small trial suggests.\n"


def deep_jsonl(path: Path, depth: int = 1000) -> Path:
    nested = '{"a":' * depth + "1" + "}" * depth
    path.write_text('{"text": "Fish oil lowers blood pressure.", "spans": [], "meta": {"title": "t", "deep": '
                    + nested + "}}\n", encoding="utf-8")
    return path


def run(tmp_path: Path, *paths: Path):  # type: ignore[no-untyped-def]
    project = open_project(tmp_path / "p.annotator")
    try:
        return import_paths(project.repo, list(paths))
    finally:
        project.close()


def reasons(report) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {Path(p).name: r for p, r in report.refused + report.skipped}


@pytest.mark.parametrize("codec", ["rot13", "base64", "zlib"])
def test_an_html_charset_that_is_no_text_encoding_is_refused_and_the_run_goes_on(tmp_path: Path, codec: str) -> None:
    odd = tmp_path / "a.html"
    odd.write_text(f'<html><head><meta charset="{codec}"></head><body><p>Text here.</p></body></html>')
    good = tmp_path / "b.txt"
    good.write_text(GOOD)
    report = run(tmp_path, odd, good)
    assert [Path(p).name for p, _, _ in report.imported] == ["b.txt"]
    assert "unknown charset" in reasons(report)["a.html"]


def test_json_nested_1000_deep_is_refused_by_import_and_by_validate(tmp_path: Path) -> None:
    odd = deep_jsonl(tmp_path / "deep.jsonl")
    good = tmp_path / "z.txt"
    good.write_text(GOOD)
    report = run(tmp_path, odd, good)
    assert len(report.imported) == 1
    assert "nested" in reasons(report)["deep.jsonl"]
    checked = validate_file(odd)
    assert not checked.ok and "nested" in checked.problems[0].message


def test_a_file_name_that_is_not_utf8_is_refused_and_the_report_prints(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    odd = Path(os.fsdecode(bytes(folder) + b"/bad\xff.txt"))
    odd.write_text(GOOD)
    (folder / "good.txt").write_text("Magnesium with dinner.\n")
    result = CliRunner().invoke(cli_commands.app, ["import", str(folder), "--project", str(tmp_path / "p.annotator")])
    assert result.exit_code == 1, result.output
    assert "bad\\xff.txt" in result.output and "not valid UTF-8" in result.output
    assert "1 imported, 0 skipped, 1 refused" in result.output


def test_a_nul_in_jsonl_text_is_refused_like_in_a_txt_file(tmp_path: Path) -> None:
    odd = tmp_path / "nul.jsonl"
    odd.write_text(json.dumps({"text": "Zinc\u0000 cures colds.", "spans": []}) + "\n")
    report = run(tmp_path, odd)
    assert report.imported == [] and "NUL" in reasons(report)["nul.jsonl"]


def test_titles_and_report_lines_carry_no_terminal_controls_and_sources_are_absolute(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("\x1b]0;pwned\x07Title \x1b[31mred\n\nBody text here.\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli_commands.app, ["import", "in/a.txt", "--project", "p.annotator"])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    with sqlite3.connect(tmp_path / "p.annotator") as conn:
        title, source = conn.execute("SELECT title, source FROM document").fetchone()
    assert "\x1b" not in title and "\x07" not in title
    assert source == str((tmp_path / "in" / "a.txt").resolve())


def test_an_unsupported_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    docx = tmp_path / "notes.docx"
    docx.write_bytes(b"PK\x03\x04")
    report = run(tmp_path, docx)
    assert report.skipped == [] and "unsupported file type .docx" in reasons(report)["notes.docx"]


def test_folder_imports_read_only_regular_files_and_links_inside_the_folder(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("Outside the folder: must not be imported.\n")
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "real.txt").write_text(GOOD)
    (folder / "sub" / "inner.txt").write_text("Magnesium with dinner helps.\n")
    (folder / "escape.txt").symlink_to(outside)
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "inside.txt").symlink_to(folder / "sub" / "inner.txt")
    (folder / "loop").symlink_to(folder)
    os.mkfifo(folder / "pipe.txt")
    report = run(tmp_path, folder)
    imported = sorted(Path(p).name for p, _, _ in report.imported)
    assert imported == ["inside.txt", "real.txt"]  # the link inside the folder is followed
    why = reasons(report)
    assert "out of the imported folder" in why["escape.txt"]
    assert "not a regular file" in why["zero.txt"] or "out of the imported folder" in why["zero.txt"]
    assert "FIFO" in why["pipe.txt"]
    assert "folder" in why["loop"]
    assert "already in the project" in why["inner.txt"]  # the same text as inside.txt


def test_a_fifo_named_on_its_own_is_skipped_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    report = run(tmp_path, tmp_path / "pipe.txt")
    assert "FIFO" in reasons(report)["pipe.txt"]


def test_a_jsonl_line_longer_than_the_limit_is_refused_without_reading_it_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.importers import base

    monkeypatch.setattr(base, "MAX_TEXT_BYTES", 1024 * 1024)
    odd = tmp_path / "huge.jsonl"
    odd.write_text(json.dumps({"text": "Vitamin D " * 200_000, "spans": []}) + "\n")
    good = tmp_path / "z.txt"
    good.write_text(GOOD)
    report = run(tmp_path, odd, good)
    assert len(report.imported) == 1
    assert "line is longer than 1 MB" in reasons(report)["huge.jsonl"]
