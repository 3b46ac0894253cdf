"""Sentence classification data: one JSON line per sentence, multi-label.

::

    {"id": "<document_id>:<annotator>:<n>", "document_id": "...", "annotator": "...",
     "text": "Probiotics reduce nerve pain.", "start": 0, "end": 29, "labels": ["claim"]}

Every sentence of every exported (document, annotator) pair is written, labelled or not,
so unlabelled sentences are the negatives. ``labels`` holds each label of a span that
overlaps the sentence by at least one character, in the project's label order. ``start``
and ``end`` are code point offsets into the document: ``text == document[start:end]``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

from annotator.exporters.sink import Context, DatasetFormat, Document, JsonlSink, Sink
from annotator.storage.repository import ExportGroup


def sentence_labels(doc: Document, spans: list[Any], order: dict[str, int]) -> list[list[str]]:
    """For each sentence of ``doc``, the labels of the spans overlapping it, in label order.

    Sentences without a label share one empty list: callers must not change the lists.
    """
    starts, ends = doc.sentences()
    found: dict[int, set[str]] = {}
    for _id, start, end, label, _note in spans:
        for i in range(bisect_right(ends, start), bisect_left(starts, end)):
            labels = found.get(i)
            if labels is None:
                found[i] = {label}
            else:
                labels.add(label)
    result: list[list[str]] = [_NONE] * len(starts)
    last = len(order)
    for i, labels in found.items():
        result[i] = sorted(labels, key=lambda lb: (order.get(lb, last), lb)) if len(labels) > 1 else [*labels]
    return result


_NONE: list[str] = []


class _SentencesSink(JsonlSink):
    def __init__(self, fh: BinaryIO, ctx: Context) -> None:
        super().__init__(fh, ctx)
        self.order = ctx.label_order()
        self.per_label: Counter[str] = Counter()
        self.counts["sentences_per_label"] = self.per_label

    def records(self, group: ExportGroup, doc: Document) -> Iterator[dict[str, Any]]:
        starts, ends = doc.sentences()
        labels = sentence_labels(doc, group.spans, self.order)
        self.per_label.update(chain.from_iterable(labels))
        unlabelled = labels.count(_NONE)
        if unlabelled:
            self.counts["unlabelled_sentences"] = self.counts.get("unlabelled_sentences", 0) + unlabelled
        text, key, annotator = doc.text, doc.key, group.annotator
        prefix = f"{key}:{annotator}:"
        for n, (start, end, these) in enumerate(zip(starts, ends, labels)):
            yield {"id": f"{prefix}{n}", "document_id": key, "annotator": annotator, "text": text[start:end],
                   "start": start, "end": end, "labels": these}


class SentencesFormat(DatasetFormat):
    name = "sentences"
    suffix = ".jsonl"
    parallel = True
    jsonl = True

    def open(self, out: BinaryIO | Path, ctx: Context) -> Sink:
        assert not isinstance(out, Path)
        return _SentencesSink(out, ctx)

    def details(self, ctx: Context) -> dict[str, Any]:
        return {"label_names": ctx.label_names, "rules": [
            "One line per sentence of each exported document and annotator, labelled or not.",
            "labels: every label of a span overlapping the sentence by at least one character (multi-label).",
            "Sentences come from a regex splitter: blank lines and line breaks end sentences (unless the next "
            "line starts in lower case); . ! ? … end one unless an abbreviation (e.g., Dr., et al.), an "
            "initial or a lower-case next word says otherwise; 2.5 never splits.",
        ]}
