"""Span classification data: one JSON line per span, with the sentence (or a window) around it.

::

    {"id": "<span id>", "document_id": "...", "annotator": "...", "label": "claim",
     "text": "reduce nerve pain", "start": 13, "end": 30,
     "context": "Probiotics reduce nerve pain.", "context_start": 0, "note": null}

``start``/``end`` are offsets into ``context`` (so ``context[start:end] == text``) and
``context_start`` is where the context begins in the document. The context is the
sentence holding the span (every sentence it touches); with ``--context-window N`` it is
instead N characters either side of the span, cut at the text's ends.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import Any

from annotator.exporters import sink
from annotator.exporters.sink import Context, Document
from annotator.storage.repository import ExportGroup


def details(ctx: Context) -> dict[str, Any]:
    window = ctx.options.context_window
    context = (f"{window} characters either side of the span" if window is not None
               else "the sentence holding the span (every sentence it touches); regex sentence splitter")
    return {"context": context, "rules": [
        "One line per span: text, label, context, start/end within the context, context_start in the document.",
        f"Context: {context}.",
        "context[start:end] == text and text == document[context_start + start : context_start + end].",
    ]}


def context_bounds(doc: Document, start: int, end: int, window: int | None) -> tuple[int, int]:
    """[from, to) of the context around the span [start, end)."""
    if window is not None:
        return max(0, start - window), min(len(doc.text), end + window)
    starts, ends = doc.sentences()
    first = bisect_right(ends, start)  # first sentence ending after the span starts
    last = bisect_left(starts, end) - 1  # last sentence starting before the span ends
    if first > last:  # the span lies in the whitespace between sentences
        return start, end
    return min(start, starts[first]), max(end, ends[last])


class Writer(sink.JsonlWriter):
    def records(self, group: ExportGroup, doc: Document) -> Iterator[dict[str, Any]]:
        text, key, annotator, window = doc.text, doc.key, group.annotator, self.ctx.options.context_window
        self.count("spans_per_label", (s[3] for s in group.spans))
        for span_id, start, end, label, note in group.spans:
            lo, hi = context_bounds(doc, start, end, window)
            yield {"id": span_id, "document_id": key, "annotator": annotator, "label": label,
                   "text": text[start:end], "start": start - lo, "end": end - lo,
                   "context": text[lo:hi], "context_start": lo, "note": note}
