from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

from annotator.exporters.registry import run_export
from annotator.importers.base import DocumentImportError, ImportedDocument, ImportedSpan
from annotator.importers.jsonl import JsonlImporter
from annotator.importing import import_paths, sha256_text
from annotator.project import Project, open_project
from annotator.services import AnnotationService
from annotator.storage.repository import ExportFilter

TEXT = "Probiotics 🦠 reduce nerve pain.\nAsk your doctor first."
OTHER = "Vitamin D may help multiple sclerosis."


def write(path: Path, records: list[Any]) -> Path:
    path.write_bytes(b"".join((r if isinstance(r, bytes) else orjson.dumps(r)) + b"\n" for r in records))
    return path


def annotated(path: Path) -> Project:
    p = open_project(path)
    ids = p.repo.add_documents([(ImportedDocument(TEXT, "Gut", "txt", "articles/gut.txt", {"encoding": "utf-8"}),
                                 sha256_text(TEXT)),
                                (ImportedDocument(OTHER, "Vit D", "md", "articles/vitd.md"), sha256_text(OTHER))])
    alice, bob = AnnotationService(p.repo, "alice"), AnnotationService(p.repo, "bob")
    alice.add_span(ids[0], 0, 10, "intervention", note="which strains?")
    alice.add_span(ids[0], 13, 31, "claim")
    alice.set_status(ids[0], "done")
    bob.add_span(ids[0], 13, 31, "mechanism")
    bob.set_status(ids[0], "flagged", "unsure")
    alice.set_status(ids[1], "skipped")
    return p


def project_state(p: Project) -> tuple[list[Any], list[Any]]:
    spans, statuses = [], []
    for info in p.repo.document_summaries("alice"):
        doc = p.repo.document(info.id)
        for s in p.repo.spans(info.id):
            spans.append((doc.sha256, s.id, s.annotator, s.label, s.start, s.end, s.note))
        for name in p.repo.annotators():
            statuses.append((doc.sha256, name, p.repo.status(info.id, name).status))
    return sorted(spans), sorted(statuses)


def test_canonical_export_round_trips_exactly(tmp_path: Path) -> None:
    src = annotated(tmp_path / "src.annotator")
    run_export(src.repo, "canonical", tmp_path / "one.jsonl", ExportFilter())
    dst = open_project(tmp_path / "dst.annotator")
    report = import_paths(dst.repo, [tmp_path / "one.jsonl"])
    assert (len(report.imported), report.skipped, report.refused) == (2, [], [])
    assert dst.repo.document_count() == 2  # three lines, two texts
    assert project_state(dst) == project_state(src)
    gut = dst.repo.document(report.imported[0][2])
    assert (gut.title, gut.source, gut.format, gut.meta) == ("Gut", "articles/gut.txt", "txt", {"encoding": "utf-8"})
    run_export(dst.repo, "canonical", tmp_path / "two.jsonl", ExportFilter())
    assert (tmp_path / "two.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()
    again = import_paths(dst.repo, [tmp_path / "one.jsonl"])  # same texts: nothing new
    assert again.imported == [] and len(again.skipped) == 2 and dst.repo.document_count() == 2
    src.close()
    dst.close()


def test_span_ids_already_in_the_project_get_fresh_ones(tmp_path: Path) -> None:
    p = open_project(tmp_path / "p.annotator")
    docs = [ImportedDocument(t, "t", "jsonl", "x.jsonl", spans=[ImportedSpan(0, 4, "claim", None, "samespanid")],
                             annotator="alice") for t in ("Text one.", "Text two.")]
    p.repo.add_documents([(docs[0], sha256_text(docs[0].text))])
    (second,) = p.repo.add_documents([(docs[1], sha256_text(docs[1].text))])
    assert second is not None
    (span,) = p.repo.spans(second)
    assert span.id != "samespanid" and len(span.id) == 32
    p.close()


def test_prodigy_records(tmp_path: Path) -> None:
    path = write(tmp_path / "prodigy.jsonl", [
        {"text": "Fish oil helps mood.", "spans": [{"start": 0, "end": 8, "label": "intervention"}],
         "_annotator_id": "omega-alice", "meta": {"title": "Omega"}, "answer": "accept"},
        {"text": "Second text\nwith two lines.", "spans": [{"start": 0, "end": 6, "label": "claim", "text": "Second"}],
         "_session_id": "omega-bob"},
        {"text": "No annotator given.", "spans": []},
    ])
    docs = JsonlImporter().load(path)
    assert [(d.title, d.annotator, d.status, d.format) for d in docs] == [
        ("Omega", "alice", "done", "jsonl"), ("Second text", "bob", None, "jsonl"),
        ("No annotator given.", "imported", None, "jsonl")]
    assert docs[0].spans == [ImportedSpan(0, 8, "intervention")]
    assert docs[1].meta == {"line": 2, "record_meta": {}}


def test_doccano_records(tmp_path: Path) -> None:
    path = write(tmp_path / "doccano.jsonl", [
        {"id": 7, "text": "Fish oil helps mood.", "label": [[0, 8, "intervention"], [9, 20, "claim"]]},
        {"id": 8, "text": "Nothing labelled.", "label": []},
    ])
    p = open_project(tmp_path / "p.annotator")
    report = import_paths(p.repo, [path])
    assert len(report.imported) == 2 and not report.refused
    first = report.imported[0][2]
    assert [(s.start, s.end, s.label, s.annotator) for s in p.repo.spans(first)] == [
        (0, 8, "intervention", "imported"), (9, 20, "claim", "imported")]
    assert p.repo.document(first).meta == {"line": 1, "id": 7}
    p.close()


def test_several_annotators_of_one_text_become_one_document(tmp_path: Path) -> None:
    path = write(tmp_path / "multi.jsonl", [
        {"text": "Fish oil helps mood.", "spans": [{"start": 0, "end": 8, "label": "intervention"}], "_annotator_id": "a"},
        {"text": "Other text.", "spans": []},
        {"text": "Fish oil helps mood.", "spans": [{"start": 9, "end": 19, "label": "claim"}], "_annotator_id": "b"},
    ])
    docs = JsonlImporter().load(path)
    assert len(docs) == 2 and docs[0].origin == "lines 1, 3"
    assert docs[0].extra_annotations == [("b", None, [ImportedSpan(9, 19, "claim")])]
    p = open_project(tmp_path / "p.annotator")
    report = import_paths(p.repo, [path])
    assert len(report.imported) == 2
    spans = p.repo.spans(report.imported[0][2])
    assert sorted((s.annotator, s.label) for s in spans) == [("a", "intervention"), ("b", "claim")]
    p.close()


@pytest.mark.parametrize("lines, line_no, message", [
    ([b'{"text": "ok", "spans": []}', b"", b'{"text": broken}'], 3, "malformed JSON"),
    ([b'{"text": "ok"}', b'"just a string"'], 2, "must be a JSON object"),
    ([b'{"text": "ok text", "spans": [{"start": 0, "end": 2, "label": "claim", "text": "OK"}]}'], 1,
     "differs from text[0:2]"),
    ([b'{"text": "ok", "spans": []}', b'{"text": "short", "spans": [{"start": 2, "end": 99, "label": "claim"}]}'], 2,
     "ends beyond the text"),
    ([b'{"text": "reversed", "spans": [{"start": 5, "end": 2, "label": "claim"}]}'], 1, "reversed offsets"),
    ([b'{"text": "twice", "spans": [{"start": 0, "end": 2, "label": "claim"}, {"start": 0, "end": 2, "label": "claim"}]}'],
     1, "duplicate span [0, 2) claim"),
    ([b'{"text": "same", "_annotator_id": "a"}', b'{"text": "same", "_annotator_id": "a"}'], 2,
     "already annotated this text on line 1"),
])
def test_bad_lines_refuse_the_file_with_their_line_number(tmp_path: Path, lines: list[bytes], line_no: int,
                                                          message: str) -> None:
    path = write(tmp_path / "bad.jsonl", lines)
    with pytest.raises(DocumentImportError) as info:
        JsonlImporter().load(path)
    assert info.value.where == f"line {line_no}" and message in str(info.value)
    p = open_project(tmp_path / "p.annotator")
    report = import_paths(p.repo, [path])
    assert report.imported == [] and len(report.refused) == 1 and f"(line {line_no})" in report.refused[0][1]
    assert p.repo.document_count() == 0
    p.close()


def test_unknown_label_refuses_the_whole_file(tmp_path: Path) -> None:
    path = write(tmp_path / "labels.jsonl", [
        {"text": "Good one.", "spans": [{"start": 0, "end": 4, "label": "claim"}]},
        {"text": "Bad one.", "spans": [{"start": 0, "end": 3, "label": "PERSON"}]},
    ])
    p = open_project(tmp_path / "p.annotator")
    report = import_paths(p.repo, [path])
    assert report.imported == [] and "unknown label 'PERSON'" in report.refused[0][1]
    assert "(line 2)" in report.refused[0][1]
    assert p.repo.document_count() == 0
    p.close()


def test_canonical_line_edited_by_hand_is_refused(tmp_path: Path) -> None:
    src = annotated(tmp_path / "src.annotator")
    run_export(src.repo, "canonical", tmp_path / "e.jsonl", ExportFilter())
    src.close()
    records = [orjson.loads(x) for x in (tmp_path / "e.jsonl").read_bytes().splitlines()]
    bad = copy.deepcopy(records)
    bad[1]["spans"][0]["end"] += 1  # text no longer matches, nor do the tokens
    with pytest.raises(DocumentImportError, match=r"line 2"):
        JsonlImporter().load(write(tmp_path / "bad.jsonl", bad))
    repeated = copy.deepcopy(records)
    repeated[1]["spans"][0]["id"] = repeated[0]["spans"][0]["id"]
    with pytest.raises(DocumentImportError, match=r"repeats line 1.*line 2"):
        JsonlImporter().load(write(tmp_path / "dup.jsonl", repeated))


def test_empty_file_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match="no records"):
        JsonlImporter().load(write(tmp_path / "empty.jsonl", [b"", b"  "]))
    with pytest.raises(DocumentImportError, match="cannot read"):
        JsonlImporter().load(tmp_path / "missing.jsonl")


def test_pdf_records_come_back_as_jsonl_with_their_pages_in_meta(tmp_path: Path) -> None:
    src = annotated(tmp_path / "src.annotator")
    run_export(src.repo, "canonical", tmp_path / "e.jsonl", ExportFilter())
    src.close()
    record = orjson.loads((tmp_path / "e.jsonl").read_bytes().splitlines()[0])
    record["meta"]["format"] = "pdf"
    record["meta"]["pages"] = [[0, 33], [33, len(record["text"])]]
    (doc,) = JsonlImporter().load(write(tmp_path / "pdf.jsonl", [record]))
    assert doc.format == "jsonl" and doc.pages is None
    assert doc.meta == {"encoding": "utf-8", "original_format": "pdf", "pages": [[0, 33], [33, len(record["text"])]]}


def test_hand_written_records_with_annotator_and_status(tmp_path: Path) -> None:
    """Prodigy-style spans plus annotator and status, as people write pre-annotations by hand."""
    path = write(tmp_path / "hand.jsonl", [
        {"text": "Fish oil helps mood.", "spans": [{"start": 0, "end": 8, "label": "intervention", "text": "Fish oil"}],
         "meta": {"title": "Fish", "source": "hand.jsonl"}, "annotator": "seed", "status": "done", "answer": "accept"},
    ])
    (doc,) = JsonlImporter().load(path)
    assert (doc.title, doc.annotator, doc.status, doc.format) == ("Fish", "seed", "done", "jsonl")
    bad = write(tmp_path / "bad.jsonl", [{"text": "Fish oil.", "annotator": "seed", "status": "finished"}])
    with pytest.raises(DocumentImportError, match=r"\$.status: 'finished' is not one of.*line 1"):
        JsonlImporter().load(bad)
