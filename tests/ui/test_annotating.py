"""Whole annotation tasks through the real widgets, checked in the list and the database."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import doc_id_for, press, select_phrase, select_utf16, utf16_len

K = Qt.Key
M = Qt.KeyboardModifier


def open_doc(window, needle: str) -> int:  # type: ignore[no-untyped-def]
    doc_id = doc_id_for(window, needle)
    window.documents.open(doc_id)
    return doc_id


def test_tagging_a_selection_stores_and_lists_it(qtbot, window, fresh_repo) -> None:
    doc_id = open_doc(window, "Probiotics")
    select_phrase(window, "nerve pain")
    press(qtbot, window, K.Key_1)
    assert window.span_model.rowCount() == 1
    assert window.span_model.data(window.span_model.index(0, 0)) == "claim"
    assert window.span_model.data(window.span_model.index(0, 1)) == "nerve pain"
    (span,) = fresh_repo.spans(doc_id, "tester")
    assert (span.label, fresh_repo.document(doc_id).text[span.start:span.end]) == ("claim", "nerve pain")
    assert window.doc_model.summary_for(doc_id).span_count == 1
    assert window.doc_model.summary_for(doc_id).status == "in_progress"


def test_selection_snaps_to_tokens_and_alt_gives_exact_characters(qtbot, window, fresh_repo) -> None:
    doc_id = open_doc(window, "Probiotics")
    select_phrase(window, "erve pai")
    press(qtbot, window, K.Key_2)
    select_phrase(window, "iotics red")
    press(qtbot, window, K.Key_3, M.AltModifier)
    text = fresh_repo.document(doc_id).text
    got = {s.label: text[s.start:s.end] for s in fresh_repo.spans(doc_id, "tester")}
    assert got == {"mechanism": "nerve pain", "intervention": "iotics red"}


def test_undo_and_redo_an_add(qtbot, window, fresh_repo) -> None:
    doc_id = open_doc(window, "Probiotics")
    select_phrase(window, "Butyrate calms immune cells")
    press(qtbot, window, K.Key_2)
    (added,) = fresh_repo.spans(doc_id, "tester")
    press(qtbot, window, K.Key_Z, M.ControlModifier)
    assert fresh_repo.spans(doc_id, "tester") == []
    assert window.span_model.rowCount() == 0
    assert window.editing.undo_stack.index() == 0
    press(qtbot, window, K.Key_Z, M.ControlModifier | M.ShiftModifier)
    assert fresh_repo.spans(doc_id, "tester") == [added]  # same id and timestamps
    assert window.span_model.rowCount() == 1


def test_undoing_a_tag_leaves_the_text_where_it_was(qtbot, window) -> None:
    """Qt moves the list's selection to a neighbouring row when one goes; that is not a pick."""
    open_doc(window, "Probiotics")
    select_phrase(window, "Probiotics")
    press(qtbot, window, K.Key_1)
    select_phrase(window, "Butyrate calms")
    press(qtbot, window, K.Key_2)
    assert window.span_list.current_span() == window.view.current_span is not None
    cursor_before = window.view.textCursor().position()
    press(qtbot, window, K.Key_Z, M.ControlModifier)
    assert window.span_model.rowCount() == 1
    assert window.view.current_span is None and window.span_list.current_span() is None
    assert window.view.selection_cp() is None and window.view.textCursor().position() == cursor_before


def test_relabel_from_the_span_list_with_a_number_key(qtbot, window, fresh_repo) -> None:
    doc_id = open_doc(window, "Probiotics")
    select_phrase(window, "Probiotics reduce nerve pain")
    press(qtbot, window, K.Key_1)
    window.view.clear_selection()
    window.editing.select_span(None)
    tree = window.span_list.table
    tree.setFocus()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(window.span_model.index(0, 1)).center())
    assert window.view.selection_cp() == (0, len("Probiotics reduce nerve pain"))  # selected in the text too
    press(qtbot, window, K.Key_4, widget=tree)
    assert [s.label for s in fresh_repo.spans(doc_id, "tester")] == ["citation"]
    assert window.span_model.data(window.span_model.index(0, 0)) == "citation"
    window.editing.undo()
    assert [s.label for s in fresh_repo.spans(doc_id, "tester")] == ["claim"]


def test_delete_key_removes_the_selected_span_and_undo_restores_it(qtbot, window, fresh_repo) -> None:
    doc_id = open_doc(window, "Probiotics")
    select_phrase(window, "not medical advice")
    press(qtbot, window, K.Key_5)
    (span,) = fresh_repo.spans(doc_id, "tester")
    assert window.view.current_span == span.id  # a new span is selected, ready to fix or delete
    press(qtbot, window, K.Key_Delete)
    assert fresh_repo.spans(doc_id, "tester") == []
    assert window.span_model.rowCount() == 0
    assert window.doc_model.summary_for(doc_id).span_count == 0
    window.editing.undo()
    assert fresh_repo.spans(doc_id, "tester") == [span]


def test_note_edited_in_the_span_list(qtbot, window, fresh_repo) -> None:
    doc_id = open_doc(window, "Probiotics")
    select_phrase(window, "2021 trial")
    press(qtbot, window, K.Key_4)
    press(qtbot, window, K.Key_N)
    qtbot.waitUntil(lambda: window.span_list.table.state() == window.span_list.table.State.EditingState)
    editor = window.span_list.table.findChild(type(window.doc_list.search))
    assert editor is not None and editor.isVisible()
    editor.selectAll()
    qtbot.keyClicks(editor, "check the DOI")
    qtbot.keyClick(editor, K.Key_Return)
    qtbot.waitUntil(lambda: window.editing.undo_stack.count() == 2)  # the delegate commits on a queued call
    (span,) = fresh_repo.spans(doc_id, "tester")
    assert span.note == "check the DOI"
    assert window.span_model.data(window.span_model.index(0, 2)) == "check the DOI"
    assert "check the DOI" in window.view.tooltip_html(window.view.store.containing16(window.view.store.get(span.id).start16))
    window.editing.undo()
    assert fresh_repo.spans(doc_id, "tester")[0].note is None


def test_done_moves_to_the_next_unfinished_and_undo_comes_back(qtbot, window, fresh_repo) -> None:
    first = open_doc(window, "Probiotics")
    press(qtbot, window, K.Key_Return, M.ControlModifier)
    assert fresh_repo.status(first, "tester").status == "done"
    assert window.documents.current_id != first
    assert window.doc_list.progress.text().startswith("1 of 3 done")
    assert "1 of 3 done" in window.counts_label.text()
    second = window.documents.current_id
    press(qtbot, window, K.Key_Return, M.ControlModifier)
    third = window.documents.current_id
    assert third not in (first, second)
    press(qtbot, window, K.Key_J, M.ControlModifier)  # next unfinished: only this one is left
    assert window.documents.current_id == third
    window.editing.undo()  # undoes "done" on the second document: the window goes back there
    assert window.documents.current_id == second
    assert fresh_repo.status(second, "tester").status == "todo"


def test_skip_and_flag_with_a_reason(qtbot, window, fresh_repo, monkeypatch) -> None:
    from annotator.ui.dialogs import flag

    first = open_doc(window, "Probiotics")
    monkeypatch.setattr(flag, "ask_flag_reason", lambda parent: "garbled OCR")
    window.registry.action("doc.flag").trigger()
    assert (fresh_repo.status(first, "tester").status, fresh_repo.status(first, "tester").reason) == ("flagged", "garbled OCR")
    assert "flagged" in window.status_label.text()
    window.registry.action("doc.skip").trigger()
    assert fresh_repo.status(first, "tester").status == "skipped"
    assert window.documents.current_id != first


def test_undo_of_an_edit_in_another_document_switches_to_it(qtbot, window, fresh_repo) -> None:
    first = open_doc(window, "Probiotics")
    select_phrase(window, "nerve pain")
    press(qtbot, window, K.Key_1)
    open_doc(window, "Sleep hygiene")
    press(qtbot, window, K.Key_Z, M.ControlModifier)
    assert window.documents.current_id == first
    assert fresh_repo.spans(first, "tester") == []
    assert window.span_model.rowCount() == 0


def test_emoji_before_the_selection_keeps_exact_offsets(qtbot, window, fresh_repo) -> None:
    doc_id = open_doc(window, "Smile")
    text = window.view.store.text
    phrase = "vitamin D helps sleep 😴"
    start = text.index(phrase)
    # What Qt sees: UTF-16 positions, two per astral character before and inside the phrase.
    select_utf16(window.view, utf16_len(text[:start]), utf16_len(text[:start + len(phrase)]))
    assert window.view.textCursor().selectedText() == phrase
    press(qtbot, window, K.Key_3, M.AltModifier)
    (span,) = fresh_repo.spans(doc_id, "tester")
    stored = fresh_repo.document(doc_id).text
    assert (span.start, span.end) == (start, start + len(phrase))
    assert stored[span.start:span.end] == phrase
    entry = window.view.store.get(span.id)
    assert (entry.start16, entry.end16) == (utf16_len(text[:start]), utf16_len(text[:start + len(phrase)]))
    # Snapped tagging after astral characters lands on the same characters too.
    select_phrase(window, "math letter")
    press(qtbot, window, K.Key_1)
    labels = {s.label: stored[s.start:s.end] for s in fresh_repo.spans(doc_id, "tester")}
    assert labels["claim"] == "math letter"


def test_double_click_selects_a_word(qtbot, window) -> None:
    open_doc(window, "Probiotics")
    view = window.view
    text = view.store.text
    cursor = view.textCursor()
    cursor.setPosition(text.index("Butyrate") + 3)
    rect = view.cursorRect(cursor)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.textCursor().selectedText() == "Butyrate"


def test_undo_and_redo_in_the_app_go_through_the_services_inverses(qtbot, window, fresh_repo, monkeypatch) -> None:
    """Ctrl+Z / Ctrl+Shift+Z run services.apply_inverse / services.reapply, the functions the
    stateful test (tests/storage/test_edit_history.py) checks against its model."""
    from annotator import services

    calls: list[tuple[str, str]] = []

    def spy(name: str):  # type: ignore[no-untyped-def]
        real = getattr(services, name)

        def call(editor, change):  # type: ignore[no-untyped-def]
            calls.append((name, change.kind))
            return real(editor, change)
        return call

    monkeypatch.setattr(services, "apply_inverse", spy("apply_inverse"))
    monkeypatch.setattr(services, "reapply", spy("reapply"))

    doc_id = open_doc(window, "Probiotics")

    def state():  # type: ignore[no-untyped-def]
        # An undone or redone relabel or note gets a new updated_at; everything else is as it was.
        spans = [(s.id, s.label, s.start, s.end, s.note, s.created_at) for s in fresh_repo.spans(doc_id, "tester")]
        status = fresh_repo.status(doc_id, "tester")
        return spans, status.status, status.reason

    assert state() == ([], "todo", None)
    # The first span moves the document to in progress: bookkeeping, not an edit to undo.
    states = [([], "in_progress", None)]

    def snapshot() -> None:
        states.append(state())

    select_phrase(window, "nerve pain")
    press(qtbot, window, K.Key_1)  # add
    snapshot()
    press(qtbot, window, K.Key_3)  # relabel the new, selected span
    snapshot()
    (span,) = fresh_repo.spans(doc_id, "tester")
    window.editing.set_note(span.id, "dose?")  # what the note editor commits
    snapshot()
    press(qtbot, window, K.Key_Delete)
    snapshot()
    window.editing.set_status("flagged", "unclear")
    snapshot()
    kinds = ["span_added", "span_changed", "span_changed", "span_removed", "status_changed"]
    assert calls == []  # making the edits calls the service methods themselves

    for step in range(len(kinds), 0, -1):
        press(qtbot, window, K.Key_Z, M.ControlModifier)
        assert state() == states[step - 1]
    assert calls == [("apply_inverse", k) for k in reversed(kinds)]
    calls.clear()
    for step in range(1, len(kinds) + 1):
        press(qtbot, window, K.Key_Z, M.ControlModifier | M.ShiftModifier)
        assert state() == states[step]
    assert calls == [("reapply", k) for k in kinds]
