"""Hugging Face token classification: tokens and BIO ``ner_tags``, one JSON line per document and annotator.

::

    {"id": "<document_id>:<annotator>", "document_id": "...", "annotator": "...", "status": "done",
     "reason": null, "text": "Probiotics reduce nerve pain.", "tokens": ["Probiotics", "reduce", ...],
     "offsets": [[0, 10], [11, 17], ...], "ner_tags": [5, 1, 2, 2, 0]}

Tag ids: ``O`` is 0; for the k-th label of the project (0-based), ``B-label`` is 2k+1 and
``I-label`` 2k+2. The manifest lists them (``format_details.label_names``, index = id), ready
for ``datasets.ClassLabel(names=...)``; a Hugging Face dataset card (``README.md``, see
:mod:`hub_card`) beside the data lets ``datasets.load_dataset(folder)`` read them with names.
``offsets`` are each token's [start, end) in ``text`` (code points); ``reason`` is a flag's.

Tokens are the app's non-whitespace tokens (:func:`annotator.text.tokenize`), cut again
wherever a span starts or ends inside one, so the tags decode back to every span exactly.

**Overlaps.** BIO gives each token one tag. Spans are taken by first token, then longer
first, then label order; a span whose tokens were all taken is **dropped**, one partly
taken is **trimmed** to its tail of free tokens, a whitespace-only span is dropped. The
manifest counts dropped and trimmed spans per label, and the spans written.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from itertools import repeat
from operator import sub
from typing import Any

from annotator.exporters import sink
from annotator.exporters.sink import Context, Document
from annotator.storage.repository import ExportGroup

OVERLAP_RULE = ("Overlapping spans: taken in order of first token, then longer first, then label order; "
                "a span whose tokens are all taken is dropped, one partly taken is trimmed "
                "to its free tail; a span with no token (whitespace only) is dropped.")


def details(ctx: Context) -> dict[str, Any]:
    names = label_names(ctx.label_names)
    return {"label_names": names, "tag_ids": {n: i for i, n in enumerate(names)},
            "overlap_rule": OVERLAP_RULE, "rules": [
                "One line per document and annotator: text, status, reason (flagged), tokens, their [start, end) "
                "offsets in text, and ner_tags (BIO ids; names in label_names and README.md's ClassLabel).",
                "O = 0; for the k-th label (0-based) B = 2k+1 and I = 2k+2.",
                "Tokens are the app's tokens without whitespace ones, cut again at every span edge inside a "
                "token, so tags decode back to the spans exactly (minus surrounding whitespace).",
                OVERLAP_RULE,
            ]}


def label_names(labels: list[str]) -> list[str]:
    """Tag names by id: O, B-first, I-first, B-second, ..."""
    return ["O", *(f"{p}-{lb}" for lb in labels for p in ("B", "I"))]


def cut_points(starts: Sequence[int], ends: Sequence[int], edges: list[int]) -> dict[int, list[int]]:
    """Token index -> the span edges that fall strictly inside that token."""
    cuts: dict[int, list[int]] = {}
    for edge in edges:
        i = bisect_right(starts, edge) - 1
        if i >= 0 and starts[i] < edge < ends[i]:
            cuts.setdefault(i, []).append(edge)
    return cuts


def cut_tokens(texts: list[str], starts: list[int], ends: list[int], edges: list[int]
               ) -> tuple[list[str], list[int], list[int]]:
    """The tokens cut at every edge that falls strictly inside one (new lists only when needed)."""
    cuts = cut_points(starts, ends, edges)
    if not cuts:
        return texts, starts, ends
    new_t: list[str] = []
    new_s: list[int] = []
    new_e: list[int] = []
    done = 0
    for i in sorted(cuts):
        new_t += texts[done:i]
        new_s += starts[done:i]
        new_e += ends[done:i]
        pos = starts[i]
        token = texts[i]
        for edge in sorted(set(cuts[i])) + [ends[i]]:
            new_t.append(token[pos - starts[i]:edge - starts[i]])
            new_s.append(pos)
            new_e.append(edge)
            pos = edge
        done = i + 1
    return new_t + texts[done:], new_s + starts[done:], new_e + ends[done:]


def resolve(firsts: list[int], stops: list[int], labels: list[str], order: dict[str, int]
            ) -> tuple[list[tuple[int, int, str]], list[str], list[str]]:
    """Token ranges [first, last) to keep, and the labels of the dropped and trimmed spans.

    Span i is tokens [firsts[i], stops[i]) with label labels[i]; see the module docstring
    for the rule. The ranking tuples are made by C loops (zip, map): this runs for every
    span of an export. Equal tuples are equal spans, so their order is moot."""
    ranked = sorted(zip(firsts, map(sub, firsts, stops), map(order.get, labels, repeat(len(order))), labels, stops))
    kept: list[tuple[int, int, str]] = []
    dropped: list[str] = []
    trimmed: list[str] = []
    reach = 0  # every token in [first of the current span, reach) is already taken
    for first, _minus_length, _rank, label, end in ranked:
        start = first if first > reach else reach
        if start >= end:
            dropped.append(label)
            continue
        if start > first:
            trimmed.append(label)
        kept.append((start, end, label))
        reach = end
    return kept, dropped, trimmed


class Writer(sink.JsonlWriter):
    def __init__(self, out: Any, ctx: Context) -> None:
        super().__init__(out, ctx)
        self.order = ctx.label_order()
        self.b_tag = {lb: 2 * k + 1 for lb, k in self.order.items()}
        self.counts["tokens"] = 0

    def records(self, group: ExportGroup, doc: Document) -> Iterator[dict[str, Any]]:
        texts, starts, ends = doc.words()
        spans = group.spans
        if spans:
            texts, starts, ends = cut_tokens(texts, starts, ends, [x for s in spans for x in (s[1], s[2])])
        firsts = list(map(bisect_left, repeat(starts), (s[1] for s in spans)))
        stops = list(map(bisect_left, repeat(starts), (s[2] for s in spans)))
        kept, dropped, trimmed = resolve(firsts, stops, [s[3] for s in spans], self.order)
        tags = [0] * len(texts)
        for first, end, label in kept:
            b = self.b_tag[label]
            tags[first] = b
            tags[first + 1:end] = [b + 1] * (end - first - 1)
        self.count("spans_written", (k[2] for k in kept))
        self.count("dropped", dropped)
        self.count("trimmed", trimmed)
        self.counts["tokens"] += len(texts)
        yield {"id": f"{doc.key}:{group.annotator}", "document_id": doc.key, "annotator": group.annotator,
               "status": group.status, "reason": group.reason, "text": doc.text, "tokens": texts,
               "offsets": [[a, b] for a, b in zip(starts, ends)], "ner_tags": tags}
