"""The token cache: made at import, spliced into canonical records, rebuilt when missing or stale."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.exporters import tokens
from annotator.exporters.registry import run_export
from annotator.importers.base import ImportedDocument, ImportedSpan
from annotator.importing import sha256_text
from annotator.project import Project, open_project
from annotator.services import AnnotationService
from annotator.storage.errors import StorageError
from annotator.storage.repository import ExportFilter, Repository
from annotator.text import tokenize

TEXTS = [
    "Probiotics 🦠 reduce nerve pain.\n\nAsk your \"doctor\" first — it's well-known.",
    "Vitamin D may help (n=120). Take 1,000 IU daily 😀 with food.\tSee Smith, 2021.  ",
    "𝔘nicode\u00a0spaces,\x07 controls and 漢字 — 2.5-fold, e.g. \\ back\\slashes.",
]


def table_rows(path: Path, table: str, columns: str) -> dict[int, tuple[Any, ...]]:
    """document id -> (version, *columns) of a cache table, read with plain sqlite3."""
    conn = sqlite3.connect(path)
    try:
        return {r[0]: r[1:] for r in conn.execute(
            f"SELECT document_id, version, {columns} FROM {table} ORDER BY document_id")}
    finally:
        conn.close()


def cache_rows(path: Path) -> dict[int, tuple[Any, ...]]:
    return table_rows(path, "document_tokens", "tokens_json, starts, ends, texts_json")


def change_cache(path: Path, sql: str, *args: object) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute(sql, args)
        conn.commit()
    finally:
        conn.close()


def project_of(path: Path, texts: list[str], last: tuple[int, str]) -> tuple[Project, list[int]]:
    """A project with ``texts`` and alice's spans on each: its first ten characters (a
    claim, noted) and, ``last`` = (length, label), its end."""
    p = open_project(path)
    ids = p.repo.add_documents([(ImportedDocument(t, f"d{i}", "txt", f"d{i}.txt"), sha256_text(t))
                                for i, t in enumerate(texts)])
    alice = AnnotationService(p.repo, "alice")
    for doc_id, text in zip(ids, texts):
        assert doc_id is not None
        alice.add_span(doc_id, 0, 10, "claim", note="n")
        alice.add_span(doc_id, len(text) - last[0], len(text), last[1])
        alice.set_status(doc_id, "done")
    return p, [i for i in ids if i is not None]


@pytest.fixture()
def project(tmp_path: Path) -> Iterator[Project]:
    p, ids = project_of(tmp_path / "p.annotator", TEXTS, (6, "mechanism"))  # may end in trailing whitespace
    AnnotationService(p.repo, "bob").add_span(ids[0], 11, 20, "intervention")
    yield p
    p.close()


def export_bytes(project: Project, out: Path) -> bytes:
    run_export(project.repo, "canonical", out, ExportFilter())
    return out.read_bytes()


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
       | st.text(st.sampled_from(list("ab1 _-'’.,\"\\\n\t\x00\x07\u00a0🦠é漢")), max_size=80))
def test_a_cache_row_gives_the_tokenizer_s_bytes_and_bounds(text: str) -> None:
    scratch = tokens.document_tokens(text)
    cached = tokens.from_cache(*tokens.cache_row(text))
    assert cached.json == scratch.json == tokens.token_bounds_and_json(text)[0]
    assert cached.starts == scratch.starts and cached.ends == scratch.ends
    assert orjson.loads(cached.json) == [{"text": t.text, "start": t.start, "end": t.end, "id": t.id, "ws": t.ws}
                                         for t in tokenize(text)]
    assert list(cached.starts) == [t.start for t in tokenize(text)]


def test_import_stores_the_rows_the_exporter_would_make(project: Project) -> None:
    rows = cache_rows(Path(project.path))
    assert len(rows) == len(TEXTS)
    for (version, *row), text in zip(rows.values(), TEXTS):
        assert version == tokens.TOKENS_VERSION
        assert tuple(row) == tokens.cache_row(text)
        assert orjson.loads(row[3]) == [t.text for t in tokenize(text)]


def test_cached_and_from_scratch_exports_are_the_same_bytes(project: Project, tmp_path: Path) -> None:
    path = Path(project.path)
    cached = export_bytes(project, tmp_path / "cached.jsonl")
    before = cache_rows(path)
    change_cache(path, "DELETE FROM document_tokens")
    assert export_bytes(project, tmp_path / "scratch.jsonl") == cached
    assert cache_rows(path) == before  # the export stored what it had to make


def test_a_document_without_a_cache_row_still_exports_correctly(project: Project, tmp_path: Path) -> None:
    path = Path(project.path)
    cached = export_bytes(project, tmp_path / "cached.jsonl")
    change_cache(path, "DELETE FROM document_tokens WHERE document_id = 1")
    lines = export_bytes(project, tmp_path / "missing.jsonl")
    assert lines == cached
    first = orjson.loads(lines.splitlines()[0])
    assert first["tokens"] == [{"text": t.text, "start": t.start, "end": t.end, "id": t.id, "ws": t.ws}
                               for t in tokenize(TEXTS[0])]


def test_a_row_from_another_tokenizer_is_ignored_and_replaced(project: Project, tmp_path: Path) -> None:
    path = Path(project.path)
    cached = export_bytes(project, tmp_path / "cached.jsonl")
    change_cache(path, "UPDATE document_tokens SET version = ?, tokens_json = ? WHERE document_id = 2",
                 tokens.TOKENS_VERSION + 1, b'["stale"]')
    assert export_bytes(project, tmp_path / "stale.jsonl") == cached
    assert cache_rows(path)[2][0] == tokens.TOKENS_VERSION


@pytest.mark.parametrize("damage", ["starts = substr(starts, 2)", "ends = substr(ends, 5)",
                                    "tokens_json = substr(tokens_json, 1, length(tokens_json) - 1)",
                                    "tokens_json = CAST('{}' AS BLOB)", "tokens_json = CAST('[]' AS BLOB)"])
def test_a_damaged_row_is_made_again_and_replaced(project: Project, tmp_path: Path, damage: str) -> None:
    """A row under the current stamp that cannot be whole is not spliced into the export (a
    broken line) nor fails it: the export makes it again and stores it."""
    path = Path(project.path)
    cached = export_bytes(project, tmp_path / "cached.jsonl")
    change_cache(path, f"UPDATE document_tokens SET {damage} WHERE document_id = 2")  # the stamp stays
    assert cache_rows(path)[2][1:] != tokens.cache_row(TEXTS[1])
    assert export_bytes(project, tmp_path / "damaged.jsonl") == cached
    assert cache_rows(path)[2] == (tokens.TOKENS_VERSION, *tokens.cache_row(TEXTS[1]))


def test_a_database_that_refuses_the_rows_still_exports(project: Project, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = Path(project.path)
    cached = export_bytes(project, tmp_path / "cached.jsonl")
    change_cache(path, "DELETE FROM document_tokens")
    calls: list[int] = []

    def refuse(self: Repository, rows: object) -> None:
        calls.append(1)
        raise StorageError("the project file is read-only", "read_only")

    monkeypatch.setattr(Repository, "store_tokens", refuse)
    assert export_bytes(project, tmp_path / "refused.jsonl") == cached
    assert calls == [1] and cache_rows(path) == {}  # tried once, then left alone


def test_a_failed_import_leaves_no_cache_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = open_project(tmp_path / "p.annotator")
    real = tokens.cache_row
    seen: list[str] = []

    def failing(text: str) -> tuple[bytes, bytes, bytes]:
        seen.append(text)
        if len(seen) == 2:
            raise RuntimeError("disk trouble")
        return real(text)

    monkeypatch.setattr(tokens, "cache_row", failing)
    with pytest.raises(RuntimeError):
        p.repo.add_documents([(ImportedDocument(t, f"d{i}", "txt", f"d{i}.txt"), sha256_text(t))
                              for i, t in enumerate(TEXTS)])
    p.close()
    assert cache_rows(tmp_path / "p.annotator") == {}


def test_spans_with_the_same_start_come_in_end_label_id_order(tmp_path: Path) -> None:
    text = "Fibre feeds gut bacteria daily."
    p = open_project(tmp_path / "p.annotator")
    spans = [ImportedSpan(0, 11, "mechanism", id="b"), ImportedSpan(0, 5, "mechanism", id="c"),
             ImportedSpan(0, 11, "claim", id="z"), ImportedSpan(6, 11, "claim", id="a"),
             ImportedSpan(0, 5, "claim", id="d")]
    p.repo.add_documents([(ImportedDocument(text, "t", "txt", "t.txt", spans=spans, annotator="alice"),
                           sha256_text(text))])
    (group,) = list(p.repo.iter_export_groups())
    p.close()
    assert [(s[1], s[2], s[3], s[0]) for s in group.spans] == [
        (0, 5, "claim", "d"), (0, 5, "mechanism", "c"), (0, 11, "claim", "z"), (0, 11, "mechanism", "b"),
        (6, 11, "claim", "a")]


@given(st.text(st.sampled_from(list("ab1 _-'’.,\"\n\t🦠é")), min_size=1, max_size=60), st.data())
def test_record_token_indices_are_span_tokens(text: str, data: st.DataObject) -> None:
    from annotator.exporters.canonical import _DocumentParts
    from annotator.storage.repository import ExportDocument, ExportGroup

    picks = data.draw(st.lists(st.tuples(st.integers(0, len(text) - 1), st.integers(1, len(text))), max_size=8))
    spans = sorted({(s, min(len(text), s + n)) for s, n in picks})
    if data.draw(st.booleans()):  # the export's order is by start; any other must come out right too
        spans = data.draw(st.permutations(spans))
    row = ExportDocument(1, "t", "t.txt", "txt", "ab" * 32, text, "{}")
    parts = _DocumentParts(None, row, tokens.document_tokens(text))  # type: ignore[arg-type]
    group = ExportGroup(row, "alice", "done", [(f"s{i}", s, e, "claim", None) for i, (s, e) in enumerate(spans)])
    record = orjson.loads(b"".join(parts.line(group)))
    starts, ends = tokens.token_bounds_and_json(text)[1:]
    assert [(s["token_start"], s["token_end"]) for s in record["spans"]] == [
        tokens.span_tokens(starts, ends, s, e) for s, e in spans]



@pytest.mark.parametrize("stale", [False, True])
def test_formats_slicing_tokens_get_the_regex_tokens_from_the_cache(project: Project, stale: bool) -> None:
    from annotator.exporters.sink import Document, split_tokens

    path = Path(str(project.repo.engine.url.database))
    if stale:  # rows of another tokenizer are not used: the regex runs instead
        change_cache(path, "UPDATE document_tokens SET version = version + 1")
    with project.repo.token_cache() as cache:
        groups = list(project.repo.iter_export_groups())
        assert {g.document.text for g in groups} == set(TEXTS)
        for group in groups:
            assert (cache.bounds(group.document.id) is None) == stale
            assert Document(group.document, cache).tokens() == split_tokens(group.document.text)


def test_a_cache_over_a_range_reads_in_order_and_still_answers_out_of_order(project: Project) -> None:
    """A parallel export's batch reads each kind of row with one ordered query; a document
    asked for out of order, or missing, or stale, is answered as by the one-process cache."""
    path = Path(project.path)
    rows = cache_rows(path)
    change_cache(path, "DELETE FROM document_tokens WHERE document_id = 2")
    change_cache(path, "UPDATE document_sentences SET version = version + 1 WHERE document_id = 3")
    with project.repo.token_cache() as plain, project.repo.token_cache(documents=(1, 3)) as ranged:
        for doc_id in (1, 2, 3, 1, 3, 2):  # in order, then back
            assert ranged.get(doc_id) == plain.get(doc_id)
            assert ranged.bounds_and_texts(doc_id) == plain.bounds_and_texts(doc_id)
            assert ranged.sentences(doc_id) == plain.sentences(doc_id)
        assert ranged.get(1) == rows[1][1:4] and ranged.get(2) is None
        assert ranged.sentences(3) is None and ranged.sentences(1) is not None


def test_a_worker_s_canonical_batch_reads_its_tokens_in_one_ordered_query(project: Project, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """In a parallel export's worker the canonical lines take their tokens from the batch's
    ordered read, not one query per document, and are the bytes one process writes."""
    from annotator.exporters import parallel
    from annotator.exporters.options import ExportOptions
    from annotator.storage import db

    expected = export_bytes(project, tmp_path / "one.jsonl")
    asked: list[int] = []

    class Counting(db.PointQuery):
        def first(self, **params: int):  # type: ignore[no-untyped-def]
            asked.append(params["doc_id"])
            return super().first(**params)

    monkeypatch.setattr(db, "PointQuery", Counting)
    url = project.repo.engine.url.render_as_string(hide_password=False)
    labels = [label.spec for label in project.labels]
    parallel._start(url, "canonical", labels, ExportOptions(), ExportFilter(), str(tmp_path), {None: None})
    try:
        part = parallel._run(1, 3, None)
    finally:
        parallel._worker.pop("repo").engine.dispose()
        parallel._worker.clear()
    assert b"".join(part.outputs[None].parts) == expected
    assert asked == []


@given(st.text(st.sampled_from(list("ab1 _-.\n🦠é")), max_size=40), st.data())
def test_spans_tokens_is_span_tokens_of_each_span(text: str, data: st.DataObject) -> None:
    """The canonical export's numpy search agrees with the bisects of ``span_tokens``, for
    spans anywhere (inside whitespace, past the text, empty, reversed) and texts without tokens."""
    from array import array

    starts, ends = tokens.token_bounds_and_json(text)[1:]
    edge = st.integers(0, len(text) + 2)
    spans = [(f"s{i}", s, e, "claim", None) for i, (s, e) in enumerate(data.draw(st.lists(st.tuples(edge, edge),
                                                                                          max_size=10)))]
    firsts, lasts = tokens.spans_tokens(array("i", starts), array("i", ends), spans)
    assert list(zip(firsts, lasts)) == [tokens.span_tokens(starts, ends, s, e) for _, s, e, _, _ in spans]
