"""Other reviewers' spans and model suggestions, painted read-only over the document view.

Each shown annotator is a *layer*: their spans on the open document in a
:class:`~annotator.ui.span_store.SpanStore` (the index the view already uses for my spans), so
a paint costs only the spans of the blocks on screen. They are drawn as outlines in the
label colour, never filled, so they cannot be mistaken for my spans and never hide them:
people dotted, suggestions (annotators of kind ``model``) dashed. Several layers over the
same words nest, each a little outside the previous one. They are never selectable as my
spans: clicks and the editing controller see only the view's own store.

A suggestion disappears once I have a span with its very offsets and label (tagging the same
thing myself; accepting or rejecting one takes it out of the suggestion table).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QPlainTextEdit

from annotator.ui.span_painter import SpanPainter
from annotator.ui.span_store import SpanEntry, SpanStore

if TYPE_CHECKING:
    from annotator.ui.pdf_view import PdfPageView

PERSON, MODEL, GOLD = "person", "model", "gold"
MODEL_ANNOTATOR, GOLD_ANNOTATOR = "model", "gold"

_NEST_STEP = 1.5
_PEN_WIDTH = 1.0  # a 1-pixel dashed pen has a fast path in Qt; wider ones are stroked (5x slower)


def default_kind(name: str) -> str:
    """What an annotator is, by its reserved name: the model, gold, or a person."""
    folded = name.casefold()
    return MODEL if folded == MODEL_ANNOTATOR else GOLD if folded == GOLD_ANNOTATOR else PERSON


def initials(name: str) -> str:
    """Up to three capitals from a reviewer's name ("Ada Lovelace" -> "AL", "reviewer-2" -> "R2",
    "alice" -> "AL")."""
    parts = [p for p in re.split(r"[\W_]+", name) if p]
    if len(parts) == 1:
        return parts[0][:2].upper()
    return "".join(p[0] for p in parts[:3]).upper() or name[:2].upper()


@dataclass(slots=True)
class OtherLayer:
    """One annotator's spans on the open document, shown read-only."""

    annotator: str
    kind: str
    store: SpanStore
    scores: dict[str, float] = field(default_factory=dict)  # span id -> score (suggestions)

    @property
    def is_model(self) -> bool:
        return self.kind == MODEL


class OtherSpansOverlay:
    """The layers shown over one :class:`~annotator.ui.document_view.DocumentView`."""

    def __init__(self, colour: Callable[[str], QColor]) -> None:
        self.colour = colour  # label -> its colour (the view's painter owns the palette)
        self.layers: list[OtherLayer] = []
        # Whether a label's suggestions are worth showing (e.g. its model beats the keyword
        # baseline); every label by default.
        self.label_shown: Callable[[str], bool] = lambda _label: True
        self.mine: Callable[[], SpanStore | None] = lambda: None  # my spans, to hide accepted suggestions
        self._pens: dict[tuple[int, bool], QPen] = {}

    # -- content ----------------------------------------------------------------------------
    def set_layers(self, layers: list[OtherLayer]) -> None:
        self.layers = list(layers)

    def layer(self, annotator: str) -> OtherLayer | None:
        return next((layer for layer in self.layers if layer.annotator == annotator), None)

    def shows(self, layer: OtherLayer, entry: SpanEntry) -> bool:
        """Whether ``entry`` of ``layer`` is on screen (suggestions can be dismissed)."""
        if not layer.is_model:
            return True
        if not self.label_shown(entry.label):
            return False
        mine = self.mine()
        return mine is None or not any(e.label == entry.label for e in mine.exact(entry.start, entry.end))

    # -- painting -----------------------------------------------------------------------------
    def _pen(self, label: str, model: bool) -> QPen:
        colour = self.colour(label)  # looked up each time: a theme or label change recolours at once
        pen = self._pens.get((colour.rgba(), model))
        if pen is None:
            pen = QPen(colour, _PEN_WIDTH)
            pen.setStyle(Qt.PenStyle.DashLine if model else Qt.PenStyle.DotLine)
            pen.setCosmetic(True)
            self._pens[(colour.rgba(), model)] = pen
        return pen

    def paint(self, view: QPlainTextEdit, painter: QPainter, clip: QRectF) -> None:
        if not self.layers:
            return
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for block, geo in SpanPainter.visible_blocks(view, clip.top(), clip.bottom()):
            pos = block.position()
            lines = None
            for depth, layer in enumerate(self.layers):
                grow = depth * _NEST_STEP
                for entry in layer.store.overlapping16(pos, pos + block.length()):
                    if not self.shows(layer, entry):
                        continue
                    if lines is None:
                        lines = SpanPainter.block_lines(block)
                    painter.setPen(self._pen(entry.label, layer.is_model))
                    for r in SpanPainter.fragment_rects(block, geo, entry.start16, entry.end16, lines):
                        painter.drawRect(r.adjusted(0.5 - grow, 0.5 - grow, grow - 0.5, grow - 0.5))

    def paint_page(self, view: PdfPageView, painter: QPainter, page: int) -> None:
        """The same outlines on a PDF page (the painter is in the page view's content coordinates)."""
        if not self.layers:
            return
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for depth, layer, entry in self._on_page(view, page):
            grow = depth * _NEST_STEP
            painter.setPen(self._pen(entry.label, layer.is_model))
            for r in view.spans.rects_on_page(entry.start, entry.end, page):
                rect = view.layout_.from_page(page, r)
                painter.drawRect(rect.adjusted(-1 - grow, -1 - grow, 1 + grow, 1 + grow))

    def _on_page(self, view: PdfPageView, page: int) -> list[tuple[int, OtherLayer, SpanEntry]]:
        geo = view.pages[page]
        out = []
        for depth, layer in enumerate(self.layers):
            m = layer.store.utf16
            out += [(depth, layer, e) for e in layer.store.overlapping16(m.to_utf16(geo.start), m.to_utf16(geo.end))
                    if self.shows(layer, e)]
        return out

    def page_tooltip_lines(self, view: PdfPageView, page: int, x: float, y: float) -> list[str]:
        """Like :meth:`tooltip_lines`, for a point on a PDF page (displayed page points)."""
        slack = 2.0
        hits = [(layer, e) for _depth, layer, e in self._on_page(view, page)
                if any(r[0] - slack <= x <= r[2] + slack and r[1] - slack <= y <= r[3] + slack
                       for r in view.spans.rects_on_page(e.start, e.end, page))]
        return [self._describe(layer, e) for layer, e in hits]

    # -- hover and picking ------------------------------------------------------------------------
    def at16(self, pos16: int) -> list[tuple[OtherLayer, SpanEntry]]:
        """Shown spans holding the character at UTF-16 ``pos16``, shortest first."""
        hits = [(layer, e) for layer in self.layers for e in layer.store.containing16(pos16) if self.shows(layer, e)]
        hits.sort(key=lambda h: (h[1].end16 - h[1].start16, h[1].start16))
        return hits

    def tooltip_lines(self, pos16: int) -> list[str]:
        """Plain text, one line per span under the pointer: who, what, and a suggestion's score."""
        return [self._describe(layer, e) for layer, e in self.at16(pos16)]

    @staticmethod
    def _describe(layer: OtherLayer, e: SpanEntry) -> str:
        if layer.is_model:
            score = layer.scores.get(e.id)
            shown = f", score {score:.2f}" if score is not None else ""
            return f"Suggestion ({layer.annotator}): {e.label}{shown} — A accepts, X rejects"
        return f"{initials(layer.annotator)} · {layer.annotator}: {e.label} — C copies to mine"

    def pick(self, models: bool, selection: tuple[int, int] | None, caret16: int | None
             ) -> tuple[OtherLayer, SpanEntry] | None:
        """The suggestion (``models``) or other reviewer's span the reviewer means.

        With a selection: the span with exactly its offsets, else the one overlapping it
        most. Without: the innermost span at the caret (or just before it, at a span's end).
        """
        layers = [layer for layer in self.layers if layer.is_model == models]
        if selection is not None:
            start, end = selection
            best: tuple[int, OtherLayer, SpanEntry] | None = None
            for layer in layers:
                for e in layer.store.exact(start, end):
                    if self.shows(layer, e):
                        return layer, e
                mine_sel = layer.store.utf16
                for e in layer.store.overlapping16(mine_sel.to_utf16(start), mine_sel.to_utf16(end)):
                    overlap = min(end, e.end) - max(start, e.start)
                    if overlap > 0 and self.shows(layer, e) and (best is None or overlap > best[0]):
                        best = (overlap, layer, e)
            return (best[1], best[2]) if best else None
        if caret16 is None:
            return None
        for pos in (caret16, caret16 - 1):
            hits = [h for h in self.at16(pos) if h[0].is_model == models] if pos >= 0 else []
            if hits:
                return hits[0]
        return None

    def entries(self, layer: OtherLayer) -> list[SpanEntry]:
        """The shown spans of a layer, in text order."""
        store = layer.store
        return [e for e in (store.at_row(i) for i in range(len(store))) if self.shows(layer, e)]
