"""Sentence classification data: one JSON line per sentence, multi-label.

::

    {"id": "<document_id>:<annotator>:<n>", "document_id": "...", "annotator": "...",
     "text": "Probiotics reduce nerve pain.", "start": 0, "end": 29, "labels": ["claim"]}

Every sentence of every exported (document, annotator) pair is written, labelled or not,
so unlabelled sentences are the negatives. ``labels`` holds each label of a span that
overlaps the sentence by at least one character, in the project's label order.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import Any

from annotator.exporters import sink
from annotator.exporters.sink import Context, Document
from annotator.storage.repository import ExportGroup


def details(ctx: Context) -> dict[str, Any]:
    return {"label_names": ctx.label_names, "rules": [
        "One line per sentence of each exported document and annotator, labelled or not.",
        "labels: every label of a span overlapping the sentence by at least one character (multi-label).",
        "Sentences come from a regex splitter: blank lines and line breaks end sentences (unless the next "
        "line starts in lower case); . ! ? … end one unless an abbreviation (e.g., Dr., et al.), an "
        "initial or a lower-case next word says otherwise; 2.5 never splits.",
    ]}


def sentence_labels(doc: Document, spans: list[Any], order: dict[str, int]) -> list[list[str]]:
    """For each sentence of ``doc``, the labels of the spans overlapping it, in label order."""
    starts, ends = doc.sentences()
    found: list[set[str]] = [set() for _ in starts]
    for _id, start, end, label, _note in spans:
        for i in range(bisect_right(ends, start), bisect_left(starts, end)):
            found[i].add(label)
    last = len(order)
    return [sorted(labels, key=lambda lb: (order.get(lb, last), lb)) for labels in found]


class Writer(sink.JsonlWriter):
    def records(self, group: ExportGroup, doc: Document) -> Iterator[dict[str, Any]]:
        starts, ends = doc.sentences()
        labels = sentence_labels(doc, group.spans, self.ctx.label_order())
        self.count("sentences_per_label", (lb for these in labels for lb in these))
        self.counts["unlabelled_sentences"] = self.counts.get("unlabelled_sentences", 0) + labels.count([])
        text, key, annotator = doc.text, doc.key, group.annotator
        for n, (start, end, these) in enumerate(zip(starts, ends, labels)):
            yield {"id": f"{key}:{annotator}:{n}", "document_id": key, "annotator": annotator,
                   "text": text[start:end], "start": start, "end": end, "labels": these}
