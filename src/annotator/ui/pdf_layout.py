"""Where each PDF page sits in the page view's scrolling area, at a zoom (logical pixels per point).

Pages are stacked top to bottom and centred horizontally, sized from the stored page
geometry (rotation applied), so the scroll range is right before any page is rendered.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF

from annotator.importers.base import PageGeometry
from annotator.pdf_geometry import display_size

MARGIN = 16.0  # around the pages, in logical pixels
GAP = 12.0  # between pages
MIN_ZOOM, MAX_ZOOM = 0.25, 6.0


class PageLayout:
    def __init__(self) -> None:
        self.sizes: list[tuple[float, float]] = []  # displayed page sizes in points
        self.zoom = 1.0
        self.tops: list[float] = []
        self.width = 0.0  # content width and height, logical pixels
        self.height = 0.0
        self._viewport_width = 0.0

    def set_pages(self, pages: Sequence[PageGeometry]) -> None:
        self.sizes = [display_size(p) for p in pages]

    def update(self, zoom: float, viewport_width: float) -> None:
        self.zoom = zoom
        self._viewport_width = viewport_width
        self.tops = []
        y = MARGIN
        for _w, h in self.sizes:
            self.tops.append(y)
            y += h * zoom + GAP
        self.height = y - GAP + MARGIN if self.sizes else 0.0
        widest = max((w for w, _h in self.sizes), default=0.0) * zoom
        self.width = max(viewport_width, widest + 2 * MARGIN)

    def page_rect(self, index: int) -> QRectF:
        """The page's rectangle in content coordinates (logical pixels)."""
        w, h = self.sizes[index]
        w, h = w * self.zoom, h * self.zoom
        return QRectF((self.width - w) / 2.0, self.tops[index], w, h)

    def visible(self, top: float, bottom: float) -> range:
        """Indices of the pages meeting the content band [top, bottom)."""
        if not self.sizes:
            return range(0)
        first = max(0, bisect.bisect_right(self.tops, top) - 1)
        if self.page_rect(first).bottom() < top:
            first += 1
        last = bisect.bisect_left(self.tops, bottom)
        return range(first, min(last, len(self.sizes)))

    def page_at(self, point: QPointF) -> int:
        """The page under a content point, or the nearest one (gaps and margins belong to a page too)."""
        i = max(0, bisect.bisect_right(self.tops, point.y()) - 1)
        if i + 1 < len(self.tops) and point.y() > self.page_rect(i).bottom() + GAP / 2:
            i += 1
        return i

    def to_page(self, index: int, point: QPointF) -> tuple[float, float]:
        """A content point in the page's displayed coordinates (points)."""
        r = self.page_rect(index)
        return (point.x() - r.left()) / self.zoom, (point.y() - r.top()) / self.zoom

    def from_page(self, index: int, rect: tuple[float, float, float, float]) -> QRectF:
        """A rectangle in the page's displayed points as content coordinates."""
        r, z = self.page_rect(index), self.zoom
        return QRectF(r.left() + rect[0] * z, r.top() + rect[1] * z, (rect[2] - rect[0]) * z, (rect[3] - rect[1]) * z)

    def fit_width_zoom(self, viewport_width: float) -> float:
        widest = max((w for w, _h in self.sizes), default=0.0)
        return clamp_zoom((viewport_width - 2 * MARGIN) / widest) if widest else 1.0

    def fit_page_zoom(self, index: int, viewport_width: float, viewport_height: float) -> float:
        if not self.sizes:
            return 1.0
        w, h = self.sizes[min(index, len(self.sizes) - 1)]
        return clamp_zoom(min((viewport_width - 2 * MARGIN) / w, (viewport_height - 2 * MARGIN) / h))


def clamp_zoom(zoom: float) -> float:
    return max(MIN_ZOOM, min(MAX_ZOOM, zoom))
