"""What a trainer and a spreadsheet user rely on: byte-reproducible outputs, spaCy shards its
Corpus reads, neutralised CSV formulas, a warning for an empty split."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from annotator.cli_commands import app
from annotator.exporters.base import ExportError
from annotator.exporters.options import ExportOptions
from annotator.exporters.registry import FORMATS, run_export
from annotator.project import Project, open_project
from annotator.services import AnnotationService

from .corpus import add, bulk_project, small_project


@pytest.fixture
def corpus(tmp_path: Path) -> Iterator[Project]:
    p = small_project(tmp_path / "p.annotator")
    yield p
    p.close()


def _digest(path: Path) -> dict[str, str]:
    """sha256 of a file, or of every file under a folder (by relative path)."""
    if path.is_file():
        return {"": hashlib.sha256(path.read_bytes()).hexdigest()}
    return {str(f.relative_to(path)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(path.rglob("*")) if f.is_file()}


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "pdf"])
def test_every_format_gives_the_same_bytes_for_the_same_data(corpus: Project, tmp_path: Path, fmt: str) -> None:
    if fmt == "spacy":
        pytest.importorskip("spacy")
    suffix = FORMATS[fmt].suffix
    first, second = tmp_path / "a" / f"out{suffix}", tmp_path / "b" / f"out{suffix}"
    first.parent.mkdir()
    second.parent.mkdir()
    run_export(corpus.repo, fmt, first, options=ExportOptions(manifest=False))
    run_export(corpus.repo, fmt, second, options=ExportOptions(manifest=False))
    assert _digest(first) == _digest(second) and _digest(first)


def test_a_large_spacy_export_is_a_folder_of_shards_that_corpus_reads(tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.training import Corpus

    p = bulk_project(tmp_path / "bulk.annotator", 25)
    try:
        out = tmp_path / "train.spacy"
        result = run_export(p.repo, "spacy", out, options=ExportOptions(shard_docs=10))
    finally:
        p.close()
    assert out.is_dir()
    shards = sorted(f.name for f in out.glob("*.spacy"))
    assert len(shards) >= 3 and shards[0] == "shard-00000.spacy"
    nlp = spacy.blank("en")
    examples = list(Corpus(out)(nlp))
    assert len(examples) == result.records
    manifest = orjson.loads(result.manifest[0].read_bytes())
    listed = {f["path"] for f in manifest["files"]}
    assert {f"train.spacy/{name}" for name in shards} <= listed
    written = sum(len(e.reference.spans["sc"]) for e in examples)
    assert written == sum(manifest["written"]["all"]["spans_written"].values())


def test_a_pipeline_that_is_not_installed_is_refused_before_writing(corpus: Project, tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    with pytest.raises(ExportError, match="no_such_pipeline"):
        run_export(corpus.repo, "spacy", tmp_path / "x.spacy", options=ExportOptions(spacy_model="no_such_pipeline"))
    assert list(tmp_path.glob("x*")) == []


def _formula_project(path: Path) -> Project:
    p = open_project(path)
    text = "=HYPERLINK(\"http://x\") says probiotics help. +1 more and -2 less, @home."
    doc = add(p, text, "=cmd|' /C calc'!A0")
    svc = AnnotationService(p.repo, "alice")
    svc.add_span(doc, 0, 22, "citation", note="@note")
    svc.add_span(doc, text.index("+1"), text.index("+1") + 7, "claim")
    svc.add_span(doc, text.index("probiotics"), text.index("probiotics") + 10, "intervention", note="plain")
    return p


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_csv_cells_that_look_like_formulas_are_neutralised_unless_raw(tmp_path: Path) -> None:
    p = _formula_project(tmp_path / "f.annotator")
    try:
        safe = run_export(p.repo, "csv", tmp_path / "safe.csv")
        run_export(p.repo, "csv", tmp_path / "raw.csv", options=ExportOptions(raw=True))
    finally:
        p.close()
    rows, raw = _csv_rows(tmp_path / "safe.csv"), _csv_rows(tmp_path / "raw.csv")
    dangerous = ("=", "+", "-", "@")
    for row in rows:
        assert not any(v.startswith(dangerous) for v in row.values())
    assert rows[0]["title"] == "'=cmd|' /C calc'!A0" and rows[0]["text"].startswith("'=HYPERLINK")
    assert rows[0]["note"] == "'@note"
    assert {r["text"] for r in rows} == {("'" + r["text"]) if r["text"].startswith(dangerous) else r["text"]
                                          for r in raw}
    assert raw[0]["title"] == "=cmd|' /C calc'!A0" and raw[0]["note"] == "@note"
    card = safe.manifest[1].read_text(encoding="utf-8")
    assert "formulas" in card and "--raw" in card
    with pytest.raises(ExportError, match="csv format only"):
        run_export(p.repo, "canonical", tmp_path / "c.jsonl", options=ExportOptions(raw=True))


def test_an_empty_split_warns_on_the_cli_and_in_the_card(corpus: Project, tmp_path: Path) -> None:
    project = corpus.path
    corpus.close()
    out = tmp_path / "ds.jsonl"
    result = CliRunner().invoke(app, ["export", "--project", str(project), "--out", str(out),
                                      "--split", "0.8,0.1,0.1"])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and "empty" in result.output
    card = (tmp_path / "ds.card.md").read_text(encoding="utf-8")
    assert "## Warnings" in card and "empty" in card
    manifest = orjson.loads((tmp_path / "ds.manifest.json").read_bytes())
    assert any("empty" in w for w in manifest["warnings"])


def test_a_text_that_no_longer_matches_its_sha256_stops_the_export(corpus: Project, tmp_path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(corpus.path)
    conn.execute("UPDATE document SET text = text || ' (edited)' WHERE id = 1")
    conn.commit()
    conn.close()
    with pytest.raises(ExportError, match="SHA-256"):
        run_export(corpus.repo, "canonical", tmp_path / "out.jsonl")
    assert list(tmp_path.glob("out*")) == []
