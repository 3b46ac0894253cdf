"""Two reviewers and the model's suggestions on one project, through the real window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QColor, QHelpEvent, QImage
from PySide6.QtWidgets import QApplication, QInputDialog, QToolTip

from tests.ui.conftest import doc_id_for, make_window, press, select_phrase

K = Qt.Key
M = Qt.KeyboardModifier

# alice's spans on the gut article, and the model's suggestions there (phrase, label, score)
ALICE = [("Probiotics reduce nerve pain", "claim"), ("Butyrate", "intervention"), ("Journal of Pain", "citation")]
SUGGESTED = [("immune cells", "mechanism", 0.9), ("This is not medical advice.", "disclaimer", 0.3)]


@pytest.fixture
def team_project(project_path: Path) -> Path:
    """alice tagged the gut article; two suggestions there (imported predictions); tester has one span."""
    from annotator.services import AnnotationService
    from annotator.storage.repository import Repository
    from annotator.suggestions.store import store_imported_suggestions

    repo, _ = Repository.open(project_path, create=False)
    doc = next(d.id for d in repo.document_summaries("tester") if "Probiotics" in repo.document(d.id).text)
    text = repo.document(doc).text
    for who, spans in (("alice", ALICE), ("tester", [("nerve pain", "mechanism")])):
        service = AnnotationService(repo, who)
        for phrase, label in spans:
            start = text.index(phrase)
            service.add_span(doc, start, start + len(phrase), label)
    store_imported_suggestions(repo, doc, [(text.index(p), text.index(p) + len(p), label, score)
                                           for p, label, score in SUGGESTED])
    AnnotationService(repo, "alice").set_status(doc, "done")
    repo.close()
    return project_path


@pytest.fixture
def team_window(qtbot, team_project: Path):  # type: ignore[no-untyped-def]
    window = make_window(qtbot, team_project)
    window.documents.open(doc_id_for(window, "Probiotics"))
    return window


def put_caret_in(window, phrase: str) -> None:  # type: ignore[no-untyped-def]
    start = window.view.store.text.index(phrase) + 1
    window.view.select_cp(start, start)  # an empty selection: the caret only
    window.view.setFocus()


def mine(repo, doc: int, who: str = "tester") -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    text = repo.document(doc).text
    return {(text[s.start:s.end], s.label) for s in repo.spans(doc, who)}


def colour_pixels(image: QImage, colour: QColor) -> int:
    want = colour.rgb() & 0xFFFFFF
    return sum((image.pixel(x, y) & 0xFFFFFF) == want for x in range(image.width()) for y in range(image.height()))


def test_the_reviewers_dock_lists_who_else_annotated_the_document(team_window) -> None:
    panel = team_window.team.panel
    assert team_window.findChild(type(team_window.team.dock), "reviewers") is team_window.team.dock
    assert panel.names() == ["alice", "model"]  # not me
    rows = {panel.table.item(r, 0).text(): [panel.table.item(r, c).text() for c in range(1, 4)]
            for r in range(panel.table.rowCount())}
    assert rows == {"alice": ["reviewer", "3", "done"], "model": ["suggestions", "2", "to do"]}
    assert not panel.is_shown("alice") and panel.is_shown("model")  # suggestions show by default
    team_window.documents.open(doc_id_for(team_window, "Sleep hygiene"))
    assert panel.names() == [] and panel.empty_label.isVisibleTo(panel)


def test_showing_a_reviewer_paints_their_spans_outlined_and_read_only(qtbot, team_window) -> None:
    view, team = team_window.view, team_window.team
    colour = view.span_painter.colour("citation")
    text = view.store.text
    start = text.index("Journal of Pain")
    before = view.viewport().grab().toImage()
    assert colour_pixels(before, colour) == 0  # nobody shown has a citation
    team.panel.set_shown("alice", True)  # ticking the box, as a click does
    assert team.shown() == ["alice", "model"]
    alice = team.overlay.layer("alice")
    assert alice is not None and len(alice.store) == 3
    entry = next(e for e in alice.store.overlapping16(start, start + 1))
    view.repaint()
    after = view.viewport().grab().toImage()
    rect = view.span_painter.span_rects(view, entry)[0].toAlignedRect().adjusted(-2, -2, 2, 2)
    assert colour_pixels(after.copy(rect), colour) > 10  # its outline, in the label colour
    # Read-only: clicking alice's span selects none of mine, and my spans are untouched.
    assert alice.store.get(entry.id) is not None and view.store.get(entry.id) is None
    team.panel.set_shown("alice", False)
    assert team.shown() == ["model"]


def test_hover_names_the_reviewer_and_label_as_plain_text(qtbot, team_window, team_project: Path) -> None:
    view, team = team_window.view, team_window.team
    team.panel.set_shown("alice", True)
    start16 = view.store.utf16.to_utf16(view.store.text.index("Journal of Pain") + 2)
    assert team.overlay.tooltip_lines(start16) == ["AL · alice: citation — C copies to mine"]
    pos16 = view.store.utf16.to_utf16(view.store.text.index("immune cells") + 2)
    assert team.overlay.tooltip_lines(pos16) == ["Suggestion (model): mechanism, score 0.90 — A accepts, X rejects"]
    # Through the view's real tooltip event: user text reaches Qt escaped, so it shows literally.
    cursor = view.textCursor()
    cursor.setPosition(start16)
    point = view.cursorRect(cursor).center() + QPoint(3, 0)
    QApplication.sendEvent(view.viewport(), QHelpEvent(QHelpEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point)))
    assert "alice: citation" in QToolTip.text()


def test_copy_one_span_by_key_never_duplicates_and_undoes(qtbot, team_window, fresh_repo) -> None:
    doc = team_window.documents.current_id
    team_window.team.panel.set_shown("alice", True)
    put_caret_in(team_window, "Journal of Pain")
    press(qtbot, team_window, K.Key_C)
    assert ("Journal of Pain", "citation") in mine(fresh_repo, doc)
    assert team_window.span_model.rowCount() == 2
    put_caret_in(team_window, "Journal of Pain")
    press(qtbot, team_window, K.Key_C)  # the same again: already mine
    assert len(fresh_repo.spans(doc, "tester")) == 2
    assert "already have" in team_window.statusBar().currentMessage()
    press(qtbot, team_window, K.Key_Z, M.ControlModifier)
    assert mine(fresh_repo, doc) == {("nerve pain", "mechanism")}


def test_copy_all_of_a_reviewers_spans_is_one_undo_step(qtbot, team_window, fresh_repo) -> None:
    doc = team_window.documents.current_id
    team, stack = team_window.team, team_window.editing.undo_stack
    put_caret_in(team_window, "Butyrate")
    press(qtbot, team_window, K.Key_C)  # alice is not shown: nothing to copy at the caret
    assert len(fresh_repo.spans(doc, "tester")) == 1
    team.panel.set_shown("alice", True)
    put_caret_in(team_window, "Butyrate")
    press(qtbot, team_window, K.Key_C)
    team.panel.choose("alice")
    qtbot.mouseClick(team.panel.copy_button, Qt.MouseButton.LeftButton)
    assert mine(fresh_repo, doc) == {("nerve pain", "mechanism"), *ALICE}
    assert len(fresh_repo.spans(doc, "tester")) == 4  # Butyrate, copied before, is not doubled
    assert stack.count() == 2
    press(qtbot, team_window, K.Key_Z, M.ControlModifier)
    assert mine(fresh_repo, doc) == {("nerve pain", "mechanism"), ("Butyrate", "intervention")}
    assert team_window.span_model.rowCount() == 2
    press(qtbot, team_window, K.Key_Z, M.ControlModifier | M.ShiftModifier)
    assert len(fresh_repo.spans(doc, "tester")) == 4


def test_accepting_a_suggestion_by_key_makes_it_mine_and_undo_brings_it_back(qtbot, team_window, fresh_repo) -> None:
    doc = team_window.documents.current_id
    overlay = team_window.team.overlay
    model = overlay.layer("model")
    assert model is not None and len(overlay.entries(model)) == 2
    put_caret_in(team_window, "immune cells")
    press(qtbot, team_window, K.Key_A)
    assert ("immune cells", "mechanism") in mine(fresh_repo, doc)
    model = overlay.layer("model")
    assert [e.label for e in overlay.entries(model)] == ["disclaimer"]  # accepted: no longer a suggestion
    assert [s.label for s in fresh_repo.suggestions(doc)] == ["disclaimer"]  # it left h7's suggestion table
    assert team_window.span_model.rowCount() == 2  # the change reached the span list
    press(qtbot, team_window, K.Key_Z, M.ControlModifier)
    assert mine(fresh_repo, doc) == {("nerve pain", "mechanism")}
    assert len(fresh_repo.suggestions(doc)) == 2 and team_window.span_model.rowCount() == 1
    assert len(overlay.entries(overlay.layer("model"))) == 2
    press(qtbot, team_window, K.Key_Z, M.ControlModifier | M.ShiftModifier)  # redo: the same span id again
    assert ("immune cells", "mechanism") in mine(fresh_repo, doc) and len(fresh_repo.suggestions(doc)) == 1


def test_a_rejected_suggestion_stays_hidden_after_reopening(qtbot, team_window, team_project: Path,
                                                            fresh_repo) -> None:
    doc = team_window.documents.current_id
    select_phrase(team_window, "This is not medical advice.")
    press(qtbot, team_window, K.Key_X)
    overlay = team_window.team.overlay
    assert [e.label for e in overlay.entries(overlay.layer("model"))] == ["mechanism"]
    assert mine(fresh_repo, doc) == {("nerve pain", "mechanism")}  # rejecting adds nothing of mine
    assert [(r.label, r.annotator) for r in fresh_repo.rejections([doc])] == [("disclaimer", "tester")]
    press(qtbot, team_window, K.Key_Z, M.ControlModifier)  # undoable like any edit
    assert len(overlay.entries(overlay.layer("model"))) == 2 and fresh_repo.rejections([doc]) == []
    press(qtbot, team_window, K.Key_Z, M.ControlModifier | M.ShiftModifier)
    assert len(fresh_repo.rejections([doc])) == 1
    team_window.close()
    again = make_window(qtbot, team_project)
    again.documents.open(doc)
    overlay = again.team.overlay
    assert [e.label for e in overlay.entries(overlay.layer("model"))] == ["mechanism"]
    put_caret_in(again, "not medical")
    assert overlay.pick(True, None, again.view.textCursor().position()) is None


def test_accept_all_above_a_score_is_one_step_and_scores_show_on_hover(qtbot, team_window, fresh_repo) -> None:
    doc = team_window.documents.current_id
    team = team_window.team
    text = team_window.view.store.text
    high = text.index("immune cells")
    pos16 = team_window.view.store.utf16.to_utf16(high + 1)
    assert team.overlay.tooltip_lines(pos16) == ["Suggestion (model): mechanism, score 0.90 — A accepts, X rejects"]
    assert team.accept_above(0.5) == 1
    assert mine(fresh_repo, doc) == {("nerve pain", "mechanism"), ("immune cells", "mechanism")}
    assert len(fresh_repo.suggestions(doc)) == 1
    assert team.accept_above(0.0) == 1  # the rest
    assert fresh_repo.suggestions(doc) == [] and team_window.editing.undo_stack.count() == 2
    press(qtbot, team_window, K.Key_Z, M.ControlModifier)
    press(qtbot, team_window, K.Key_Z, M.ControlModifier)
    assert mine(fresh_repo, doc) == {("nerve pain", "mechanism")} and len(fresh_repo.suggestions(doc)) == 2


def test_switch_reviewer_from_the_menu(qtbot, team_window, fresh_repo) -> None:
    from annotator.config import Preferences

    doc = team_window.documents.current_id
    select_phrase(team_window, "Probiotics")
    press(qtbot, team_window, K.Key_3)  # an edit by tester in the undo history
    assert team_window.editing.undo_stack.count() == 1

    offered: list[list[str]] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QInputDialog):
            offered.append(dialog.comboBoxItems())
            dialog.setTextValue("alice")
            dialog.accept()

    QTimer.singleShot(0, answer)
    team_window.registry.action("team.switch_reviewer").trigger()
    assert offered == [["alice"]]  # people only: not the model, not me
    assert team_window.session.reviewer == "alice"
    assert "alice" in team_window.windowTitle() and "alice" in team_window.reviewer_label.text()
    assert Preferences.load().reviewer == "alice"
    assert team_window.documents.current_id == doc
    assert team_window.editing.undo_stack.count() == 0  # tester's steps are not alice's to undo
    assert team_window.span_model.rowCount() == 3  # alice's own spans are now the editable ones
    assert team_window.team.panel.names() == ["model", "tester"]
    team_window.activateWindow()  # the offscreen platform does not give it back after the dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is team_window, timeout=2000)
    select_phrase(team_window, "most adults")
    press(qtbot, team_window, K.Key_1)
    assert ("most adults", "claim") in mine(fresh_repo, doc, "alice")
    assert ("most adults", "claim") not in mine(fresh_repo, doc, "tester")


def test_the_context_menu_offers_copy_and_accept_for_spans_under_the_pointer(qtbot, team_window, fresh_repo) -> None:
    doc = team_window.documents.current_id
    view, team = team_window.view, team_window.team
    team.panel.set_shown("alice", True)
    cursor = view.textCursor()
    cursor.setPosition(view.store.utf16.to_utf16(view.store.text.index("Journal of Pain") + 3))
    menu = team.context_menu(view.cursorRect(cursor).center() + QPoint(2, 0))
    assert menu is not None
    copy = next(a for a in menu.actions() if a.text() == "Copy alice's citation to mine")
    copy.trigger()
    assert ("Journal of Pain", "citation") in mine(fresh_repo, doc)


def test_the_pdf_page_view_outlines_shown_spans_too(qtbot, tmp_path: Path) -> None:
    pytest.importorskip("pymupdf")
    from annotator.importers.pdf import PdfImporter
    from annotator.labels import default_labels
    from annotator.ui.other_spans import OtherLayer, OtherSpansOverlay
    from annotator.ui.pdf_view import PdfPageView
    from annotator.ui.span_store import SpanStore
    from tests import pdf_samples as samples

    path = samples.build_article(tmp_path / "article.pdf")
    doc = PdfImporter().load(path)[0]
    view = PdfPageView()
    qtbot.addWidget(view)
    view.resize(760, 900)
    view.set_label_colours({s.name: s.colour for s in default_labels()})
    view.show()
    qtbot.waitExposed(view)
    view.set_document(doc.text, SpanStore(doc.text), doc.pages, path)
    i = doc.text.index("Probiotics")
    (_page, rect), = view.span_rects(i, i + len("Probiotics"))
    colour = view.span_painter.colour("citation")
    area = rect.toAlignedRect().adjusted(-4, -4, 4, 4)
    assert colour_pixels(view.viewport().grab().toImage().copy(area), colour) == 0
    overlay = OtherSpansOverlay(view.span_painter.colour)
    overlay.set_layers([OtherLayer("alice", "person", SpanStore(doc.text, [("a", "citation", i, i + 10, None)]))])
    view.overlays.append(overlay)
    view.viewport().repaint()
    assert colour_pixels(view.viewport().grab().toImage().copy(area), colour) > 10
    x, y = (rect.center().x(), rect.center().y())
    page, (px, py) = view._page_point(QPoint(int(x), int(y)).toPointF(), strict=True)
    assert overlay.page_tooltip_lines(view, page, px, py) == ["AL · alice: citation — C copies to mine"]


def test_a_reviewer_name_that_looks_like_html_shows_literally(qtbot, team_window) -> None:
    assert team_window.team.switch_reviewer("<b>Ann</b> & co")
    assert team_window.reviewer_label.text() == "Reviewer: <b>Ann</b> & co"
    assert team_window.reviewer_label.textFormat() == Qt.TextFormat.PlainText
    assert team_window.team.panel.me_label.text() == "You: <b>Ann</b> & co"
    assert team_window.team.switch_reviewer("model") is False  # reserved for suggestions
    assert team_window.session.reviewer == "<b>Ann</b> & co"
