"""Painting economies for widgets repainted on every edit."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSlider, QScrollBar, QStyle, QStyleOptionSlider, QWidget

_RANGE_OR_VALUE = (QAbstractSlider.SliderChange.SliderRangeChange, QAbstractSlider.SliderChange.SliderValueChange)


class SteadyScrollBar(QScrollBar):
    """A scroll bar that repaints only when its handle actually moves or resizes on screen.

    Adding a span to a 20,000-row list, or Qt laying out more of a long text, changes the
    range by a hair: the handle stays on the same pixels, yet QScrollBar repaints its whole
    strip (Fusion's gradients: a good part of a millisecond per edit).
    """

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        self._shown: tuple[QRect, bool, bool] | None = None

    def _look(self) -> tuple[QRect, bool, bool]:
        """What a paint depends on that a range or value change can alter: the handle, and
        whether the bar sits at an end (styles grey out the arrow there)."""
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        handle = self.style().subControlRect(QStyle.ComplexControl.CC_ScrollBar, option,
                                             QStyle.SubControl.SC_ScrollBarSlider, self)
        value = self.value()
        return handle, value == self.minimum(), value == self.maximum()

    def sliderChange(self, change: QAbstractSlider.SliderChange) -> None:
        if change in _RANGE_OR_VALUE:
            look = self._look()
            if look == self._shown:
                return  # same pixels as on screen: nothing to repaint
            self._shown = look
        super().sliderChange(change)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._shown = None  # repainted anyway; compare afresh afterwards
        super().resizeEvent(event)


def steady_vertical_scrollbar(area: QAbstractScrollArea) -> None:
    """Give ``area`` a :class:`SteadyScrollBar` that paints every pixel of its strip.

    Opaque (Fusion's bar fills its strip): without that, each repaint of the bar first
    repaints every ancestor under it (dock, frame, list).
    """
    bar = SteadyScrollBar(Qt.Orientation.Vertical, area)
    bar.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
    area.setVerticalScrollBar(bar)
    container = bar.parentWidget()  # QAbstractScrollArea's strip holder: the bar fills it
    if container is not None and container is not area:
        container.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
