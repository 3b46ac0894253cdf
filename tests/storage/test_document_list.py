"""The document list's one read (storage.document_list): right columns from the repository on
its connection, and the same from the launch read on a stdlib sqlite3 connection."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.importers.base import ImportedDocument, ImportedSpan
from annotator.importing import sha256_text
from annotator.project import open_project
from annotator.records import DocumentColumns, StatusRecord
from annotator.storage import db
from annotator.storage.document_list import columns_from, read_list_snapshot, start_list_snapshot


def make_project(path: Path, titles: list[str]) -> list[int]:
    p = open_project(path)
    docs = []
    for i, title in enumerate(titles):
        text = f"Document {i}: magnesium helps sleep, a small trial found."
        spans = [ImportedSpan(0, 8, "claim")] * (i % 3)
        docs.append((ImportedDocument(text, title, "txt", f"doc{i}.txt", spans=spans, annotator="ann"),
                     sha256_text(text)))
    ids = [i for i in p.repo.add_documents(docs) if i is not None]
    p.repo.set_status(StatusRecord(ids[1], "ann", "done"))
    p.repo.set_status(StatusRecord(ids[2], "other", "flagged", "unclear"))
    p.close()
    return ids


def test_the_snapshot_equals_the_repository_read(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    ids = make_project(path, [f"Title {i} — café ☕" for i in range(7)])
    snap = read_list_snapshot(path, "ann")
    assert snap is not None and snap.schema_version == db.SCHEMA_VERSION and snap.reviewer == "ann"
    p = open_project(path)
    try:
        assert snap.columns == p.repo.document_list("ann")
        assert snap.columns.ids == ids
        assert snap.columns.statuses[1] == "done" and snap.columns.statuses[2] == "todo"
        assert snap.columns.span_counts[:3] == [0, 1, 2]
        assert [snap.columns.summary(i) for i in range(len(ids))] == p.repo.document_summaries("ann")
    finally:
        p.close()


def test_an_unknown_reviewer_sees_every_document_to_do(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    make_project(path, ["a", "b", "c"])
    snap = read_list_snapshot(path, "  newcomer ")
    assert snap is not None and snap.reviewer == "newcomer"
    assert snap.columns.statuses == ["todo"] * 3 and snap.columns.span_counts == [0, 0, 0]


def test_an_empty_project_gives_empty_columns(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    open_project(path).close()
    snap = read_list_snapshot(path, "ann")
    assert snap is not None and snap.columns == DocumentColumns()


def test_titles_with_any_characters_read_back_exactly(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    titles = ["plain", "odd\x1ftitle, \"quoted\" \\ back", "emoji 🧪 and 𝔘nicode", "", "new\nline\ttab"]
    make_project(path, titles)
    snap = read_list_snapshot(path, "ann")
    assert snap is not None and snap.columns.titles == titles
    p = open_project(path)
    try:
        assert p.repo.document_list("ann").titles == titles
    finally:
        p.close()


@pytest.mark.parametrize("content", [b"", b"not a database at all", None])
def test_anything_but_a_project_gives_none(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "p.annotator"
    if content is not None:
        path.write_bytes(content)
    assert read_list_snapshot(path, "ann") is None
    assert start_list_snapshot(path, "ann").result(timeout=10) is None


def test_the_columns_come_back_in_id_order_even_if_the_database_reorders_them() -> None:
    docs = ("[3, 1, 2]", '["c", "a", "b"]', '["txt", "txt", "txt"]', '["s", "s", "s"]', "[30, 10, 20]")
    cols = columns_from(docs, ("[1]", '["done"]'), ("[2, 1]", "[2, 1]"))
    assert cols.ids == [1, 2, 3] and cols.titles == ["a", "b", "c"] and cols.char_counts == [10, 20, 30]
    assert cols.statuses == ["done", "todo", "todo"] and cols.span_counts == [1, 2, 0]
    # No rows: SQLite aggregates to an empty array, PostgreSQL to NULL.
    assert columns_from(("[]",) * 5, ("[]", "[]"), ("[]", "[]")) == DocumentColumns()
    assert columns_from((None,) * 5, (None, None), (None, None)) == DocumentColumns()
