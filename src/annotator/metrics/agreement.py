"""Inter-annotator agreement on spans, from plain data (no storage, no Qt).

For each pair of reviewers (over the documents both annotated) and overall, per label and
micro-averaged over labels:

- ``f1_exact``: span F1 where a match is the same (start, end, label);
- ``f1_overlap``: span F1 where a match is the same label and overlapping text, each span
  matched at most once (greedily, largest overlap first);
- ``kappa``: token-level Cohen's kappa (Fleiss' kappa for three or more reviewers overall);
  a token takes the label of the span covering it (the earliest-starting one where spans
  overlap) or none; per label, kappa of "in a span of this label or not";
- ``alpha_u``: Krippendorff's unitizing alpha on the documents laid end to end
  (:mod:`annotator.metrics.unitizing`);
- ``n_docs``: documents compared (per label: those where either reviewer used it);
- ``ci95``: a seeded bootstrap 95% interval over documents of the micro F1s and kappa.

Two empty annotations agree perfectly on nothing: such figures are None, not 1 or 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from annotator.metrics import unitizing

SpanTuple = tuple[int, int, str]  # start, end (exclusive), label
BOOTSTRAP_SAMPLES = 1000


@dataclass
class StudyDocument:
    """One document: its length, token bounds and each reviewer's spans (present = annotated)."""

    length: int
    token_starts: Sequence[int]
    token_ends: Sequence[int]
    spans: dict[str, list[SpanTuple]] = field(default_factory=dict)


# -- span matching --------------------------------------------------------------------------
def exact_matches(a: Sequence[SpanTuple], b: Sequence[SpanTuple]) -> int:
    return len(set(a) & set(b))


def overlap_matches(a: Sequence[SpanTuple], b: Sequence[SpanTuple]) -> int:
    """Pairs of same-label overlapping spans, each span in at most one pair: exact matches
    first, then the rest greedily, largest overlap first."""
    exact = set(a) & set(b)
    rest_a = [s for s in a if s not in exact]
    rest_b = [s for s in b if s not in exact]
    candidates = []
    for i, (s1, e1, l1) in enumerate(rest_a):
        for j, (s2, e2, l2) in enumerate(rest_b):
            if l1 == l2 and s1 < e2 and s2 < e1:
                candidates.append((-(min(e1, e2) - max(s1, s2)), i, j))
    candidates.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    for _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
    return len(exact) + len(used_a)


def f1(matched: float, n_a: float, n_b: float) -> float | None:
    return None if n_a + n_b == 0 else float(2.0 * matched / (n_a + n_b))


# -- token labels and kappa -------------------------------------------------------------------
def token_labels(starts: np.ndarray, ends: np.ndarray, spans: Sequence[SpanTuple], label_index: Mapping[str, int]
                 ) -> np.ndarray:
    """Per token, 1 + the index of the label of the span covering it, or 0 (none)."""
    out = np.zeros(len(starts), dtype=np.int64)
    if not spans:
        return out
    ordered = sorted(spans, key=lambda s: (-s[0], s[1]))  # the earliest start is written last, so it wins
    firsts = np.searchsorted(ends, [s[0] for s in ordered], side="right").tolist()
    lasts = np.searchsorted(starts, [s[1] for s in ordered], side="left").tolist()
    for (_, _, label), first, last in zip(ordered, firsts, lasts):
        if first < last:
            out[first:last] = label_index[label] + 1
    return out


def cohen_kappa(confusion: np.ndarray) -> float | None:
    total = confusion.sum()
    if total == 0:
        return None
    observed = np.trace(confusion) / total
    expected = float((confusion.sum(axis=0) * confusion.sum(axis=1)).sum()) / (total * total)
    return None if expected == 1.0 else float((observed - expected) / (1.0 - expected))


def binary_confusion(confusion: np.ndarray, k: int) -> np.ndarray:
    """The 2x2 table of "category k or not" from a full confusion table."""
    a = confusion[k, k]
    b = confusion[k, :].sum() - a
    c = confusion[:, k].sum() - a
    d = confusion.sum() - a - b - c
    return np.array([[a, b], [c, d]])


def fleiss_kappa(table: np.ndarray) -> float | None:
    """Fleiss' kappa of an items x categories table of rater counts (the same count per item)."""
    items = table.shape[0]
    if items == 0:
        return None
    raters = int(table[0].sum())
    return _fleiss(items, raters, float((table.astype(np.float64) ** 2).sum()), table.sum(axis=0))


def _fleiss(items: float, raters: int, sum_squares: float, totals: np.ndarray) -> float | None:
    if items == 0 or raters < 2:
        return None
    p_bar = (sum_squares - items * raters) / (items * raters * (raters - 1))
    p = totals / (items * raters)
    p_e = float((p * p).sum())
    return None if p_e == 1.0 else float((p_bar - p_e) / (1.0 - p_e))


# -- the study --------------------------------------------------------------------------------
class _Study:
    """Per-document pieces computed once and shared by every pair and the overall figures."""

    def __init__(self, documents: Mapping[int, StudyDocument], labels: Sequence[str]) -> None:
        self.docs = documents
        self.labels = list(labels)
        self.index = {label: i for i, label in enumerate(labels)}
        self._tags: dict[tuple[int, str], np.ndarray] = {}
        self._by_label: dict[tuple[int, str], list[list[SpanTuple]]] = {}
        self._counts: dict[tuple[int, str, str], list[int]] = {}
        self._arrays: dict[tuple[int, str], np.ndarray] = {}

    def by_label(self, d: int, who: str) -> list[list[SpanTuple]]:
        key = (d, who)
        if key not in self._by_label:
            split: list[list[SpanTuple]] = [[] for _ in self.labels]
            for span in self.docs[d].spans[who]:
                split[self.index[span[2]]].append(span)
            self._by_label[key] = split
        return self._by_label[key]

    def span_array(self, d: int, who: str) -> np.ndarray:
        """The reviewer's spans as (0, start, end, label index) rows."""
        key = (d, who)
        if key not in self._arrays:
            spans = self.docs[d].spans[who]
            self._arrays[key] = np.array([(0, s, e, self.index[lb]) for s, e, lb in spans],
                                         dtype=np.int64).reshape(-1, 4)
        return self._arrays[key]

    def tags(self, d: int, who: str) -> np.ndarray:
        key = (d, who)
        if key not in self._tags:
            doc = self.docs[d]
            self._tags[key] = token_labels(np.asarray(doc.token_starts), np.asarray(doc.token_ends),
                                           doc.spans[who], self.index)
        return self._tags[key]

    def span_counts(self, d: int, a: str, b: str) -> list[int]:
        """Per label: exact matches, overlap matches, a's spans, b's spans."""
        key = (d, a, b)
        if key not in self._counts:
            out: list[int] = []
            for sa, sb in zip(self.by_label(d, a), self.by_label(d, b)):
                if sa and sb:
                    exact = exact_matches(sa, sb)
                    overlap = exact if exact == len(sa) or exact == len(sb) else overlap_matches(sa, sb)
                    out += (exact, overlap, len(sa), len(sb))
                else:
                    out += (0, 0, len(sa), len(sb))
            self._counts[key] = out
        return self._counts[key]


def agreement(documents: Mapping[int, StudyDocument], annotators: Sequence[str], labels: Sequence[str], *,
              seed: int = 0, samples: int = BOOTSTRAP_SAMPLES) -> dict[str, Any]:
    """Every pair of ``annotators`` and all of them together; see the module docstring for the keys."""
    study = _Study(documents, labels)
    rng = np.random.default_rng(seed)
    pairs = []
    for a, b in combinations(annotators, 2):
        shared = sorted(d for d, doc in documents.items() if a in doc.spans and b in doc.spans)
        pairs.append({"a": a, "b": b, **_pair(study, shared, a, b, rng, samples)})
    overall = _overall(study, annotators, rng, samples)
    if len(pairs) == 1:  # two reviewers: Cohen's kappa, as their pair reports it
        pair = pairs[0]
        overall["kappa"] = pair["overall"]["kappa"]
        overall["ci95"]["kappa"] = pair["overall"]["ci95"]["kappa"]
        for label, figures in overall["labels"].items():
            figures["kappa"] = pair["labels"][label]["kappa"]
    return {"annotators": list(annotators), "labels": list(labels), "pairs": pairs, "overall": overall}


def _units(study: _Study, shared: list[int], annotators: Sequence[str]) -> tuple[np.ndarray, int]:
    """Every reviewer's spans on the shared documents laid end to end: (rater, start, end,
    label index) rows, and the continuum's length."""
    blocks = []
    offset = 0
    for d in shared:
        for r, who in enumerate(annotators):
            arr = study.span_array(d, who)
            if len(arr):
                block = arr.copy()
                block[:, 0] = r
                block[:, 1:3] += offset
                blocks.append(block)
        offset += study.docs[d].length
    return (np.concatenate(blocks) if blocks else np.zeros((0, 4), dtype=np.int64)), offset


def _pair(study: _Study, shared: list[int], a: str, b: str, rng: np.random.Generator, samples: int
          ) -> dict[str, Any]:
    n_labels = len(study.labels)
    k = n_labels + 1
    # Per document: per label (exact matches, overlap matches, n_a, n_b), then the token confusion.
    rows = np.zeros((len(shared), 4 * n_labels + k * k), dtype=np.int64)
    for row, d in enumerate(shared):
        rows[row, : 4 * n_labels] = study.span_counts(d, a, b)
        rows[row, 4 * n_labels:] = np.bincount(study.tags(d, a) * k + study.tags(d, b), minlength=k * k)
    totals = rows.sum(axis=0)
    confusion = totals[4 * n_labels:].reshape(k, k)
    units, length = _units(study, shared, [a, b])
    per_alpha, overall_alpha = unitizing.alphas_grouped(unitizing.grouped_arrays(units, 2, study.labels), 2, length)
    per_label = {}
    for i, label in enumerate(study.labels):
        exact, overlap, n_a, n_b = totals[4 * i: 4 * i + 4]
        used = rows[:, 4 * i + 2] + rows[:, 4 * i + 3]
        per_label[label] = {"f1_exact": f1(exact, n_a, n_b), "f1_overlap": f1(overlap, n_a, n_b),
                            "kappa": cohen_kappa(binary_confusion(confusion, i + 1)) if n_a + n_b else None,
                            "alpha_u": per_alpha.get(label), "n_docs": int((used > 0).sum())}
    figures = _pair_micro(totals[None, :], n_labels)
    overall = {name: _scalar(v) for name, v in figures.items()}
    overall |= {"alpha_u": overall_alpha, "n_docs": len(shared),
                "ci95": _bootstrap(rows, lambda drawn: _pair_micro(drawn, n_labels), rng, samples)}
    return {"labels": per_label, "overall": overall}


def _f1s(matched: np.ndarray, n: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, 2.0 * matched / np.where(n > 0, n, 1), np.nan)


def _kappas(confusion: np.ndarray) -> np.ndarray:
    """Cohen's kappa of each of a stack of confusion tables (NaN where undefined)."""
    total = confusion.sum(axis=(1, 2)).astype(np.float64)
    safe = np.where(total > 0, total, 1.0)
    observed = np.trace(confusion, axis1=1, axis2=2) / safe
    expected = (confusion.sum(axis=1) * confusion.sum(axis=2)).sum(axis=1) / (safe * safe)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((total > 0) & (expected < 1.0), (observed - expected) / (1.0 - expected), np.nan)


def _pair_micro(drawn: np.ndarray, n_labels: int) -> dict[str, np.ndarray]:
    """Micro F1s and kappa of each row of summed per-document rows (one row per bootstrap draw)."""
    per = drawn[:, : 4 * n_labels].reshape(len(drawn), n_labels, 4).sum(axis=1)
    k = n_labels + 1
    return {"f1_exact": _f1s(per[:, 0], per[:, 2] + per[:, 3]),
            "f1_overlap": _f1s(per[:, 1], per[:, 2] + per[:, 3]),
            "kappa": _kappas(drawn[:, 4 * n_labels:].reshape(len(drawn), k, k))}


def _scalar(values: np.ndarray) -> float | None:
    value = float(values[0])
    return None if np.isnan(value) else value


def _overall(study: _Study, annotators: Sequence[str], rng: np.random.Generator, samples: int) -> dict[str, Any]:
    """All reviewers on the documents every one of them annotated; F1s are micro over their pairs."""
    raters = len(annotators)
    labels = study.labels
    shared = sorted(d for d, doc in study.docs.items() if all(a in doc.spans for a in annotators))
    k = len(labels) + 1
    base = 3 * len(labels)
    # Per document: per label (exact, overlap, n_a + n_b summed over pairs), then per category
    # (rater count summed over tokens, its square summed over tokens), then the token count.
    rows = np.zeros((len(shared), base + 2 * k + 1), dtype=np.float64)
    for row, d in enumerate(shared):
        for a, b in combinations(annotators, 2):
            counts = np.asarray(study.span_counts(d, a, b)).reshape(len(labels), 4)
            rows[row, :base] += np.column_stack((counts[:, 0], counts[:, 1], counts[:, 2] + counts[:, 3])).ravel()
        tags = np.stack([study.tags(d, who) for who in annotators])  # raters x tokens
        per_token = np.stack([(tags == c).sum(axis=0) for c in range(k)], axis=1)  # tokens x categories
        rows[row, base: base + k] = per_token.sum(axis=0)
        rows[row, base + k: base + 2 * k] = (per_token ** 2).sum(axis=0)
        rows[row, -1] = tags.shape[1]

    def figures(drawn: np.ndarray) -> dict[str, np.ndarray]:
        per = drawn[:, :base].reshape(len(drawn), len(labels), 3).sum(axis=1)
        return {"f1_exact": _f1s(per[:, 0], per[:, 2]), "f1_overlap": _f1s(per[:, 1], per[:, 2]),
                "kappa": _fleiss_rows(drawn[:, -1], raters, drawn[:, base + k: base + 2 * k].sum(axis=1),
                                      drawn[:, base: base + k])}

    totals = rows.sum(axis=0)
    result: dict[str, Any] = {"annotators": list(annotators), "n_docs": len(shared),
                              "kappa_kind": "cohen" if raters == 2 else "fleiss",
                              **{name: _scalar(v) for name, v in figures(totals[None, :]).items()}}
    units, length = _units(study, shared, annotators)
    per_alpha, result["alpha_u"] = unitizing.alphas_grouped(unitizing.grouped_arrays(units, raters, labels), raters,
                                                            length)
    per_label = {}
    n_tokens = totals[-1]
    for i, label in enumerate(labels):
        exact, overlap, both = totals[3 * i: 3 * i + 3]
        n_in, sq_in = totals[base + i + 1], totals[base + k + i + 1]
        # Binary Fleiss: per token, n raters say "label i" and raters - n say "not".
        sq_out = n_tokens * raters * raters - 2 * raters * n_in + sq_in
        kappa = _fleiss(n_tokens, raters, sq_in + sq_out, np.array([n_in, n_tokens * raters - n_in])) if both else None
        per_label[label] = {"f1_exact": f1(exact, both / 2, both / 2), "f1_overlap": f1(overlap, both / 2, both / 2),
                            "kappa": kappa, "alpha_u": per_alpha.get(label),
                            "n_docs": int((rows[:, 3 * i + 2] > 0).sum())}
    result["labels"] = per_label
    result["ci95"] = _bootstrap(rows, figures, rng, samples)
    return result


def _fleiss_rows(items: np.ndarray, raters: int, sum_squares: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Fleiss' kappa of each row of summed (items, sum of squared counts, category totals)."""
    if raters < 2:
        return np.full(len(items), np.nan)
    safe = np.where(items > 0, items, 1.0)
    p_bar = (sum_squares - safe * raters) / (safe * raters * (raters - 1))
    p = totals / (safe * raters)[:, None]
    p_e = (p * p).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((items > 0) & (p_e < 1.0), (p_bar - p_e) / (1.0 - p_e), np.nan)


def _bootstrap(rows: np.ndarray, figures: Any, rng: np.random.Generator, samples: int
               ) -> dict[str, list[float] | None]:
    """2.5th and 97.5th percentiles of each figure over documents drawn with replacement."""
    n = rows.shape[0]
    names = list(figures(rows.sum(axis=0)[None, :]))
    if n < 2 or samples < 1:
        return {name: None for name in names}
    picks = rng.integers(0, n, size=(samples, n)) + (np.arange(samples) * n)[:, None]
    weights = np.bincount(picks.ravel(), minlength=samples * n).reshape(samples, n)  # times each document drawn
    drawn = weights.astype(np.float64) @ rows.astype(np.float64)
    out: dict[str, list[float] | None] = {}
    for name, values in figures(drawn).items():
        values = values[~np.isnan(values)]
        out[name] = [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))] if len(values) else None
    return out


# -- against a reference ----------------------------------------------------------------------
def against_reference(documents: Mapping[int, StudyDocument], annotators: Sequence[str], reference: str,
                      labels: Sequence[str]) -> dict[str, Any]:
    """Each reviewer scored against ``reference`` (gold): precision, recall and F1 per label,
    exact matches, on the documents both annotated."""
    out: dict[str, Any] = {}
    for who in annotators:
        if who == reference:
            continue
        shared = [doc for doc in documents.values() if who in doc.spans and reference in doc.spans]
        totals = {label: [0, 0, 0] for label in labels}  # matches, predicted, reference
        for doc in shared:
            for label in labels:
                mine = [s for s in doc.spans[who] if s[2] == label]
                ref = [s for s in doc.spans[reference] if s[2] == label]
                t = totals[label]
                t[0] += exact_matches(mine, ref)
                t[1] += len(mine)
                t[2] += len(ref)
        per_label = {label: _prf(*t) for label, t in totals.items()}
        micro = [sum(t[i] for t in totals.values()) for i in range(3)]
        out[who] = {"n_docs": len(shared), "labels": per_label, "overall": _prf(*micro)}
    return {"reference": reference, "annotators": out}


def _prf(matches: int, predicted: int, reference: int) -> dict[str, float | None]:
    precision = matches / predicted if predicted else None
    recall = matches / reference if reference else None
    return {"precision": precision, "recall": recall, "f1": f1(matches, predicted, reference)}
