"""alpha_U against the published worked examples, with the values DKPro Statistics' tests assert.

Krippendorff (1995: p. 57) and Krippendorff (2004: p. 254); the expected figures and their
tolerances are those of DKPro Statistics' ``Krippendorff1995Test`` and ``Krippendorff2004Test``.
"""

from __future__ import annotations

import pytest

from annotator.metrics import unitizing
from annotator.metrics.unitizing import alpha, category_alpha, distance, expected_disagreement, observed_disagreement

# (offset, length, rater, category) at stretch 1, on a continuum of 24.
EXAMPLE_1995 = [
    (2, 8, 0, "A"), (14, 6, 0, "A"), (4, 4, 1, "A"), (15, 2, 1, "A"),
    (0, 18, 0, "B"), (0, 2, 1, "B"), (2, 1, 1, "B"), (3, 1, 1, "B"), (4, 1, 1, "B"), (5, 1, 1, "B"),
    (6, 3, 1, "B"), (9, 1, 1, "B"),
    (2, 6, 0, "C"), (10, 2, 0, "C"), (14, 4, 0, "C"), (20, 2, 0, "C"), (0, 2, 1, "C"), (4, 4, 1, "C"),
    (10, 4, 1, "C"), (16, 2, 1, "C"), (20, 2, 1, "C"),
    (0, 2, 0, "D"), (2, 8, 0, "D"), (10, 4, 0, "D"), (14, 6, 0, "D"), (20, 4, 0, "D"), (0, 4, 1, "D"),
    (4, 4, 1, "D"), (8, 7, 1, "D"), (15, 2, 1, "D"), (17, 7, 1, "D"),
]


def example_1995(stretch: float) -> tuple[list[unitizing.Unit], int]:
    units = [(r, int(o * stretch), int(o * stretch) + int(n * stretch), c) for o, n, r, c in EXAMPLE_1995]
    return units, int(24 * stretch)


def test_observed_disagreement_1995() -> None:
    units, length = example_1995(1)
    for category, expected in {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}.items():
        assert observed_disagreement(units, 2, length, category) == pytest.approx(expected, abs=1e-5)


def test_expected_disagreement_and_alpha_1995() -> None:
    units, length = example_1995(1200000 / 24)
    for category, d_e, a in [("A", 0.06990, 0.553), ("B", 1.17731, -0.926), ("C", 0.08642, 0.679),
                             ("D", 0.41445, 0.066)]:
        assert expected_disagreement(units, 2, length, category) == pytest.approx(d_e, abs=0.005)
        assert category_alpha(units, 2, length, category) == pytest.approx(a, abs=0.02)


@pytest.mark.parametrize("stretch, d_e, a", [
    (12 / 24, 0.05494, 0.494), (120 / 24, 0.08234, 0.663), (1200 / 24, 0.08600, 0.677),
    (12000 / 24, 0.08638, 0.678), (120000 / 24, 0.08642, 0.679)])
def test_varying_lengths_1995(stretch: float, d_e: float, a: float) -> None:
    units, length = example_1995(stretch)
    assert observed_disagreement(units, 2, length, "C") == pytest.approx(0.02777, abs=1e-5)
    tolerance = 1e-5 if stretch == 12 / 24 else 0.005
    assert expected_disagreement(units, 2, length, "C") == pytest.approx(d_e, abs=tolerance)
    assert category_alpha(units, 2, length, "C") == pytest.approx(a, abs=0.02)


def example_2004() -> tuple[list[unitizing.Unit], int]:
    """Krippendorff (2004: p. 254): continuum [150, 450), shifted here to start at 0."""
    raw = [(225, 70, 0, "c"), (370, 30, 0, "c"), (220, 80, 1, "c"), (355, 20, 1, "c"), (400, 20, 1, "c"),
           (180, 60, 0, "k"), (300, 50, 0, "k"), (180, 60, 1, "k"), (300, 50, 1, "k")]
    return [(r, o - 150, o - 150 + n, c) for o, n, r, c in raw], 300


def test_krippendorff_2004() -> None:
    units, length = example_2004()
    assert observed_disagreement(units, 2, length, "c") == pytest.approx(0.0144, abs=1e-4)
    assert expected_disagreement(units, 2, length, "c") == pytest.approx(0.0532, abs=1e-4)
    assert category_alpha(units, 2, length, "c") == pytest.approx(0.7286, abs=1e-4)
    assert observed_disagreement(units, 2, length, "k") == pytest.approx(0.0, abs=1e-4)
    assert expected_disagreement(units, 2, length, "k") == pytest.approx(0.0490, abs=1e-4)
    assert category_alpha(units, 2, length, "k") == pytest.approx(1.0, abs=1e-4)
    assert alpha(units, 2, length) == pytest.approx(0.8591, abs=5e-4)


def test_distances_2004() -> None:
    assert distance(2, 3, False, 2, 2, True) + distance(5, 6, True, 4, 7, False) == 40
    assert distance(3, 2, False, 3, 2, True) + distance(5, 6, True, 5, 6, False) == 40
    assert [distance(5, 6, True, s, n, True) for s, n in [(4, 2), (5, 2), (6, 2), (7, 2), (6, 4), (5, 6)]] == [
        26, 16, 10, 8, 2, 0]
    assert distance(225, 70, True, 220, 80, True) == 50
    assert distance(370, 30, True, 355, 20, True) == 850
    assert distance(400, 50, False, 400, 20, True) == 400


def test_identical_units_agree_fully_and_overlaps_are_joined() -> None:
    units = [(0, 3, 9, "x"), (1, 3, 9, "x"), (0, 20, 30, "y"), (1, 20, 30, "y"), (0, 22, 35, "y"), (1, 20, 35, "y")]
    assert category_alpha(units, 2, 50, "x") == 1.0
    assert category_alpha(units, 2, 50, "y") == 1.0  # [20, 30) and [22, 35) are the union [20, 35)
    assert category_alpha(units, 2, 50, "z") is None


def dkpro_walk(units1: list[tuple[int, int]], units2: list[tuple[int, int]], length: int) -> int:
    """DKPro's observed-disagreement walk for one pair of raters, step by step (the reference)."""
    nexts1, nexts2 = iter(units1), iter(units2)
    next1, next2 = next(nexts1, None), next(nexts2, None)
    off1 = len1 = off2 = len2 = 0
    cat1 = cat2 = False
    pos, total = 0, 0
    while pos < length and (next1 is not None or next2 is not None):
        if pos == off1 + len1:
            if next1 is not None and pos == next1[0]:
                len1, cat1 = next1[1] - next1[0], True
                next1 = next(nexts1, None)
            else:
                len1, cat1 = (next1[0] if next1 is not None else length) - pos, False
            off1 = pos
        if pos == off2 + len2:
            if next2 is not None and pos == next2[0]:
                len2, cat2 = next2[1] - next2[0], True
                next2 = next(nexts2, None)
            else:
                len2, cat2 = (next2[0] if next2 is not None else length) - pos, False
            off2 = pos
        total += distance(off1, len1, cat1, off2, len2, cat2)
        pos = min(off1 + len1, off2 + len2)
    return total


def test_observed_disagreement_matches_the_step_by_step_walk() -> None:
    import random

    rng = random.Random(5)
    for _ in range(300):
        length = rng.randrange(5, 80)
        units = []
        for rater in (0, 1):
            pos = 0
            while pos < length - 1 and rng.random() < 0.8:
                start = rng.randrange(pos, length - 1)
                end = rng.randrange(start + 1, min(length, start + 12) + 1)
                units.append((rater, start, end, "x"))
                pos = end
        by_rater = [[(s, e) for r, s, e, _ in units if r == k] for k in (0, 1)]
        expected = 2.0 * dkpro_walk(*by_rater, length) / (2 * length * length)
        assert observed_disagreement(units, 2, length, "x") == pytest.approx(expected)
