"""The span list dock: the open document's spans in text order (label, excerpt, note).

Selecting a row announces the span (the window scrolls the text to it); the note column
is edited in place, and the edit travels back as a NoteCommand through the model's
``note_edit_requested``. Delete and the number keys are window actions acting on the
selected span, so they work the same here and in the text.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from annotator.ui.models import SpanListModel
from annotator.ui.paint_hints import steady_vertical_scrollbar


class SpanListWidget(QWidget):
    span_selected = Signal(str)  # the reviewer picked this span in the list

    def __init__(self, model: SpanListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("spanList")
        self.setAccessibleName("Span list")
        self.model = model
        # A table, not a tree: QTreeView lays out (and asks flags() of) every row on each
        # change, which costs hundreds of ms at 20,000 spans; a table with fixed row heights
        # only touches the rows on screen.
        self.table = QTableView(self)
        self.table.setObjectName("spanListView")
        self.table.setAccessibleName("Spans of the open document")
        self.table.setModel(model)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        # Excerpts are elided to the column; a horizontal bar would only repaint on every edit.
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        steady_vertical_scrollbar(self.table)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(SpanListModel.EXCERPT, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(SpanListModel.LABEL, 105)
        header.resizeSection(SpanListModel.NOTE, 130)
        header.sectionResized.connect(self._on_section_resized)
        # The open document's flag and its reason, above its spans (hidden unless flagged).
        self.flag_banner = QLabel(self)
        self.flag_banner.setObjectName("flagReason")
        self.flag_banner.setTextFormat(Qt.TextFormat.PlainText)  # the reviewer's own words
        self.flag_banner.setWordWrap(True)
        self.flag_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.flag_banner.setStyleSheet("background: #ffebe9; color: #82071e; padding: 4px 6px;")
        self.flag_banner.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.flag_banner)
        layout.addWidget(self.table)
        self._programmatic = 0
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._on_selection_changed())

    def set_flag_reason(self, reason: str | None) -> None:
        """Show why the open document is flagged ("" for no reason given), or None to hide the note."""
        if reason is None:
            self.flag_banner.hide()
            return
        self.flag_banner.setText(f"Flagged: {reason}" if reason else "Flagged (no reason given)")
        self.flag_banner.show()

    def current_span(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isSelected(index):
            return None
        return self.model.data(index.siblingAtColumn(0), 256)  # Qt.UserRole

    def select_span(self, span_id: str | None) -> None:
        """Select (or clear) a row without announcing it back."""
        self._programmatic += 1
        try:
            selection = self.table.selectionModel()
            row = self.model.row_of(span_id) if span_id is not None else -1
            if row < 0:
                selection.clear()
                return
            index = self.model.index(row, 0)
            selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                      | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(index)
        finally:
            self._programmatic -= 1

    def edit_note(self, span_id: str) -> bool:
        row = self.model.row_of(span_id)
        if row < 0 or not self.isVisible():
            return False
        self.select_span(span_id)
        index = self.model.index(row, SpanListModel.NOTE)
        self.table.setFocus()
        self.table.edit(index)
        return True

    def _on_section_resized(self, section: int, _old: int, new: int) -> None:
        if section == SpanListModel.EXCERPT:
            # Enough characters to fill the column even with narrow letters, and no more:
            # every repaint shapes and elides each row's whole string.
            narrow = max(1.0, self.fontMetrics().averageCharWidth() * 0.6)
            self.model.set_excerpt_chars(max(12, int(new / narrow) + 2))

    def _on_selection_changed(self) -> None:
        # selectionChanged, not currentRowChanged: re-picking the current row after the
        # selection was cleared must announce the span again.
        if self._programmatic or self.model.changing_rows:
            return
        span_id = self.current_span()
        if span_id:
            self.span_selected.emit(span_id)
