from __future__ import annotations

from pathlib import Path

import pytest

from annotator.importers.base import ImportedDocument
from annotator.importing import sha256_text
from annotator.project import open_project
from annotator.services import AnnotationService, EditError
from annotator.storage.repository import Repository

TEXT = "Probiotics 🦠 reduce nerve pain. Ask your doctor first."


@pytest.fixture()
def setup(project_url: str) -> tuple[AnnotationService, int, str]:
    path = project_url
    p = open_project(path)
    (doc_id,) = p.repo.add_documents([(ImportedDocument(TEXT, "t", "txt", "t.txt"), sha256_text(TEXT))])
    return AnnotationService(p.repo, "alice"), doc_id, path


def fresh(path: str) -> Repository:
    return Repository.open(path, create=False)[0]


def test_each_edit_is_committed_at_once_and_has_an_inverse(setup: tuple[AnnotationService, int, Path]) -> None:
    svc, doc, path = setup
    added = svc.add_span(doc, 13, 31, "claim")
    assert added.kind == "span_added" and added.after is not None
    assert [s.label for s in fresh(path).spans(doc, "alice")] == ["claim"]
    assert fresh(path).status(doc, "alice").status == "in_progress"

    relabelled = svc.relabel(added.after.id, "mechanism")
    assert relabelled.before.label == "claim" and fresh(path).span(added.after.id).label == "mechanism"
    svc.relabel(added.after.id, relabelled.before.label)  # the inverse
    assert fresh(path).span(added.after.id).label == "claim"

    noted = svc.set_note(added.after.id, "  ")
    assert noted.after.note is None
    svc.set_note(added.after.id, "needs source")
    assert fresh(path).span(added.after.id).note == "needs source"

    removed = svc.remove_span(added.after.id)
    assert fresh(path).spans(doc) == []
    svc.restore_span(removed.before)
    assert fresh(path).span(added.after.id) == removed.before

    st = svc.set_status(doc, "flagged", "unclear claim")
    assert (st.before.status, st.after.status) == ("in_progress", "flagged")
    assert fresh(path).status(doc, "alice").reason == "unclear claim"


def test_bad_edits_change_nothing(setup: tuple[AnnotationService, int, Path]) -> None:
    svc, doc, path = setup
    for start, end in [(5, 5), (6, 2), (-1, 3), (0, len(TEXT) + 1)]:
        with pytest.raises(EditError):
            svc.add_span(doc, start, end, "claim")
    with pytest.raises(EditError, match="unknown label"):
        svc.add_span(doc, 0, 5, "opinion")
    with pytest.raises(EditError, match="unknown status"):
        svc.set_status(doc, "finished")
    with pytest.raises(EditError):
        svc.remove_span("nope")
    assert fresh(path).spans(doc) == []


def test_spans_and_statuses_belong_to_their_annotator(setup: tuple[AnnotationService, int, Path]) -> None:
    svc, doc, _ = setup
    bob = AnnotationService(svc.repo, "bob")
    mine = svc.add_span(doc, 0, 10, "claim").after
    bob.add_span(doc, 0, 10, "intervention")
    bob.set_status(doc, "done")
    assert [s.label for s in svc.spans(doc)] == ["claim"]
    assert svc.status(doc).status == "in_progress" and bob.status(doc).status == "done"
    with pytest.raises(EditError, match="belongs to alice"):
        bob.remove_span(mine.id)
