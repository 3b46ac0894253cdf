"""Find bar: next/previous/wrap/count over text with emoji, keys, and activation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from annotator.text import Utf16Map
from annotator.ui.find_bar import FindBar

# Astral characters before, between and inside the lines shift UTF-16 positions.
TEXT = "🦠 Gut flora 🧪 matters.\nThe gut 💊 talks to the brain.\n𝔊 GUT feelings 🦠 end with gut."


@pytest.fixture
def setup(qtbot, tmp_path, monkeypatch) -> Iterator[tuple[QPlainTextEdit, FindBar]]:
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path))
    host = QWidget()
    view = QPlainTextEdit(host)
    view.setPlainText(TEXT)
    bar = FindBar(view, host)
    layout = QVBoxLayout(host)
    layout.addWidget(view)
    layout.addWidget(bar)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    yield view, bar  # the host stays referenced (and alive) until the test ends


def selection_in_code_points(view: QPlainTextEdit) -> tuple[int, int]:
    cursor = view.textCursor()
    to_cp = Utf16Map(TEXT).to_codepoint
    return to_cp(cursor.selectionStart()), to_cp(cursor.selectionEnd())


def gut_offsets(case_sensitive: bool = False) -> list[int]:
    hay = TEXT if case_sensitive else TEXT.lower()
    out, i = [], hay.find("gut")
    while i >= 0:
        out.append(i)
        i = hay.find("gut", i + 1)
    return out


def test_next_previous_wrap_and_count(setup, qtbot) -> None:
    view, bar = setup
    bar.activate()
    qtbot.keyClicks(bar.query_edit, "gut")
    starts = gut_offsets()
    assert len(starts) == 4
    # typing selects the first match from the cursor (at 0)
    assert selection_in_code_points(view) == (starts[0], starts[0] + 3)
    assert bar.count_label.text() == "1 of 4"
    for expected in starts[1:]:
        assert bar.find_next()
        assert selection_in_code_points(view) == (expected, expected + 3)
        assert view.textCursor().selectedText().lower() == "gut"
    assert bar.count_label.text() == "4 of 4"
    assert bar.find_next()  # wraps to the first
    assert selection_in_code_points(view) == (starts[0], starts[0] + 3)
    assert bar.count_label.text() == "1 of 4"
    assert bar.find_previous()  # wraps to the last
    assert selection_in_code_points(view) == (starts[-1], starts[-1] + 3)
    assert bar.count_label.text() == "4 of 4"


def test_match_case_narrows_matches(setup, qtbot) -> None:
    view, bar = setup
    bar.activate()
    qtbot.keyClicks(bar.query_edit, "GUT")
    assert bar.match_count() == 4
    bar.match_case_box.setChecked(True)
    assert bar.match_count() == 1
    start = TEXT.index("GUT")
    assert selection_in_code_points(view) == (start, start + 3)
    assert bar.count_label.text() == "1 of 1"


def test_enter_shift_enter_and_escape(setup, qtbot) -> None:
    view, bar = setup
    bar.activate()
    qtbot.keyClicks(bar.query_edit, "gut")
    starts = gut_offsets()
    qtbot.keyClick(bar.query_edit, Qt.Key.Key_Return)
    assert selection_in_code_points(view)[0] == starts[1]
    qtbot.keyClick(bar.query_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert selection_in_code_points(view)[0] == starts[0]
    qtbot.keyClick(bar.query_edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()


def test_no_match_is_reported(setup, qtbot) -> None:
    view, bar = setup
    bar.activate()
    qtbot.keyClicks(bar.query_edit, "probiotic")
    assert not bar.find_next()
    assert bar.count_label.text() == "No matches"
    assert bar.count_label.property("noMatch") is True


def test_activate_prefills_with_the_selection(setup, qtbot) -> None:
    view, bar = setup
    start = TEXT.index("brain")
    to_u16 = Utf16Map(TEXT).to_utf16
    cursor = QTextCursor(view.document())
    cursor.setPosition(to_u16(start))
    cursor.setPosition(to_u16(start + 5), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    bar.activate()
    assert bar.isVisible()
    assert bar.query_edit.text() == "brain"
    assert bar.query_edit.selectedText() == "brain"
    qtbot.waitUntil(bar.query_edit.hasFocus, timeout=2000)
    assert bar.match_count() == 1


def test_moving_the_cursor_drops_the_position_but_keeps_the_total(setup, qtbot) -> None:
    view, bar = setup
    bar.activate()
    qtbot.keyClicks(bar.query_edit, "gut")
    assert bar.count_label.text() == "1 of 4"
    cursor = view.textCursor()
    cursor.setPosition(len(TEXT.split("\n")[0]) + 3)  # inside line two, before "gut"
    view.setTextCursor(cursor)
    assert bar.count_label.text() == "4 matches"
    assert bar.find_next()
    assert selection_in_code_points(view)[0] == gut_offsets()[1]
    assert bar.count_label.text() == "2 of 4"


def test_new_text_is_searched_after_the_document_changes(setup, qtbot) -> None:
    view, bar = setup
    bar.activate()
    qtbot.keyClicks(bar.query_edit, "gut")
    assert bar.match_count() == 4
    view.setPlainText("no match here 🦠, then gut")
    assert bar.match_count() == 1
    assert bar.find_next()
    assert view.textCursor().selectedText() == "gut"
