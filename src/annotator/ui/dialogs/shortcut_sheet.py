"""A cheat sheet of every action and its keys, built from the action registry itself.

Actions may carry a group name (``action.setProperty("group", "Edit")`` or
``action.setData("Edit")`` / ``setData({"group": "Edit"})``); grouped actions are listed
under a heading per group, in the order the groups first appear.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

UNGROUPED = "Other"


def action_group(action: QAction) -> str | None:
    group = action.property("group")
    if isinstance(group, str) and group:
        return group
    data = action.data()
    if isinstance(data, str) and data:
        return data
    if isinstance(data, dict) and isinstance(data.get("group"), str):
        return data["group"]
    return None


def plain_text(action: QAction) -> str:
    """The action's text without mnemonics ("&Open…" -> "Open…", "&&" stays a literal "&")."""
    text = action.text().replace("&&", "\x00").replace("&", "").replace("\x00", "&")
    return text.replace("\t", " ").strip()


def shortcut_text(action: QAction) -> str:
    keys = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts() if not s.isEmpty()]
    return ",  ".join(keys)


def grouped_actions(actions: Iterable[QAction]) -> list[tuple[str | None, list[QAction]]]:
    """Actions worth listing, grouped by first appearance; a lone None group means no grouping."""
    groups: dict[str | None, list[QAction]] = {}
    seen: set[int] = set()
    for action in actions:
        if action.isSeparator() or not plain_text(action) or id(action) in seen:
            continue
        seen.add(id(action))
        groups.setdefault(action_group(action), []).append(action)
    if set(groups) == {None}:
        return [(None, groups[None])]
    ordered = [(name, acts) for name, acts in groups.items() if name is not None]
    if None in groups:
        ordered.append((UNGROUPED, groups[None]))
    return ordered


class ShortcutSheet(QDialog):
    def __init__(self, parent: QWidget | None, actions: Iterable[QAction]) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutSheet")
        self.setWindowTitle("Keyboard shortcuts")
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("shortcutFilter")
        self.filter_edit.setPlaceholderText("Filter actions")
        self.filter_edit.setClearButtonEnabled(True)
        self.table = QTableWidget(0, 2, self)
        self.table.setObjectName("shortcutTable")
        self.table.setHorizontalHeaderLabels(["Action", "Shortcut"])
        self.table.verticalHeader().hide()
        row_height = self.fontMetrics().height() + 8
        self.table.verticalHeader().setDefaultSectionSize(row_height)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

        self._fill(grouped_actions(actions))
        self.filter_edit.textChanged.connect(self._apply_filter)
        # F1 usually opens this sheet; pressing it again should close it (Escape already does).
        QShortcut(QKeySequence(Qt.Key.Key_F1), self, self.accept)
        # Tall enough to show every row without scrolling, up to a screenful.
        self.resize(520, min(720, 130 + row_height * self.table.rowCount()))

    def _fill(self, groups: list[tuple[str | None, list[QAction]]]) -> None:
        heading_font = QFont(self.font())
        heading_font.setBold(True)
        for group, actions in groups:
            if group is not None:
                row = self._add_row(group, "")
                self.table.setSpan(row, 0, 1, 2)
                self.table.item(row, 0).setFont(heading_font)
                self.table.item(row, 0).setData(Qt.ItemDataRole.UserRole, "heading")
            for action in actions:
                row = self._add_row(plain_text(action), shortcut_text(action))
                tip = action.statusTip() or action.toolTip()
                if tip and tip != plain_text(action):
                    self.table.item(row, 0).setToolTip(tip)

    def _add_row(self, left: str, right: str) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(left))
        self.table.setItem(row, 1, QTableWidgetItem(right))
        return row

    def is_heading(self, row: int) -> bool:
        return self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) == "heading"

    def rows(self) -> list[tuple[str, str]]:
        """Visible (action, shortcut) rows, headings excluded: what the reader sees."""
        return [
            (self.table.item(r, 0).text(), self.table.item(r, 1).text())
            for r in range(self.table.rowCount())
            if not self.table.isRowHidden(r) and not self.is_heading(r)
        ]

    def headings(self) -> list[str]:
        return [self.table.item(r, 0).text() for r in range(self.table.rowCount())
                if self.is_heading(r) and not self.table.isRowHidden(r)]

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().casefold()
        heading_row: int | None = None
        heading_has_match = False
        for r in range(self.table.rowCount()):
            if self.is_heading(r):
                if heading_row is not None:
                    self.table.setRowHidden(heading_row, not heading_has_match)
                heading_row, heading_has_match = r, False
                continue
            hay = f"{self.table.item(r, 0).text()} {self.table.item(r, 1).text()}".casefold()
            match = needle in hay
            self.table.setRowHidden(r, not match)
            heading_has_match = heading_has_match or match
        if heading_row is not None:
            self.table.setRowHidden(heading_row, not heading_has_match)
