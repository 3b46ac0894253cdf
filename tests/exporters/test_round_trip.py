"""export -> import into a new project -> export: the same spans, and for JSONL formats the same bytes."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from annotator.exporters.registry import run_export
from annotator.importers.base import DocumentImportError
from annotator.importers.jsonl import JsonlImporter
from annotator.importing import import_paths
from annotator.project import open_project

from .corpus import jsonl, small_project, spans_by_annotator, texts_by_key


def statuses(project_path: Path) -> set[tuple[str, str, str]]:
    p = open_project(project_path, create=False)
    try:
        keys = {t: k for k, t in texts_by_key(p).items()}
        return {(keys[p.repo.document(i).text], a, p.repo.status(i, a).status)
                for i in range(1, p.repo.document_count() + 1) for a in p.repo.annotators()}
    finally:
        p.close()


@pytest.mark.parametrize("fmt", ["canonical", "doccano"])
def test_export_import_export_gives_identical_bytes(tmp_path: Path, fmt: str) -> None:
    src = small_project(tmp_path / "src.annotator")
    run_export(src.repo, fmt, tmp_path / "one.jsonl")
    expected = spans_by_annotator(src)
    src.close()
    dst = open_project(tmp_path / "dst.annotator")
    report = import_paths(dst.repo, [tmp_path / "one.jsonl"])
    assert (len(report.imported), report.refused) == (2, [])
    assert spans_by_annotator(dst) == expected  # offsets, labels, annotators and notes
    run_export(dst.repo, fmt, tmp_path / "two.jsonl")
    dst.close()
    assert (tmp_path / "two.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()
    assert statuses(tmp_path / "dst.annotator") == statuses(tmp_path / "src.annotator")


def test_prodigy_records_restore_the_same_spans(tmp_path: Path) -> None:
    src = small_project(tmp_path / "src.annotator")
    run_export(src.repo, "canonical", tmp_path / "c.jsonl")
    expected = spans_by_annotator(src)
    src.close()
    # What Prodigy itself writes: text, spans (with our notes kept), its annotator id, no task hash.
    prodigy = [{"text": x["text"], "spans": [{k: s[k] for k in ("start", "end", "label", "note")} for s in x["spans"]],
                "_annotator_id": x["annotator"], "answer": x["answer"], "status": x["status"]}
               for x in jsonl(tmp_path / "c.jsonl")]
    (tmp_path / "prodigy.jsonl").write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in prodigy))
    dst = open_project(tmp_path / "dst.annotator")
    report = import_paths(dst.repo, [tmp_path / "prodigy.jsonl"])
    assert (len(report.imported), report.refused) == (2, [])
    assert spans_by_annotator(dst) == expected
    dst.close()
    assert statuses(tmp_path / "dst.annotator") == statuses(tmp_path / "src.annotator")


@pytest.mark.parametrize("fmt", ["spans", "sentences", "hf-bio", "w3c"])
def test_dataset_lines_are_refused_by_import_with_a_reason(tmp_path: Path, fmt: str) -> None:
    src = small_project(tmp_path / "src.annotator")
    run_export(src.repo, fmt, tmp_path / "x.jsonl")
    src.close()
    with pytest.raises(DocumentImportError, match=f"{fmt} lines cannot be imported"):
        JsonlImporter().load(tmp_path / "x.jsonl")
