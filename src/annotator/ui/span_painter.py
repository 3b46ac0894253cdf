"""Paints span highlights under the text of a QPlainTextEdit, for the visible blocks only.

Why not QSyntaxHighlighter or extra selections: both touch every block or every span on
load (hundreds of ms on a 1 MB article with 20,000 spans). Here a paint costs the spans
of the blocks on screen, found through :class:`SpanStore`'s sorted index.

Overlaps stay readable two ways: fills are translucent so they blend, and each span also
gets an underline in its own lane (stacked upwards from the line's bottom), so two spans
of one label over the same words still show as two lines.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPen, QTextBlock, QTextLine
from PySide6.QtWidgets import QPlainTextEdit

from annotator.ui.span_store import SpanEntry, SpanStore

_LANE_STEP = 2.5
_MAX_LANES = 4
_UNDERLINE_WIDTH = 2.0
_GREY = QColor("#888888")

# A laid-out block's lines and where each starts (block-local UTF-16), read once per block
# and paint: each span then finds its first line by bisection instead of asking Qt for
# every line of the paragraph again.
BlockLines = tuple[list[int], list[QTextLine]]


class SpanPainter:
    def __init__(self) -> None:
        self.colours: dict[str, QColor] = {}
        self.fill_alpha = 70
        self.current_span: str | None = None
        self._fills: dict[str, QColor] = {}

    def set_colours(self, colours: dict[str, str], *, dark: bool = False) -> None:
        self.colours = {name: QColor(hex_) for name, hex_ in colours.items()}
        # Dark backgrounds need a stronger tint for the same visual weight.
        self.fill_alpha = 95 if dark else 70
        self._fills = {}

    def colour(self, label: str) -> QColor:
        return self.colours.get(label, _GREY)

    def fill(self, label: str) -> QColor:
        """The translucent tint of a label (made once per label, not per span and paint)."""
        fill = self._fills.get(label)
        if fill is None:
            fill = QColor(self.colour(label))
            fill.setAlpha(self.fill_alpha)
            self._fills[label] = fill
        return fill

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
    def block_lines(block: QTextBlock) -> BlockLines:
        layout = block.layout()
        lines = [layout.lineAt(i) for i in range(layout.lineCount())] if layout is not None else []
        return [line.textStart() for line in lines], lines

    @staticmethod
    def fragment_rects(block: QTextBlock, geo: QRectF, start16: int, end16: int,
                       lines: BlockLines | None = None) -> list[QRectF]:
        """Rectangles covering [start16, end16) within one laid-out block, one per line."""
        layout = block.layout()
        pos = block.position()
        local_start = max(start16 - pos, 0)
        local_end = min(end16 - pos, block.length() - 1)
        rects: list[QRectF] = []
        if local_end <= local_start or layout is None:
            return rects
        origin = geo.topLeft() + layout.position()
        starts, objs = lines if lines is not None else SpanPainter.block_lines(block)
        for i in range(max(0, bisect_right(starts, local_start) - 1), len(objs)):
            line_start = starts[i]
            if local_end <= line_start:
                break
            line = objs[i]
            line_end = line_start + line.textLength()
            if local_start >= line_end:
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
        lines = self.block_lines(block)
        for entry in spans:  # text order, so greedy lanes never cross
            lane = next((i for i, end in enumerate(lane_ends) if end <= entry.start16), len(lane_ends))
            if lane == len(lane_ends):
                lane_ends.append(entry.end16)
            else:
                lane_ends[lane] = entry.end16
            colour = self.colour(entry.label)
            fill = self.fill(entry.label)
            rects = self.fragment_rects(block, geo, entry.start16, entry.end16, lines)
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
