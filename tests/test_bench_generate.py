"""The benchmark data generators are deterministic and make what they are asked for; the suite runs."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import corpus_text  # noqa: E402
import generate  # noqa: E402


def _counts(path: Path) -> tuple[int, int]:
    con = sqlite3.connect(path)
    try:
        return (con.execute("SELECT count(*) FROM document").fetchone()[0],
                con.execute("SELECT count(*) FROM span").fetchone()[0])
    finally:
        con.close()


def test_documents_are_deterministic_and_well_formed() -> None:
    first = list(generate.iter_documents(30, 400, seed=3, chars=1500))
    again = list(generate.iter_documents(30, 400, seed=3, chars=1500))
    other = list(generate.iter_documents(30, 400, seed=4, chars=1500))
    assert first == again
    assert first != other
    assert sum(len(d.spans) for d in first) == 400
    assert len({d.text for d in first}) == 30  # every text distinct: the project keys them by sha256
    for doc in first:
        assert len(set(doc.spans)) == len(doc.spans)
        for start, end, label in doc.spans:
            assert 0 <= start < end <= len(doc.text)
            piece = doc.text[start:end]
            assert piece == piece.strip() and label in corpus_text.LABELS


def test_prose_has_astral_characters() -> None:
    text = "".join(d.text for d in generate.iter_documents(50, 0, seed=0, chars=3000))
    assert any(ord(ch) > 0xFFFF for ch in text)


def test_project_has_requested_counts_and_same_content(tmp_path: Path) -> None:
    a = generate.project(25, 300, seed=1, chars=800, out=tmp_path / "a.annotator")
    b = generate.project(25, 300, seed=1, chars=800, out=tmp_path / "b.annotator")
    assert _counts(a) == (25, 300)
    assert generate.project_digest(a) == generate.project_digest(b)
    c = generate.project(25, 300, seed=2, chars=800, out=tmp_path / "c.annotator")
    assert generate.project_digest(a) != generate.project_digest(c)


def test_article_project(tmp_path: Path) -> None:
    path = generate.article_project(20_000, 500, out=tmp_path / "article.annotator")
    con = sqlite3.connect(path)
    try:
        long_len, = con.execute("SELECT char_count FROM document WHERE id = 1").fetchone()
        n, = con.execute("SELECT count(*) FROM span WHERE document_id = 1").fetchone()
    finally:
        con.close()
    assert long_len >= 20_000 and n == 500
    assert generate.article_text(20_000, 500) == generate.article_text(20_000, 500)


def test_pdfs_are_byte_identical(tmp_path: Path) -> None:
    pymupdf = pytest.importorskip("pymupdf")
    generate.write_pdf(tmp_path / "a.pdf", 3, seed=5)
    generate.write_pdf(tmp_path / "b.pdf", 3, seed=5)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    with pymupdf.open(tmp_path / "a.pdf") as doc:
        assert doc.page_count == 3
        assert all(len(page.get_text()) > 2500 for page in doc)  # text-heavy pages
    folder = generate.pdf_corpus(4, 2, seed=9, out=tmp_path / "corpus")
    assert len(list(folder.glob("*.pdf"))) == 4


def test_quick_suite_prints_a_table(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, str(BENCH / "run_all.py"), "--quick", "--only", "export,pdf_view",
                           "--json", str(out)], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "| figure | measured | target | ratio to limit | result |" in proc.stdout
    assert "export" in proc.stdout and "PDF view" in proc.stdout
    assert "Machine:" in proc.stdout
    results = json.loads(out.read_text())["results"]
    assert [r["bench"] for r in results] == ["export", "pdf_view"]
    for r in results:  # a measured figure with a limit carries its ratio to that limit
        for fig in r["figures"]:
            if fig["value"] is not None and fig["limit"]:
                assert fig["ratio"] == pytest.approx(fig["value"] / fig["limit"])
