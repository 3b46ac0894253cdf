"""Search the whole project from a dock: type, wait a moment, pick a result to open it.

The search itself runs off the GUI thread (``workers.start_task``); each query gets a
generation number and results of older generations are dropped, so a slow early search
can never overwrite the answer to what the reader typed last.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from annotator.records import SearchHit
from annotator.ui.workers import TaskHandle, start_task

DEBOUNCE_MS = 250
HIT_ROLE = Qt.ItemDataRole.UserRole
HTML_ROLE = Qt.ItemDataRole.UserRole + 1


def context_html(hit: SearchHit, query: str) -> str:
    """The hit's context excerpt as HTML with the first occurrence of the query in bold."""
    words = query.split()
    if not words:
        return html.escape(hit.context)
    # The context has its whitespace collapsed, so any run of spaces in the query matches one.
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)
    m = pattern.search(hit.context)
    if m is None or hit.end <= hit.start:  # a title-only hit: nothing in the text to stress
        return html.escape(hit.context)
    ctx = hit.context
    return f"{html.escape(ctx[:m.start()])}<b>{html.escape(ctx[m.start():m.end()])}</b>{html.escape(ctx[m.end():])}"


def result_html(hit: SearchHit, query: str) -> str:
    return f"<div style='font-weight:600'>{html.escape(hit.title)}</div><div>…{context_html(hit, query)}…</div>"


class HitDelegate(QStyledItemDelegate):
    """Paints an item's HTML (title line + excerpt) wrapped to the list's width."""

    def _document(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setDocumentMargin(4)
        doc.setHtml(index.data(HTML_ROLE) or "")
        doc.setTextWidth(max(option.rect.width(), 120))
        return doc

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""  # the style paints background and focus; the document paints the text
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        doc = self._document(option, index)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        ctx.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(role))
        painter.save()
        painter.translate(option.rect.topLeft())
        painter.setClipRect(QRectF(0, 0, option.rect.width(), option.rect.height()))
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        opt = QStyleOptionViewItem(option)
        if opt.widget is not None:
            opt.rect.setWidth(opt.widget.viewport().width())
        doc = self._document(opt, index)
        return QSize(int(doc.idealWidth()), int(doc.size().height()) + 2)


class CorpusSearchDock(QDockWidget):
    """``open_hit(document_id, start, end)``: offsets are code points of the canonical text."""

    open_hit = Signal(int, int, int)
    results_shown = Signal(str, int)  # (query, number of hits), after a search's results land

    def __init__(self, search_fn: Callable[[str], list[SearchHit]], parent: QWidget | None = None) -> None:
        super().__init__("Search corpus", parent)
        self.setObjectName("corpusSearch")
        self._search_fn = search_fn
        self._generation = 0
        self._task: TaskHandle | None = None
        self._shown_query = ""

        body = QWidget(self)
        self.query_edit = QLineEdit(body)
        self.query_edit.setObjectName("corpusSearchQuery")
        self.query_edit.setPlaceholderText("Search all documents")
        self.query_edit.setClearButtonEnabled(True)
        self.status_label = QLabel(body)
        self.status_label.setObjectName("corpusSearchStatus")
        self.status_label.setWordWrap(True)
        self.results = QListWidget(body)
        self.results.setObjectName("corpusSearchResults")
        self.results.setItemDelegate(HitDelegate(self.results))
        self.results.setWordWrap(True)
        self.results.setUniformItemSizes(False)
        self.results.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.query_edit)
        layout.addWidget(self.status_label)
        layout.addWidget(self.results, 1)
        self.setWidget(body)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search_now)
        self.query_edit.textChanged.connect(lambda _text: self._debounce.start())
        self.query_edit.returnPressed.connect(self.search_now)
        # A click opens a hit (a list of places, like a browser's find results); Enter and a
        # double-click (which some platforms take for activation) open it too.
        self.results.itemClicked.connect(self._activate)
        self.results.itemActivated.connect(self._activate)

    # -- public -----------------------------------------------------------------------
    def focus_query(self) -> None:
        self.show()
        self.raise_()
        self.query_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query_edit.selectAll()

    def set_search_fn(self, search_fn: Callable[[str], list[SearchHit]]) -> None:
        """Point the dock at another project; results of the old one are cleared."""
        self._search_fn = search_fn
        self._generation += 1
        self._cancel_running()
        self.results.clear()
        self.status_label.clear()
        if self.query_edit.text().strip():
            self._debounce.start()

    def search_now(self) -> None:
        self._debounce.stop()
        query = self.query_edit.text().strip()
        self._generation += 1
        generation = self._generation
        self._cancel_running()
        if not query:
            self.results.clear()
            self.status_label.clear()
            self._shown_query = ""
            return
        self.status_label.setText("Searching…")
        search_fn = self._search_fn  # bound now: the worker must not read widget state
        task = start_task(self, lambda ctx: (generation, query, search_fn(query)), title=f"search {query!r}")
        # Bound methods, not lambdas: Qt drops these connections if the dock is destroyed first.
        task.finished.connect(self._on_search_finished)
        task.failed.connect(self._on_search_failed)
        self._task = task

    def shown_query(self) -> str:
        """The query whose results the list currently holds."""
        return self._shown_query

    # -- internals --------------------------------------------------------------------
    def _cancel_running(self) -> None:
        task, self._task = self._task, None
        if task is None or not task.is_running():
            return
        # The search can't stop midway; cutting these connections drops its stale answer.
        task.finished.disconnect(self._on_search_finished)
        task.failed.disconnect(self._on_search_failed)
        task.cancel()

    def _on_search_finished(self, payload: object) -> None:
        generation, query, hits = payload  # type: ignore[misc]
        if generation != self._generation:
            return  # a newer query was issued meanwhile
        self._task = None
        self.results.clear()
        found: list[SearchHit] = list(hits)
        for hit in found:
            item = QListWidgetItem()
            item.setData(HIT_ROLE, hit)
            item.setData(HTML_ROLE, result_html(hit, query))
            item.setToolTip(hit.title)
            # Plain text too: screen readers and the list's type-ahead read it.
            item.setText(f"{hit.title}: {hit.context}")
            self.results.addItem(item)
        if found:
            noun = "document" if len(found) == 1 else "documents"
            self.status_label.setText(f"{len(found)} {noun}")
            self.results.setCurrentRow(0)
        else:
            self.status_label.setText(f"No document contains “{query}”")
        self._shown_query = query
        self.results_shown.emit(query, len(found))

    def _on_search_failed(self, message: str) -> None:
        self._task = None
        self.results.clear()
        self._shown_query = ""
        self.status_label.setText(f"Search failed: {message}")

    def _activate(self, item: QListWidgetItem) -> None:
        hit = item.data(HIT_ROLE)
        if isinstance(hit, SearchHit):
            self.open_hit.emit(hit.document_id, hit.start, hit.end)
