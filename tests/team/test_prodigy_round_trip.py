"""Prodigy answers round-trip: import -> status -> canonical export -> the same answer.

The import side is the mapping in ``annotator.importers.jsonl`` (accept -> done, reject ->
flagged "rejected in Prodigy", ignore -> skipped). The canonical export must write the answer
back from the status: done -> accept, flagged -> reject, skipped -> ignore. Until the
exporter writes "reject" for flagged documents (issue 17), that case is an expected failure.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.exporters.registry import run_export
from annotator.importing import import_paths
from annotator.project import open_project

TEXT = "Fish oil helps mood."


@pytest.mark.parametrize("answer", [
    "accept",
    "ignore",
    pytest.param("reject", marks=pytest.mark.xfail(
        reason="the canonical exporter still writes 'ignore' for flagged documents; it must write 'reject'",
        strict=False)),
])
def test_answer_survives_import_export_import(tmp_path: Path, answer: str) -> None:
    source = tmp_path / "prodigy.jsonl"
    source.write_text(json.dumps({"text": TEXT, "_annotator_id": "ds-alice", "answer": answer,
                                  "spans": [{"start": 0, "end": 8, "label": "intervention"}]}) + "\n", "utf-8")
    first = open_project(tmp_path / "one.annotator")
    import_paths(first.repo, [source])
    run_export(first.repo, "canonical", tmp_path / "out.jsonl")
    first.close()
    (record,) = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert record["answer"] == answer
    second = open_project(tmp_path / "two.annotator")
    import_paths(second.repo, [tmp_path / "out.jsonl"])
    (doc,) = second.repo.document_summaries("alice")
    assert doc.status == {"accept": "done", "reject": "flagged", "ignore": "skipped"}[answer]
    second.close()
