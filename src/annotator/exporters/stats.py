"""Counts for the dataset card, taken from the groups as they stream past (nothing kept per span).

Buckets: the whole export, each split, each annotator. Per bucket: documents,
(document, annotator) pairs and their statuses, spans and documents per label, spans that overlap an earlier
span of the same annotator in the same document, and span lengths in characters, kept as a
histogram (exact quantiles, memory bounded by the number of distinct lengths).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from annotator.storage.models import STATUSES
from annotator.storage.repository import ExportGroup


class Bucket:
    __slots__ = ("documents", "documents_per_label", "lengths", "overlapping", "pairs", "statuses")

    def __init__(self) -> None:
        self.documents = 0
        self.pairs = 0
        self.documents_per_label: Counter[str] = Counter()
        self.lengths: Counter[tuple[str, int]] = Counter()  # (label, length in characters) -> spans
        self.overlapping = 0
        self.statuses: Counter[str] = Counter()  # (document, annotator) pairs per status

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
            "statuses": {st: self.statuses.get(st, 0) for st in STATUSES},
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


class Tally:
    """Feed groups in document order with their split; read :meth:`summary` at the end."""

    def __init__(self, labels: list[str]) -> None:
        self.labels = labels
        self.everything = Bucket()
        self.splits: dict[str, Bucket] = {}
        self.annotators: dict[str, Bucket] = {}
        self._doc: int | None = None
        self._doc_split: str | None = None
        self._doc_labels: set[str] = set()
        self.groups: list[tuple[int, str, str | None]] | None = None  # (document id, annotator, split) when kept

    def add(self, split: str | None, group: ExportGroup) -> None:
        if self.groups is not None:
            self.groups.append((group.document.id, group.annotator, split))
        if group.document.id != self._doc:
            self._close_document()
            self._doc, self._doc_split = group.document.id, split
        lengths: Counter[tuple[str, int]] = Counter((label, end - start) for _i, start, end, label, _n in group.spans)
        labels = {label for label, _ in lengths}
        overlapping, reach = 0, -1
        for _i, start, end, _label, _n in group.spans:  # spans come sorted by start
            overlapping += start < reach
            reach = max(reach, end)
        self._doc_labels |= labels
        person = self.annotators.setdefault(group.annotator, Bucket())
        person.documents += 1
        person.documents_per_label.update(labels)
        for bucket in (self.everything, person, *([self.splits.setdefault(split, Bucket())] if split else [])):
            bucket.pairs += 1
            bucket.statuses[group.status] += 1
            bucket.lengths.update(lengths)
            bucket.overlapping += overlapping

    def _close_document(self) -> None:
        if self._doc is None:
            return
        for bucket in (self.everything, *([self.splits.setdefault(self._doc_split, Bucket())]
                                          if self._doc_split else [])):
            bucket.documents += 1
            bucket.documents_per_label.update(self._doc_labels)
        self._doc, self._doc_labels = None, set()

    def summary(self, split_names: tuple[str, ...] = ()) -> dict[str, Any]:
        """{"all": ..., "splits": {name: ...}, "annotators": {name: ...}}; empty splits show zeros."""
        self._close_document()
        return {
            "all": self.everything.as_dict(self.labels),
            "splits": {name: self.splits.get(name, Bucket()).as_dict(self.labels) for name in split_names},
            "annotators": {name: self.annotators[name].as_dict(self.labels) for name in sorted(self.annotators)},
        }
