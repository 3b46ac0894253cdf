"""Paints span highlights under the text of a QPlainTextEdit, for the visible blocks only.

Why not QSyntaxHighlighter or extra selections: both touch every block or every span on
load (hundreds of ms on a 1 MB article with 20,000 spans). Here a paint costs the spans
of the blocks on screen, found through :class:`SpanStore`'s sorted index.

Overlaps stay readable two ways: fills are translucent so they blend, and each span also
gets an underline in its own lane (stacked upwards from the line's bottom), so two spans
of one label over the same words still show as two lines.
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPen, QTextBlock
from PySide6.QtWidgets import QPlainTextEdit

from annotator.ui.span_store import SpanEntry, SpanStore

_LANE_STEP = 2.5
_MAX_LANES = 4
_UNDERLINE_WIDTH = 2.0


class SpanPainter:
    def __init__(self) -> None:
        self.colours: dict[str, QColor] = {}
        self.fill_alpha = 70
        self.current_span: str | None = None

    def set_colours(self, colours: dict[str, str], *, dark: bool = False) -> None:
        self.colours = {name: QColor(hex_) for name, hex_ in colours.items()}
        # Dark backgrounds need a stronger tint for the same visual weight.
        self.fill_alpha = 95 if dark else 70

    def colour(self, label: str) -> QColor:
        return self.colours.get(label, QColor("#888888"))

    # -- geometry -----------------------------------------------------------------------------
    @staticmethod
    def visible_blocks(view: QPlainTextEdit, top: float, bottom: float) -> Iterator[tuple[QTextBlock, QRectF]]:
        offset = view.contentOffset()
        block = view.firstVisibleBlock()
        while block.isValid():
            geo = view.blockBoundingGeometry(block).translated(offset)
            if geo.top() > bottom:
                break
            if block.isVisible() and geo.bottom() >= top:
                yield block, geo
            block = block.next()

    @staticmethod
    def fragment_rects(block: QTextBlock, geo: QRectF, start16: int, end16: int) -> list[QRectF]:
        """Rectangles covering [start16, end16) within one laid-out block, one per line."""
        layout = block.layout()
        pos = block.position()
        local_start = max(start16 - pos, 0)
        local_end = min(end16 - pos, block.length() - 1)
        rects: list[QRectF] = []
        if local_end <= local_start or layout is None:
            return rects
        origin = geo.topLeft() + layout.position()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            line_start = line.textStart()
            line_end = line_start + line.textLength()
            if local_end <= line_start or local_start >= line_end:
                continue
            x1 = line.cursorToX(max(local_start, line_start))[0]
            x2 = line.cursorToX(min(local_end, line_end))[0]
            if x2 < x1:  # right-to-left run
                x1, x2 = x2, x1
            rects.append(QRectF(origin.x() + x1, origin.y() + line.y(), max(x2 - x1, 2.0), line.height()))
        return rects

    def span_rects(self, view: QPlainTextEdit, entry: SpanEntry) -> list[QRectF]:
        """Viewport rectangles of one span's visible fragments (for targeted repaints)."""
        rect = QRectF(view.viewport().rect())
        out: list[QRectF] = []
        for block, geo in self.visible_blocks(view, rect.top(), rect.bottom()):
            pos = block.position()
            if pos + block.length() <= entry.start16:
                continue
            if pos >= entry.end16:
                break
            out += self.fragment_rects(block, geo, entry.start16, entry.end16)
        return out

    # -- painting -----------------------------------------------------------------------------
    def paint(self, view: QPlainTextEdit, store: SpanStore, painter: QPainter, clip: QRectF) -> None:
        painter.setPen(QPen())
        for block, geo in self.visible_blocks(view, clip.top(), clip.bottom()):
            pos = block.position()
            spans = store.overlapping16(pos, pos + block.length())
            if spans:
                self._paint_block(painter, block, geo, spans)

    def _paint_block(self, painter: QPainter, block: QTextBlock, geo: QRectF, spans: list[SpanEntry]) -> None:
        lane_ends: list[int] = []
        underlines: list[tuple[QRectF, QColor]] = []
        current: list[QRectF] = []
        current_colour = QColor()
        for entry in spans:  # text order, so greedy lanes never cross
            lane = next((i for i, end in enumerate(lane_ends) if end <= entry.start16), len(lane_ends))
            if lane == len(lane_ends):
                lane_ends.append(entry.end16)
            else:
                lane_ends[lane] = entry.end16
            colour = self.colour(entry.label)
            fill = QColor(colour)
            fill.setAlpha(self.fill_alpha)
            rects = self.fragment_rects(block, geo, entry.start16, entry.end16)
            offset = min(lane, _MAX_LANES - 1) * _LANE_STEP
            for r in rects:
                painter.fillRect(r, fill)
                y = r.bottom() - 1.0 - offset
                underlines.append((QRectF(r.left(), y - _UNDERLINE_WIDTH / 2, r.width(), _UNDERLINE_WIDTH), colour))
            if entry.id == self.current_span:
                current, current_colour = rects, colour
        # Underlines after every fill, so a later span's tint never hides an earlier line.
        for rect, colour in underlines:
            painter.fillRect(rect, colour)
        if current:
            painter.setPen(QPen(current_colour.darker(130), 2.0))
            for r in current:
                painter.drawRoundedRect(r.adjusted(-1, -1, 1, 1), 3, 3)
            painter.setPen(QPen())

    @staticmethod
    def inflate(rect: QRectF) -> QRectF:
        return rect.adjusted(-3, -3, 3, 3)


def point_in_any(rects: list[QRectF], point: QPointF) -> bool:
    return any(r.contains(point) for r in rects)
