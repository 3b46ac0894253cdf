"""The Reviewers panel: who else annotated the open document, and whose spans to show.

One row per other annotator (people, gold, the model's suggestions) with their span count
and status on this document and a "show" checkbox; a button copies the chosen reviewer's
spans to mine. Names are user data: they go into item texts, which Qt shows as plain text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from annotator.ui.document_models import STATUS_TEXT
from annotator.ui.other_spans import MODEL

if TYPE_CHECKING:  # the database layer loads with the project, not with the window
    from annotator.storage.repository.team_view import DocumentReviewer

_COLUMNS = ("Show", "Kind", "Spans", "Status")
_KIND_TEXT = {"person": "reviewer", "model": "suggestions", "gold": "gold"}


class ReviewersPanel(QWidget):
    shown_changed = Signal(str, bool)  # annotator, show
    copy_all_requested = Signal(str)  # annotator

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewersPanel")
        self.me_label = QLabel(self)
        self.me_label.setObjectName("reviewersMe")
        self.me_label.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableWidget(0, len(_COLUMNS), self)
        self.table.setObjectName("reviewersTable")
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(_COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.empty_label = QLabel("Nobody else has annotated this document.", self)
        self.empty_label.setWordWrap(True)
        self.copy_button = QPushButton("Copy all to mine", self)
        self.copy_button.setObjectName("reviewersCopyAll")
        self.copy_button.setToolTip("Copy every span of the chosen reviewer on this document to yours (one undo step)")
        self.copy_button.setEnabled(False)
        self.copy_button.setMinimumWidth(40)  # a narrow dock (a small or scaled screen) clips the text
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.me_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(buttons)
        self._filling = False
        self._kinds: dict[str, str] = {}
        self.table.itemChanged.connect(self._item_changed)
        self.table.itemSelectionChanged.connect(self._update_button)
        self.copy_button.clicked.connect(self._copy_all)
        self.set_reviewers(None, [], {}, set())

    def set_reviewers(self, me: str | None, reviewers: list[DocumentReviewer], kinds: dict[str, str],
                      shown: set[str]) -> None:
        """Fill the rows: every reviewer of the document but ``me``."""
        chosen = self.chosen()
        self._filling = True
        try:
            self.me_label.setText(f"You: {me}" if me else "No project open")
            others = [r for r in reviewers if r.name != me]
            self._kinds = {r.name: kinds.get(r.name, "person") for r in others}
            self.table.setRowCount(len(others))
            for row, r in enumerate(others):
                name = QTableWidgetItem(r.name)
                name.setData(Qt.ItemDataRole.UserRole, r.name)
                name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
                name.setCheckState(Qt.CheckState.Checked if r.name in shown else Qt.CheckState.Unchecked)
                name.setToolTip(f"Show {r.name}'s spans over the text (read-only)")
                cells = [name, QTableWidgetItem(_KIND_TEXT.get(self._kinds[r.name], self._kinds[r.name])),
                         QTableWidgetItem(str(r.span_count)), QTableWidgetItem(STATUS_TEXT.get(r.status, r.status))]
                cells[2].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                for column, item in enumerate(cells):
                    self.table.setItem(row, column, item)
                if r.name == chosen:
                    self.table.selectRow(row)
            self.table.setVisible(bool(others))
            self.empty_label.setVisible(me is not None and not others)
        finally:
            self._filling = False
        self._update_button()

    # -- reading ---------------------------------------------------------------------------
    def names(self) -> list[str]:
        return [self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(self.table.rowCount())]

    def row_of(self, name: str) -> int:
        return self.names().index(name) if name in self.names() else -1

    def span_count(self, name: str) -> int:
        """The span count listed for ``name`` (0 when not listed)."""
        row = self.row_of(name)
        return int(self.table.item(row, 2).text()) if row >= 0 else 0

    def set_count(self, name: str, n: int) -> bool:
        """Show ``n`` spans for ``name``'s row; False when there is no such row, or ``n`` is 0
        (the caller lists the reviewers again)."""
        row = self.row_of(name)
        if row < 0 or n == 0:
            return False
        self.table.item(row, 2).setText(str(n))
        return True

    def is_shown(self, name: str) -> bool:
        row = self.row_of(name)
        return row >= 0 and self.table.item(row, 0).checkState() == Qt.CheckState.Checked

    def set_shown(self, name: str, show: bool) -> None:
        """Tick or untick a reviewer's box, as a click would (emits ``shown_changed``)."""
        row = self.row_of(name)
        if row >= 0:
            self.table.item(row, 0).setCheckState(Qt.CheckState.Checked if show else Qt.CheckState.Unchecked)

    def chosen(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole) if rows else None

    def choose(self, name: str) -> None:
        row = self.row_of(name)
        if row >= 0:
            self.table.selectRow(row)

    # -- reacting ----------------------------------------------------------------------------
    def _item_changed(self, item: QTableWidgetItem) -> None:
        if not self._filling and item.column() == 0:
            self.shown_changed.emit(item.data(Qt.ItemDataRole.UserRole), item.checkState() == Qt.CheckState.Checked)

    def _update_button(self) -> None:
        """One button for the chosen row: copy a reviewer's spans, or accept suggestions above a score."""
        chosen = self.chosen()
        model = chosen is not None and self._kinds.get(chosen) == MODEL
        self.copy_button.setEnabled(chosen is not None)
        self.copy_button.setText("Accept all above score…" if model else "Copy all to mine")

    def _copy_all(self) -> None:
        chosen = self.chosen()
        if chosen is not None:
            self.copy_all_requested.emit(chosen)
