"""Tokens as JSON, and their bounds, for exporters: one regex pass per document.

The result equals serialising :func:`annotator.text.tokenize` (a test checks it), but no
``Token`` object is built and no per-token Python function runs: ``re.split`` finds tokens
and gaps in one pass, ``itertools.accumulate`` turns their lengths into offsets, and one
comprehension makes plain dicts for orjson. Measured against string formatting per token
and dict-building in C via ``map(dict, ...)``, this was the fastest by about 2x.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate

import orjson

from annotator.text import _TOKEN

# The token pattern as one capturing group: split() then alternates gap, token, gap, ...
# Every character is a word character, whitespace, or a one-character token, so gaps are
# pure whitespace and "ws" is simply "the next gap is not empty".
_SPLIT = re.compile(f"({_TOKEN.pattern})")


def token_bounds_and_json(text: str) -> tuple[bytes, list[int], list[int]]:
    """The ``tokens`` array of a canonical record as JSON, plus token starts and ends."""
    parts = _SPLIT.split(text)
    bounds = list(accumulate(map(len, parts)))
    starts = bounds[0:-1:2]
    ends = bounds[1::2]
    rows = zip(parts[1::2], starts, ends, range(len(starts)), map(bool, parts[2::2]))
    tokens = orjson.dumps([{"text": w, "start": s, "end": e, "id": i, "ws": b} for w, s, e, i, b in rows])
    return tokens, starts, ends


def span_tokens(starts: list[int], ends: list[int], start: int, end: int) -> tuple[int, int]:
    """First and last (inclusive) token of the span [start, end), Prodigy's convention.

    Same as :func:`annotator.text.token_range`, but clamped to real token indices: a span
    inside trailing whitespace points at the last token instead of one past it.
    """
    if not starts:
        return 0, 0
    first = bisect_right(ends, start)
    last = bisect_left(starts, end) - 1
    top = len(starts) - 1
    first = min(first, top)
    return first, min(max(last, first), top)
