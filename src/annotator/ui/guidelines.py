"""The guidelines dock: every label's definition and example, from the project's label set."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from PySide6.QtWidgets import QTextBrowser, QWidget

from annotator.labels import LabelSpec, safe_colour


class GuidelinesWidget(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guidelines")
        self.setAccessibleName("Guidelines")
        self.setOpenExternalLinks(False)

    def set_labels(self, labels: Iterable[LabelSpec]) -> None:
        parts = []
        for spec in labels:
            key = f" <small>(key {escape(spec.shortcut)})</small>" if spec.shortcut else ""
            example = f"<p style='margin-left:12px'><i>“{escape(spec.example)}”</i></p>" if spec.example else ""
            parts.append(f"<h3><span style='color:{safe_colour(spec.colour)}'>■</span> {escape(spec.name)}{key}</h3>"
                         f"<p>{escape(spec.definition)}</p>{example}")
        self.setHtml("".join(parts))
