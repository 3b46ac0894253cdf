"""Tokens as JSON, and their bounds, for exporters: one regex pass per document, or the cache.

The result equals serialising :func:`annotator.text.tokenize` (a test checks it), but no
``Token`` object is built and no per-token Python function runs: ``re.split`` finds tokens
and gaps in one pass, ``itertools.accumulate`` turns their lengths into offsets, and one
comprehension makes plain dicts for orjson. Measured against string formatting per token
and dict-building in C via ``map(dict, ...)``, this was the fastest by about 2x.

Still, that is about 1 µs per token, more than everything else a canonical export does.
A document's text never changes after import, so neither do its tokens: the storage layer
keeps them (``document_tokens``: the JSON array exactly as the exporter writes it, the
bounds as packed little-endian int32, and the token strings as a JSON array) from :func:`cache_row`, stamped with
:data:`TOKENS_VERSION`. A row with another stamp is ignored and rebuilt.
"""

from __future__ import annotations

import re
import sys
import unicodedata
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import accumulate
from operator import itemgetter
from typing import Any, NamedTuple

import orjson

from annotator.exporters.arrays import numpy
from annotator.sentences import sentence_bounds
from annotator.text import _TOKEN

# The token pattern as one capturing group: split() then alternates gap, token, gap, ...
# Every character is a word character, whitespace, or a one-character token, so gaps are
# pure whitespace and "ws" is simply "the next gap is not empty".
_SPLIT = re.compile(f"({_TOKEN.pattern})")

# What a cached row depends on: the pattern, the record layout, and the Unicode tables `re`
# uses for \w and \s (they change with Python versions). Any change gives a new stamp, so
# a cache made elsewhere is never trusted where the tokenizer would now split differently.
_LAYOUT = "text,start,end,id,ws;int32le;texts"
TOKENS_VERSION: int = zlib.crc32(f"{_TOKEN.pattern}|{_LAYOUT}|{unicodedata.unidata_version}".encode())


class DocumentTokens(NamedTuple):
    """A document's ``tokens`` array as JSON bytes, and its token starts and ends (sorted)."""

    json: bytes
    starts: array
    ends: array


def token_bounds_and_json(text: str) -> tuple[bytes, list[int], list[int]]:
    """The ``tokens`` array of a canonical record as JSON, plus token starts and ends."""
    return _from_parts(_SPLIT.split(text))


def _from_parts(parts: list[str]) -> tuple[bytes, list[int], list[int]]:
    bounds = list(accumulate(map(len, parts)))
    starts = bounds[0:-1:2]
    ends = bounds[1::2]
    rows = zip(parts[1::2], starts, ends, range(len(starts)), map(bool, parts[2::2]))
    tokens = orjson.dumps([{"text": w, "start": s, "end": e, "id": i, "ws": b} for w, s, e, i, b in rows])
    return tokens, starts, ends


def pack_offsets(values: list[int]) -> bytes:
    """Offsets as little-endian int32 bytes, for a BLOB column."""
    packed = array("i", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def unpack_offsets(data: bytes) -> array:
    """Inverse of :func:`pack_offsets`: one memcpy, no Python int per value until read."""
    values = array("i")
    values.frombytes(data)
    if sys.byteorder == "big":
        values.byteswap()
    return values


def cache_row(text: str) -> tuple[bytes, bytes, bytes, bytes]:
    """(tokens JSON, packed starts, packed ends, texts JSON): what the storage layer keeps for ``text``.

    The texts JSON is the array of token strings (``["Fibre", "feeds", ...]``), which the
    hf-bio export writes as a record's ``tokens`` when no span edge cuts a token.
    """
    parts = _SPLIT.split(text)
    tokens, starts, ends = _from_parts(parts)
    return tokens, pack_offsets(starts), pack_offsets(ends), orjson.dumps(parts[1::2])


def sentence_row(text: str) -> tuple[bytes, bytes]:
    """(packed starts, packed ends) of the sentences of ``text``: the sentence cache's row."""
    starts, ends = sentence_bounds(text)
    return pack_offsets(starts), pack_offsets(ends)


def sentences_from_row(starts: bytes, ends: bytes) -> tuple[list[int], list[int]]:
    """Inverse of :func:`sentence_row`: what :func:`sentence_bounds` gave."""
    return unpack_offsets(starts).tolist(), unpack_offsets(ends).tolist()


def from_cache(tokens_json: bytes, starts: bytes, ends: bytes, texts_json: bytes | None = None) -> DocumentTokens:
    """The canonical record's tokens from a cache row (its texts JSON is not needed there)."""
    return DocumentTokens(tokens_json, unpack_offsets(starts), unpack_offsets(ends))


def document_tokens(text: str) -> DocumentTokens:
    """The same as a cached row would give, computed from scratch."""
    tokens, starts, ends = token_bounds_and_json(text)
    return DocumentTokens(tokens, array("i", starts), array("i", ends))


def span_tokens(starts: list[int] | array, ends: list[int] | array, start: int, end: int) -> tuple[int, int]:
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


_START, _END = itemgetter(1), itemgetter(2)


def spans_tokens(starts: array, ends: array, spans: Sequence[tuple[Any, ...]]) -> tuple[list[int], list[int]]:
    """:func:`span_tokens` of each span ``(id, start, end, ...)``: first tokens, last tokens.

    Every span of a canonical export asks this. A bisect over an ``array`` makes a Python
    int at each probe (measured: about a fifth of a canonical worker's time at 50 spans a
    document); numpy searches the packed bounds in C, all of a document's spans at once.
    """
    n = len(spans)
    top = len(starts) - 1
    if top < 0 or not n:
        return [0] * n, [0] * n
    np = numpy()
    token_starts, token_ends = np.frombuffer(starts, dtype=np.intc), np.frombuffer(ends, dtype=np.intc)
    span_starts = np.fromiter(map(_START, spans), dtype=np.int64, count=n)
    span_ends = np.fromiter(map(_END, spans), dtype=np.int64, count=n)
    first = token_ends.searchsorted(span_starts, "right")
    np.minimum(first, top, out=first)
    # The last token starting before the span's end; never before its first, never past the last.
    last = token_starts.searchsorted(span_ends, "left")
    last -= 1
    np.maximum(last, first, out=last)
    np.minimum(last, top, out=last)
    return first.tolist(), last.tolist()
