"""Where reviewers disagree on a document: the conflicts an adjudicator decides, one by one.

Pure functions on plain tuples, no storage and no Qt. Every reviewer's spans are pooled and
cut into *regions*: runs of text where spans overlap one another (whoever made them). A
region is a conflict unless every reviewer marked exactly the same spans in it, same
offsets and labels; a region only some reviewers marked is a conflict too (the others
said "nothing here"). A conflict is *decided* once gold holds a span meeting it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Mark = tuple[int, int, str]  # start, end (exclusive, code points), label


@dataclass(frozen=True, slots=True)
class Conflict:
    start: int  # the region: from the first span's start to the furthest end
    end: int
    marks: dict[str, tuple[Mark, ...]]  # reviewer -> their spans in the region, in text order (maybe none)

    def of(self, reviewer: str) -> tuple[Mark, ...]:
        return self.marks.get(reviewer, ())


def regions(spans: Iterable[Mark]) -> list[tuple[int, int]]:
    """Maximal runs of overlapping spans, in text order (spans that only touch stay apart)."""
    out: list[tuple[int, int]] = []
    for start, end, _label in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def find_conflicts(spans_by_reviewer: Mapping[str, Iterable[Mark]]) -> list[Conflict]:
    """The regions where the reviewers' spans differ, in text order.

    >>> find_conflicts({"a": [(0, 4, "claim"), (10, 14, "claim")], "b": [(0, 4, "claim"), (10, 15, "claim")]})
    [Conflict(start=10, end=15, marks={'a': ((10, 14, 'claim'),), 'b': ((10, 15, 'claim'),)})]
    """
    marks = {name: sorted(set(spans)) for name, spans in spans_by_reviewer.items()}
    spans_regions = regions(m for ms in marks.values() for m in ms)
    starts = [start for start, _end in spans_regions]
    inside: list[dict[str, list[Mark]]] = [{name: [] for name in marks} for _ in spans_regions]
    for name, ms in marks.items():
        for m in ms:  # every span lies in the one region holding its start
            inside[bisect_right(starts, m[0]) - 1][name].append(m)
    conflicts = []
    for (start, end), by_name in zip(spans_regions, inside):
        frozen = {name: tuple(ms) for name, ms in by_name.items()}
        if len(set(frozen.values())) > 1:
            conflicts.append(Conflict(start, end, frozen))
    return conflicts


def decided(conflict: Conflict, gold: Iterable[Mark]) -> bool:
    """Whether gold already holds a span meeting the conflict's region."""
    return any(s < conflict.end and e > conflict.start for s, e, _label in gold)


def choose(conflict: Conflict, take: Iterable[str]) -> list[Mark]:
    """Gold's spans for a region when taking these reviewers' marks (none: neither), without repeats."""
    return sorted({m for name in take for m in conflict.of(name)})
