"""The sentence cache: made at import, read by the spans and sentences exports, rebuilt when missing or stale."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.exporters import tokens
from annotator.exporters.options import ExportOptions
from annotator.exporters.registry import run_export
from annotator.importers.base import ImportedDocument, ImportedSpan
from annotator.importing import sha256_text
from annotator.project import Project, open_project
from annotator.sentences import SENTENCES_VERSION, sentence_bounds, split_sentences
from annotator.storage.errors import StorageError
from annotator.storage.repository import Repository, TokenCache
from tests.exporters.test_token_cache import change_cache, project_of, table_rows

TEXTS = [
    "Probiotics 🦠 reduce nerve pain. Ask your doctor first!\n\nIt's well-known (Smith et al. 2021).",
    "Vitamin D may help. Take 1,000 IU daily 😀 with food.\tSee Dr. Jones, 2021.  ",
    "A heading\nwrapped lines\nof prose… and more? Yes.",
]
FORMATS = ("spans", "sentences")


def sentence_rows(path: Path) -> dict[int, tuple[Any, ...]]:
    return table_rows(path, "document_sentences", "starts, ends")


@pytest.fixture()
def project(tmp_path: Path) -> Iterator[Project]:
    p, _ids = project_of(tmp_path / "p.annotator", TEXTS, (12, "citation"))
    yield p
    p.close()


def export_bytes(project: Project, fmt: str, out: Path) -> bytes:
    run_export(project.repo, fmt, out, options=ExportOptions(workers=1))
    return out.read_bytes()


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
       | st.text(st.sampled_from(list("ab A.!?…\"')\n\t\u00a0🦠é")), max_size=80))
def test_a_cache_row_gives_the_splitter_s_bounds(text: str) -> None:
    starts, ends = tokens.sentences_from_row(*tokens.sentence_row(text))
    assert (starts, ends) == sentence_bounds(text)
    assert list(zip(starts, ends)) == split_sentences(text)


def test_import_stores_the_rows_the_exporter_would_make(project: Project) -> None:
    rows = sentence_rows(Path(project.path))
    assert list(rows.values()) == [(SENTENCES_VERSION, *tokens.sentence_row(t)) for t in TEXTS]


@pytest.mark.parametrize("fmt", FORMATS)
def test_cached_and_from_scratch_exports_are_the_same_bytes(project: Project, tmp_path: Path, fmt: str) -> None:
    path = Path(project.path)
    cached = export_bytes(project, fmt, tmp_path / "cached.jsonl")
    before = sentence_rows(path)
    change_cache(path, "DELETE FROM document_sentences")
    assert export_bytes(project, fmt, tmp_path / "scratch.jsonl") == cached
    assert sentence_rows(path) == before  # the export stored what it had to make


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_row_from_another_splitter_is_ignored_and_replaced(project: Project, tmp_path: Path, fmt: str) -> None:
    path = Path(project.path)
    cached = export_bytes(project, fmt, tmp_path / "cached.jsonl")
    # Bounds that would cut every document into one-character sentences, stamped by "another" splitter.
    bogus = tokens.pack_offsets([0, 1]), tokens.pack_offsets([1, 2])
    change_cache(path, "UPDATE document_sentences SET version = ?, starts = ?, ends = ?",
                 SENTENCES_VERSION + 1, *bogus)
    assert export_bytes(project, fmt, tmp_path / "stale.jsonl") == cached
    assert {r[0] for r in sentence_rows(path).values()} == {SENTENCES_VERSION}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("damage", ["starts = substr(starts, 2)", "ends = substr(ends, 5)"])
def test_a_damaged_row_is_made_again_and_replaced(project: Project, tmp_path: Path, fmt: str, damage: str) -> None:
    """Bounds under the current stamp that are not whole int32s, or do not pair up, are made again."""
    path = Path(project.path)
    cached = export_bytes(project, fmt, tmp_path / "cached.jsonl")
    change_cache(path, f"UPDATE document_sentences SET {damage} WHERE document_id = 2")  # the stamp stays
    assert export_bytes(project, fmt, tmp_path / "damaged.jsonl") == cached
    assert sentence_rows(path)[2] == (SENTENCES_VERSION, *tokens.sentence_row(TEXTS[1]))


def test_the_export_reads_the_cached_bounds(project: Project, tmp_path: Path) -> None:
    """Rows with the current stamp are trusted: what they say is the sentence is the context."""
    path = Path(project.path)
    text = TEXTS[0]
    change_cache(path, "UPDATE document_sentences SET starts = ?, ends = ? WHERE document_id = 1",
                 tokens.pack_offsets([0]), tokens.pack_offsets([len(text)]))
    first = export_bytes(project, "spans", tmp_path / "out.jsonl").splitlines()[0]
    assert f'"context":"{text[:10]}'.encode() in first and b'"context_start":0' in first
    assert text.split("\n")[-1].encode() in first  # the whole text: one "sentence" from the cache


def test_a_database_that_refuses_the_rows_still_exports(project: Project, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = Path(project.path)
    cached = export_bytes(project, "sentences", tmp_path / "cached.jsonl")
    change_cache(path, "DELETE FROM document_sentences")
    calls: list[int] = []

    def refuse(self: Repository, rows: object) -> None:
        calls.append(1)
        raise StorageError("the project file is read-only", "read_only")

    monkeypatch.setattr(Repository, "store_sentences", refuse)
    assert export_bytes(project, "sentences", tmp_path / "refused.jsonl") == cached
    assert calls == [1] and sentence_rows(path) == {}


def test_many_missing_rows_are_stored_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Short documents: rows are stored a few hundred at a time (each store's IN (...) list
    stays far below any bound-parameter limit), and every one is stored."""
    p = open_project(tmp_path / "p.annotator")
    texts = [f"Fact {i}. Another one." for i in range(1200)]
    p.repo.add_documents([(ImportedDocument(t, f"d{i}", "txt", f"d{i}.txt", annotator="alice",
                                            spans=[ImportedSpan(0, 4, "claim")]), sha256_text(t))
                          for i, t in enumerate(texts)])
    change_cache(Path(p.path), "DELETE FROM document_sentences")
    sizes: list[int] = []
    real = Repository.store_sentences

    def counting(self: Repository, rows: list[tuple[int, bytes, bytes]]) -> None:
        sizes.append(len(rows))
        real(self, rows)

    monkeypatch.setattr(Repository, "store_sentences", counting)
    run_export(p.repo, "sentences", tmp_path / "out.jsonl", options=ExportOptions(workers=1))
    p.close()
    assert sum(sizes) == len(texts) and max(sizes) <= TokenCache._BATCH_ROWS < len(texts)
    rows = sentence_rows(tmp_path / "p.annotator")
    assert len(rows) == len(texts) and rows[1][1:] == tokens.sentence_row(texts[0])
