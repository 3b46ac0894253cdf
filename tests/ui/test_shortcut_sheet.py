"""Shortcut sheet: lists each action's text and keys, grouped, and closes with Escape or F1."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from annotator.ui.dialogs.shortcut_sheet import ShortcutSheet, plain_text


@pytest.fixture
def owner(qtbot, tmp_path, monkeypatch) -> QWidget:
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path))
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def make_action(owner: QWidget, text: str, keys: list[str], group: str | None = None,
                via: str = "property") -> QAction:
    action = QAction(text, owner)
    action.setShortcuts([QKeySequence(k) for k in keys])
    if group is not None:
        if via == "property":
            action.setProperty("group", group)
        else:
            action.setData(group)
    return action


def native(keys: str) -> str:
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


def test_lists_every_action_with_its_shortcuts(qtbot, owner: QWidget) -> None:
    actions = [
        make_action(owner, "&Open Project…", ["Ctrl+O"]),
        make_action(owner, "Label as &claim", ["1"]),
        make_action(owner, "&Undo", ["Ctrl+Z", "Alt+Backspace"]),
        make_action(owner, "Search &&replace", []),
    ]
    separator = QAction(owner)
    separator.setSeparator(True)
    sheet = ShortcutSheet(None, [*actions, separator])
    qtbot.addWidget(sheet)
    assert sheet.rows() == [
        ("Open Project…", native("Ctrl+O")),
        ("Label as claim", "1"),
        ("Undo", f"{native('Ctrl+Z')},  {native('Alt+Backspace')}"),
        ("Search &replace", ""),
    ]
    assert sheet.headings() == []


def test_groups_from_property_or_data(qtbot, owner: QWidget) -> None:
    actions = [
        make_action(owner, "Open", ["Ctrl+O"], "File"),
        make_action(owner, "Claim", ["1"], "Labels", via="data"),
        make_action(owner, "Save copy", ["Ctrl+Shift+S"], "File"),
        make_action(owner, "About", []),
    ]
    sheet = ShortcutSheet(None, actions)
    qtbot.addWidget(sheet)
    assert sheet.headings() == ["File", "Labels", "Other"]
    table = sheet.table
    texts = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert texts == ["File", "Open", "Save copy", "Labels", "Claim", "Other", "About"]
    assert sheet.is_heading(0) and not sheet.is_heading(1)
    assert table.columnSpan(0, 0) == 2


def test_filter_hides_non_matching_rows_and_empty_groups(qtbot, owner: QWidget) -> None:
    actions = [make_action(owner, "Open", ["Ctrl+O"], "File"), make_action(owner, "Claim", ["1"], "Labels")]
    sheet = ShortcutSheet(None, actions)
    qtbot.addWidget(sheet)
    sheet.filter_edit.setText("clai")
    assert sheet.rows() == [("Claim", "1")]
    assert sheet.headings() == ["Labels"]
    sheet.filter_edit.clear()
    assert len(sheet.rows()) == 2


@pytest.mark.parametrize("key", [Qt.Key.Key_Escape, Qt.Key.Key_F1])
def test_escape_and_f1_close(qtbot, owner: QWidget, key: Qt.Key) -> None:
    sheet = ShortcutSheet(owner, [make_action(owner, "Open", ["Ctrl+O"])])
    sheet.show()
    qtbot.waitExposed(sheet)
    sheet.activateWindow()
    qtbot.waitUntil(sheet.isActiveWindow, timeout=2000)
    qtbot.keyClick(sheet, key)
    qtbot.waitUntil(lambda: not sheet.isVisible(), timeout=2000)


def test_plain_text_strips_mnemonics() -> None:
    action = QAction("&Find && Replace…")
    assert plain_text(action) == "Find & Replace…"
