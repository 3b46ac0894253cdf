"""Selecting on a PDF's pages from the keyboard, and clicks that deselect, as in the text view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from annotator.ui.pdf_caret import line_step, word_step
from tests.ui.test_pdf_view import article, fresh_pdf_repo, pdf_project, pdf_window, word_point  # noqa: F401

pytest.importorskip("pymupdf")

SHIFT, CTRL = Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.ControlModifier


def click_before(qtbot, view, path, word: str) -> None:  # type: ignore[no-untyped-def]
    """A click just inside the word's left edge: the caret goes before its first letter."""
    point = word_point(view, path, 0, word, "left")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_word_steps_stop_at_word_edges() -> None:
    text = "Probiotics reduce  nerve-pain."
    assert word_step(text, 0, True) == 10
    assert word_step(text, 10, True) == 17
    assert word_step(text, 17, True) == 24
    assert word_step(text, 24, False) == 19
    assert word_step(text, 30, False) == 25


def test_shift_and_ctrl_shift_arrows_select_and_a_label_key_tags_it(qtbot, pdf_window, fresh_pdf_repo,
                                                                    article) -> None:
    path, doc = article
    view = pdf_window.pages.pdf_view
    click_before(qtbot, view, path, "reduce")
    assert view.caret == doc.text.index("reduce") and view.selection_cp() is None
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Right, SHIFT)
    start = doc.text.index("reduce")
    assert view.selection_cp() == (start, start + 3)
    assert pdf_window.view.selection_cp() == (start, start + 3)  # the one selection the actions read
    qtbot.keyClick(view, Qt.Key.Key_Right, SHIFT | CTRL)  # to the end of "reduce"
    qtbot.keyClick(view, Qt.Key.Key_Right, SHIFT | CTRL)  # and of "nerve"
    assert doc.text[slice(*view.selection_cp())] == "reduce nerve"
    qtbot.keyClick(view, Qt.Key.Key_Left, SHIFT)
    assert doc.text[slice(*view.selection_cp())] == "reduce nerv"
    qtbot.keyClick(view, Qt.Key.Key_Right, SHIFT)
    qtbot.keyClick(view, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)  # exact characters
    (span,) = fresh_pdf_repo.spans(pdf_window.documents.current_id, "tester")
    assert (span.label, doc.text[span.start:span.end]) == ("claim", "reduce nerve")


def test_selecting_backwards_and_collapsing(qtbot, pdf_window, article) -> None:
    path, doc = article
    view = pdf_window.pages.pdf_view
    click_before(qtbot, view, path, "pain")
    end = doc.text.index("pain")
    qtbot.keyClick(view, Qt.Key.Key_Left, SHIFT | CTRL)
    qtbot.keyClick(view, Qt.Key.Key_Left, SHIFT | CTRL)
    assert doc.text[slice(*view.selection_cp())] == "reduce nerve "
    assert view.selection_cp()[1] == end
    qtbot.keyClick(view, Qt.Key.Key_Right)  # a plain arrow collapses onto the selection's end
    assert view.selection_cp() is None and view.caret == end
    assert pdf_window.view.selection_cp() is None


def test_shift_down_selects_to_the_same_place_on_the_next_line(qtbot, pdf_window, article) -> None:
    path, doc = article
    view = pdf_window.pages.pdf_view
    click_before(qtbot, view, path, "twelve")
    caret = view.caret
    assert abs(caret - doc.text.index("twelve")) <= 1  # a narrow "t": the click may land past its middle
    qtbot.keyClick(view, Qt.Key.Key_Down, SHIFT)
    start, end = view.selection_cp()
    assert start == caret
    assert "\n" not in doc.text[start:end] and "weeks. Researchers" in doc.text[start:end]
    # Independent of the view: the line below "twelve" on the page starts with "Researchers"...
    assert end > doc.text.index("Researchers")
    assert line_step(view.pages, end, False) == pytest.approx(start, abs=2)


def test_clicking_plain_text_deselects_the_span(qtbot, pdf_window, article) -> None:
    path, doc = article
    doc_id = pdf_window.documents.current_id
    start = doc.text.index("nerve pain")
    pdf_window.session.add_span(doc_id, start, start + 10, "mechanism")
    view = pdf_window.pages.pdf_view
    nerve = word_point(view, path, 0, "nerve", "left")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(nerve.x() + 3, nerve.y()))
    assert view.current_span is not None and pdf_window.span_list.current_span() is not None
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=word_point(view, path, 0, "Researchers", "left"))
    assert view.current_span is None and pdf_window.span_list.current_span() is None
    assert view.selection_cp() is None and pdf_window.view.selection_cp() is None


def test_shift_arrows_before_any_click_start_where_the_reader_is(qtbot, pdf_window, article) -> None:
    _path, doc = article
    view = pdf_window.pages.pdf_view
    view.setFocus()
    assert view.caret is None
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Right, SHIFT)
    start, end = view.selection_cp()
    assert end - start == 3 and end <= doc.text.index("\n")  # on the first line, the one at the top
