"""Annotated-PDF export: highlights sit on the span's words, carry label, reviewer and note."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.exporters.base import ExportResult
from annotator.exporters.registry import FORMATS, run_export
from annotator.importing import import_paths
from annotator.project import Project, open_project
from annotator.services import AnnotationService
from annotator.storage.repository import ExportFilter
from tests import pdf_samples as samples

pymupdf = pytest.importorskip("pymupdf")


@pytest.fixture
def article(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    return samples.build_article(folder / "gut-article.pdf")


@pytest.fixture
def project(tmp_path: Path, article: Path) -> Iterator[Project]:
    (article.parent / "notes.txt").write_text("Sleep hygiene lowers migraine frequency.\n", encoding="utf-8")
    proj = open_project(tmp_path / "p.annotator")
    report = import_paths(proj.repo, [article, article.parent / "notes.txt"])
    assert len(report.imported) == 2, report.summary()
    yield proj
    proj.close()


def pdf_doc(project: Project) -> tuple[int, str]:
    for s in project.repo.document_summaries("anyone"):
        if s.format == "pdf":
            return s.id, project.repo.document(s.id).text
    raise AssertionError("no PDF document")


def tag(service: AnnotationService, doc_id: int, text: str, phrase: str, label: str,
        note: str | None = None) -> tuple[int, int]:
    start = text.index(phrase)
    service.add_span(doc_id, start, start + len(phrase), label, note)
    return start, start + len(phrase)


def annotations(path: Path) -> list[tuple[int, dict, tuple, list[str]]]:
    """(page, info, stroke colour, characters under its quads, type) for every annotation, in page order."""
    out = []
    with pymupdf.open(path) as doc:
        for page in doc:
            for annot in page.annots():
                v = annot.vertices
                quads = [pymupdf.Quad(v[i:i + 4]).rect for i in range(0, len(v), 4)]
                out.append((page.number, dict(annot.info), tuple(round(c, 3) for c in annot.colors["stroke"]),
                            samples.chars_under(page, quads), annot.type[1]))
    return out


def words(phrase: str) -> str:
    return samples.squeeze(phrase)


def colour_of(project: Project, label: str) -> tuple[float, ...]:
    hex_ = next(lr.spec.colour for lr in project.repo.labels() if lr.name == label)
    return tuple(round(int(hex_[i:i + 2], 16) / 255, 3) for i in (1, 3, 5))


def test_pdf_format_is_registered_as_a_folder_format() -> None:
    assert FORMATS["pdf"].suffix == ""


def test_highlights_sit_on_the_span_words_and_carry_label_reviewer_note(project: Project, tmp_path: Path) -> None:
    doc_id, text = pdf_doc(project)
    labels = [lr.name for lr in project.repo.labels()]
    service = AnnotationService(project.repo, "reviewer-1")
    tag(service, doc_id, text, "reduce nerve pain", labels[0], note="overstated")
    tag(service, doc_id, text, "calm immune cells in the spinal cord", labels[1])  # two-column page, wraps
    tag(service, doc_id, text, "Vitamin D supplements", labels[2])  # rotated page
    out = tmp_path / "out"
    result = run_export(project.repo, "pdf", out)
    assert isinstance(result, ExportResult) and not result.cancelled
    assert result.files == [out / "gut-article.annotated.pdf"], result.summary()
    assert result.spans == 3
    found = annotations(result.files[0])
    assert [a[0] for a in found] == [0, 1, 2]
    first, second, third = found
    assert first[1]["subject"] == labels[0] and first[1]["title"] == "reviewer-1"
    assert first[1]["content"] == "overstated"
    assert first[2] == colour_of(project, labels[0])
    assert first[3] == words("reduce nerve pain") and first[4] == "Highlight"
    assert second[1]["subject"] == labels[1] and second[1]["content"] == labels[1]  # no note: the label
    assert second[3] == words("calm immune cells in the spinal cord")
    assert third[3] == words("Vitamin D supplements")
    assert third[1]["subject"] == labels[2]


def test_a_span_across_a_page_break_is_highlighted_on_both_pages(project: Project, tmp_path: Path) -> None:
    doc_id, text = pdf_doc(project)
    label = project.repo.labels()[0].name
    start = text.index("found that")
    end = text.index("in responders") + len("in responders")
    AnnotationService(project.repo, "reviewer-1").add_span(doc_id, start, end, label)
    result = run_export(project.repo, "pdf", tmp_path / "out")
    found = annotations(result.files[0])
    assert [a[0] for a in found] == [0, 1]
    assert found[0][3] == words("found that the gut barrier")
    assert found[1][3] == words("improved in responders")
    assert all(a[1]["subject"] == label for a in found)


def test_every_annotator_in_the_filter_gets_own_highlights(project: Project, tmp_path: Path) -> None:
    doc_id, text = pdf_doc(project)
    label = project.repo.labels()[0].name
    tag(AnnotationService(project.repo, "ana"), doc_id, text, "Clinical trials remain small", label)
    tag(AnnotationService(project.repo, "bo"), doc_id, text, "modest benefits", label)
    both = annotations(run_export(project.repo, "pdf", tmp_path / "both").files[0])
    assert sorted(a[1]["title"] for a in both) == ["ana", "bo"]
    only = annotations(run_export(project.repo, "pdf", tmp_path / "bo", ExportFilter(annotators=("bo",))).files[0])
    assert [(a[1]["title"], a[3]) for a in only] == [("bo", words("modest benefits"))]


def _forget_stored_original(project: Project) -> None:
    """As in a project migrated to schema 7 while the file was missing: no stored copy."""
    from sqlalchemy import text as sql

    with project.repo.engine.begin() as c:
        c.execute(sql("DELETE FROM document_source"))


def test_the_stored_original_exports_after_the_file_is_copied_elsewhere_and_deleted(
        project: Project, article: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc_id, text = pdf_doc(project)
    tag(AnnotationService(project.repo, "reviewer-1"), doc_id, text, "reduce nerve pain", project.repo.labels()[0].name)
    expected = annotations(run_export(project.repo, "pdf", tmp_path / "before").files[0])
    project.close()
    elsewhere = tmp_path / "elsewhere" / "copied.annotator"
    elsewhere.parent.mkdir()
    from annotator.storage import db

    db.copy_database(tmp_path / "p.annotator", elsewhere)
    article.unlink()
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "another-machine"))  # no cached copy either
    moved = open_project(elsewhere, create=False)
    try:
        result = run_export(moved.repo, "pdf", tmp_path / "after")
    finally:
        moved.close()
    assert result.skipped == [] and len(result.files) == 1
    assert annotations(result.files[0]) == expected


def test_missing_original_is_skipped_with_its_reason(project: Project, article: Path, tmp_path: Path) -> None:
    doc_id, text = pdf_doc(project)
    tag(AnnotationService(project.repo, "reviewer-1"), doc_id, text, "reduce nerve pain", project.repo.labels()[0].name)
    _forget_stored_original(project)
    article.rename(article.with_name("moved.pdf"))
    result = run_export(project.repo, "pdf", tmp_path / "out")
    assert result.files == [] and result.records == 0
    assert len(result.skipped) == 1 and "not at" in result.skipped[0][1]
    assert "skipped" in result.summary() and str(article) in result.summary()


def test_a_changed_original_is_skipped(project: Project, article: Path, tmp_path: Path) -> None:
    doc_id, text = pdf_doc(project)
    _forget_stored_original(project)
    tag(AnnotationService(project.repo, "reviewer-1"), doc_id, text, "reduce nerve pain", project.repo.labels()[0].name)
    with pymupdf.open() as other:
        other.new_page()
        other.save(article)
    result = run_export(project.repo, "pdf", tmp_path / "out")
    assert result.files == [] and "changed since it was imported" in result.skipped[0][1]


def test_cancelled_export_writes_nothing(project: Project, tmp_path: Path) -> None:
    doc_id, text = pdf_doc(project)
    tag(AnnotationService(project.repo, "reviewer-1"), doc_id, text, "reduce nerve pain", project.repo.labels()[0].name)
    out = tmp_path / "out"
    result = run_export(project.repo, "pdf", out, cancelled=lambda: True)
    assert result.cancelled
    assert not out.exists()


def test_export_into_a_file_path_is_refused(project: Project, tmp_path: Path) -> None:
    from annotator.exporters.base import ExportError

    target = tmp_path / "a-file.pdf"
    target.write_bytes(b"x")
    with pytest.raises(ExportError, match="is a file"):
        run_export(project.repo, "pdf", target)


def test_encrypted_original_keeps_its_password(tmp_path: Path) -> None:
    from annotator.pdf_source import remember_password

    path = samples.build_encrypted(tmp_path / "locked.pdf", "s3cret")
    from annotator.importers.pdf import PdfImporter
    from annotator.importing import sha256_text

    proj = open_project(tmp_path / "p.annotator")
    try:
        doc = PdfImporter().load(path, password="s3cret")[0]
        [doc_id] = proj.repo.add_documents([(doc, sha256_text(doc.text))])
        tag(AnnotationService(proj.repo, "r"), doc_id, doc.text, "omega three", proj.repo.labels()[0].name)
        result = run_export(proj.repo, "pdf", tmp_path / "out")
        if not result.files:  # a fresh process knows no password: skipped, saying why
            assert "password" in result.skipped[0][1]
        remember_password(path, "s3cret")
        result = run_export(proj.repo, "pdf", tmp_path / "out")
        with pymupdf.open(result.files[0]) as out:
            assert out.needs_pass and out.authenticate("s3cret")
            assert [a.info["subject"] for a in out[0].annots()] == [proj.repo.labels()[0].name]
    finally:
        proj.close()


def test_cli_writes_the_folder(project: Project, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from annotator.cli_commands import app

    doc_id, text = pdf_doc(project)
    tag(AnnotationService(project.repo, "reviewer-1"), doc_id, text, "Journal of Pain", project.repo.labels()[3].name)
    out = tmp_path / "cli-out"
    res = CliRunner().invoke(app, ["export", "--format", "pdf", "--out", str(out), "--project",
                                   str(tmp_path / "p.annotator")])
    assert res.exit_code == 0, res.output
    assert "1 annotated PDFs with 1 highlights" in res.output
    [found] = annotations(out / "gut-article.annotated.pdf")
    assert found[3] == words("Journal of Pain")


def test_the_same_data_gives_the_same_pdf_bytes(project: Project, tmp_path: Path) -> None:
    doc_id, text = pdf_doc(project)
    tag(AnnotationService(project.repo, "ann"), doc_id, text, "Probiotics", "claim", "a note")
    first = run_export(project.repo, "pdf", tmp_path / "one").files[0]
    second = run_export(project.repo, "pdf", tmp_path / "two").files[0]
    assert first.read_bytes() == second.read_bytes()
    with pymupdf.open(first) as doc:
        trailer_id = doc.xref_get_key(-1, "ID")
    assert trailer_id[0] == "array" and trailer_id[1] != "[]", trailer_id


def test_overlapping_highlights_stay_light_enough_to_read(project: Project, tmp_path: Path) -> None:
    doc_id, text = pdf_doc(project)
    ann, bo = AnnotationService(project.repo, "ann"), AnnotationService(project.repo, "bo")
    phrase = "Probiotics"
    for svc, label in ((ann, "claim"), (ann, "mechanism"), (bo, "citation"), (bo, "disclaimer")):
        tag(svc, doc_id, text, phrase, label)
    one = paper_under(run_export(project.repo, "pdf", tmp_path / "one", ExportFilter(labels=("claim",))).files[0],
                      phrase)
    four = paper_under(run_export(project.repo, "pdf", tmp_path / "four").files[0], phrase)
    assert one < 235, f"a single highlight is not visible: {one:.0f}/255"
    assert four > 128, f"four overlapping highlights turn the background dark: {four:.0f}/255"


def paper_under(pdf: Path, phrase: str) -> float:
    """The brightness (0-255) of the paper around the glyphs of ``phrase``, rendered by MuPDF."""
    with pymupdf.open(pdf) as doc:
        page = doc[0]
        pix = page.get_pixmap(dpi=100, clip=page.search_for(phrase)[0])
        values = sorted(sum(pix.samples[i:i + 3]) / 3 for i in range(0, len(pix.samples), pix.n))
    return values[int(len(values) * 0.9)]  # the background, not the ink
