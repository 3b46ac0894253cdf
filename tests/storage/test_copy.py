"""``annotator copy``: a whole project from a SQLite file to PostgreSQL and back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from annotator import cli_commands
from annotator.exporters.registry import run_export
from annotator.importing import import_paths
from annotator.project import open_project
from annotator.services import AnnotationService
from annotator.storage import db
from annotator.storage.repository import Repository
from tests import pdf_samples

runner = CliRunner()


def _canonical(project: str | Path, out: Path) -> bytes:
    repo, _ = Repository.open(project, create=False)
    try:
        run_export(repo, "canonical", out)
    finally:
        repo.close()
    return out.read_bytes()


@pytest.fixture()
def original(tmp_path: Path) -> Path:
    """A file project with text and PDF documents, two annotators, spans, notes and statuses."""
    src = tmp_path / "articles"
    src.mkdir()
    (src / "gut.txt").write_text("Probiotics 🦠 reduce nerve pain.\n\nAsk your doctor first.\n", encoding="utf-8")
    (src / "vitd.md").write_text("# Vitamin D\n\nVitamin D may help multiple sclerosis.\n", encoding="utf-8")
    pdf_samples.build_article(src / "article.pdf")
    path = tmp_path / "original.annotator"
    p = open_project(path)
    report = import_paths(p.repo, [src])
    assert len(report.imported) == 3, report
    ids = [doc_id for _path, _title, doc_id in report.imported]
    alice, bob = AnnotationService(p.repo, "alice"), AnnotationService(p.repo, "bob")
    alice.add_span(ids[0], 0, 10, "intervention", note="a note")
    alice.add_span(ids[1], 2, 12, "claim")
    bob.add_span(ids[0], 0, 10, "claim")
    bob.set_status(ids[2], "flagged", "unclear")
    alice.set_status(ids[1], "done")
    p.close()
    return path


def test_copy_to_postgresql_and_back_keeps_the_canonical_export_byte_identical(
        original: Path, pg_url: str, tmp_path: Path) -> None:
    result = runner.invoke(cli_commands.app, ["copy", str(original), pg_url])
    assert result.exit_code == 0, result.output
    assert "3 documents, 3 spans" in result.output and "byte-identical" in result.output
    back = tmp_path / "back.annotator"
    again = runner.invoke(cli_commands.app, ["copy", pg_url, str(back)])
    assert again.exit_code == 0, again.output
    expected = _canonical(original, tmp_path / "a.jsonl")
    assert expected.count(b"\n") == 4  # three documents, bob's two and alice's two groups overlap on one
    assert _canonical(pg_url, tmp_path / "b.jsonl") == expected
    assert _canonical(back, tmp_path / "c.jsonl") == expected
    # The copy is a working project: new rows get fresh ids after the copied ones.
    p = open_project(pg_url)
    try:
        with p.repo.engine.connect() as c:  # foreign keys and indexes set aside for the load are back
            fks = {r[0] for r in c.execute(text("SELECT conname FROM pg_constraint WHERE contype = 'f'"))}
            indexes = {r[0] for r in c.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'span'"))}
        assert {"span_document_id_fkey", "span_annotator_id_fkey", "span_label_id_fkey"} <= fks
        assert "ix_span_doc_annotator_start" in indexes
        assert p.repo.pages(1) or p.repo.pages(2) or p.repo.pages(3)
        added = AnnotationService(p.repo, "carol").add_span(1, 0, 5, "claim")
        assert added is not None
        carol = p.repo.annotators()
        assert carol == ["alice", "bob", "carol"]
    finally:
        p.close()


def test_copy_refuses_a_destination_that_holds_a_project_and_leaves_it_alone(original: Path, tmp_path: Path) -> None:
    taken = tmp_path / "taken.annotator"
    open_project(taken).close()
    before = taken.read_bytes()
    result = runner.invoke(cli_commands.app, ["copy", str(original), str(taken)])
    assert result.exit_code == 2 and "already exists" in result.output
    assert taken.read_bytes() == before


def test_copy_into_a_server_database_that_holds_a_project_is_refused(original: Path, pg_url: str) -> None:
    open_project(pg_url).close()
    result = runner.invoke(cli_commands.app, ["copy", str(original), pg_url])
    assert result.exit_code == 2 and "already holds a project" in result.output
    repo, _ = Repository.open(pg_url, create=False)
    try:
        assert repo.document_count() == 0 and db.schema_version(repo.engine) == db.SCHEMA_VERSION
    finally:
        repo.close()
