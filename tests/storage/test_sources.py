"""Original files stored in the project: content-addressed, compressed, migrated in from disk."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from annotator.importing import import_paths
from annotator.project import open_project
from annotator.storage import db
from tests import pdf_samples
from tests.storage.test_migrations import IMPORTED_AT, old_project

V6_SQL = Path(__file__).resolve().parents[1] / "data" / "schema_v6.sql"


def test_an_imported_pdf_is_stored_once_compressed_with_an_absolute_source(
        project_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "articles").mkdir()
    pdf = pdf_samples.build_article(tmp_path / "articles" / "gut.pdf")
    (tmp_path / "articles" / "notes.txt").write_text("Sleep helps migraine.\n", encoding="utf-8")
    p = open_project(project_url)
    try:
        report = import_paths(p.repo, [Path("articles/gut.pdf"), Path("articles/notes.txt")])
        (pdf_id, txt_id) = [doc_id for *_, doc_id in report.imported]
        assert p.repo.document(pdf_id).source == str(pdf.resolve())
        data = pdf.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        assert p.repo.source_sha256(pdf_id) == sha and p.repo.source_bytes(sha) == data
        assert p.repo.source_sha256(txt_id) is None  # its canonical text is its content
        assert p.repo.attach_source(txt_id, data) == sha  # the same bytes again: stored once
        with p.repo.engine.connect() as c:
            from sqlalchemy import text

            rows = c.execute(text("SELECT sha256, size, compression, length(data) FROM sources")).all()
        assert len(rows) == 1 and rows[0][1] == len(data)
        assert rows[0][2] == "none" or rows[0][3] < len(data)
        assert p.repo.missing_sources() == []
    finally:
        p.close()


def test_a_version_6_file_takes_in_the_pdfs_still_on_disk_and_lists_the_missing(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    (folder / "articles").mkdir(parents=True)
    pdf = pdf_samples.build_article(folder / "articles" / "found.pdf")
    path = folder / "v6.annotator"
    old_project(path, V6_SQL, f"""
        INSERT INTO label VALUES (1, 'claim', '#d62728', '1', 'A claim.', '', 0);
        INSERT INTO document VALUES (1, 'Found', 'articles/found.pdf', 'pdf', 'aa', 'Some text.', 10, '{{}}',
                                     '{IMPORTED_AT}');
        INSERT INTO document VALUES (2, 'Gone', '/nowhere/gone.pdf', 'pdf', 'bb', 'Other text.', 11, '{{}}',
                                     '{IMPORTED_AT}');
        INSERT INTO document VALUES (3, 'Notes', 'notes.txt', 'txt', 'cc', 'Notes.', 6, '{{}}', '{IMPORTED_AT}');
    """)
    p = open_project(path)
    try:
        assert db.schema_version(p.repo.engine) == db.SCHEMA_VERSION
        sha = p.repo.source_sha256(1)
        assert sha is not None and p.repo.source_bytes(sha) == pdf.read_bytes()
        assert p.repo.document(1).source == str(pdf.resolve())  # made absolute once found
        assert p.repo.source_sha256(2) is None
        assert p.repo.missing_sources() == [(2, "Gone", "/nowhere/gone.pdf")]
    finally:
        p.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM sources").fetchone() == (1,)
    conn.close()
