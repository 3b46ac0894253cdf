"""Shared by the importer tests: load one file with one importer; check a canonical text's tidiness."""

from __future__ import annotations

from pathlib import Path

from annotator.importers.base import ImportedDocument, Importer


def load_single(importer: Importer, tmp_path: Path, data: bytes | str, name: str) -> ImportedDocument:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    docs = importer.load(path)
    assert len(docs) == 1
    return docs[0]


def assert_tidy(text: str) -> None:
    """What every markup importer promises of its canonical text: \n line ends, at most one
    blank line in a row, no blank lines at either end, no trailing spaces."""
    assert "\r" not in text
    assert "\n\n\n" not in text
    assert text == text.strip("\n")
    assert all(line == line.rstrip() for line in text.split("\n"))
