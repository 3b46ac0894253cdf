"""Status bar labels that change on every edit without re-laying out the status bar.

A QLabel whose text changes asks its parent for a new layout unless its size is fixed,
and QStatusBar answers that by repainting itself and every label in it: a fraction of a
millisecond on each tag. These labels keep a fixed size that only ever grows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

_SLACK = 24  # pixels of room to grow into before the next relayout


class SteadyLabel(QLabel):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setTextFormat(Qt.TextFormat.PlainText)  # reviewer names and flag reasons are the user's

    def set_text(self, text: str) -> None:
        old = self.text()
        if text == old:
            return
        self.setText(text)
        if len(text) > len(old) or not old:  # sizeHint() lays the text out: only when it may grow
            hint = self.sizeHint()
            if hint.width() > self.width() or hint.height() != self.height():
                self.setFixedSize(hint.width() + _SLACK, hint.height())
