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
    """Pairs of same-label overlapping spans, each span in at most one pair, largest overlaps first."""
    candidates = []
    for i, (s1, e1, l1) in enumerate(a):
        for j, (s2, e2, l2) in enumerate(b):
            if l1 == l2 and s1 < e2 and s2 < e1:
                candidates.append((-(min(e1, e2) - max(s1, s2)), i, j))
    candidates.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    for _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
    return len(used_a)


def f1(matched: float, n_a: float, n_b: float) -> float | None:
    return None if n_a + n_b == 0 else float(2.0 * matched / (n_a + n_b))


# -- token labels and kappa -------------------------------------------------------------------
def token_labels(starts: np.ndarray, ends: np.ndarray, spans: Sequence[SpanTuple], label_index: Mapping[str, int]
                 ) -> np.ndarray:
    """Per token, 1 + the index of the label of the span covering it, or 0 (none)."""
    out = np.zeros(len(starts), dtype=np.int64)
    for start, end, label in sorted(spans, key=lambda s: (-s[0], s[1])):  # earliest start written last
        first = int(np.searchsorted(ends, start, side="right"))
        last = int(np.searchsorted(starts, end, side="left"))
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
def agreement(documents: Mapping[int, StudyDocument], annotators: Sequence[str], labels: Sequence[str], *,
              seed: int = 0, samples: int = BOOTSTRAP_SAMPLES) -> dict[str, Any]:
    """Every pair of ``annotators`` and all of them together; see the module docstring for the keys."""
    index = {label: i for i, label in enumerate(labels)}
    docs = {d: doc for d, doc in documents.items()}
    tokens = {d: (np.asarray(doc.token_starts, dtype=np.int64), np.asarray(doc.token_ends, dtype=np.int64))
              for d, doc in docs.items()}
    tags: dict[tuple[int, str], np.ndarray] = {}

    def tags_of(d: int, who: str) -> np.ndarray:
        if (d, who) not in tags:
            tags[(d, who)] = token_labels(*tokens[d], docs[d].spans[who], index)
        return tags[(d, who)]

    rng = np.random.default_rng(seed)
    pairs = []
    for a, b in combinations(annotators, 2):
        shared = sorted(d for d, doc in docs.items() if a in doc.spans and b in doc.spans)
        pairs.append({"a": a, "b": b, **_pair(docs, shared, a, b, labels, tags_of, rng, samples)})
    overall = _overall(docs, annotators, labels, tags_of, rng, samples)
    if len(pairs) == 1:  # two reviewers: Cohen's kappa, as their pair reports it
        pair = pairs[0]
        overall["kappa"] = pair["overall"]["kappa"]
        overall["ci95"]["kappa"] = pair["overall"]["ci95"]["kappa"]
        for label, figures in overall["labels"].items():
            figures["kappa"] = pair["labels"][label]["kappa"]
    return {"annotators": list(annotators), "labels": list(labels), "pairs": pairs, "overall": overall}


def _pair(docs: Mapping[int, StudyDocument], shared: list[int], a: str, b: str, labels: Sequence[str],
          tags_of: Any, rng: np.random.Generator, samples: int) -> dict[str, Any]:
    k = len(labels) + 1
    # Per document: per label (exact matches, overlap matches, n_a, n_b), then the token confusion.
    rows = np.zeros((len(shared), 4 * len(labels) + k * k), dtype=np.int64)
    units: list[unitizing.Unit] = []
    offset = 0
    for row, d in enumerate(shared):
        doc = docs[d]
        for i, label in enumerate(labels):
            sa = [s for s in doc.spans[a] if s[2] == label]
            sb = [s for s in doc.spans[b] if s[2] == label]
            rows[row, 4 * i: 4 * i + 4] = (exact_matches(sa, sb), overlap_matches(sa, sb), len(sa), len(sb))
        rows[row, 4 * len(labels):] = np.bincount(tags_of(d, a) * k + tags_of(d, b), minlength=k * k)
        units += [(0, s + offset, e + offset, lb) for s, e, lb in doc.spans[a]]
        units += [(1, s + offset, e + offset, lb) for s, e, lb in doc.spans[b]]
        offset += doc.length
    result = _pair_figures(rows.sum(axis=0), labels)
    for i, label in enumerate(labels):
        used = rows[:, 4 * i + 2] + rows[:, 4 * i + 3]
        result["labels"][label]["alpha_u"] = unitizing.category_alpha(units, 2, offset, label) if offset else None
        result["labels"][label]["n_docs"] = int((used > 0).sum())
    result["overall"]["alpha_u"] = unitizing.alpha(units, 2, offset) if offset else None
    result["overall"]["n_docs"] = len(shared)
    result["overall"]["ci95"] = _bootstrap(rows, lambda totals: _pair_micro(totals, len(labels)), rng, samples)
    return result


def _pair_micro(totals: np.ndarray, n_labels: int) -> dict[str, float | None]:
    per = totals[: 4 * n_labels].reshape(n_labels, 4).sum(axis=0)
    k = n_labels + 1
    return {"f1_exact": f1(per[0], per[2], per[3]), "f1_overlap": f1(per[1], per[2], per[3]),
            "kappa": cohen_kappa(totals[4 * n_labels:].reshape(k, k))}


def _pair_figures(totals: np.ndarray, labels: Sequence[str]) -> dict[str, Any]:
    k = len(labels) + 1
    confusion = totals[4 * len(labels):].reshape(k, k)
    per_label = {}
    for i, label in enumerate(labels):
        exact, overlap, n_a, n_b = totals[4 * i: 4 * i + 4]
        used = n_a + n_b > 0
        per_label[label] = {"f1_exact": f1(exact, n_a, n_b), "f1_overlap": f1(overlap, n_a, n_b),
                            "kappa": cohen_kappa(binary_confusion(confusion, i + 1)) if used else None}
    return {"labels": per_label, "overall": _pair_micro(totals, len(labels))}


def _overall(docs: Mapping[int, StudyDocument], annotators: Sequence[str], labels: Sequence[str], tags_of: Any,
             rng: np.random.Generator, samples: int) -> dict[str, Any]:
    """All reviewers on the documents every one of them annotated; F1s are micro over their pairs."""
    raters = len(annotators)
    shared = sorted(d for d, doc in docs.items() if all(a in doc.spans for a in annotators))
    k = len(labels) + 1
    # Per document: per label (exact, overlap, n_a + n_b summed over pairs), then per category
    # (token count, sum of squared rater counts), then the token count.
    rows = np.zeros((len(shared), 3 * len(labels) + 2 * k + 1), dtype=np.float64)
    units: list[unitizing.Unit] = []
    offset = 0
    for row, d in enumerate(shared):
        doc = docs[d]
        for i, label in enumerate(labels):
            for a, b in combinations(annotators, 2):
                sa = [s for s in doc.spans[a] if s[2] == label]
                sb = [s for s in doc.spans[b] if s[2] == label]
                rows[row, 3 * i: 3 * i + 3] += (exact_matches(sa, sb), overlap_matches(sa, sb), len(sa) + len(sb))
        counts = np.zeros((len(doc.token_starts), k), dtype=np.int64)
        for r, who in enumerate(annotators):
            counts[np.arange(len(counts)), tags_of(d, who)] += 1
            units += [(r, s + offset, e + offset, lb) for s, e, lb in doc.spans[who]]
        base = 3 * len(labels)
        rows[row, base: base + k] = counts.sum(axis=0)
        rows[row, base + k: base + 2 * k] = (counts ** 2).sum(axis=0)
        rows[row, -1] = len(counts)
        offset += doc.length

    def figures(totals: np.ndarray) -> dict[str, float | None]:
        per = totals[: 3 * len(labels)].reshape(len(labels), 3).sum(axis=0)
        base = 3 * len(labels)
        kappa = _fleiss(totals[-1], raters, float(totals[base + k: base + 2 * k].sum()), totals[base: base + k])
        return {"f1_exact": f1(per[0], per[2] / 2, per[2] / 2), "f1_overlap": f1(per[1], per[2] / 2, per[2] / 2),
                "kappa": kappa}

    totals = rows.sum(axis=0)
    result: dict[str, Any] = {"annotators": list(annotators), "n_docs": len(shared),
                              "kappa_kind": "cohen" if raters == 2 else "fleiss", **figures(totals)}
    result["alpha_u"] = unitizing.alpha(units, raters, offset) if offset and raters >= 2 else None
    per_label = {}
    base = 3 * len(labels)
    for i, label in enumerate(labels):
        exact, overlap, both = totals[3 * i: 3 * i + 3]
        used = both > 0
        n_in = totals[base + i + 1]
        sq_in = totals[base + k + i + 1]
        # Binary Fleiss: "in label i" counts n and "not" counts raters - n per token.
        n_tokens = totals[-1]
        sq_out = n_tokens * raters * raters - 2 * raters * n_in + sq_in
        kappa = _fleiss(n_tokens, raters, sq_in + sq_out, np.array([n_in, n_tokens * raters - n_in])) if used else None
        per_label[label] = {"f1_exact": f1(exact, both / 2, both / 2), "f1_overlap": f1(overlap, both / 2, both / 2),
                            "kappa": kappa,
                            "alpha_u": unitizing.category_alpha(units, raters, offset, label) if offset else None,
                            "n_docs": int((rows[:, 3 * i + 2] > 0).sum())}
    result["labels"] = per_label
    result["ci95"] = _bootstrap(rows, figures, rng, samples)
    return result


def _bootstrap(rows: np.ndarray, figures: Any, rng: np.random.Generator, samples: int
               ) -> dict[str, list[float] | None]:
    """2.5th and 97.5th percentiles of each figure over documents drawn with replacement."""
    n = rows.shape[0]
    names = list(figures(rows.sum(axis=0)))
    if n < 2 or samples < 1:
        return {name: None for name in names}
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=samples)
    drawn = weights.astype(np.float64) @ rows.astype(np.float64)
    values: dict[str, list[float]] = {name: [] for name in names}
    for totals in drawn:
        for name, value in figures(totals).items():
            if value is not None:
                values[name].append(value)
    return {name: ([float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))] if v else None)
            for name, v in values.items()}


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
