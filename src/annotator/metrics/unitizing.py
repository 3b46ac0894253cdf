"""Krippendorff's unitizing alpha (alpha_U), as DKPro Statistics and INCEpTION compute it.

Krippendorff (1995), "On the reliability of unitizing contiguous data", Sociological
Methodology 25:47-76; the computation follows DKPro Statistics'
``KrippendorffAlphaUnitizingAgreement`` (Meyer and Stab), so the figures match INCEpTION's.

The continuum is ``[0, length)``; each rater cuts it, per category, into their units of that
category and the gaps between them. The observed disagreement sums, over every pair of
raters and every pair of their segments that the walk below compares, Krippendorff's
squared distances (nothing for two gaps; for two overlapping units the squared differences
of their starts and ends; a unit lying wholly inside the other rater's gap costs its length
squared). The expected disagreement takes every possible placement of the units over the
gaps. Sums are exact integers; only the final ratios are floats.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import accumulate

Unit = tuple[int, int, int, str]  # rater index, start, end (exclusive), category


def merged_units(units: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) units of one rater and category in order, overlapping ones joined.

    alpha_U assumes a rater's units of one category never overlap; a reviewer's spans may,
    so their union is what the rater marked.
    """
    out: list[list[int]] = []
    for start, end in sorted(units):
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def _segments(units: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int, bool]]:
    """The continuum cut by one rater: (start, length, is_unit) in order, gaps between units."""
    segs: list[tuple[int, int, bool]] = []
    pos = 0
    for start, end in units:
        if start > pos:
            segs.append((pos, start - pos, False))
        segs.append((start, end - start, True))
        pos = end
    if pos < length:
        segs.append((pos, length - pos, False))
    return segs


def distance(start1: int, len1: int, unit1: bool, start2: int, len2: int, unit2: bool) -> int:
    """Krippendorff's squared distance between two segments of two raters."""
    begin_diff = start1 - start2
    length_diff = len1 - len2
    if unit1 and unit2 and -len1 < begin_diff < len2:
        return begin_diff * begin_diff + (begin_diff + length_diff) * (begin_diff + length_diff)
    if unit1 and not unit2 and -length_diff >= begin_diff >= 0:
        return len1 * len1
    if not unit1 and unit2 and -length_diff <= begin_diff <= 0:
        return len2 * len2
    return 0


def _pair_disagreement(units1: Sequence[tuple[int, int]], units2: Sequence[tuple[int, int]], length: int) -> int:
    """Summed distances of two raters' segments, walking both segmentations together.

    At each step the two current segments are compared and the one ending first is left;
    the walk stops once both raters' last units have been entered (what follows are gaps
    or those last units again), as DKPro's does.
    """
    segs1, segs2 = _segments(units1, length), _segments(units2, length)
    left1, left2 = len(units1), len(units2)  # units not yet entered
    i = j = 0
    total = 0
    while i < len(segs1) and j < len(segs2) and (left1 or left2):
        s1, s2 = segs1[i], segs2[j]
        left1 -= s1[2] and _entering(s1, s2)
        left2 -= s2[2] and _entering(s2, s1)
        total += distance(*s1, *s2)
        end1, end2 = s1[0] + s1[1], s2[0] + s2[1]
        if end1 <= end2:
            i += 1
        if end2 <= end1:
            j += 1
    return total


def _entering(seg: tuple[int, int, bool], other: tuple[int, int, bool]) -> bool:
    """Whether this comparison is the first one of ``seg`` (the walk entered it just now)."""
    return seg[0] >= other[0]


def observed_disagreement(units: Sequence[Unit], raters: int, length: int, category: str) -> float:
    """D_O of one category."""
    by_rater = _by_rater(units, raters, category)
    total = 0
    for r1 in range(raters):
        for r2 in range(r1 + 1, raters):
            total += _pair_disagreement(by_rater[r1], by_rater[r2], length)
    return 2.0 * total / (raters * (raters - 1) * length * length)


def expected_disagreement(units: Sequence[Unit], raters: int, length: int, category: str) -> float:
    """D_E of one category: every unit placed over every gap it fits into."""
    by_rater = _by_rater(units, raters, category)
    lengths = [e - s for rater in by_rater for s, e in rater]
    gaps = sorted(seg[1] for rater in by_rater for seg in _segments(rater, length) if not seg[2])
    # Suffix sums of the sorted gaps: sum over gaps g >= l of (g - l + 1) in O(log n).
    suffix = list(accumulate(reversed(gaps), initial=0))[::-1]
    n = len(lengths)
    squared = sum(ln * (ln - 1) for ln in lengths)
    total = 0
    for ln in lengths:
        k = bisect_left(gaps, ln)
        fits = len(gaps) - k
        total += (n - 1) * ln * (ln - 1) * (2 * ln - 1) // 3
        total += ln * ln * (suffix[k] - (ln - 1) * fits)
    denominator = raters * length * (raters * length - 1) - squared
    return 2.0 * total / length / denominator if denominator else 0.0


def _by_rater(units: Sequence[Unit], raters: int, category: str) -> list[list[tuple[int, int]]]:
    grouped: list[list[tuple[int, int]]] = [[] for _ in range(raters)]
    for rater, start, end, cat in units:
        if cat == category:
            grouped[rater].append((start, end))
    return [merged_units(g) for g in grouped]


def category_alpha(units: Sequence[Unit], raters: int, length: int, category: str) -> float | None:
    """alpha_U of one category; None where nobody marked it (nothing to agree on)."""
    if not any(u[3] == category for u in units):
        return None
    d_o = observed_disagreement(units, raters, length, category)
    d_e = expected_disagreement(units, raters, length, category)
    return 0.0 if d_o == d_e else 1.0 - d_o / d_e


def alpha(units: Sequence[Unit], raters: int, length: int) -> float | None:
    """alpha_U over all categories: 1 - mean D_O / mean D_E over the categories marked."""
    categories = sorted({u[3] for u in units})
    if not categories or length <= 0 or raters < 2:
        return None
    d_o = sum(observed_disagreement(units, raters, length, c) for c in categories) / len(categories)
    d_e = sum(expected_disagreement(units, raters, length, c) for c in categories) / len(categories)
    return 0.0 if d_o == d_e else 1.0 - d_o / d_e
