"""Importing work on texts already in the project attaches it to those documents."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from annotator.importers.jsonl import JsonlImporter, prodigy_annotator
from annotator.importing import import_paths
from annotator.project import open_project, sample_corpus_dir

TEXT = "Fish oil helps mood. Sleep helps migraine.\n"
OTHER = "Vitamin D may help MS.\n"


def write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_spans_for_texts_already_imported_are_attached_not_dropped(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    p = open_project(tmp_path / "p.annotator")
    (doc_id,) = [d for _, _, d in import_paths(p.repo, [tmp_path / "a.txt"]).imported]
    spans = write(tmp_path / "alice.jsonl", [
        {"text": TEXT, "_annotator_id": "study-alice", "answer": "accept",
         "spans": [{"start": 0, "end": 8, "label": "intervention"}, {"start": 0, "end": 19, "label": "claim"}]},
        {"text": OTHER, "_annotator_id": "study-alice", "answer": "accept",
         "spans": [{"start": 0, "end": 9, "label": "intervention"}]},
    ])
    report = import_paths(p.repo, [spans])
    assert len(report.imported) == 1 and not report.refused and not report.skipped
    assert report.attached == [(str(spans), "alice", 2, 1)]
    assert "2 spans by alice added to 1 existing documents" in report.summary()
    assert [(s.start, s.end, s.label, s.source) for s in p.repo.spans(doc_id, "alice")] == [
        (0, 8, "intervention", "import"), (0, 19, "claim", "import")]
    assert p.repo.status(doc_id, "alice").status == "done"

    again = import_paths(p.repo, [spans])  # idempotent: nothing new the second time
    assert again.attached == [] and again.imported == [] and len(again.skipped) == 2
    assert len(p.repo.spans(doc_id, "alice")) == 2
    p.close()


def test_same_annotators_spans_not_duplicated_and_status_conflict_reported(tmp_path: Path) -> None:
    p = open_project(tmp_path / "p.annotator")
    write(tmp_path / "one.jsonl", [{"text": TEXT, "annotator": "bob", "status": "done",
                                    "spans": [{"start": 0, "end": 8, "label": "intervention", "note": "n1"}]}])
    import_paths(p.repo, [tmp_path / "one.jsonl"])
    write(tmp_path / "two.jsonl", [{"text": TEXT, "annotator": "bob", "status": "in_progress",
                                    "spans": [{"start": 0, "end": 8, "label": "intervention"},
                                              {"start": 21, "end": 41, "label": "claim", "note": "n2"}]}])
    report = import_paths(p.repo, [tmp_path / "two.jsonl"])
    (doc_id,) = [d.id for d in p.repo.document_summaries("bob")]
    assert [(s.start, s.end, s.label, s.note) for s in p.repo.spans(doc_id, "bob")] == [
        (0, 8, "intervention", "n1"), (21, 41, "claim", "n2")]
    assert report.attached == [(str(tmp_path / "two.jsonl"), "bob", 1, 1)]
    assert len(report.conflicts) == 1 and "'done'" in report.conflicts[0][1] and "'in_progress'" in report.conflicts[0][1]
    assert p.repo.status(doc_id, "bob").status == "done"  # never written over
    p.close()


def test_an_attach_is_all_or_nothing_with_its_file(tmp_path: Path) -> None:
    p = open_project(tmp_path / "p.annotator")
    write(tmp_path / "one.jsonl", [{"text": TEXT, "annotator": "bob", "spans": []}])
    import_paths(p.repo, [tmp_path / "one.jsonl"])
    write(tmp_path / "bad.jsonl", [
        {"text": TEXT, "annotator": "carol", "spans": [{"start": 0, "end": 8, "label": "intervention"}]},
        {"text": OTHER, "annotator": "carol", "spans": [{"start": 0, "end": 99, "label": "claim"}]}])
    report = import_paths(p.repo, [tmp_path / "bad.jsonl"])
    assert len(report.refused) == 1 and report.attached == []
    assert p.repo.spans(p.repo.document_summaries("bob")[0].id, "carol") == []
    p.close()


@pytest.mark.parametrize("answer, status, reason", [
    ("accept", "done", None), ("reject", "flagged", "rejected in Prodigy"), ("ignore", "skipped", None)])
def test_prodigy_answers_become_statuses(tmp_path: Path, answer: str, status: str, reason: str | None) -> None:
    path = write(tmp_path / "prodigy.jsonl", [{"text": TEXT, "_annotator_id": "ds-alice", "answer": answer,
                                                "spans": [{"start": 0, "end": 8, "label": "intervention"}]}])
    p = open_project(tmp_path / "p.annotator")
    (doc_id,) = [d for _, _, d in import_paths(p.repo, [path]).imported]
    got = p.repo.status(doc_id, "alice")
    assert (got.status, got.reason) == (status, reason)
    p.close()


def test_a_rejected_example_is_never_done(tmp_path: Path) -> None:
    """Trainer exports take done documents: a Prodigy reject is flagged, so it never becomes
    positive training data; attached to an existing text it is flagged there too."""
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    p = open_project(tmp_path / "p.annotator")
    (doc_id,) = [d for _, _, d in import_paths(p.repo, [tmp_path / "a.txt"]).imported]
    path = write(tmp_path / "prodigy.jsonl", [{"text": TEXT, "_session_id": "ds-alice", "answer": "reject",
                                                "spans": [{"start": 0, "end": 8, "label": "intervention"}]}])
    import_paths(p.repo, [path])
    got = p.repo.status(doc_id, "alice")
    assert (got.status, got.reason) == ("flagged", "rejected in Prodigy")
    p.close()


def test_an_explicit_status_wins_over_the_answer(tmp_path: Path) -> None:
    path = write(tmp_path / "x.jsonl", [{"text": TEXT, "annotator": "a", "status": "in_progress",
                                         "answer": "accept", "spans": []}])
    (doc,) = JsonlImporter().load(path)
    assert doc.status == "in_progress"


@pytest.mark.parametrize("record, name", [
    ({"_annotator_id": "dataset-alice"}, "alice"),
    ({"_session_id": "my-data-bob"}, "bob"),
    ({"_annotator_id": "ner-2024-01-02_10-11-12"}, "ner-2024-01-02_10-11-12"),
    ({"_annotator_id": "carol"}, "carol"),
    ({"annotator": "dee", "_annotator_id": "ds-x"}, "dee"),
    ({}, "imported"),
])
def test_prodigy_annotator_names(record: dict, name: str) -> None:
    assert prodigy_annotator(record) == name


def seed_texts() -> list[str]:
    corpus = sample_corpus_dir()
    assert corpus is not None
    return [json.loads(line)["text"] for line in (corpus / "preannotated.jsonl").read_text("utf-8").splitlines()]


def test_sample_preannotations_visible_as_seed_reviewer_after_first_run(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("annotator.project.default_project_path", lambda: tmp_path / "default.annotator")
    p = open_project(None)
    total = sum(len(p.repo.spans(d.id, "seed-reviewer")) for d in p.repo.document_summaries("seed-reviewer"))
    assert total == 19
    p.close()


def test_sample_preannotations_attach_when_their_texts_came_first(tmp_path: Path, monkeypatch) -> None:
    """The article files first (here: the same texts as .txt), then preannotated.jsonl."""
    corpus = tmp_path / "corpus"
    shutil.copytree(sample_corpus_dir(), corpus)
    for i, text in enumerate(seed_texts()):
        (corpus / f"0-seed-{i}.txt").write_text(text, encoding="utf-8")
    p = open_project(tmp_path / "p.annotator")
    report = import_paths(p.repo, [corpus])
    assert not report.refused
    assert sum(n for _, who, n, _ in report.attached if who == "seed-reviewer") == 19
    total = sum(len(p.repo.spans(d.id, "seed-reviewer")) for d in p.repo.document_summaries("seed-reviewer"))
    assert total == 19
    p.close()
