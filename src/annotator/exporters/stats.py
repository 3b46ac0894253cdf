"""Counts for the dataset card, taken from the groups as they stream past (nothing kept per span).

Buckets: the whole export, each split, each annotator. Per bucket: documents,
(document, annotator) pairs, spans and documents per label, spans that overlap an earlier
span of the same annotator in the same document, and span lengths in characters. Lengths
are kept as a histogram (length -> count), so quantiles are exact and memory is bounded by
the longest span, not by the number of spans.

Every span of every export passes through :meth:`Tally.add`, so its per-span work is done
by numpy over a group at a time: a Python step (or a ``max`` call) per span cost a canonical
export's worker about a seventh of its time. A group's (label, length) pairs wait as packed
keys and are counted a few thousand at a time.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from annotator.exporters.arrays import numpy
from annotator.storage.repository import ExportGroup

_CODES = 1 << 20  # label codes are below this; a waiting key is length * _CODES + code
_COUNT_EVERY = 1 << 12  # waiting keys per bucket before they are counted (tens of KB)


class Bucket:
    """Counts for one slice of the export; also used for one (split, annotator) cell while streaming."""

    __slots__ = ("counted", "documents", "documents_per_label", "lengths", "overlapping", "pairs", "waiting",
                 "waiting_keys")

    def __init__(self) -> None:
        self.documents = 0
        self.pairs = 0
        self.documents_per_label: Counter[str] = Counter()
        self.lengths: Counter[tuple[str, int]] = Counter()  # (label, length in characters) -> spans
        self.overlapping = 0
        # Spans not in ``lengths`` yet (see Tally._count): arrays of keys, and the distinct keys
        # counted so far with their counts (sorted; as many as distinct (label, length) pairs).
        self.waiting: list[Any] = []
        self.waiting_keys = 0
        self.counted: tuple[Any, Any] | None = None

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
        self._names: list[str] = list(labels)  # a label's code is its index here
        self._codes: dict[str, int] = {name: code for code, name in enumerate(self._names)}

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
        if not spans:
            return
        _, starts, ends, names, _ = zip(*spans)
        labels = set(names)
        cell.documents_per_label.update(labels)
        self._doc_labels |= labels
        np = numpy()
        n = len(starts)
        first = np.fromiter(starts, np.int64, n)
        keys = np.fromiter(ends, np.int64, n)
        if n > 1:  # a span overlaps an earlier one if it starts before the furthest end so far
            cell.overlapping += int(np.count_nonzero(first[1:] < np.maximum.accumulate(keys[:-1])))
        keys -= first
        keys *= _CODES
        try:
            keys += np.fromiter(map(self._codes.__getitem__, names), np.int64, n)
        except KeyError:  # a label outside the project's set (renamed or removed since)
            for name in labels:
                self._code(name)
            keys += np.fromiter(map(self._codes.__getitem__, names), np.int64, n)
        cell.waiting.append(keys)
        cell.waiting_keys += n
        if cell.waiting_keys >= _COUNT_EVERY:
            self._count(cell)

    def _code(self, name: str) -> None:
        """Give ``name`` a code if it has none."""
        if name not in self._codes:
            if len(self._names) >= _CODES:
                raise ValueError(f"more than {_CODES} labels")
            self._codes[name] = len(self._names)
            self._names.append(name)

    def _count(self, cell: Bucket) -> None:
        """Fold ``cell``'s waiting keys into its counted keys (numpy's sort and sums, no Python per key)."""
        if not cell.waiting:
            return
        np = numpy()
        keys = np.concatenate(cell.waiting)
        weights = np.ones(len(keys), dtype=np.int64)
        if cell.counted is not None:
            keys = np.concatenate((cell.counted[0], keys))
            weights = np.concatenate((cell.counted[1], weights))
        distinct, where = np.unique(keys, return_inverse=True)
        cell.counted = distinct, np.bincount(where.ravel(), weights=weights).astype(np.int64)
        cell.waiting, cell.waiting_keys = [], 0

    def _count_all(self) -> None:
        """Everything waiting or counted into the cells' (label, length) histograms."""
        for cell in self.cells.values():
            self._count(cell)
            if cell.counted is not None:
                lengths, names = cell.lengths, self._names
                for key, count in zip(cell.counted[0].tolist(), cell.counted[1].tolist()):
                    length, code = divmod(key, _CODES)
                    lengths[(names[code], length)] += count
                cell.counted = None

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (a parallel export's worker sends its tally) with every key counted, so
        no numpy array crosses over."""
        self._count_all()
        return self.__dict__

    def absorb(self, other: Tally) -> None:
        """Add the counts of a tally of later documents (a parallel export's batch, whose
        documents are none of this tally's)."""
        other._close_document()
        self._close_document()
        other._count_all()
        self._count_all()
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
        self._count_all()
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
