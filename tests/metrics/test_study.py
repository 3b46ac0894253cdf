"""Reading a project for agreement: who counts as having annotated a document, and filters."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.importers.base import ImportedDocument
from annotator.importing import sha256_text
from annotator.metrics.study import StudyError, load_study, project_agreement
from annotator.project import open_project
from annotator.services import AnnotationService

TEXTS = ["Fish oil helps mood. Sleep helps migraine.", "Vitamin D may help MS. Sun makes vitamin D."]


@pytest.fixture
def project(tmp_path: Path):
    p = open_project(tmp_path / "p.annotator")
    ids = p.repo.add_documents([(ImportedDocument(t, t[:8], "txt", "x.txt"), sha256_text(t)) for t in TEXTS])
    a, b, gold = (AnnotationService(p.repo, n) for n in ("alice", "bob", "gold"))
    a.add_span(ids[0], 0, 8, "intervention")
    b.add_span(ids[0], 0, 8, "intervention")
    gold.add_span(ids[0], 0, 8, "intervention")
    a.set_status(ids[0], "done")
    b.set_status(ids[1], "done")  # bob says: nothing in document 2
    a.set_status(ids[1], "skipped")  # alice skipped it: not compared
    yield p, ids
    p.close()


def test_who_annotated_what(project) -> None:
    p, ids = project
    docs, names, labels = load_study(p.repo)
    assert names == ["alice", "bob"]  # gold only when named
    assert set(docs[ids[0]].spans) == {"alice", "bob"}
    assert set(docs[ids[1]].spans) == {"bob"} and docs[ids[1]].spans["bob"] == []
    assert labels == [lr.name for lr in p.repo.labels()]
    assert list(docs[ids[0]].token_starts)[:2] == [0, 5]  # the project's cached tokens


def test_filters(project) -> None:
    p, ids = project
    docs, _, labels = load_study(p.repo, statuses=["done"])
    assert set(docs[ids[0]].spans) == {"alice"} and set(docs[ids[1]].spans) == {"bob"}
    _, _, labels = load_study(p.repo, labels=["claim"])
    assert labels == ["claim"]
    with pytest.raises(StudyError, match="unknown label"):
        load_study(p.repo, labels=["nope"])
    with pytest.raises(StudyError, match="no annotator named zed"):
        load_study(p.repo, annotators=["zed"])
    with pytest.raises(StudyError, match="two or more reviewers"):
        project_agreement(p.repo, ["alice"])
    result = project_agreement(p.repo, samples=0)
    assert result["pairs"][0]["overall"]["n_docs"] == 1 and result["pairs"][0]["overall"]["f1_exact"] == 1.0
    against = project_agreement(p.repo, against="gold")
    assert against["annotators"]["alice"]["overall"]["f1"] == 1.0


def test_documents_one_reviewer_annotated_change_no_figure(project) -> None:
    """project_agreement reads only shared documents (cheap on large projects with one reviewer
    per document); every figure must equal the one computed with all documents loaded."""
    from annotator.metrics.agreement import agreement

    p, _ids = project
    docs, names, labels = load_study(p.repo)
    shared, _, _ = load_study(p.repo, shared_only=True)
    assert set(shared) < set(docs)  # the fixture has documents only one reviewer annotated
    assert agreement(docs, names, labels, seed=3, samples=50) == agreement(shared, names, labels, seed=3, samples=50)


def test_annotated_together_says_whether_any_document_is_shared(tmp_path: Path) -> None:
    """The dataset card skips reading every span when no two reviewers share a document."""
    p = open_project(tmp_path / "t.annotator")
    try:
        for text in ("Zinc shortens colds in adults.", "Fibre feeds gut bacteria."):
            p.repo.add_documents([(ImportedDocument(text, text[:4], "txt", "x.txt"), sha256_text(text))])
        AnnotationService(p.repo, "alice").add_span(1, 0, 4, "claim")
        AnnotationService(p.repo, "bob").add_span(2, 0, 5, "claim")
        assert not p.repo.annotated_together(["alice", "bob"])
        AnnotationService(p.repo, "bob").set_status(1, "done")  # bob read alice's document: shared now
        assert p.repo.annotated_together(["alice", "bob"])
        assert not p.repo.annotated_together(["alice", "nobody"])
    finally:
        p.close()
