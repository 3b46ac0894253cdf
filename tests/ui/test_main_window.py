"""The window as a whole: names, actions, reopening, overlaps, navigation and filters."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import doc_id_for, make_window, press, select_phrase

K = Qt.Key
M = Qt.KeyboardModifier


def test_main_widgets_have_stable_object_and_accessible_names(window) -> None:
    for name in ("documentList", "documentView", "labelBar", "spanList", "guidelines"):
        widget = window.findChild(object, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
    assert [b.text() for b in window.label_bar.buttons.values()] == [
        "1  claim", "2  mechanism", "3  intervention", "4  citation", "5  disclaimer"]
    assert "Take 1,000 IU" in window.guidelines.toPlainText()  # examples come from the label set


def test_actions_registry_has_unique_shortcuts_and_builds_the_menus(window) -> None:
    seen: dict[str, str] = {}
    for action in window.registry.actions():
        assert action.text(), action.objectName()
        for shortcut in action.shortcuts():
            key = shortcut.toString(QKeySequence.SequenceFormat.PortableText)
            assert key not in seen, f"{key} is bound to {seen.get(key)} and {action.objectName()}"
            seen[key] = action.objectName()
    menu_actions = {a.objectName() for menu in window.menus.values() for a in menu.actions()}
    assert {a.objectName() for a in window.registry.actions()} <= menu_actions
    for key in ("1", "5", "Alt+1", "Del", "Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+F", "F1", "Ctrl+Return", "Ctrl+J"):
        assert key in seen, key


def test_reopening_the_project_shows_everything_as_left(qtbot, project_path: Path, fresh_repo) -> None:
    window = make_window(qtbot, project_path)
    doc_id = doc_id_for(window, "Probiotics")
    window.documents.open(doc_id)
    select_phrase(window, "nerve pain")
    press(qtbot, window, K.Key_1)
    select_phrase(window, "Journal of Pain")
    press(qtbot, window, K.Key_4)
    window.editing.set_note(window.view.current_span, "which volume?")
    window.registry.action("doc.flag")  # exists; flagged status set directly below
    window.editing.set_status("flagged", "odd claims")
    window.view.set_point_size(15)
    window.resize(720, 520)
    before = [(window.span_model.data(window.span_model.index(r, c))) for r in range(2) for c in range(3)]
    window.close()

    again = make_window(qtbot, project_path)
    assert again.documents.current_id == doc_id  # reopens where the reviewer was
    assert [(again.span_model.data(again.span_model.index(r, c))) for r in range(2) for c in range(3)] == before
    assert again.doc_model.summary_for(doc_id).status == "flagged"
    assert again.doc_model.summary_for(doc_id).span_count == 2
    assert again.view.point_size() == 15
    assert (again.width(), again.height()) == (720, 520)
    assert fresh_repo.status(doc_id, "tester").reason == "odd claims"


def test_overlapping_spans_are_both_painted_and_clicks_cycle_through_them(qtbot, window) -> None:
    window.documents.open(doc_id_for(window, "Probiotics"))
    select_phrase(window, "reduce nerve pain")
    press(qtbot, window, K.Key_1)
    outer = window.view.current_span
    select_phrase(window, "nerve pain in most")
    press(qtbot, window, K.Key_2)
    inner = window.view.current_span
    view = window.view
    view.clear_selection()
    window.editing.select_span(None)
    qtbot.wait(20)

    # Both labels' colours appear (as stacked underlines) inside the overlap "nerve pain".
    text = view.store.text
    entry = view.store.get(inner)
    cursor = view.textCursor()
    cursor.setPosition(text.index("nerve"))
    left = view.cursorRect(cursor)
    cursor.setPosition(text.index("nerve") + len("nerve pain"))
    right = view.cursorRect(cursor)
    image = view.viewport().grab().toImage()
    colours = {image.pixelColor(x, y).name() for x in range(left.left() + 2, right.left() - 2)
               for y in range(left.top(), left.bottom() + 1)}
    assert QColor("#0072B2").name() in colours and QColor("#E69F00").name() in colours
    assert entry is not None

    point = QPoint(left.left() + 6, left.center().y())
    pause = QApplication.doubleClickInterval() + 30  # two quick clicks would be a double-click

    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    first = view.current_span
    qtbot.wait(pause)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    second = view.current_span
    qtbot.wait(pause)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert {first, second} == {outer, inner}
    assert view.current_span == first  # cycles back
    assert window.span_list.current_span() == first
    assert "claim" in view.tooltip_html(view.store.containing16(entry.start16)) and "mechanism" in view.tooltip_html(
        view.store.containing16(entry.start16))


def test_document_list_filters_and_navigation(qtbot, window) -> None:
    doc_list = window.doc_list
    assert doc_list.progress.text() == "0 of 3 done"
    gut = doc_id_for(window, "Probiotics")
    window.documents.open(gut)
    select_phrase(window, "Butyrate")
    press(qtbot, window, K.Key_2)
    doc_list.label_filter.setCurrentIndex(doc_list.label_filter.findData("mechanism"))
    assert doc_list.proxy.rowCount() == 1
    doc_list.label_filter.setCurrentIndex(0)
    doc_list.search.setText("magnesium")
    qtbot.waitUntil(lambda: doc_list.proxy.rowCount() == 1)
    doc_list.search.clear()
    qtbot.waitUntil(lambda: doc_list.proxy.rowCount() == 3)
    window.editing.set_status("done")
    doc_list.status_filter.setCurrentIndex(doc_list.status_filter.findData("unfinished"))
    assert doc_list.proxy.rowCount() == 2
    assert doc_list.progress.text() == "1 of 3 done · 2 shown"
    press(qtbot, window, K.Key_Down, M.AltModifier)  # next in the (filtered) list
    assert window.documents.current_id != gut
    # Picking a row in the list opens that document.
    table = doc_list.table
    index = doc_list.proxy.index(1, 0)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())
    assert window.documents.current_id == doc_list.proxy.data(index, Qt.ItemDataRole.UserRole)


def test_corpus_search_hit_opens_the_document_at_the_hit(window) -> None:
    sleep = doc_id_for(window, "magnesium")
    text = window.session.document(sleep).text
    start = text.index("magnesium")
    window.corpus_search.open_hit.emit(sleep, start, start + len("magnesium"))
    assert window.documents.current_id == sleep
    assert window.view.textCursor().selectedText() == "magnesium"


def test_find_zoom_and_shortcut_keys(qtbot, window) -> None:
    press(qtbot, window, K.Key_F, M.ControlModifier)
    assert window.find_bar.isVisible()
    size = window.view.point_size()
    window.view.setFocus()
    press(qtbot, window, K.Key_Equal, M.ControlModifier)
    assert window.view.point_size() == size + 1
    press(qtbot, window, K.Key_Minus, M.ControlModifier)
    assert window.view.point_size() == size


def test_dropping_files_imports_them_off_the_gui_thread(qtbot, window, tmp_path: Path) -> None:
    new = tmp_path / "new.txt"
    new.write_text("Zinc shortens colds, says one small trial.\n", encoding="utf-8")
    handle = window.import_paths([new])
    assert handle is not None
    qtbot.waitUntil(lambda: window.doc_model.rowCount() == 4, timeout=10000)
    assert window.doc_list.progress.text() == "0 of 4 done"


def test_a_large_document_opens_progressively_without_losing_edits(qtbot, tmp_path: Path) -> None:
    """Above PROGRESSIVE_CHARS the first screenful's spans come first, the rest from a worker."""
    from annotator.importers.base import ImportedDocument, ImportedSpan
    from annotator.importing import sha256_text
    from annotator.project import open_project
    from annotator.ui.main_window.documents import PROGRESSIVE_CHARS

    paragraph = "Zinc 😀 may shorten colds in 𝑝eople, one trial found. " * 20
    text = "\n\n".join([paragraph.strip()] * (PROGRESSIVE_CHARS // len(paragraph) + 20))
    far = text.rindex("Zinc")  # a span far beyond the first screenful
    spans = [ImportedSpan(0, 4, "intervention"), ImportedSpan(far, far + 4, "claim")]
    path = tmp_path / "big.annotator"
    project = open_project(path)
    project.repo.add_documents([(ImportedDocument(text, "big", "txt", "big.txt", spans=spans, annotator="tester"),
                                 sha256_text(text))])
    project.close()

    window = make_window(qtbot, path)
    assert len(window.view.store) == 1  # only the first screenful so far
    select_phrase(window, "shorten colds")
    press(qtbot, window, K.Key_1)  # an edit while the rest loads
    qtbot.waitUntil(lambda: not window.documents.loading, timeout=10000)
    store = window.view.store
    assert len(store) == 3 and window.span_model.rowCount() == 3
    assert sorted(text[e.start:e.end] for e in (store.at_row(i) for i in range(3))) == ["Zinc", "Zinc", "shorten colds"]
    assert store.at_row(2).start == far and store.utf16.to_utf16(far) == store.at_row(2).start16
