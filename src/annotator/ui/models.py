"""The span list's Qt item model (the document list's models are in ``document_models``).

The model caches plain rows and is updated from change records, never by re-querying on
every edit; it is also the one place that mutates the open document's :class:`SpanStore`,
so rows and highlights cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap

from annotator.text import excerpt
from annotator.ui.span_store import SpanEntry, SpanStore
from annotator.ui.plain_text import plain_tooltip

Index = QModelIndex | QPersistentModelIndex
_ROLE = Qt.ItemDataRole
# Plain ints: views call data() for every role of every visible cell on each repaint, and
# looking up enum members is slow enough in Python to show in the tagging frame budget.
_DISPLAY, _EDIT, _DECORATION, _TOOLTIP, _USER = (int(_ROLE.DisplayRole), int(_ROLE.EditRole),
                                                 int(_ROLE.DecorationRole), int(_ROLE.ToolTipRole),
                                                 int(_ROLE.UserRole))
# flags() is asked for every visible cell on each repaint: computed once, not per call.
_FLAGS = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren
_NOTE_FLAGS = _FLAGS | Qt.ItemFlag.ItemIsEditable
_NO_FLAGS = Qt.ItemFlag.NoItemFlags


class SpanListModel(QAbstractTableModel):
    HEADERS = ("Label", "Text", "Note")
    LABEL, EXCERPT, NOTE = range(3)
    note_edit_requested = Signal(str, str)  # span id, new note text

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.store = SpanStore("")
        self.colours: dict[str, QColor] = {}
        self._swatches: dict[str, QIcon] = {}
        # Characters of span text worth handing to the view: about what the column shows.
        # Qt shapes the whole string (twice) to elide it, on every repaint of every row.
        self.excerpt_chars = 90
        # Non-zero while rows come and go: Qt moves the selection to a neighbouring row then,
        # which the span list must not mistake for the reviewer picking that span.
        self.changing_rows = 0

    def set_store(self, store: SpanStore) -> None:
        self.beginResetModel()
        self.store = store
        self.endResetModel()

    def set_colours(self, colours: dict[str, str]) -> None:
        self.colours = {k: QColor(v) for k, v in colours.items()}
        # An icon per label, made once: given a QColor the delegate paints a new pixmap per cell.
        self._swatches = {}
        for name, colour in self.colours.items():
            pixmap = QPixmap(16, 16)
            pixmap.fill(colour)
            self._swatches[name] = QIcon(pixmap)

    def set_excerpt_chars(self, chars: int) -> None:
        if chars != self.excerpt_chars:
            self.excerpt_chars = chars
            if len(self.store):
                self.dataChanged.emit(self.index(0, self.EXCERPT), self.index(len(self.store) - 1, self.EXCERPT))

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        # Views ask for an index per cell per repaint; Qt's own would call rowCount() and
        # columnCount() here in Python for each.
        if 0 <= row < len(self.store) and 0 <= column < 3 and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.store)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _ROLE.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _ROLE.DisplayRole:
            return self.HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        col = index.column()  # -1 for an invalid index
        return _NOTE_FLAGS if col == 2 else _FLAGS if col >= 0 else _NO_FLAGS

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if role == _DISPLAY or role == _EDIT:
            entry = self.store.at_row(index.row())
            col = index.column()
            if col == 0:
                return entry.label
            if col == 1:
                return excerpt(self.store.text, entry.start, entry.end, self.excerpt_chars)
            return entry.note or ""
        if role == _DECORATION:
            return self._swatches.get(self.store.at_row(index.row()).label) if index.column() == 0 else None
        if role == _TOOLTIP:
            entry = self.store.at_row(index.row())
            return plain_tooltip(excerpt(self.store.text, entry.start, entry.end, 400)
                                 + (f"\n\nNote: {entry.note}" if entry.note else ""))
        if role == _USER:
            return self.store.at_row(index.row()).id
        return None

    def setData(self, index: Index, value: Any, role: int = _ROLE.EditRole) -> bool:
        if role != _ROLE.EditRole or index.column() != self.NOTE or not index.isValid():
            return False
        entry = self.store.at_row(index.row())
        text = str(value or "")
        if text != (entry.note or ""):
            self.note_edit_requested.emit(entry.id, text)  # the edit comes back as a change record
        return True

    # -- mutations mirroring committed changes ------------------------------------------------------
    def entry(self, span_id: str) -> SpanEntry | None:
        return self.store.get(span_id)

    def row_of(self, span_id: str) -> int:
        return self.store.row_of(span_id) if span_id in self.store else -1

    def add(self, span_id: str, label: str, start: int, end: int, note: str | None) -> SpanEntry:
        if span_id in self.store:
            self.remove(span_id)
        row = self.store.insertion_row(start, end, span_id)
        self.changing_rows += 1
        try:
            self.beginInsertRows(QModelIndex(), row, row)
            entry = self.store.add(span_id, label, start, end, note)
            self.endInsertRows()
        finally:
            self.changing_rows -= 1
        return entry

    def remove(self, span_id: str) -> SpanEntry | None:
        if span_id not in self.store:
            return None
        row = self.store.row_of(span_id)
        self.changing_rows += 1
        try:
            self.beginRemoveRows(QModelIndex(), row, row)
            entry = self.store.remove(span_id)
            self.endRemoveRows()
        finally:
            self.changing_rows -= 1
        return entry

    def update(self, span_id: str, *, label: str, note: str | None) -> SpanEntry | None:
        entry = self.store.update(span_id, label=label, note=note, set_note=True)
        if entry is not None:
            row = self.store.row_of(span_id)
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        return entry
