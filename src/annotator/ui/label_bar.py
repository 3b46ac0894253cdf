"""The label bar: one button per label action (colour, name, key), built from the registry."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolButton, QWidget

from annotator.labels import LabelSpec
from annotator.ui.flow_layout import FlowLayout


class LabelBarWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("labelBar")
        self.setAccessibleName("Label bar")
        self._layout = FlowLayout(self)  # buttons wrap onto a second row rather than widen the window
        self._layout.setContentsMargins(6, 4, 6, 4)
        self._layout.setSpacing(6)
        self.buttons: dict[str, QToolButton] = {}
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_labels(self, labels: Iterable[LabelSpec], actions: dict[str, QAction]) -> None:
        """``actions`` maps label name -> its registry action; buttons trigger those actions."""
        while (item := self._layout.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()
        self.buttons.clear()
        caption = QLabel("Label:")
        caption.setEnabled(False)
        self._layout.addWidget(caption)
        for spec in labels:
            action = actions[spec.name]
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setText(f"{spec.shortcut}  {spec.name}" if spec.shortcut else spec.name)
            button.setObjectName(f"labelButton_{spec.name}")
            button.setAccessibleName(f"Label {spec.name}")
            button.setToolTip(f"{spec.definition}\n\nKey: {spec.shortcut} (Alt+{spec.shortcut}: exact characters)")
            # A thick left edge in the label's colour, as the highlights use it.
            button.setStyleSheet(f"QToolButton {{ border-left: 6px solid {spec.colour}; padding: 3px 8px; }}")
            self._layout.addWidget(button)
            self.buttons[spec.name] = button
