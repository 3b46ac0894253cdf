"""Copying, adjudication and merging as services: each change undoable, re-runs idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.importers.base import ImportedDocument
from annotator.importing import sha256_text
from annotator.labels import LabelSpec
from annotator.project import open_project
from annotator.services import AnnotationService
from annotator.services.team import ReservedNameError, check_reviewer_name
from annotator.services.adjudication import all_conflicts, auto_adjudicate, conflicts, decide
from annotator.services.changes import revert
from annotator.services.copying import CopyError, copy_all, copy_span
from annotator.services.merge import MergeError, merge_project

TEXT = "Fish oil helps mood. Sleep helps migraine. Vitamin D may help MS."


def keys(repo, doc_id: int, who: str) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in repo.spans(doc_id, who)]


@pytest.fixture
def two_reviewers(tmp_path: Path):
    p = open_project(tmp_path / "p.annotator")
    (doc_id,) = p.repo.add_documents([(ImportedDocument(TEXT, "t", "txt", "t.txt"), sha256_text(TEXT))])
    alice, bob = AnnotationService(p.repo, "alice"), AnnotationService(p.repo, "bob")
    for svc in (alice, bob):
        svc.add_span(doc_id, 0, 8, "intervention")  # agreed
    alice.add_span(doc_id, 0, 19, "claim")  # conflict: claim boundaries
    bob.add_span(doc_id, 0, 20, "claim")
    alice.add_span(doc_id, 43, 52, "intervention")  # only alice
    yield p, doc_id
    p.close()


def test_reserved_names() -> None:
    assert check_reviewer_name("  alice ") == "alice"
    for name in ("gold", "Gold", "model", " "):
        with pytest.raises(ReservedNameError):
            check_reviewer_name(name)


def test_copy_one_span_and_all_spans_then_undo(two_reviewers) -> None:
    p, doc_id = two_reviewers
    bob_claim = next(s for s in p.repo.spans(doc_id, "bob") if s.label == "claim")
    change = copy_span(p.repo, bob_claim.id, "alice")
    assert (0, 20, "claim") in keys(p.repo, doc_id, "alice")
    revert(p.repo, change)
    assert (0, 20, "claim") not in keys(p.repo, doc_id, "alice")
    assert copy_span(p.repo, p.repo.spans(doc_id, "bob")[0].id, "alice").empty  # alice has (0, 8) already

    change = copy_all(p.repo, doc_id, "alice", "bob")
    assert sorted(keys(p.repo, doc_id, "bob")) == [(0, 8, "intervention"), (0, 19, "claim"), (0, 20, "claim"),
                                                   (43, 52, "intervention")]
    assert len(change.added) == 2
    revert(p.repo, change)
    assert sorted(keys(p.repo, doc_id, "bob")) == [(0, 8, "intervention"), (0, 20, "claim")]
    with pytest.raises(CopyError):
        copy_all(p.repo, doc_id, "bob", "bob")


def test_auto_adjudication_copies_agreement_and_leaves_conflicts(two_reviewers) -> None:
    p, doc_id = two_reviewers
    report = auto_adjudicate(p.repo)
    assert (report.documents, report.spans_added, report.conflicts) == (1, 1, 2)
    assert keys(p.repo, doc_id, "gold") == [(0, 8, "intervention")]
    assert p.repo.status(doc_id, "gold").status == "in_progress"
    found = conflicts(p.repo, doc_id)
    assert [(c.start, c.end) for c in found] == [(0, 20), (43, 52)]
    assert found[0].spans == {"alice": ((0, 19, "claim"),), "bob": ((0, 20, "claim"),)}
    assert found[1].spans == {"alice": ((43, 52, "intervention"),), "bob": ()}
    assert all_conflicts(p.repo) == {doc_id: found}

    take_bob = decide(p.repo, found[0], ["bob"])
    assert (0, 20, "claim") in keys(p.repo, doc_id, "gold")
    both = decide(p.repo, conflicts(p.repo, doc_id)[0], ["alice", "bob"])  # re-decide: both
    assert [k for k in keys(p.repo, doc_id, "gold") if k[2] == "claim"] == [(0, 19, "claim"), (0, 20, "claim")]
    revert(p.repo, both)
    assert [k for k in keys(p.repo, doc_id, "gold") if k[2] == "claim"] == [(0, 20, "claim")]
    neither = decide(p.repo, conflicts(p.repo, doc_id)[0], [])
    assert [k for k in keys(p.repo, doc_id, "gold") if k[2] == "claim"] == []
    revert(p.repo, neither)
    revert(p.repo, take_bob)
    assert keys(p.repo, doc_id, "gold") == [(0, 8, "intervention")]

    decide(p.repo, conflicts(p.repo, doc_id)[1], ["alice"])
    again = auto_adjudicate(p.repo)  # keeps the decision, adds nothing twice
    assert again.spans_added == 0
    assert keys(p.repo, doc_id, "gold") == [(0, 8, "intervention"), (43, 52, "intervention")]


def test_min_votes(tmp_path: Path) -> None:
    p = open_project(tmp_path / "p.annotator")
    (doc_id,) = p.repo.add_documents([(ImportedDocument(TEXT, "t", "txt", "t.txt"), sha256_text(TEXT))])
    for who, end in (("a", 8), ("b", 8), ("c", 9)):
        AnnotationService(p.repo, who).add_span(doc_id, 0, end, "intervention")
    assert auto_adjudicate(p.repo).spans_added == 0
    report = auto_adjudicate(p.repo, min_votes=2)
    assert report.spans_added == 1 and keys(p.repo, doc_id, "gold") == [(0, 8, "intervention")]
    p.close()


def test_a_settled_gold_document_is_left_alone(two_reviewers) -> None:
    p, doc_id = two_reviewers
    AnnotationService(p.repo, "gold").set_status(doc_id, "done")
    report = auto_adjudicate(p.repo)
    assert report.kept == 1 and keys(p.repo, doc_id, "gold") == []


def project_with(path: Path, texts: dict[str, list[tuple[str, int, int, str]]], labels=None):
    p = open_project(path)
    if labels:
        p.repo.store_labels(labels)
    for text, spans in texts.items():
        (doc_id,) = p.repo.add_documents([(ImportedDocument(text, text[:10], "txt", "x.txt"), sha256_text(text))])
        for who, start, end, label in spans:
            AnnotationService(p.repo, who).add_span(doc_id, start, end, label)
        for who in {s[0] for s in spans}:
            AnnotationService(p.repo, who).set_status(doc_id, "done")
    return p


def test_merge_matches_texts_is_idempotent_and_reports(tmp_path: Path) -> None:
    here = project_with(tmp_path / "here.annotator", {TEXT: [("alice", 0, 8, "intervention")]})
    other = project_with(tmp_path / "other.annotator", {
        TEXT: [("bob", 0, 8, "intervention"), ("bob", 0, 20, "claim")],
        "A second article.": [("bob", 2, 8, "claim")]})
    other.close()
    report = merge_project(here.repo, tmp_path / "other.annotator")
    assert (report.documents_added, report.documents_matched, report.spans_added) == (1, 1, {"bob": 3})
    doc_ids = [d.id for d in here.repo.document_summaries("bob")]
    assert len(doc_ids) == 2
    assert keys(here.repo, doc_ids[0], "bob") == [(0, 8, "intervention"), (0, 20, "claim")]
    assert keys(here.repo, doc_ids[0], "alice") == [(0, 8, "intervention")]
    assert here.repo.status(doc_ids[1], "bob").status == "done"
    assert here.repo.document(doc_ids[1]).text == "A second article."
    again = merge_project(here.repo, tmp_path / "other.annotator")
    assert (again.documents_added, sum(again.spans_added.values())) == (0, 0)
    assert here.repo.document_count() == 2
    here.close()


def test_merge_refuses_other_labels_unless_mapped(tmp_path: Path) -> None:
    here = project_with(tmp_path / "here.annotator", {})
    other = project_with(tmp_path / "other.annotator", {TEXT: [("bob", 0, 8, "dose")]},
                         labels=[LabelSpec("dose", "#123456", "", "")])
    other.close()
    with pytest.raises(MergeError, match="labels this project does not: dose"):
        merge_project(here.repo, tmp_path / "other.annotator")
    assert here.repo.document_count() == 0  # nothing stored
    report = merge_project(here.repo, tmp_path / "other.annotator", {"dose": "intervention"})
    assert report.spans_added == {"bob": 1}
    (doc,) = here.repo.document_summaries("bob")
    assert keys(here.repo, doc.id, "bob") == [(0, 8, "intervention")]
    with pytest.raises(MergeError, match="this project"):
        merge_project(here.repo, tmp_path / "here.annotator")
    here.close()
