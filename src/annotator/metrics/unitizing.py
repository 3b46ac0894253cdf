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
gaps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

Unit = tuple[int, int, int, str]  # rater index, start, end (exclusive), category


def merged_units(units: Iterable[tuple[int, int]]) -> np.ndarray:
    """(start, end) units of one rater and category as an n x 2 array in order, overlapping ones joined.

    alpha_U assumes a rater's units of one category never overlap; a reviewer's spans may,
    so their union is what the rater marked.
    """
    return _merge_sorted(np.array(sorted(units), dtype=np.int64).reshape(-1, 2))


def _merge_sorted(arr: np.ndarray) -> np.ndarray:
    if len(arr) < 2:
        return arr
    reach = np.maximum.accumulate(arr[:, 1])
    opens = np.concatenate(([True], arr[1:, 0] >= reach[:-1]))  # a unit not overlapping any before it
    if opens.all():
        return arr
    group = np.cumsum(opens) - 1
    ends = np.zeros(int(group[-1]) + 1, dtype=np.int64)
    np.maximum.at(ends, group, arr[:, 1])
    return np.column_stack((arr[opens, 0], ends))


def _segments(units: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The continuum cut by one rater: starts, lengths and is-unit flags in order, gaps between units."""
    starts, ends = units[:, 0], units[:, 1]
    gap_starts = np.concatenate(([0], ends))
    gap_ends = np.concatenate((starts, [length]))
    keep = gap_ends > gap_starts
    seg_starts = np.concatenate((starts, gap_starts[keep]))
    seg_lens = np.concatenate((ends - starts, (gap_ends - gap_starts)[keep]))
    is_unit = np.concatenate((np.ones(len(starts), bool), np.zeros(int(keep.sum()), bool)))
    order = np.argsort(seg_starts, kind="stable")
    return seg_starts[order], seg_lens[order], is_unit[order]


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


def _pair_disagreement(units1: np.ndarray, units2: np.ndarray, length: int) -> int:
    """Summed distances of two raters' segments, walking both segmentations together.

    The walk compares the two segments current at every point where either rater's
    segmentation starts a segment, and stops once both raters' last units have been entered
    (as DKPro's does): done here for all those points at once.
    """
    if not len(units1) and not len(units2):
        return 0
    starts1, lens1, is_unit1 = _segments(units1, length)
    starts2, lens2, is_unit2 = _segments(units2, length)
    last = max(int(units1[-1, 0]) if len(units1) else -1, int(units2[-1, 0]) if len(units2) else -1)
    points = np.union1d(starts1, starts2)
    points = points[points <= last]
    i = np.searchsorted(starts1, points, side="right") - 1
    j = np.searchsorted(starts2, points, side="right") - 1
    s1, n1, u1 = starts1[i], lens1[i], is_unit1[i]
    s2, n2, u2 = starts2[j], lens2[j], is_unit2[j]
    begin_diff = s1 - s2
    length_diff = n1 - n2
    both = u1 & u2 & (-n1 < begin_diff) & (begin_diff < n2)
    only1 = u1 & ~u2 & (-length_diff >= begin_diff) & (begin_diff >= 0)
    only2 = ~u1 & u2 & (-length_diff <= begin_diff) & (begin_diff <= 0)
    total = (begin_diff[both] ** 2 + (begin_diff[both] + length_diff[both]) ** 2).sum()
    total += (n1[only1] ** 2).sum() + (n2[only2] ** 2).sum()
    return int(total)


def grouped(units: Sequence[Unit], raters: int) -> dict[str, list[np.ndarray]]:
    """Per category, each rater's units (overlaps joined)."""
    if not units:
        return {}
    names = sorted({u[3] for u in units})
    index = {c: i for i, c in enumerate(names)}
    arr = np.array([(r, s, e, index[c]) for r, s, e, c in units], dtype=np.int64)
    return grouped_arrays(arr, raters, names)


def grouped_arrays(units: np.ndarray, raters: int, categories: Sequence[str]) -> dict[str, list[np.ndarray]]:
    """Like :func:`grouped`, from an n x 4 array of (rater, start, end, category index)."""
    out: dict[str, list[np.ndarray]] = {}
    if not len(units):
        return out
    units = units[np.lexsort((units[:, 2], units[:, 1], units[:, 0], units[:, 3]))]
    cuts = np.flatnonzero(np.diff(units[:, 3] * raters + units[:, 0])) + 1
    for block in np.split(units, cuts):
        category = categories[int(block[0, 3])]
        by_rater = out.setdefault(category, [np.zeros((0, 2), dtype=np.int64) for _ in range(raters)])
        by_rater[int(block[0, 0])] = _merge_sorted(block[:, 1:3])
    return out


def _observed(by_rater: list[np.ndarray], length: int) -> float:
    raters = len(by_rater)
    total = sum(_pair_disagreement(by_rater[r1], by_rater[r2], length)
                for r1 in range(raters) for r2 in range(r1 + 1, raters))
    return 2.0 * total / (raters * (raters - 1) * length * length)


def _expected(by_rater: list[np.ndarray], length: int) -> float:
    raters = len(by_rater)
    lengths = np.concatenate([r[:, 1] - r[:, 0] for r in by_rater]).astype(np.float64)
    gaps = np.sort(np.concatenate([_gaps(r, length) for r in by_rater])).astype(np.float64)
    # Suffix sums of the sorted gaps: sum over gaps g >= l of (g - l + 1), for every unit at once.
    suffix = np.concatenate((np.cumsum(gaps[::-1])[::-1], [0.0]))
    k = np.searchsorted(gaps, lengths, side="left")
    fits = len(gaps) - k
    n = len(lengths)
    total = ((n - 1) * lengths * (lengths - 1) * (2 * lengths - 1) / 3).sum()
    total += (lengths * lengths * (suffix[k] - (lengths - 1) * fits)).sum()
    denominator = raters * length * (raters * length - 1) - float((lengths * (lengths - 1)).sum())
    return 2.0 * float(total) / length / denominator if denominator else 0.0


def _gaps(units: np.ndarray, length: int) -> np.ndarray:
    """Lengths of the stretches between one rater's units (and before the first, after the last)."""
    gap_lengths = np.concatenate((units[:, 0], [length])) - np.concatenate(([0], units[:, 1]))
    return gap_lengths[gap_lengths > 0]


def observed_disagreement(units: Sequence[Unit], raters: int, length: int, category: str) -> float:
    """D_O of one category."""
    return _observed(grouped(units, raters).get(category, [merged_units([])] * raters), length)


def expected_disagreement(units: Sequence[Unit], raters: int, length: int, category: str) -> float:
    """D_E of one category: every unit placed over every gap it fits into."""
    return _expected(grouped(units, raters).get(category, [merged_units([])] * raters), length)


def alphas(units: Sequence[Unit], raters: int, length: int) -> tuple[dict[str, float], float | None]:
    """(alpha_U per category marked, alpha_U over them all): 1 - mean D_O / mean D_E."""
    return alphas_grouped(grouped(units, raters), raters, length)


def alphas_grouped(by_category: dict[str, list[np.ndarray]], raters: int, length: int
                   ) -> tuple[dict[str, float], float | None]:
    """:func:`alphas` from :func:`grouped_arrays`' result."""
    if length <= 0 or raters < 2:
        return {}, None
    per: dict[str, float] = {}
    d_os, d_es = [], []
    for category, by_rater in sorted(by_category.items()):
        d_o, d_e = _observed(by_rater, length), _expected(by_rater, length)
        per[category] = 0.0 if d_o == d_e else 1.0 - d_o / d_e
        d_os.append(d_o)
        d_es.append(d_e)
    if not per:
        return per, None
    d_o, d_e = sum(d_os) / len(d_os), sum(d_es) / len(d_es)
    return per, 0.0 if d_o == d_e else 1.0 - d_o / d_e


def category_alpha(units: Sequence[Unit], raters: int, length: int, category: str) -> float | None:
    """alpha_U of one category; None where nobody marked it (nothing to agree on)."""
    return alphas([u for u in units if u[3] == category], raters, length)[0].get(category)


def alpha(units: Sequence[Unit], raters: int, length: int) -> float | None:
    """alpha_U over all categories marked."""
    return alphas(units, raters, length)[1]
