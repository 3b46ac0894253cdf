"""The centre of the window: the canonical text, readable, with every span highlighted.

A read-only QPlainTextEdit (lazy per-block layout, so a 1 MB article opens in tens of ms)
whose viewport paints span highlights itself (see :mod:`annotator.ui.span_painter`).
Offsets leave and enter this widget as code points; Qt's UTF-16 positions stay inside.
"""

from __future__ import annotations

import time
from html import escape
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (QFont, QHelpEvent, QMouseEvent, QPainter, QPaintEvent, QPalette, QResizeEvent,
                           QTextCursor, QTextLine)
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QToolTip, QWidget

from annotator.text import word_at
from annotator.ui.paint_hints import steady_vertical_scrollbar
from annotator.ui.span_painter import SpanPainter
from annotator.ui.span_store import SpanEntry, SpanStore
from annotator.ui.theme import use_selection_colour

# A comfortable measure for prose is 60-80 characters; the column is centred beyond it.
_COLUMN_CHARS = 78
_MIN_POINT_SIZE, _MAX_POINT_SIZE = 7, 40


def paragraph_at(text: str, offset: int) -> tuple[int, int]:
    """The line (a paragraph of the canonical text) holding ``offset``, without its line break."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end < 0 else end


def is_triple_click(double_click: tuple[float, QPoint] | None, event: QMouseEvent) -> bool:
    """Whether a press comes soon enough after a double-click, near enough, to be its third click."""
    if double_click is None or event.button() != Qt.MouseButton.LeftButton:
        return False
    when, where = double_click
    near = (event.position().toPoint() - where).manhattanLength() < QApplication.startDragDistance()
    return near and (time.monotonic() - when) * 1000 < QApplication.doubleClickInterval()


class DocumentView(QPlainTextEdit):
    span_clicked = Signal(str)  # a click chose this span (cycling overlaps); "" outside every span
    selection_edited = Signal()  # the reviewer changed the selection (not the program)
    zoom_changed = Signal(int)  # new point size

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentView")
        self.setAccessibleName("Document text")
        self.setReadOnly(True)
        flags = Qt.TextInteractionFlag
        self.setTextInteractionFlags(flags.TextSelectableByMouse | flags.TextSelectableByKeyboard)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # The centring margins show the widget's own background: make it the page colour.
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        steady_vertical_scrollbar(self)
        self.store: SpanStore | None = None
        self.span_painter = SpanPainter()
        # Read-only layers painted over the text (other reviewers, suggestions): objects with
        # paint(view, painter, clip) and tooltip_lines(pos16) -> list of plain-text lines.
        self.overlays: list[Any] = []
        self._programmatic = 0
        self._press_pos = QPoint()
        self._double_click: tuple[float, QPoint] | None = None  # when and where the last double-click was
        self.selectionChanged.connect(self._on_selection_changed)
        self.set_point_size(12)

    # -- content --------------------------------------------------------------------------------
    def set_document(self, text: str, store: SpanStore) -> None:
        self._programmatic += 1
        try:
            self.store = store
            self.span_painter.current_span = None
            self.setPlainText(text)
        finally:
            self._programmatic -= 1

    def replace_store(self, store: SpanStore) -> None:
        """Swap in a fuller index of the same text (after a progressive load)."""
        self.store = store
        self.viewport().update()

    def clear_document(self) -> None:
        self.set_document("", SpanStore(""))
        self.store = None

    def set_label_colours(self, colours: dict[str, str]) -> None:
        dark = self.palette().base().color().lightness() < 128
        self.span_painter.set_colours(colours, dark=dark)
        use_selection_colour(self)  # the theme may have changed: pick its selection colour again
        self.viewport().update()

    # -- offsets at the edge ------------------------------------------------------------------------
    def selection_cp(self) -> tuple[int, int] | None:
        """The selected range in code points, or None when nothing is selected."""
        cursor = self.textCursor()
        if not cursor.hasSelection() or self.store is None:
            return None
        m = self.store.utf16
        start = m.to_codepoint(cursor.selectionStart())
        end16 = cursor.selectionEnd()
        end = m.to_codepoint(end16)
        if m.to_utf16(end) < end16:  # the end fell inside a surrogate pair: keep the whole character
            end += 1
        return (start, end) if end > start else None

    def select_cp(self, start: int, end: int, *, scroll: bool = True) -> None:
        if self.store is None:
            return
        m = self.store.utf16
        cursor = QTextCursor(self.document())
        cursor.setPosition(m.to_utf16(start))
        cursor.setPosition(m.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        self._programmatic += 1
        try:
            self.setTextCursor(cursor)
        finally:
            self._programmatic -= 1
        if scroll:
            self.centerCursor() if not self._cursor_on_screen() else self.ensureCursorVisible()

    def centre_on_selection(self) -> None:
        """Scroll so the selection sits mid-view, as a search result should (layout finished first)."""
        self.document().documentLayout().blockBoundingRect(self.textCursor().block())  # lays out up to it
        self.centerCursor()

    def collapse_selection(self, position16: int) -> None:
        cursor = self.textCursor()
        cursor.setPosition(position16)
        self._programmatic += 1
        try:
            self.setTextCursor(cursor)
        finally:
            self._programmatic -= 1

    def clear_selection(self) -> None:
        cursor = self.textCursor()
        if cursor.hasSelection():
            cursor.clearSelection()
            self._programmatic += 1
            try:
                self.setTextCursor(cursor)
            finally:
                self._programmatic -= 1

    def _cursor_on_screen(self) -> bool:
        return self.viewport().rect().intersects(self.cursorRect())

    def char_at(self, point: QPoint) -> int | None:
        """UTF-16 position of the character drawn under ``point`` (viewport coordinates)."""
        block = self.cursorForPosition(point).block()
        layout = block.layout()
        if not block.isValid() or layout is None:
            return None
        geo = self.blockBoundingGeometry(block).translated(self.contentOffset())
        local = QPointF(point) - geo.topLeft() - layout.position()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            if line.y() <= local.y() < line.y() + line.height():
                if local.x() < line.x() or local.x() > line.x() + line.naturalTextWidth():
                    return None
                index = line.xToCursor(local.x(), QTextLine.CursorPosition.CursorOnCharacter)
                if index >= line.textStart() + line.textLength():
                    return None
                return block.position() + index
        return None

    # -- spans ----------------------------------------------------------------------------------
    @property
    def current_span(self) -> str | None:
        return self.span_painter.current_span

    def set_current_span(self, span_id: str | None) -> None:
        old = self.span_painter.current_span
        if old == span_id:
            return
        self.span_painter.current_span = span_id
        for sid in (old, span_id):
            if sid is not None and self.store is not None and (entry := self.store.get(sid)) is not None:
                self.refresh_span(entry)

    def refresh_span(self, entry: SpanEntry) -> None:
        """Repaint the blocks a span touches (lanes of its neighbours may shift too)."""
        viewport = self.viewport()
        width = viewport.width()
        for block, geo in self.span_painter.visible_blocks(self, 0, viewport.height()):
            pos = block.position()
            if pos + block.length() <= entry.start16:
                continue
            if pos >= entry.end16:
                break
            viewport.update(QRect(0, int(geo.top()) - 2, width, int(geo.height()) + 4))

    # -- painting -------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        if self.store is not None and len(self.store):
            painter = QPainter(self.viewport())
            self.span_painter.paint(self, self.store, painter, QRectF(event.rect()))
            painter.end()
        super().paintEvent(event)
        if self.overlays and self.store is not None:
            painter = QPainter(self.viewport())
            for overlay in self.overlays:
                overlay.paint(self, painter, QRectF(event.rect()))
            painter.end()

    # -- mouse ----------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press_pos = event.position().toPoint()
        if self.store is not None and is_triple_click(self._double_click, event):
            pos16 = self.cursorForPosition(self._press_pos).position()
            start, end = paragraph_at(self.store.text, self.store.utf16.to_codepoint(pos16))
            self._double_click = None
            if end > start:
                self.select_cp(start, end, scroll=False)
                self.selection_edited.emit()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        point = event.position().toPoint()
        moved = (point - self._press_pos).manhattanLength() >= QApplication.startDragDistance()
        if event.button() == Qt.MouseButton.LeftButton and not moved and not self.textCursor().hasSelection():
            self.span_clicked.emit(self.span_for_click(point) or "")

    def span_for_click(self, point: QPoint) -> str | None:
        """The span a click at ``point`` picks: the innermost, or the next one when repeated."""
        pos = self.char_at(point)
        if pos is None or self.store is None:
            return None
        hits = [e.id for e in self.store.containing16(pos)]
        if not hits:
            return None
        current = self.span_painter.current_span
        if current in hits:
            return hits[(hits.index(current) + 1) % len(hits)]
        return hits[0]

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.store is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        self._double_click = (time.monotonic(), event.position().toPoint())  # a third click selects the paragraph
        pos16 = self.cursorForPosition(event.position().toPoint()).position()
        start, end = word_at(self.store.text, self.store.utf16.to_codepoint(pos16))
        if end > start:
            self.select_cp(start, end, scroll=False)
            self.selection_edited.emit()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            pos = self.char_at(event.pos())
            hits = self.store.containing16(pos) if pos is not None and self.store is not None else []
            extra = [escape(line) for o in self.overlays for line in o.tooltip_lines(pos)] if pos is not None else []
            if hits or extra:
                html = "<br>".join(([self.tooltip_html(hits)] if hits else []) + extra)
                QToolTip.showText(event.globalPos(), html, self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def tooltip_html(self, hits: list[SpanEntry]) -> str:
        rows = []
        for e in hits:
            colour = self.span_painter.colour(e.label).name()
            note = f"<br><i>{escape(e.note)}</i>" if e.note else ""
            rows.append(f"<b style='color:{colour}'>■</b> <b>{escape(e.label)}</b>{note}")
        return "<br>".join(rows)

    def _on_selection_changed(self) -> None:
        if not self._programmatic:
            self.selection_edited.emit()

    # -- readability and zoom -----------------------------------------------------------------------
    def point_size(self) -> int:
        return self.font().pointSize()

    def set_point_size(self, size: int) -> None:
        size = max(_MIN_POINT_SIZE, min(_MAX_POINT_SIZE, size))
        font = QFont(self.font())
        font.setPointSize(size)
        self.setFont(font)
        self._update_margins()
        self.zoom_changed.emit(size)

    def zoom_in(self) -> None:
        self.set_point_size(self.point_size() + 1)

    def zoom_out(self) -> None:
        self.set_point_size(self.point_size() - 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_margins()

    def _update_margins(self) -> None:
        column = self.fontMetrics().horizontalAdvance("n") * _COLUMN_CHARS
        side = max(12, (self.width() - column) // 2)
        self.setViewportMargins(side, 10, side, 10)
