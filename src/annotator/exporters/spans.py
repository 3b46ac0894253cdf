"""Span classification data: one JSON line per span, with the sentence (or a window) around it.

::

    {"id": "<span id>", "document_id": "...", "annotator": "...", "label": "claim",
     "text": "reduce nerve pain", "start": 13, "end": 30,
     "context": "Probiotics reduce nerve pain.", "context_start": 0, "note": null}

``start``/``end`` are offsets into ``context`` (so ``context[start:end] == text``) and
``context_start`` is where the context begins in the document, so the span sits at
``context_start + start`` in the canonical text. All offsets are code points.

The context is the sentence holding the span (see :mod:`annotator.sentences`); a span that
crosses a sentence boundary gets every sentence it touches. With ``--context-window N``
it is instead N characters either side of the span, cut at the text's ends.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from annotator.exporters.sink import SPAN_LABEL, Context, DatasetFormat, Document, JsonlSink, Sink
from annotator.storage.repository import ExportGroup


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


class _SpansSink(JsonlSink):
    def __init__(self, fh: BinaryIO, ctx: Context) -> None:
        super().__init__(fh, ctx)
        self.per_label: Counter[str] = Counter()
        self.counts["spans_per_label"] = self.per_label

    def records(self, group: ExportGroup, doc: Document) -> Iterator[dict[str, Any]]:
        text, key, annotator, window = doc.text, doc.key, group.annotator, self.ctx.options.context_window
        spans = group.spans
        self.per_label.update(map(SPAN_LABEL, spans))
        if window is None and spans:
            starts, ends = doc.sentences()
        for span_id, start, end, label, note in spans:
            if window is not None:
                lo, hi = max(0, start - window), min(len(text), end + window)
            else:  # context_bounds, inlined: this loop runs once per span of the corpus
                first, last = bisect_right(ends, start), bisect_left(starts, end) - 1
                lo, hi = (start, end) if first > last else (min(start, starts[first]), max(end, ends[last]))
            yield {"id": span_id, "document_id": key, "annotator": annotator, "label": label,
                   "text": text[start:end], "start": start - lo, "end": end - lo,
                   "context": text[lo:hi], "context_start": lo, "note": note}


class SpansFormat(DatasetFormat):
    name = "spans"
    suffix = ".jsonl"
    parallel = True
    jsonl = True

    def open(self, out: BinaryIO | Path, ctx: Context) -> Sink:
        assert not isinstance(out, Path)
        return _SpansSink(out, ctx)

    def details(self, ctx: Context) -> dict[str, Any]:
        window = ctx.options.context_window
        context = (f"{window} characters either side of the span" if window is not None
                   else "the sentence holding the span (every sentence it touches); regex sentence splitter")
        return {"context": context, "rules": [
            "One line per span: text, label, context, start/end within the context, context_start in the document.",
            f"Context: {context}.",
            "context[start:end] == text and text == document[context_start + start : context_start + end].",
        ]}
