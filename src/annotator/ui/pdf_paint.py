"""Painting the page view: a page image (or its placeholder), the spans over it, the selection.

:class:`PageSpans` answers which spans sit on a page and where, for painting and clicks.

Spans look as in the text view (same colours and tint, an underline per overlap lane, the
current span outlined), drawn as one rectangle per text line from the per-character boxes.
The painter is already translated to content coordinates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from annotator.importers.base import PageGeometry
from annotator.pdf_geometry import line_rects, page_of_offset
from annotator.ui.span_store import SpanEntry, SpanStore

if TYPE_CHECKING:
    from annotator.ui.pdf_view import PdfPageView

Rect = tuple[float, float, float, float]
HIT_SLACK = 2.0  # points: a click this close to a character still hits it

_LANE_STEP, _MAX_LANES, _UNDERLINE = 2.5, 4, 2.0
_PLACEHOLDER_TEXT = QColor("#9a9a9a")
_PAGE_EDGE = QColor(0, 0, 0, 60)


class PageSpans:
    """The open document's spans as rectangles on its pages (displayed points), cached per (start, end, page).

    A span's offsets never change (relabel and notes keep them), so its rectangles are
    computed once and survive every repaint; removed spans simply stop being asked for.
    """

    def __init__(self) -> None:
        self.pages: list[PageGeometry] = []
        self.store: SpanStore | None = None
        self._rects: dict[tuple[int, int, int], list[Rect]] = {}

    def reset(self, pages: Sequence[PageGeometry], store: SpanStore | None) -> None:
        self.pages, self.store = list(pages), store
        self._rects.clear()

    def rects_on_page(self, start: int, end: int, page: int) -> list[Rect]:
        """Displayed rectangles covering [start, end) on one page, one per text line."""
        key = (start, end, page)
        rects = self._rects.get(key)
        if rects is None:
            rects = [r for _n, r in line_rects(self.pages[page:page + 1], start, end)]
            self._rects[key] = rects
        return rects

    def pages_of(self, start: int, end: int) -> range:
        first = page_of_offset(self.pages, start)
        last = page_of_offset(self.pages, max(start, end - 1))
        return range(0) if first is None or last is None else range(first, last + 1)

    def on_page(self, page: int) -> list[SpanEntry]:
        if self.store is None or not len(self.store):
            return []
        geo, m = self.pages[page], self.store.utf16
        return self.store.overlapping16(m.to_utf16(geo.start), m.to_utf16(geo.end))

    def at(self, page: int, x: float, y: float) -> list[SpanEntry]:
        """Spans drawn over a displayed page point, innermost first."""
        s = HIT_SLACK
        hits = [e for e in self.on_page(page)
                if any(r[0] - s <= x <= r[2] + s and r[1] - s <= y <= r[3] + s
                       for r in self.rects_on_page(e.start, e.end, page))]
        hits.sort(key=lambda e: (e.end - e.start, e.start, e.id))
        return hits


def paint_page(view: PdfPageView, painter: QPainter, page: int, key: int) -> None:
    """The page's image at its own pixels; another zoom's image stretched only until that one comes.

    The image for the current scale is drawn unscaled from a device-pixel corner: stretching
    it even by a pixel would drop or double rows and columns and cut glyphs in bands.
    """
    rect = view.layout_.page_rect(page)
    image = view.renderer.image(page, key)
    if image is not None:
        painter.fillRect(rect, Qt.GlobalColor.white)
        painter.drawImage(_device_aligned(painter, rect.topLeft(), image, view.devicePixelRatioF()), image)
    elif (stale := view.renderer.any_image(page)) is not None:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(rect, stale)
    else:
        painter.fillRect(rect, Qt.GlobalColor.white)
        painter.setPen(_PLACEHOLDER_TEXT)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"Page {page + 1}")
    painter.setPen(QPen(_PAGE_EDGE, 1.0))
    painter.drawRect(rect)


def _device_aligned(painter: QPainter, corner: QPointF, image: QImage, ratio: float) -> QRectF:
    """Where ``image`` covers exactly its own device pixels, its top-left corner nearest ``corner``."""
    device = painter.transform().map(corner) * ratio
    snapped = QPointF(round(device.x()), round(device.y())) / ratio
    origin = painter.transform().inverted()[0].map(snapped)
    return QRectF(origin, QSizeF(image.width() / ratio, image.height() / ratio))


def paint_spans(view: PdfPageView, painter: QPainter, page: int) -> None:
    current = view.current_span
    lane_ends: list[int] = []
    outline: list[QRectF] = []
    outline_colour = QColor()
    for entry in view.spans.on_page(page):  # text order, so greedy lanes never cross
        lane = next((i for i, end in enumerate(lane_ends) if end <= entry.start), len(lane_ends))
        lane_ends[lane:lane + 1] = [entry.end]
        colour = view.span_painter.colour(entry.label)
        fill = QColor(colour)
        fill.setAlpha(view.span_painter.fill_alpha)
        rects = [view.layout_.from_page(page, r) for r in view.spans.rects_on_page(entry.start, entry.end, page)]
        drop = min(lane, _MAX_LANES - 1) * _LANE_STEP
        for r in rects:
            painter.fillRect(r, fill)
            painter.fillRect(QRectF(r.left(), r.bottom() - drop - _UNDERLINE / 2, r.width(), _UNDERLINE), colour)
        if entry.id == current:
            outline, outline_colour = rects, colour
    if outline:
        painter.setPen(QPen(outline_colour.darker(130), 2.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for r in outline:
            painter.drawRoundedRect(r.adjusted(-1.5, -1.5, 1.5, 1.5), 2, 2)


def paint_selection(view: PdfPageView, painter: QPainter, pages: range) -> None:
    selection = view.selection_cp()
    if selection is None:
        return
    start, end = selection
    colour = QColor(view.palette().highlight().color())
    colour.setAlpha(90)
    for page in pages:
        # Not cached: a drag makes a new selection per mouse move.
        for _n, r in line_rects(view.pages[page:page + 1], start, end):
            painter.fillRect(view.layout_.from_page(page, r), colour)


def paint_caret(view: PdfPageView, painter: QPainter) -> None:
    """A thin bar in the text colour where the keyboard's caret stands."""
    from annotator.ui.pdf_caret import caret_rect

    assert view.caret is not None
    hit = caret_rect(view.pages, view.caret)
    if hit is None:
        return
    page, (x, y0, _x, y1) = hit
    r = view.layout_.from_page(page, (x, y0, x, y1))
    painter.fillRect(QRectF(r.left() - 0.75, r.top(), 1.5, r.height()), view.palette().text().color())
