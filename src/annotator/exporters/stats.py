"""Counts for the dataset card, taken from the groups as they stream past (nothing kept per span).

Buckets: the whole export, each split, each annotator. Per bucket: documents,
(document, annotator) pairs, spans and documents per label, spans that overlap an earlier
span of the same annotator in the same document, and span lengths in characters. Lengths
are kept as a histogram (length -> count), so quantiles are exact and memory is bounded by
the longest span, not by the number of spans.
"""

from __future__ import annotations

import math
from collections import Counter
from itertools import accumulate, islice
from operator import lt, sub
from typing import Any

from annotator.exporters.sink import SPAN_END, SPAN_LABEL, SPAN_START
from annotator.storage.repository import ExportGroup



class Bucket:
    """Counts for one slice of the export; also used for one (split, annotator) cell while streaming."""

    __slots__ = ("documents", "documents_per_label", "lengths", "overlapping", "pairs")

    def __init__(self) -> None:
        self.documents = 0
        self.pairs = 0
        self.documents_per_label: Counter[str] = Counter()
        self.lengths: Counter[tuple[str, int]] = Counter()  # (label, length in characters) -> spans
        self.overlapping = 0

    def merge(self, other: Bucket, *, documents: bool) -> None:
        self.pairs += other.pairs
        self.lengths.update(other.lengths)
        self.overlapping += other.overlapping
        if documents:
            self.documents += other.documents
            self.documents_per_label.update(other.documents_per_label)

    def as_dict(self, labels: list[str]) -> dict[str, Any]:
        per_label: dict[str, Counter[int]] = {lb: Counter() for lb in labels}
        everything: Counter[int] = Counter()
        for (label, length), n in self.lengths.items():
            per_label.setdefault(label, Counter())[length] += n
            everything[length] += n
        return {
            "documents": self.documents,
            "document_annotator_pairs": self.pairs,
            "spans": sum(everything.values()),
            "spans_per_label": {lb: sum(per_label[lb].values()) for lb in labels},
            "documents_per_label": {lb: self.documents_per_label.get(lb, 0) for lb in labels},
            "overlapping_spans": self.overlapping,
            "span_length_chars": {"all": length_stats(everything),
                                  **{lb: length_stats(per_label[lb]) for lb in labels}},
        }


def length_stats(hist: Counter[int]) -> dict[str, float | int | None]:
    """count, min, max, mean, median, p90 of a length histogram (None when empty)."""
    n = sum(hist.values())
    if not n:
        return {"count": 0, "min": None, "max": None, "mean": None, "median": None, "p90": None}
    ordered = sorted(hist.items())
    total = sum(length * c for length, c in ordered)

    def quantile(q: float) -> int:
        rank = max(1, math.ceil(q * n - 1e-9))  # nearest rank: a length that occurs
        seen = 0
        for length, c in ordered:
            seen += c
            if seen >= rank:
                return length
        return ordered[-1][0]

    return {"count": n, "min": ordered[0][0], "max": ordered[-1][0], "mean": round(total / n, 2),
            "median": quantile(0.5), "p90": quantile(0.9)}


def overlapping_count(spans: list[tuple[str, int, int, str, str | None]]) -> int:
    """Spans (in start order) that overlap some earlier span of the list."""
    if len(spans) < 2:
        return 0
    # The furthest end so far, then how many spans start before it: C loops, no Python per span.
    reach = accumulate(map(SPAN_END, spans), max)
    return sum(map(lt, map(SPAN_START, islice(spans, 1, None)), reach))


class Tally:
    """Feed groups in document order with their split; read :meth:`summary` at the end.

    Per span only one counter moves (its (split, annotator) cell's (label, length)); the
    buckets the card shows are sums of cells, made once at the end.
    """

    def __init__(self, labels: list[str]) -> None:
        self.labels = labels
        self.cells: dict[tuple[str | None, str], Bucket] = {}
        self.doc_level: dict[str | None, Bucket] = {}  # documents and their label sets, per split
        self._doc: int | None = None
        self._doc_split: str | None = None
        self._doc_labels: set[str] = set()

    def add(self, split: str | None, group: ExportGroup) -> None:
        doc_id = group.document.id
        if doc_id != self._doc:
            self._close_document()
            self._doc, self._doc_split = doc_id, split
        cell = self.cells.get((split, group.annotator))
        if cell is None:
            cell = self.cells[(split, group.annotator)] = Bucket()
        spans = group.spans
        cell.pairs += 1
        cell.documents += 1
        if spans:
            labels = set(map(SPAN_LABEL, spans))
            cell.documents_per_label.update(labels)
            cell.overlapping += overlapping_count(spans)
            # (label, length) pairs made by C loops: this runs for every span of the export.
            cell.lengths.update(zip(map(SPAN_LABEL, spans), map(sub, map(SPAN_END, spans), map(SPAN_START, spans))))
            self._doc_labels |= labels

    def absorb(self, other: Tally) -> None:
        """Add the counts of a tally of later documents (a parallel export's batch, whose
        documents are none of this tally's)."""
        other._close_document()
        self._close_document()
        for key, cell in other.cells.items():
            mine = self.cells.get(key)
            if mine is None:
                mine = self.cells[key] = Bucket()
            mine.merge(cell, documents=True)
        for split, bucket in other.doc_level.items():
            mine = self.doc_level.get(split)
            if mine is None:
                mine = self.doc_level[split] = Bucket()
            mine.merge(bucket, documents=True)

    def _close_document(self) -> None:
        if self._doc is None:
            return
        bucket = self.doc_level.get(self._doc_split)
        if bucket is None:
            bucket = self.doc_level[self._doc_split] = Bucket()
        bucket.documents += 1
        bucket.documents_per_label.update(self._doc_labels)
        self._doc = None
        self._doc_labels = set()

    def summary(self, split_names: tuple[str, ...] = ()) -> dict[str, Any]:
        """{"all": ..., "splits": {name: ...}, "annotators": {name: ...}}; empty splits show zeros."""
        self._close_document()
        everything, splits, annotators = Bucket(), {n: Bucket() for n in split_names}, {}
        for (split, annotator), cell in self.cells.items():
            everything.merge(cell, documents=False)
            if split is not None:
                splits.setdefault(split, Bucket()).merge(cell, documents=False)
            annotators.setdefault(annotator, Bucket()).merge(cell, documents=True)
        for split, docs in self.doc_level.items():
            everything.documents += docs.documents
            everything.documents_per_label.update(docs.documents_per_label)
            if split is not None:
                splits[split].documents += docs.documents
                splits[split].documents_per_label.update(docs.documents_per_label)
        return {
            "all": everything.as_dict(self.labels),
            "splits": {name: splits[name].as_dict(self.labels) for name in splits},
            "annotators": {name: annotators[name].as_dict(self.labels) for name in sorted(annotators)},
        }
