"""Review mode: two reviewers' conflicts decided into gold by keys, each decision undoable."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import doc_id_for, make_window, press

K = Qt.Key
M = Qt.KeyboardModifier

ALICE = [("Probiotics reduce nerve pain", "claim"), ("Butyrate", "intervention"), ("Journal of Pain", "citation")]
BOB = [("Probiotics reduce nerve pain", "claim"), ("Butyrate calms", "intervention"), ("Journal of Pain", "claim"),
       ("This is not medical advice.", "disclaimer")]


@pytest.fixture
def review_window(qtbot, project_path: Path):  # type: ignore[no-untyped-def]
    from annotator.services import AnnotationService
    from annotator.storage.repository import Repository

    repo, _ = Repository.open(project_path, create=False)
    doc = next(d.id for d in repo.document_summaries("tester") if "Probiotics" in repo.document(d.id).text)
    text = repo.document(doc).text
    for who, spans in (("alice", ALICE), ("bob", BOB)):
        service = AnnotationService(repo, who)
        for phrase, label in spans:
            start = text.index(phrase)
            service.add_span(doc, start, start + len(phrase), label)
    repo.close()
    window = make_window(qtbot, project_path)
    window.documents.open(doc_id_for(window, "Probiotics"))
    return window


def gold(repo, doc: int) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    text = repo.document(doc).text
    return {(text[s.start:s.end], s.label) for s in repo.spans(doc, "gold")}


def test_conflicts_are_listed_side_by_side_and_decided_by_keys(qtbot, review_window, fresh_repo) -> None:
    w = review_window
    doc = w.documents.current_id
    press(qtbot, w, K.Key_R, M.ControlModifier | M.AltModifier)
    review = w.review
    assert review.active and review.reviewers() == ("alice", "bob")
    table = review.panel.table
    # Agreed "Probiotics reduce nerve pain" is no conflict; the other three are.
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == [
        "Butyrate calms", "Journal of Pain", "This is not medical advice."]
    assert table.item(1, 1).text() == "citation: Journal of Pain" and table.item(1, 2).text() == "claim: Journal of Pain"
    assert review.panel.progress.text().startswith("0 of 3")
    assert w.view.selection_cp() == (w.view.store.text.index("Butyrate"), w.view.store.text.index(" immune"))
    press(qtbot, w, K.Key_B, M.AltModifier)  # take bob's "Butyrate calms"
    assert gold(fresh_repo, doc) == {("Butyrate calms", "intervention")}
    assert fresh_repo.status(doc, "gold").status == "in_progress"
    assert review.current() is review.conflicts[1]  # moved on to the next undecided conflict
    press(qtbot, w, K.Key_A, M.AltModifier)  # alice's citation
    press(qtbot, w, K.Key_N, M.AltModifier)  # no disclaimer
    assert gold(fresh_repo, doc) == {("Butyrate calms", "intervention"), ("Journal of Pain", "citation")}
    assert review.panel.progress.text().startswith("3 of 3")
    assert "gold" in w.team.shown()  # gold's spans are outlined over the text
    press(qtbot, w, K.Key_Z, M.ControlModifier)  # each decision is one undo step
    press(qtbot, w, K.Key_Z, M.ControlModifier)
    assert gold(fresh_repo, doc) == {("Butyrate calms", "intervention")}
    assert review.panel.progress.text().startswith("1 of 3")
    review.panel.table.selectRow(0)
    press(qtbot, w, K.Key_B, M.AltModifier | M.ShiftModifier)  # both, replacing bob's alone
    assert gold(fresh_repo, doc) == {("Butyrate calms", "intervention"), ("Butyrate", "intervention")}
    assert w.span_model.rowCount() == 0  # nothing of mine changed


def test_review_keys_outside_review_mode_change_nothing(qtbot, review_window, fresh_repo) -> None:
    doc = review_window.documents.current_id
    press(qtbot, review_window, K.Key_A, M.AltModifier)
    assert fresh_repo.spans(doc, "gold") == []
    assert "Review mode" in review_window.statusBar().currentMessage()


def test_a_long_articles_conflicts_are_found_on_a_worker(qtbot, tmp_path: Path) -> None:
    from annotator.importers.base import ImportedDocument
    from annotator.importing import sha256_text
    from annotator.project import open_project
    from annotator.services import AnnotationService
    from annotator.ui.span_store import PROGRESSIVE_CHARS

    paragraph = "Butyrate calms immune cells, a 2021 trial found.\n\n"
    text = paragraph * (PROGRESSIVE_CHARS // len(paragraph) + 10)
    path = tmp_path / "long.annotator"
    project = open_project(path)
    (doc,) = project.repo.add_documents([(ImportedDocument(text, "long", "txt", "long.txt"), sha256_text(text))])
    alice, bob = AnnotationService(project.repo, "alice"), AnnotationService(project.repo, "bob")
    for k in range(0, 40 * len(paragraph), len(paragraph)):
        alice.add_span(doc, k, k + len("Butyrate"), "intervention")
        bob.add_span(doc, k, k + len("Butyrate calms"), "intervention")
    project.close()
    window = make_window(qtbot, path)
    window.documents.open(doc)
    qtbot.waitUntil(lambda: not window.documents.loading, timeout=10_000)
    press(qtbot, window, K.Key_R, M.ControlModifier | M.AltModifier)
    review = window.review
    assert review.finding  # the window is not held while they are found
    qtbot.waitUntil(lambda: not review.finding, timeout=30_000)
    assert len(review.conflicts) == 40 and review.panel.progress.text().startswith("0 of 40")
    assert review.current() is review.conflicts[0]  # the first one is chosen once found
    press(qtbot, window, K.Key_B, M.AltModifier)
    assert review.panel.progress.text().startswith("1 of 40")
