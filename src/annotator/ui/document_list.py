"""The document list dock: title, format, status and span count, filters and progress.

Filters by status, by label (documents holding a span of that label) and by title or
text; the text search is debounced because it queries the whole corpus. A table, not a
tree, with fixed column widths: QTreeView lays out every row and resize-to-contents
columns measure a thousand rows on every change, which at 100,000 documents costs more
than a second on opening and milliseconds on every edit.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QTableView, QVBoxLayout, QWidget)

from annotator.ui.document_models import STATUS_TEXT, DocumentFilterProxyModel, DocumentListModel

# The widest text each narrow column shows, to size it once.
_WIDEST = {DocumentListModel.FORMAT: ("Format", "jsonl"),
           DocumentListModel.STATUS: ("Status", "in progress"),
           DocumentListModel.SPANS: ("Spans", "999")}


class DocumentLookup(Protocol):
    def documents_with_label(self, label: str) -> set[int]: ...
    def documents_matching(self, query: str) -> set[int]: ...


class DocumentListWidget(QWidget):
    document_selected = Signal(int)  # the reviewer picked this document

    def __init__(self, model: DocumentListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentList")
        self.setAccessibleName("Document list")
        self.model = model
        self.proxy = DocumentFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.lookup: DocumentLookup | None = None

        self.search = QLineEdit(self)
        self.search.setObjectName("documentSearch")
        self.search.setPlaceholderText("Filter by title or text…")
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.setAccessibleName("Status filter")
        self.status_filter.addItem("All statuses", None)
        self.status_filter.addItem("Unfinished", "unfinished")
        for status, text in STATUS_TEXT.items():
            self.status_filter.addItem(text.capitalize(), status)
        self.label_filter = QComboBox(self)
        self.label_filter.setObjectName("labelFilter")
        self.label_filter.setAccessibleName("Label filter")
        self.label_filter.addItem("Any label", None)
        self.progress = QLabel(self)
        self.progress.setObjectName("documentProgress")

        self.table = QTableView(self)
        self.table.setObjectName("documentListView")
        self.table.setAccessibleName("Documents")
        self.table.setModel(self.proxy)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(DocumentListModel.TITLE, QHeaderView.ResizeMode.Stretch)
        metrics = self.fontMetrics()
        for col, texts in _WIDEST.items():
            header.resizeSection(col, max(metrics.horizontalAdvance(t) for t in texts) + 16)
        # Titles need the room: the format shows in each row's tooltip (and the file's name) instead.
        self.table.setColumnHidden(DocumentListModel.FORMAT, True)

        filters = QHBoxLayout()
        filters.addWidget(self.status_filter)
        filters.addWidget(self.label_filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.status_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.label_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self._programmatic = 0
        self._busy: str | None = None
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        model.modelReset.connect(self.update_progress)
        model.dataChanged.connect(lambda *_a: self.update_progress())

    def set_lookup(self, lookup: DocumentLookup, labels: list[str]) -> None:
        self.lookup = lookup
        self.label_filter.blockSignals(True)
        while self.label_filter.count() > 1:
            self.label_filter.removeItem(1)
        for name in labels:
            self.label_filter.addItem(name, name)
        self.label_filter.blockSignals(False)

    def apply_filters(self) -> None:
        query = self.search.text().strip()
        label = self.label_filter.currentData()
        text_ids = self.lookup.documents_matching(query) if query and self.lookup else None
        label_ids = self.lookup.documents_with_label(label) if label and self.lookup else None
        if query and text_ids is None:
            text_ids = set()
        self.proxy.set_filters(status=self.status_filter.currentData(), label_ids=label_ids, text_ids=text_ids,
                               title_query=query)
        self.update_progress()

    def label_filter_active(self) -> bool:
        return self.label_filter.currentData() is not None

    def set_busy(self, message: str | None) -> None:
        """Say what the list is waiting for ("Opening project…"), or None to show the counts again."""
        self._busy = message
        self.update_progress()

    def update_progress(self) -> None:
        if self._busy:
            text = self._busy
        else:
            total = self.model.rowCount()
            shown = self.proxy.rowCount()
            text = f"{self.model.done_count():,} of {total:,} done"
            text = text if shown == total else f"{text} · {shown:,} shown"
        if text != self.progress.text():  # runs on every edit: skip the relayout when nothing changed
            self.progress.setText(text)

    def select_document(self, doc_id: int | None) -> None:
        """Make ``doc_id`` the current row without announcing it back."""
        self._programmatic += 1
        try:
            row = self.model.row_for(doc_id) if doc_id is not None else -1
            index = self.proxy.mapFromSource(self.model.index(row, 0)) if row >= 0 else QModelIndex()
            selection = self.table.selectionModel()
            if index.isValid():
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                          | QItemSelectionModel.SelectionFlag.Rows)
                self.table.scrollTo(index)
            else:
                selection.clear()
        finally:
            self._programmatic -= 1

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # Filtering also moves the current row (when it is filtered out); only a row the
        # reviewer picked in the list itself should open a document.
        if self._programmatic or not current.isValid() or not self.table.hasFocus():
            return
        doc_id = self.proxy.data(current, Qt.ItemDataRole.UserRole)
        if doc_id is not None:
            self.document_selected.emit(int(doc_id))
