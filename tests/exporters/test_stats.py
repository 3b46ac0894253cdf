"""The dataset card's counts (stats.Tally) equal counts taken span by span from the groups."""

from __future__ import annotations

import pickle
from collections import Counter

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.exporters import stats
from annotator.exporters.stats import Tally
from annotator.storage.repository import ExportDocument, ExportGroup

LABELS = ["claim", "mechanism", "intervention", "citation", "disclaimer"]
_SPAN = st.tuples(st.integers(0, 60), st.integers(0, 25), st.sampled_from([*LABELS, "renamed-label"]))
_GROUP = st.tuples(st.sampled_from(["alice", "bob"]), st.lists(_SPAN, max_size=12))
_DOCUMENT = st.tuples(st.sampled_from([None, "train", "test"]), st.lists(_GROUP, max_size=2, unique_by=lambda g: g[0]))


def overlapping_count(spans: list[tuple[str, int, int, str, str | None]]) -> int:
    """Spans (in start order) that overlap some earlier span of the list, one at a time."""
    return sum(any(start < earlier[2] for earlier in spans[:i]) for i, (_, start, *_rest) in enumerate(spans))


def _groups(documents: list) -> list[tuple[str | None, ExportGroup]]:
    out = []
    for doc_id, (split, groups) in enumerate(documents, 1):
        row = ExportDocument(doc_id, "t", "s", "txt", "ab" * 32, "x" * 100, "{}")
        for annotator, spans in sorted(groups):
            found = sorted((f"{doc_id}-{i}", start, start + length, label, None)
                           for i, (start, length, label) in enumerate(spans))
            out.append((split, ExportGroup(row, annotator, "done", sorted(found, key=lambda s: (s[1], s[2], s[3], s[0])))))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(_DOCUMENT, max_size=8))
def test_lengths_and_overlaps_equal_a_count_span_by_span(documents: list) -> None:
    groups = _groups(documents)
    tally = Tally(LABELS)
    for split, group in groups:
        tally.add(split, group)
    lengths: dict[tuple[str | None, str], Counter] = {}
    overlaps: Counter = Counter()
    for split, group in groups:
        lengths.setdefault((split, group.annotator), Counter()).update((s[3], s[2] - s[1]) for s in group.spans)
        overlaps[(split, group.annotator)] += overlapping_count(group.spans)
    summary = tally.summary()
    for annotator in {a for _s, a in lengths}:
        mine = sum((c for (_s, a), c in lengths.items() if a == annotator), Counter())
        assert +tally.annotators[annotator].lengths == +mine
        assert tally.annotators[annotator].overlapping == sum(n for (_s, a), n in overlaps.items() if a == annotator)
    every_span = [s for _, g in groups for s in g.spans]
    assert summary["all"]["spans"] == len(every_span)
    assert summary["all"]["overlapping_spans"] == sum(overlaps.values())
    assert summary["all"]["documents"] == len({g.document.id for _, g in groups})
    assert summary["all"]["spans_per_label"] == {lb: sum(s[3] == lb for s in every_span) for lb in LABELS}
    if every_span:
        assert summary["all"]["span_length_chars"]["all"]["max"] == max(s[2] - s[1] for s in every_span)
