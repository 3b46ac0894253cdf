"""The spaCy words cache: made at import, read by the spacy export, rebuilt when missing or stale."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("spacy")

import spacy  # noqa: E402
from spacy.tokens import DocBin  # noqa: E402

from annotator.exporters import spacy_docbin, spacy_words  # noqa: E402
from annotator.exporters.options import ExportOptions  # noqa: E402
from annotator.exporters.registry import run_export  # noqa: E402
from annotator.project import Project  # noqa: E402
from annotator.services import AnnotationService  # noqa: E402
from annotator.storage.errors import StorageError  # noqa: E402
from annotator.storage.repository import Repository  # noqa: E402
from tests.exporters.test_token_cache import change_cache, project_of, table_rows  # noqa: E402

TEXTS = [
    "Probiotics 🦠 reduce nerve pain.\n\nAsk your \"doctor\" first — it's well-known.",
    "Vitamin D may help (n=120).  Take 1,000 IU daily 😀 with food.\tSee Smith, 2021.  ",
    "𝔘nicode\u00a0spaces,\x07 controls and 漢字 — 2.5-fold, e.g. ORTH PERSON root.",
]


def words_rows(path: Path) -> dict[int, tuple[Any, ...]]:
    return table_rows(path, "document_spacy_words", "orth, spaces, heads, strings_json")


@pytest.fixture()
def project(tmp_path: Path) -> Iterator[Project]:
    p, _ids = project_of(tmp_path / "p.annotator", TEXTS, (6, "citation"))  # one ends on a trailing space
    yield p
    p.close()


def export_bytes(project: Project, out: Path, **options: object) -> bytes:
    run_export(project.repo, "spacy", out, options=ExportOptions(workers=1, **options))  # type: ignore[arg-type]
    return out.read_bytes()


def test_import_stores_the_rows_the_exporter_would_make(project: Project) -> None:
    rows = words_rows(Path(project.path))
    assert list(rows.values()) == [(spacy_words.SPACY_WORDS_VERSION, *spacy_words.words_row(t)) for t in TEXTS]


@pytest.mark.parametrize("ents", [False, True])
def test_cached_and_from_scratch_exports_are_the_same_bytes(project: Project, tmp_path: Path, ents: bool) -> None:
    path = Path(project.path)
    cached = export_bytes(project, tmp_path / "cached.spacy", ents=ents)
    before = words_rows(path)
    change_cache(path, "DELETE FROM document_spacy_words")
    assert export_bytes(project, tmp_path / "scratch.spacy", ents=ents) == cached
    assert words_rows(path) == before  # the export stored what it had to make
    docs = list(DocBin().from_bytes(cached).get_docs(spacy.blank("en").vocab))
    assert [d.text for d in docs] == TEXTS
    assert [[s.text for s in d.spans["sc"]] for d in docs] == [[t[:10], t[-6:]] for t in TEXTS]


def test_a_row_from_other_code_is_ignored_and_replaced(project: Project, tmp_path: Path) -> None:
    path = Path(project.path)
    cached = export_bytes(project, tmp_path / "cached.spacy")
    bogus = spacy_words.words_row("Something else entirely.")  # parts that agree, but another text's
    change_cache(path, "UPDATE document_spacy_words SET version = ?, orth = ?, spaces = ?, heads = ?, "
                 "strings_json = ?", spacy_words.SPACY_WORDS_VERSION + 1, *bogus)
    assert export_bytes(project, tmp_path / "stale.spacy") == cached
    assert {r[0] for r in words_rows(path).values()} == {spacy_words.SPACY_WORDS_VERSION}


def test_the_export_uses_the_cached_words_without_splitting_the_text(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows with the current stamp are trusted: no text is split while every span edge is a word edge."""
    texts = ["Probiotics 🦠 reduce nerve pain.", "Butyrate's  role\n\nin nerve pain.", "Magnesium, taken nightly, eases pain."]
    project, ids = project_of(tmp_path / "edges.annotator", texts, (5, "citation"))  # spans on word edges
    try:
        cached = export_bytes(project, tmp_path / "cached.spacy")
        splits: list[str] = []
        real = spacy_words.WORDS

        class Spy:
            pattern = real.pattern

            @staticmethod
            def split(text: str) -> list[str]:
                splits.append(text)
                return real.split(text)

        monkeypatch.setattr(spacy_docbin, "WORDS", Spy)
        monkeypatch.setattr(spacy_words, "WORDS", Spy)
        assert export_bytes(project, tmp_path / "again.spacy") == cached
        assert splits == []
        # A span edge inside a word sends that group the long way, and only it.
        AnnotationService(project.repo, "bob").add_span(ids[1], 3, 9, "mechanism")  # "yrate'": inside a word
        data = export_bytes(project, tmp_path / "cut.spacy")
        assert splits == [texts[1]]
    finally:
        project.close()
    docs = list(DocBin().from_bytes(data).get_docs(spacy.blank("en").vocab))
    assert [d.text for d in docs] == [texts[0], texts[1], texts[1], texts[2]]  # alice's, then bob's
    assert [[(s.text, s.label_) for s in d.spans["sc"]] for d in docs] == [
        [(texts[0][:10], "claim"), ("pain.", "citation")], [(texts[1][:10], "claim"), ("pain.", "citation")],
        [("yrate'", "mechanism")], [(texts[2][:10], "claim"), ("pain.", "citation")]]


def test_a_database_that_refuses_the_rows_still_exports(project: Project, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = Path(project.path)
    cached = export_bytes(project, tmp_path / "cached.spacy")
    change_cache(path, "DELETE FROM document_spacy_words")
    calls: list[int] = []

    def refuse(self: Repository, rows: object) -> None:
        calls.append(1)
        raise StorageError("the project file is read-only", "read_only")

    monkeypatch.setattr(Repository, "store_spacy_words", refuse)
    assert export_bytes(project, tmp_path / "refused.spacy") == cached
    assert calls == [1] and words_rows(path) == {}  # tried once, then left alone


@pytest.mark.parametrize("damage", ["orth = substr(orth, 9)", "heads = substr(heads, 2)",
                                    "strings_json = substr(strings_json, 2)", "strings_json = CAST('7' AS BLOB)"])
def test_a_damaged_row_is_made_again_and_replaced(project: Project, tmp_path: Path, damage: str) -> None:
    path = Path(project.path)
    cached = export_bytes(project, tmp_path / "cached.spacy")
    change_cache(path, f"UPDATE document_spacy_words SET {damage} WHERE document_id = 2")  # the stamp stays
    assert words_rows(path)[2][1:] != spacy_words.words_row(TEXTS[1])
    assert export_bytes(project, tmp_path / "damaged.spacy") == cached
    assert words_rows(path)[2] == (spacy_words.SPACY_WORDS_VERSION, *spacy_words.words_row(TEXTS[1]))
