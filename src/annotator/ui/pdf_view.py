"""The page view: a PDF document's pages as rendered, selectable like a PDF reader, spans drawn on top.

It is a second face of the open document, beside the text view. It never edits: a drag
or double-click becomes a code point range (through the per-character boxes kept at
import, see :mod:`annotator.pdf_geometry`) announced by ``selection_made``, and the main
window turns that into the text view's selection, so tagging, undo, relabel and notes go
through the same actions as there. Spans come from the same :class:`SpanStore`; the window
calls :meth:`spans_changed` after every change record.

Pages are placeholders sized from the stored geometry until their image arrives from the
render thread (:mod:`annotator.ui.pdf_render`), so a 300-page PDF scrolls at once and only
the pages on screen (and the next one) are ever rendered.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (QColor, QFocusEvent, QHelpEvent, QKeyEvent, QMouseEvent, QPainter, QPaintEvent,
                           QResizeEvent, QWheelEvent)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLabel, QToolTip, QWidget

from annotator.importers.base import PageGeometry
from annotator.pdf_geometry import caret_at_point, offset_at_point, offsets_for_drag, page_of_offset, to_display
from annotator.text import word_at
from annotator.ui.document_view import is_triple_click, paragraph_at
from annotator.ui.pdf_caret import char_step, line_step, word_step
from annotator.ui.pdf_layout import PageLayout, clamp_zoom
from annotator.ui.pdf_paint import HIT_SLACK, PageSpans, Rect, paint_caret, paint_page, paint_selection, paint_spans
from annotator.ui.pdf_render import PageRenderer, scale_key
from annotator.ui.span_painter import SpanPainter
from annotator.ui.span_store import SpanEntry, SpanStore
from annotator.ui.theme import use_selection_colour
from annotator.ui.plain_text import set_plain_text

_ZOOM_STEP = 1.2
_BACKGROUND = QColor("#7a7a7a")


class PdfPageView(QAbstractScrollArea):
    selection_made = Signal(int, int)  # code points; (-1, -1) when a click cleared the selection
    span_clicked = Signal(str)  # a click chose this span (cycling overlaps); "" outside every span
    zoom_changed = Signal(float)
    password_needed = Signal(str)  # the locked file's path: ask, then call set_password

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdfPageView")
        self.setAccessibleName("PDF pages")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # Always on: in fit-width mode a scroll bar that comes and goes would change the width it fits.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.verticalScrollBar().setSingleStep(40)
        self.horizontalScrollBar().setSingleStep(40)
        self.layout_ = PageLayout()
        self.renderer = PageRenderer(self)
        self.renderer.page_ready.connect(self._on_page_ready)
        self.renderer.failed.connect(self._on_render_failed)
        self.span_painter = SpanPainter()  # shares the text view's colours and tint strength
        self.banner = QLabel(self.viewport())
        self.banner.setObjectName("pdfPageBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fff3cd; color: #4d3800; padding: 6px;")
        self.banner.hide()
        self.text = ""
        self.pages: list[PageGeometry] = []
        self.store: SpanStore | None = None
        self.source: Path | None = None
        self.current_span_source: Callable[[], str | None] = lambda: None
        self.fit: str | None = "width"  # "width", "page" or None (a zoom the reviewer chose)
        self._selection: tuple[int, int] | None = None
        self.spans = PageSpans()
        # Read-only layers over the pages (other reviewers, suggestions): objects with
        # paint_page(view, painter, page) and page_tooltip_lines(view, page, x, y).
        self.overlays: list[Any] = []
        self._anchor: tuple[int, tuple[float, float]] | None = None  # where a mouse press began
        # The keyboard's caret and the selection's fixed end, canonical offsets (see pdf_caret).
        self.caret: int | None = None
        self._caret_anchor = 0
        self._press = QPointF()
        self._dragging = False
        self._double_click: tuple[float, QPoint] | None = None  # for a triple-click

    # -- content ---------------------------------------------------------------------------------
    def set_document(self, text: str, store: SpanStore, pages: Sequence[PageGeometry], source: Path | None,
                     stored_source: str = "", password: str | None = None) -> None:
        """Show a PDF document; ``source`` is its original file, or None when that is gone."""
        self.text, self.store, self.pages = text, store, list(pages)
        self.source = source
        self.spans.reset(self.pages, store)
        self._selection = None
        self.caret = None
        self.layout_.set_pages(self.pages)
        self.renderer.set_source(source, password, self.pages)
        if source is None:
            self.show_message(f"The original PDF is not at {stored_source or 'its imported place'} any more, "
                              "so its pages cannot be drawn; the text view still shows the whole document.")
        else:
            self.show_message("")
        self._relayout()
        self.verticalScrollBar().setValue(0)
        self.horizontalScrollBar().setValue((self.horizontalScrollBar().maximum() + 1) // 2)

    def set_store(self, store: SpanStore) -> None:
        """The same document reloaded: new span entries, same pages."""
        self.store = store
        self.spans.reset(self.pages, store)
        self.viewport().update()

    def clear_document(self) -> None:
        self.set_document("", SpanStore(""), [], None)
        self.show_message("")

    def set_password(self, password: str) -> None:
        self.renderer.set_source(self.source, password, self.pages)
        self.show_message("")
        self.viewport().update()

    def set_label_colours(self, colours: dict[str, str]) -> None:
        dark = self.palette().base().color().lightness() < 128
        self.span_painter.set_colours(colours, dark=dark)
        use_selection_colour(self)
        self.viewport().update()

    def spans_changed(self) -> None:
        self.viewport().update()

    def show_message(self, text: str) -> None:
        set_plain_text(self.banner, text)
        self.banner.setVisible(bool(text))
        self._place_banner()

    def _on_render_failed(self, message: str, needs_password: bool) -> None:
        self.show_message(f"The pages cannot be drawn: {message}. The text view still shows the whole document.")
        if needs_password and self.source is not None:
            self.password_needed.emit(str(self.source))

    def _on_page_ready(self, page: int) -> None:
        if 0 <= page < len(self.pages):
            self.viewport().update(self._to_viewport(self.layout_.page_rect(page)).toAlignedRect())

    # -- selection and spans --------------------------------------------------------------------
    def selection_cp(self) -> tuple[int, int] | None:
        return self._selection

    def set_selection(self, selection: tuple[int, int] | None, *, scroll: bool = False) -> None:
        """Show a selection made elsewhere (the text view, the span list, find)."""
        self._selection = selection if selection and selection[1] > selection[0] else None
        if self._selection is not None and self._selection != self._caret_range():
            self._caret_anchor, self.caret = self._selection  # a selection from elsewhere: the caret at its end
        if scroll and self._selection is not None:
            self.ensure_visible(self._selection[0])
        self.viewport().update()

    def _caret_range(self) -> tuple[int, int] | None:
        if self.caret is None:
            return None
        return (min(self._caret_anchor, self.caret), max(self._caret_anchor, self.caret))

    def _move_caret(self, caret: int, *, extend: bool) -> None:
        """Put the caret at ``caret``; ``extend`` keeps the anchor, so the selection grows or shrinks."""
        self.caret = max(0, min(len(self.text), caret))
        if not extend:
            self._caret_anchor = self.caret
        selection = self._caret_range()
        self.set_selection(selection)
        self.ensure_visible(self.caret)
        self.selection_made.emit(*(self._selection or (-1, -1)))

    @property
    def current_span(self) -> str | None:
        return self.current_span_source()

    def rects_on_page(self, start: int, end: int, page: int) -> list[Rect]:
        return self.spans.rects_on_page(start, end, page)

    def span_rects(self, start: int, end: int) -> list[tuple[int, QRectF]]:
        """(page, viewport rectangle) per line of [start, end): where the view draws it now."""
        return [(p, self._to_viewport(self.layout_.from_page(p, r)))
                for p in self.spans.pages_of(start, end) for r in self.spans.rects_on_page(start, end, p)]

    def spans_at(self, point: QPointF) -> list[SpanEntry]:
        """Spans drawn under a viewport point, innermost first."""
        hit = self._page_point(point, strict=True)
        return self.spans.at(hit[0], *hit[1]) if hit is not None else []

    def span_at(self, point: QPointF) -> str | None:
        """The span a click picks: the innermost, or the next one when clicked again (as in the text view)."""
        ids = [e.id for e in self.spans_at(point)]
        if not ids:
            return None
        current = self.current_span
        return ids[(ids.index(current) + 1) % len(ids)] if current in ids else ids[0]

    # -- coordinates -----------------------------------------------------------------------------
    def _offset(self) -> QPointF:
        return QPointF(self.horizontalScrollBar().value(), self.verticalScrollBar().value())

    def _to_viewport(self, rect: QRectF) -> QRectF:
        return rect.translated(-self._offset())

    def _page_point(self, point: QPointF, *, strict: bool = False) -> tuple[int, tuple[float, float]] | None:
        """(page, displayed point in points) under a viewport point; the nearest page unless ``strict``."""
        if not self.pages:
            return None
        content = point + self._offset()
        page = self.layout_.page_at(content)
        if strict and not self.layout_.page_rect(page).contains(content):
            return None
        return page, self.layout_.to_page(page, content)

    def viewport_point(self, page: int, x: float, y: float) -> QPointF:
        """Where a displayed page point (points) is in the viewport now (for tests and tools)."""
        r = self.layout_.page_rect(page)
        return QPointF(r.left() + x * self.layout_.zoom, r.top() + y * self.layout_.zoom) - self._offset()

    def current_page(self) -> int:
        hit = self._page_point(QPointF(self.viewport().width() / 2, self.viewport().height() / 2))
        return hit[0] if hit else 0

    def offset_at_top(self) -> int:
        """The canonical offset of the text at the top of the view (to keep the place when switching views)."""
        hit = self._page_point(QPointF(self.viewport().width() / 2, 8.0))
        return caret_at_point(self.pages[hit[0]], *hit[1]) if hit else 0

    def ensure_visible(self, offset: int) -> None:
        """Scroll so the line holding ``offset`` is on screen (a third down, as find results are)."""
        page = page_of_offset(self.pages, offset)
        if page is None:
            return
        rects = self.rects_on_page(offset, min(offset + 40, self.pages[page].end), page)
        target = self.layout_.from_page(page, rects[0]) if rects else self.layout_.page_rect(page)
        view = QRectF(self._offset(), QPointF(self._offset().x() + self.viewport().width(),
                                              self._offset().y() + self.viewport().height()))
        if not view.contains(target):
            self.verticalScrollBar().setValue(int(target.top() - self.viewport().height() / 3))
            if target.left() < view.left() or target.right() > view.right():
                self.horizontalScrollBar().setValue(int(target.left() - 24))

    # -- zoom and layout -------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.layout_.zoom

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        self._rezoom(None, clamp_zoom(zoom), anchor)

    def zoom_in(self) -> None:
        self.set_zoom(self.layout_.zoom * _ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.layout_.zoom / _ZOOM_STEP)

    def fit_width(self) -> None:
        self._rezoom("width", self.layout_.zoom, None)

    def fit_page(self) -> None:
        page = self.current_page()
        self._rezoom("page", self.layout_.zoom, None)
        self.verticalScrollBar().setValue(int(self.layout_.page_rect(page).top() - 8))

    def _rezoom(self, fit: str | None, zoom: float, anchor: QPointF | None) -> None:
        """Change the zoom keeping the page point under ``anchor`` (default: the centre) in place."""
        anchor = anchor if anchor is not None else QPointF(self.viewport().width() / 2, self.viewport().height() / 2)
        hit = self._page_point(anchor)
        self.fit = fit
        self.layout_.zoom = zoom
        self._relayout()
        if hit is not None:
            page, (x, y) = hit
            target = self.viewport_point(page, x, y) + self._offset()
            self.horizontalScrollBar().setValue(round(target.x() - anchor.x()))
            self.verticalScrollBar().setValue(round(target.y() - anchor.y()))
        self.zoom_changed.emit(self.layout_.zoom)

    def _relayout(self) -> None:
        vw, vh = self.viewport().width(), self.viewport().height()
        zoom = self.layout_.zoom
        if self.fit == "width":
            zoom = self.layout_.fit_width_zoom(vw)
        elif self.fit == "page":
            zoom = self.layout_.fit_page_zoom(self.current_page(), vw, vh)
        self.layout_.update(zoom, vw)
        vbar, hbar = self.verticalScrollBar(), self.horizontalScrollBar()
        vbar.setRange(0, max(0, math.ceil(self.layout_.height - vh)))
        vbar.setPageStep(max(1, vh - 40))
        hbar.setRange(0, max(0, math.ceil(self.layout_.width - vw)))
        hbar.setPageStep(max(1, vw))
        self.viewport().update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fit is not None:
            self._rezoom(self.fit, self.layout_.zoom, QPointF(0, 0))
        else:
            self._relayout()
        self._place_banner()

    def _place_banner(self) -> None:
        width = self.viewport().width()
        self.banner.setFixedWidth(width)
        self.banner.setFixedHeight(self.banner.heightForWidth(width) if self.banner.text() else 0)
        self.banner.move(0, 0)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.viewport().update()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.set_zoom(self.layout_.zoom * _ZOOM_STEP ** steps, event.position())
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._caret_key(event):
            return
        vbar = self.verticalScrollBar()
        if event.key() == Qt.Key.Key_Home:
            vbar.setValue(vbar.minimum())
        elif event.key() == Qt.Key.Key_End:
            vbar.setValue(vbar.maximum())
        elif event.key() == Qt.Key.Key_Space:
            vbar.setValue(vbar.value() + (-1 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1)
                          * vbar.pageStep())
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.viewport().update()  # the caret shows only while the view has the keyboard

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.viewport().update()

    def _caret_key(self, event: QKeyEvent) -> bool:
        """Arrows move the caret (Ctrl: by word); with Shift they select, Up/Down by line."""
        key, mods = event.key(), event.modifiers()
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        word = bool(mods & Qt.KeyboardModifier.ControlModifier)
        arrows = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down)
        if self.caret is None and shift and key in arrows and self.pages:
            self.caret = self._caret_anchor = self.offset_at_top()  # no click yet: start where the reader is
        if self.caret is None or not self.pages or mods & ~(Qt.KeyboardModifier.ShiftModifier
                                                            | Qt.KeyboardModifier.ControlModifier
                                                            | Qt.KeyboardModifier.KeypadModifier):
            return False
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            forward = key == Qt.Key.Key_Right
            if not shift and not word and self._selection is not None:  # collapse onto the selection's edge
                target = self._selection[1] if forward else self._selection[0]
            else:
                target = (word_step if word else char_step)(self.text, self.caret, forward)
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and shift and not word:
            target = line_step(self.pages, self.caret, key == Qt.Key.Key_Down)
        else:
            return False
        self._move_caret(target, extend=shift)
        return True

    # -- painting ---------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), _BACKGROUND)
        offset = self._offset()
        painter.translate(-offset)
        clip = QRectF(event.rect()).translated(offset)
        key = scale_key(self.layout_.zoom * self.devicePixelRatioF())
        pages = self.layout_.visible(clip.top(), clip.bottom())
        for page in pages:
            paint_page(self, painter, page, key)
            paint_spans(self, painter, page)
            for overlay in self.overlays:
                overlay.paint_page(self, painter, page)
        paint_selection(self, painter, pages)
        if self.caret is not None and self.hasFocus():
            paint_caret(self, painter)
        painter.end()
        self._request(key)

    def _request(self, key: int) -> None:
        """Ask for the pages on screen, then the next and previous one, at the current scale."""
        top = self._offset().y()
        visible = self.layout_.visible(top, top + self.viewport().height())
        if not visible:
            return
        order = [*visible, visible.stop, visible.start - 1]
        self.renderer.request([(p, key) for p in order if 0 <= p < len(self.pages)])

    # -- mouse ------------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        hit = self._page_point(event.position())
        if event.button() != Qt.MouseButton.LeftButton or hit is None:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if is_triple_click(self._double_click, event):  # the paragraph under the pointer
            self._double_click = None
            start, end = paragraph_at(self.text, caret_at_point(self.pages[hit[0]], *hit[1]))
            if end > start:
                self._caret_anchor, self.caret = start, end
                self.set_selection((start, end))
                self.selection_made.emit(start, end)
            return
        self._anchor, self._press, self._dragging = hit, event.position(), False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._anchor is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        if not self._dragging and (pos - self._press).manhattanLength() < QApplication.startDragDistance():
            return
        self._dragging = True
        self._autoscroll(pos)
        hit = self._page_point(pos)
        if hit is not None:
            start, end = offsets_for_drag(self.pages, self._anchor[0], self._anchor[1], hit[0], hit[1])
            self.set_selection((start, end))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._anchor is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        anchor, self._anchor = self._anchor, None
        hit = self._page_point(event.position())
        caret = caret_at_point(self.pages[hit[0]], *hit[1]) if hit is not None else None
        if self._dragging:
            start = caret_at_point(self.pages[anchor[0]], *anchor[1])
            self.caret, self._caret_anchor = (caret, start) if caret is not None else (None, 0)
            self.selection_made.emit(*(self._selection or (-1, -1)))
            return
        if caret is not None and event.modifiers() & Qt.KeyboardModifier.ShiftModifier and self.caret is not None:
            self._move_caret(caret, extend=True)  # Shift+click extends the selection to here
            return
        self.caret = self._caret_anchor = caret if caret is not None else 0
        if self._selection is not None:
            self.set_selection(None)
            self.selection_made.emit(-1, -1)
        self.viewport().update()
        self.span_clicked.emit(self.span_at(event.position()) or "")

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """A double-click selects the word under the pointer, as in a PDF reader."""
        hit = self._page_point(event.position(), strict=True)
        if event.button() != Qt.MouseButton.LeftButton or hit is None:
            return
        self._double_click = (time.monotonic(), event.position().toPoint())
        page, (x, y) = hit
        offset = offset_at_point(self.pages[page], x, y)
        if offset is None or not self._near_char(page, offset, x, y):
            return
        start, end = word_at(self.text, offset)
        if end > start:
            self._caret_anchor, self.caret = start, end
            self.set_selection((start, end))
            self.selection_made.emit(start, end)

    def _near_char(self, page: int, offset: int, x: float, y: float) -> bool:
        geo = self.pages[page]
        i = 4 * (offset - geo.start)
        x0, y0, x1, y1 = to_display(geo, tuple(geo.boxes[i:i + 4]))  # type: ignore[arg-type]
        s = HIT_SLACK
        return x0 - s <= x <= x1 + s and y0 - s <= y <= y1 + s

    def _autoscroll(self, pos: QPointF) -> None:
        """Dragging past the top or bottom edge scrolls, so a selection can run over several pages."""
        vbar, h = self.verticalScrollBar(), self.viewport().height()
        if pos.y() < 0:
            vbar.setValue(vbar.value() + int(pos.y()))
        elif pos.y() > h:
            vbar.setValue(vbar.value() + int(pos.y() - h))

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            rows = [f"<b style='color:{self.span_painter.colour(e.label).name()}'>■</b> <b>{escape(e.label)}</b>"
                    + (f"<br><i>{escape(e.note)}</i>" if e.note else "") for e in self.spans_at(QPointF(event.pos()))]
            hit = self._page_point(QPointF(event.pos()), strict=True) if self.overlays else None
            if hit is not None:
                rows += [escape(line) for o in self.overlays for line in o.page_tooltip_lines(self, hit[0], *hit[1])]
            if rows:
                QToolTip.showText(event.globalPos(), "<br>".join(rows), self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)
