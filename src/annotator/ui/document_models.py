"""The document list's models: every document (columns, not records) and the filtered view of them.

Built for 100,000 documents: the source model holds one Python list per field and answers
``data()`` for the cells on screen only; the filter model is a plain table over the source
rows it shows, so "no filter" costs nothing per row (QSortFilterProxyModel would call a
Python ``filterAcceptsRow`` for every document on every reset: a third of a second).
Both update from change records (status, span count) without re-reading the database.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from itertools import islice
from operator import lt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from annotator.records import DocumentColumns, DocumentSummary
from annotator.ui.wording import plain_tooltip

Index = QModelIndex | QPersistentModelIndex
_ROLE = Qt.ItemDataRole
# Plain ints: data() runs for every role of every visible cell on each repaint.
_DISPLAY, _TOOLTIP, _FOREGROUND, _ALIGN, _USER = (int(_ROLE.DisplayRole), int(_ROLE.ToolTipRole),
                                                  int(_ROLE.ForegroundRole), int(_ROLE.TextAlignmentRole),
                                                  int(_ROLE.UserRole))
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
# Computed once: flags() is asked per visible cell, and enum arithmetic in Python is slow.
_FLAGS = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
UNFINISHED = ("todo", "in_progress")
STATUS_TEXT = {"todo": "to do", "in_progress": "in progress", "done": "done", "skipped": "skipped",
               "flagged": "flagged"}
_STATUS_COLOUR = {"done": "#1a7f37", "flagged": "#cf222e", "skipped": "#8c959f", "in_progress": "#9a6700"}
HEADERS = ("Title", "Format", "Status", "Spans")


def _by_id(summary: DocumentSummary) -> int:
    return summary.id

TITLE, FORMAT, STATUS, SPANS = range(4)


class DocumentListModel(QAbstractTableModel):
    """Every document of the project with this reviewer's status and span count, in id order."""

    HEADERS = HEADERS
    TITLE, FORMAT, STATUS, SPANS = TITLE, FORMAT, STATUS, SPANS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._cols = DocumentColumns()
        self._done = 0
        self._reasons: dict[int, str] = {}  # flagged documents' reasons, by document id
        self._colours = {status: QColor(hex_) for status, hex_ in _STATUS_COLOUR.items()}

    def set_columns(self, columns: DocumentColumns) -> None:
        if not all(map(lt, columns.ids, islice(columns.ids, 1, None))):  # C-speed: 100,000 ids
            columns = DocumentColumns.from_rows(sorted((columns.summary(i) for i in range(len(columns))), key=_by_id))
        self.beginResetModel()
        self._cols = columns
        self._done = columns.statuses.count("done")
        self.endResetModel()

    def set_rows(self, rows: Sequence[DocumentSummary]) -> None:
        self.set_columns(DocumentColumns.from_rows(sorted(rows, key=_by_id)))

    @property
    def columns(self) -> DocumentColumns:
        return self._cols

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._cols.ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else 4

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _FLAGS if index.column() >= 0 else _NO_FLAGS  # column -1: an invalid index

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        return self.cell(index.row(), index.column(), role) if index.isValid() else None

    def cell(self, row: int, col: int, role: int) -> Any:
        """data() by row and column: the filter model calls this without building an index."""
        c = self._cols
        if role == _DISPLAY:
            if col == TITLE:
                return c.titles[row]
            if col == FORMAT:
                return c.formats[row]
            if col == STATUS:
                return STATUS_TEXT.get(c.statuses[row], c.statuses[row])
            return c.span_counts[row]
        if role == _FOREGROUND:
            return self._colours.get(c.statuses[row]) if col == STATUS else None
        if role == _ALIGN:
            return _RIGHT if col == SPANS else None
        if role == _USER:
            return c.ids[row]
        if role == _TOOLTIP:
            text = f"{c.titles[row]}\n{c.sources[row]}\n{c.formats[row]} · {c.char_counts[row]:,} characters"
            if c.statuses[row] == "flagged":
                text += f"\nFlagged: {self._reasons.get(c.ids[row]) or 'no reason given'}"
            return plain_tooltip(text)  # titles and reasons are the user's: never markup
        return None

    # -- lookups ------------------------------------------------------------------------------
    def summary(self, row: int) -> DocumentSummary:
        return self._cols.summary(row)

    def summary_for(self, doc_id: int) -> DocumentSummary | None:
        row = self.row_for(doc_id)
        return None if row < 0 else self._cols.summary(row)

    def row_for(self, doc_id: int) -> int:
        ids = self._cols.ids  # ascending: a bisect instead of a 100,000-entry dict
        row = bisect_left(ids, doc_id)
        return row if row < len(ids) and ids[row] == doc_id else -1

    def status(self, row: int) -> str:
        return self._cols.statuses[row]

    def flag_reason(self, doc_id: int) -> str | None:
        """Why the reviewer flagged ``doc_id`` ("" when no reason was given); None unless it is flagged."""
        summary = self.summary_for(doc_id)
        return self._reasons.get(doc_id, "") if summary is not None and summary.status == "flagged" else None

    def set_flag_reasons(self, reasons: dict[int, str]) -> None:
        self._reasons = dict(reasons)

    def done_count(self) -> int:
        return self._done

    def next_unfinished(self, after_doc_id: int | None) -> int | None:
        """The first unfinished document after ``after_doc_id`` in list order, wrapping round."""
        ids, statuses = self._cols.ids, self._cols.statuses
        n = len(ids)
        start = self.row_for(after_doc_id) + 1 if after_doc_id is not None else 0
        for k in range(n):
            row = (start + k) % n
            if statuses[row] in UNFINISHED and ids[row] != after_doc_id:
                return ids[row]
        return None

    # -- updates from change records ------------------------------------------------------------
    def update_document(self, doc_id: int, *, span_delta: int = 0, status: str | None = None,
                        reason: str | None = None) -> None:
        row = self.row_for(doc_id)
        if row < 0:
            return
        c = self._cols
        if status == "flagged":
            self._reasons[doc_id] = reason or ""
        elif status:
            self._reasons.pop(doc_id, None)
        if status and status != c.statuses[row]:
            self._done += (status == "done") - (c.statuses[row] == "done")
            c.statuses[row] = status
        c.span_counts[row] += span_delta
        self.dataChanged.emit(self.index(row, 0), self.index(row, 3))


class DocumentFilterProxyModel(QAbstractTableModel):
    """The documents that pass the status, label and title/text filters; None means "don't filter".

    A table of its own over the source's rows (``_rows``, ascending; None = all of them)
    rather than a QSortFilterProxyModel, so that showing everything costs nothing per row.
    Keeps QAbstractProxyModel's names (``mapToSource``, ``mapFromSource``, ``sourceModel``).
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._source = DocumentListModel(self)
        self._rows: list[int] | None = None
        self.status_filter: str | None = None  # a status, or "unfinished"
        self.label_ids: set[int] | None = None
        self.text_ids: set[int] | None = None
        self.title_query = ""

    def setSourceModel(self, model: DocumentListModel) -> None:
        self.beginResetModel()
        self._source = model
        model.modelAboutToBeReset.connect(self.beginResetModel)
        model.modelReset.connect(self._source_reset)
        model.dataChanged.connect(self._source_changed)
        self._rows = self._select()
        self.endResetModel()

    def sourceModel(self) -> DocumentListModel:
        return self._source

    # -- the table ------------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        # The view asks for an index per visible cell; Qt's own would call rowCount() and
        # columnCount() in Python for each one.
        if 0 <= row < self.rowCount() and 0 <= column < 4 and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid():
            return 0
        return self._source.rowCount() if self._rows is None else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else 4

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        return self._source.headerData(section, orientation, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _FLAGS if index.column() >= 0 else _NO_FLAGS  # column -1: an invalid index

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        row = index.row()
        return self._source.cell(row if self._rows is None else self._rows[row], index.column(), role)

    def source_row(self, row: int) -> int:
        return row if self._rows is None else self._rows[row]

    def mapToSource(self, index: Index) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        return self._source.index(self.source_row(index.row()), index.column())

    def mapFromSource(self, index: Index) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        row = self._proxy_row(index.row())
        return self.index(row, index.column()) if row >= 0 else QModelIndex()

    def _proxy_row(self, source_row: int) -> int:
        rows = self._rows
        if rows is None:
            return source_row
        i = bisect_left(rows, source_row)
        return i if i < len(rows) and rows[i] == source_row else -1

    # -- filtering ------------------------------------------------------------------------------
    def filtering(self) -> bool:
        return bool(self.status_filter or self.title_query) or self.label_ids is not None or self.text_ids is not None

    def set_filters(self, *, status: str | None, label_ids: set[int] | None, text_ids: set[int] | None,
                    title_query: str = "") -> None:
        new = (status, label_ids, text_ids, title_query.casefold())
        if new == (self.status_filter, self.label_ids, self.text_ids, self.title_query):
            return
        self.layoutAboutToBeChanged.emit()
        # Persistent indexes (the selection, the current row) follow their documents.
        old = self.persistentIndexList()
        sources = [self.source_row(i.row()) for i in old]
        self.status_filter, self.label_ids, self.text_ids, self.title_query = new
        self._rows = self._select()
        moved = []
        for index, source in zip(old, sources):
            row = self._proxy_row(source)
            moved.append(self.index(row, index.column()) if row >= 0 else QModelIndex())
        self.changePersistentIndexList(old, moved)
        self.layoutChanged.emit()

    def _select(self) -> list[int] | None:
        if not self.filtering():
            return None
        cols = self._source.columns
        return [row for row in range(len(cols.ids)) if self._accepts(cols, row)]

    def _accepts(self, cols: DocumentColumns, row: int) -> bool:
        status, doc_id = cols.statuses[row], cols.ids[row]
        if self.status_filter == "unfinished":
            if status not in UNFINISHED:
                return False
        elif self.status_filter and status != self.status_filter:
            return False
        if self.label_ids is not None and doc_id not in self.label_ids:
            return False
        if self.title_query or self.text_ids is not None:
            in_title = bool(self.title_query) and self.title_query in cols.titles[row].casefold()
            in_text = self.text_ids is not None and doc_id in self.text_ids
            if not (in_title or in_text):
                return False
        return True

    # -- following the source -------------------------------------------------------------------
    def _source_reset(self) -> None:
        self._rows = self._select()
        self.endResetModel()

    def _source_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, _roles: Any = ()) -> None:
        for source in range(top_left.row(), bottom_right.row() + 1):
            row = self._proxy_row(source)
            keep = self._rows is None or self._accepts(self._source.columns, source)
            if row >= 0 and keep:
                self.dataChanged.emit(self.index(row, 0), self.index(row, 3))
            elif row >= 0:  # e.g. marked done while the list shows unfinished documents
                assert self._rows is not None
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
            elif keep and self._rows is not None:
                at = bisect_left(self._rows, source)
                self.beginInsertRows(QModelIndex(), at, at)
                self._rows.insert(at, source)
                self.endInsertRows()
