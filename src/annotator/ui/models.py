"""Qt item models over the session: the document list (+ filter proxy) and the span list.

Models cache plain rows and are updated from change records, never by re-querying on
every edit; the span list model is also the one place that mutates the open document's
:class:`SpanStore`, so rows and highlights cannot drift apart.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor

from annotator.text import excerpt
from annotator.ui.span_store import SpanEntry, SpanStore

if TYPE_CHECKING:
    from annotator.records import DocumentSummary

Index = QModelIndex | QPersistentModelIndex
_ROLE = Qt.ItemDataRole
# Plain ints: views call data() for every role of every visible cell on each repaint, and
# looking up enum members is slow enough in Python to show in the tagging frame budget.
_DISPLAY, _EDIT, _DECORATION, _TOOLTIP, _USER = (int(_ROLE.DisplayRole), int(_ROLE.EditRole),
                                                 int(_ROLE.DecorationRole), int(_ROLE.ToolTipRole),
                                                 int(_ROLE.UserRole))
_EDITABLE = Qt.ItemFlag.ItemIsEditable
UNFINISHED = ("todo", "in_progress")
STATUS_TEXT = {"todo": "to do", "in_progress": "in progress", "done": "done", "skipped": "skipped",
               "flagged": "flagged"}
_STATUS_COLOUR = {"done": "#1a7f37", "flagged": "#cf222e", "skipped": "#8c959f", "in_progress": "#9a6700"}


class DocumentListModel(QAbstractTableModel):
    HEADERS = ("Title", "Format", "Status", "Spans")
    TITLE, FORMAT, STATUS, SPANS = range(4)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[DocumentSummary] = []
        self._row_of: dict[int, int] = {}

    def set_rows(self, rows: list[DocumentSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._row_of = {r.id: i for i, r in enumerate(self._rows)}
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _ROLE.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _ROLE.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = _ROLE.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == _ROLE.DisplayRole:
            return (row.title, row.format, STATUS_TEXT.get(row.status, row.status), row.span_count)[col]
        if role == _ROLE.ToolTipRole:
            return f"{row.title}\n{row.source}\n{row.char_count:,} characters"
        if role == _ROLE.ForegroundRole and col == self.STATUS and row.status in _STATUS_COLOUR:
            return QColor(_STATUS_COLOUR[row.status])
        if role == _ROLE.TextAlignmentRole and col == self.SPANS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == _ROLE.UserRole:
            return row.id
        return None

    # -- lookups ------------------------------------------------------------------------------
    def summary(self, row: int) -> DocumentSummary:
        return self._rows[row]

    def summary_for(self, doc_id: int) -> DocumentSummary | None:
        row = self._row_of.get(doc_id)
        return None if row is None else self._rows[row]

    def row_for(self, doc_id: int) -> int:
        return self._row_of.get(doc_id, -1)

    def done_count(self) -> int:
        return sum(1 for r in self._rows if r.status == "done")

    def next_unfinished(self, after_doc_id: int | None) -> int | None:
        """The first unfinished document after ``after_doc_id`` in list order, wrapping round."""
        n = len(self._rows)
        start = self._row_of.get(after_doc_id, -1) + 1 if after_doc_id is not None else 0
        for k in range(n):
            row = self._rows[(start + k) % n]
            if row.status in UNFINISHED and row.id != after_doc_id:
                return row.id
        return None

    # -- updates from change records ------------------------------------------------------------
    def update_document(self, doc_id: int, *, span_delta: int = 0, status: str | None = None) -> None:
        row = self._row_of.get(doc_id)
        if row is None:
            return
        old = self._rows[row]
        self._rows[row] = replace(old, span_count=old.span_count + span_delta, status=status or old.status)
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))


class DocumentFilterProxyModel(QSortFilterProxyModel):
    """Status, label and text filters; None in a filter means "don't filter on it"."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.status_filter: str | None = None  # a status, or "unfinished"
        self.label_ids: set[int] | None = None
        self.text_ids: set[int] | None = None
        self.title_query = ""

    def set_filters(self, *, status: str | None, label_ids: set[int] | None, text_ids: set[int] | None,
                    title_query: str = "") -> None:
        self.beginFilterChange()
        self.status_filter, self.label_ids, self.text_ids = status, label_ids, text_ids
        self.title_query = title_query.casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, DocumentListModel)
        row = model.summary(source_row)
        if self.status_filter == "unfinished":
            if row.status not in UNFINISHED:
                return False
        elif self.status_filter and row.status != self.status_filter:
            return False
        if self.label_ids is not None and row.id not in self.label_ids:
            return False
        if self.title_query or self.text_ids is not None:
            in_title = bool(self.title_query) and self.title_query in row.title.casefold()
            in_text = self.text_ids is not None and row.id in self.text_ids
            if not (in_title or in_text):
                return False
        return True


class SpanListModel(QAbstractTableModel):
    HEADERS = ("Label", "Text", "Note")
    LABEL, EXCERPT, NOTE = range(3)
    note_edit_requested = Signal(str, str)  # span id, new note text

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.store = SpanStore("")
        self.colours: dict[str, QColor] = {}

    def set_store(self, store: SpanStore) -> None:
        self.beginResetModel()
        self.store = store
        self.endResetModel()

    def set_colours(self, colours: dict[str, str]) -> None:
        self.colours = {k: QColor(v) for k, v in colours.items()}

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.store)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _ROLE.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _ROLE.DisplayRole:
            return self.HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | _EDITABLE if index.column() == 2 else base

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if role == _DISPLAY or role == _EDIT:
            entry = self.store.at_row(index.row())
            col = index.column()
            if col == 0:
                return entry.label
            if col == 1:
                return excerpt(self.store.text, entry.start, entry.end, 90)
            return entry.note or ""
        if role == _DECORATION:
            return self.colours.get(self.store.at_row(index.row()).label) if index.column() == 0 else None
        if role == _TOOLTIP:
            entry = self.store.at_row(index.row())
            return excerpt(self.store.text, entry.start, entry.end, 400) + (f"\n\nNote: {entry.note}" if entry.note else "")
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
        self.beginInsertRows(QModelIndex(), row, row)
        entry = self.store.add(span_id, label, start, end, note)
        self.endInsertRows()
        return entry

    def remove(self, span_id: str) -> SpanEntry | None:
        if span_id not in self.store:
            return None
        row = self.store.row_of(span_id)
        self.beginRemoveRows(QModelIndex(), row, row)
        entry = self.store.remove(span_id)
        self.endRemoveRows()
        return entry

    def update(self, span_id: str, *, label: str, note: str | None) -> SpanEntry | None:
        entry = self.store.update(span_id, label=label, note=note, set_note=True)
        if entry is not None:
            row = self.store.row_of(span_id)
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        return entry
