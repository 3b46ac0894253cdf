"""Horizontal bar charts painted with QPainter, for the statistics view.

One kind of chart serves every figure there: a row per reviewer, label or length range,
its bar split into coloured segments (done, in progress, … or a single count), the total
at the bar's end and a legend above. Read at a glance, no QtCharts (PySide6-Addons) needed.
Labels are drawn with ``drawText``, which never interprets markup, so names are plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from annotator.ui.wording import plain_tooltip

_ROW_GAP, _LEGEND_SWATCH, _PAD = 6, 10, 6


@dataclass(frozen=True, slots=True)
class Segment:
    name: str
    value: int
    colour: str


@dataclass(frozen=True, slots=True)
class BarRow:
    label: str
    segments: tuple[Segment, ...]
    caption: str = ""  # drawn after the bar instead of the total ("3 of 9 done")

    @property
    def total(self) -> int:
        return sum(s.value for s in self.segments)


def _caption(row: BarRow) -> str:
    return row.caption or f"{row.total:,}"


class BarChart(QWidget):
    """Rows of stacked horizontal bars; a full-width bar is ``scale`` (default: the largest total)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(name)
        self.rows: list[BarRow] = []
        self.legend: list[tuple[str, str]] = []
        self.scale = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rows(self, rows: Sequence[BarRow], *, legend: Sequence[tuple[str, str]] = (), scale: int = 0) -> None:
        self.rows, self.legend = list(rows), list(legend)
        self.scale = scale or max((r.total for r in self.rows), default=0)
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    # -- geometry --------------------------------------------------------------------------
    def _row_height(self) -> int:
        return self.fontMetrics().height() + _ROW_GAP

    def _legend_lines(self, width: int) -> list[list[tuple[float, str, str]]]:
        """The legend's entries as (x, name, colour), wrapped into lines that fit ``width``."""
        fm = self.fontMetrics()
        lines: list[list[tuple[float, str, str]]] = []
        x = float(width)  # start a first line at once
        for name, colour in self.legend:
            entry = _LEGEND_SWATCH + 4 + fm.horizontalAdvance(name)
            if x + entry > width and (not lines or lines[-1]):
                lines.append([])
                x = 0.0
            lines[-1].append((x, name, colour))
            x += entry + 14
        return lines

    def _legend_height(self) -> int:
        return self._row_height() * len(self._legend_lines(max(self.width(), 160)))

    def sizeHint(self) -> QSize:
        return QSize(320, self._legend_height() + max(1, len(self.rows)) * self._row_height() + _PAD)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        height = self.sizeHint().height()  # the legend may wrap onto another line, or unwrap
        if height != self.height():
            self.setFixedHeight(height)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, self.sizeHint().height())

    def _columns(self) -> tuple[float, float, float]:
        """x of the bars' start, their full width, and the width kept for totals."""
        fm = self.fontMetrics()
        label_w = min(max((fm.horizontalAdvance(r.label) for r in self.rows), default=0) + _PAD,
                      self.width() * 0.38)
        value_w = max((fm.horizontalAdvance(_caption(r)) for r in self.rows), default=0) + 2 * _PAD
        return label_w, max(10.0, self.width() - label_w - value_w), value_w

    def bar_rect(self, row: int) -> QRectF:
        """Where row ``row``'s full-scale bar is drawn (its segments fill part of it)."""
        x, width, _ = self._columns()
        h = self._row_height()
        return QRectF(x, self._legend_height() + row * h + _ROW_GAP / 2, width, h - _ROW_GAP)

    def segment_at(self, point: QPointF) -> tuple[BarRow, Segment] | None:
        for i, row in enumerate(self.rows):
            bar = self.bar_rect(i)
            if not bar.top() <= point.y() <= bar.bottom():
                continue
            x = bar.left()
            for seg in row.segments:
                w = bar.width() * seg.value / self.scale if self.scale else 0.0
                if x <= point.x() <= x + w:
                    return row, seg
                x += w
            return (row, row.segments[0]) if len(row.segments) == 1 else None
        return None

    # -- painting ----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().windowText().color()
        faint = QColor(text)
        faint.setAlpha(28)
        fm = self.fontMetrics()
        h = self._row_height()
        for line_number, line in enumerate(self._legend_lines(self.width())):
            top = line_number * h
            for x, name, colour in line:
                swatch = QRectF(x, top + (h - _LEGEND_SWATCH) / 2, _LEGEND_SWATCH, _LEGEND_SWATCH)
                painter.fillRect(swatch, QColor(colour) if colour else faint)  # "": the bars' empty part
                painter.setPen(text)
                painter.drawText(QRectF(x + _LEGEND_SWATCH + 4, top, fm.horizontalAdvance(name) + 2, h),
                                 Qt.AlignmentFlag.AlignVCenter, name)
        label_w, _width, value_w = self._columns()
        for i, row in enumerate(self.rows):
            bar = self.bar_rect(i)
            painter.setPen(text)
            label = fm.elidedText(row.label, Qt.TextElideMode.ElideRight, int(label_w - _PAD))
            painter.drawText(QRectF(0, bar.top(), label_w - _PAD, bar.height()), Qt.AlignmentFlag.AlignVCenter, label)
            painter.fillRect(bar, faint)
            x = bar.left()
            for seg in row.segments:
                w = bar.width() * seg.value / self.scale if self.scale else 0.0
                painter.fillRect(QRectF(x, bar.top(), w, bar.height()), QColor(seg.colour))
                x += w
            painter.setPen(text)
            painter.drawText(QRectF(bar.right() + _PAD, bar.top(), value_w, bar.height()),
                             Qt.AlignmentFlag.AlignVCenter, _caption(row))
        painter.end()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            hit = self.segment_at(QPointF(event.pos()))
            if hit is None:
                QToolTip.hideText()
            else:
                row, seg = hit
                share = f" ({100 * seg.value / self.scale:.0f} %)" if self.scale else ""
                name = f"{row.label}: {seg.name}" if seg.name != row.label else row.label
                QToolTip.showText(event.globalPos(), plain_tooltip(f"{name}: {seg.value:,}{share}"), self)
            return True
        return super().event(event)
