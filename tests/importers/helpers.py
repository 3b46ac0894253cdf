"""Shared by the importer tests: write bytes to a file and load it with one importer."""

from __future__ import annotations

from pathlib import Path

from annotator.importers.base import ImportedDocument, Importer


def load_single(importer: Importer, tmp_path: Path, data: bytes | str, name: str) -> ImportedDocument:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    docs = importer.load(path)
    assert len(docs) == 1
    return docs[0]
