"""Conflicts between reviewers on one document: the pure function the Review mode lists."""

from __future__ import annotations

import doctest

import annotator.team_conflicts as tc
from annotator.team_conflicts import Conflict, choose, decided, find_conflicts, regions


def test_identical_annotations_have_no_conflict() -> None:
    same = [(0, 4, "claim"), (10, 20, "citation")]
    assert find_conflicts({"a": same, "b": list(reversed(same)), "c": same}) == []


def test_regions_join_overlaps_but_not_neighbours() -> None:
    assert regions([(5, 9, "x"), (0, 4, "x"), (3, 6, "y"), (9, 12, "x")]) == [(0, 9), (9, 12)]


def test_each_kind_of_disagreement_is_one_conflict_with_who_marked_what() -> None:
    a = [(0, 4, "claim"), (10, 20, "claim"), (30, 35, "citation"), (50, 55, "claim")]
    b = [(0, 4, "claim"), (12, 20, "claim"), (30, 35, "disclaimer"), (60, 62, "claim")]
    got = find_conflicts({"a": a, "b": b})
    assert got == [
        Conflict(10, 20, {"a": ((10, 20, "claim"),), "b": ((12, 20, "claim"),)}),  # boundary
        Conflict(30, 35, {"a": ((30, 35, "citation"),), "b": ((30, 35, "disclaimer"),)}),  # label
        Conflict(50, 55, {"a": ((50, 55, "claim"),), "b": ()}),  # only a marked it
        Conflict(60, 62, {"a": (), "b": ((60, 62, "claim"),)}),
    ]


def test_decisions_and_progress() -> None:
    (c,) = find_conflicts({"a": [(0, 10, "claim")], "b": [(5, 10, "claim"), (0, 3, "mechanism")]})
    assert (c.start, c.end) == (0, 10)
    assert choose(c, ["a"]) == [(0, 10, "claim")]
    assert choose(c, ["b"]) == [(0, 3, "mechanism"), (5, 10, "claim")]
    assert choose(c, ["a", "b"]) == [(0, 3, "mechanism"), (0, 10, "claim"), (5, 10, "claim")]
    assert choose(c, []) == []
    assert not decided(c, [(10, 12, "claim")]) and decided(c, [(9, 12, "claim")])


def test_docstring_example() -> None:
    assert doctest.testmod(tc).failed == 0
