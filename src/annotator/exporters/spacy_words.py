"""A document's spaCy words, made once from its text (at import) for the spacy export.

spaCy's words for a text are the app's tokens plus its whitespace: a token takes one
following space as its trailing space, and any other run of whitespace is a word of its
own (:data:`WORDS` splits a text so). They depend on the text alone, which never changes
after import, and so do their string ids (the DocBin's ORTH column, spaCy 3's ids:
:func:`spacy_parts.spacy3_id`). The storage layer keeps them (``document_spacy_words``)
as :func:`words_row` makes them, stamped with :data:`SPACY_WORDS_VERSION`; a row with
another stamp is ignored and made again.

An export then reads a document's ORTH column, trailing spaces and word starts as bytes,
and its distinct words for the DocBin's string table, instead of splitting the text and
looking up an id per word (the benchmark corpus's worker loop over 5,000 documents:
1.61-1.72 s of CPU that way, 1.08-1.19 s reading the rows the import made). A group whose
span edges all fall on word edges (:meth:`WordRow.locate`) uses the row as it is; any
other is cut again from the text (``spacy_docbin``).

Importing this module imports neither numpy nor msgpack: the import of documents uses it.
"""

from __future__ import annotations

import re
import sys
import zlib
from array import array
from collections.abc import Sequence
from itertools import accumulate
from operator import add
from typing import Any

import orjson

from annotator.exporters.arrays import numpy as _numpy
from annotator.exporters.spacy_parts import SYMBOLS, spacy3_ids
from annotator.exporters.tokens import TOKENS_VERSION, pack_offsets, unpack_offsets
from annotator.text import _TOKEN

# A word is a token or a run of whitespace; a token takes one following space as its own.
# split() gives ['', word, ' ' or '', '', word, ..., '']: every character is matched, so
# the pieces between matches are empty and the parts joined are the text. The token pattern
# is used with possessive quantifiers when it is the one known here (no backtracking could
# change its matches; about 10% faster), as it is otherwise.
_POSSESSIVE = {r"\w+(?:[-'’.,]\w+)*|[^\w\s]": r"\w++(?:[-'’.,]\w++)*+|[^\w\s]"}
WORDS = re.compile(f"({_POSSESSIVE.get(_TOKEN.pattern, _TOKEN.pattern)}|\\s++)( ?)")

# What a row depends on: the tokens (their stamp covers the pattern and Unicode tables), the
# word pattern, the layout, and spaCy 3's ids (MurmurHash64A, seed 1, and the symbols).
_LAYOUT = "orth:uint64le;spaces:u8;heads:int32le;strings:json-first-seen"
_IDS = f"murmurhash64a:1:{zlib.crc32(' '.join(SYMBOLS).encode())}"
SPACY_WORDS_VERSION: int = zlib.crc32(f"{TOKENS_VERSION}|{WORDS.pattern}|{_LAYOUT}|{_IDS}".encode())


def split_words(text: str) -> tuple[list[str], bytes]:
    """spaCy's words of ``text`` and one byte per word, 1 for a trailing space."""
    parts = WORDS.split(text)
    return parts[1::3], bytes(map(len, parts[2::3]))


def words_row(text: str) -> tuple[bytes, bytes, bytes, bytes]:
    """(ORTH ids as little-endian uint64, trailing spaces, word starts as little-endian int32,
    the distinct words as a JSON array in the order first met): what the storage layer keeps."""
    words, spaces = split_words(text)
    ids = array("Q", spacy3_ids(words))
    if sys.byteorder == "big":
        ids.byteswap()
    heads = list(accumulate(map(add, map(len, words), spaces), initial=0))
    heads.pop()  # the text's length
    return ids.tobytes(), spaces, pack_offsets(heads), orjson.dumps(list(dict.fromkeys(words)))


class WordRow:
    """A :func:`words_row` read back for an export: the ORTH column in native order, the
    trailing spaces, the distinct words and where spans fall among the words."""

    __slots__ = ("_heads", "_tails", "count", "orth", "spaces", "strings")

    def __init__(self, row: Sequence[bytes], size: int) -> None:
        """``row`` is :func:`words_row`'s, ``size`` the text's length. ValueError if its parts
        disagree (a damaged row)."""
        orth, self.spaces, heads, strings = row
        self.strings: list[str] = orjson.loads(strings)  # orjson's error is a ValueError
        if type(self.strings) is not list:
            raise ValueError("a spaCy words row whose strings are not a list")
        if sys.byteorder == "big":
            swapped = array("Q", orth)
            swapped.byteswap()
            orth = swapped.tobytes()
        self.orth: bytes = orth
        self.count = len(self.spaces)
        np = _numpy()
        n = self.count
        starts = np.frombuffer(unpack_offsets(heads), dtype=np.int32)
        if len(starts) != n or len(orth) != 8 * n:
            raise ValueError("a spaCy words row whose parts disagree")
        # After each list, a value no span edge equals, so a search past the last word fails.
        stop = np.array([size + 1], dtype=np.int32)
        self._heads = np.concatenate((starts, stop))
        if n:  # a word ends where the next starts (or the text ends), less its trailing space
            self._tails = np.concatenate((starts[1:], np.array([size], dtype=np.int32), stop))
            self._tails[:n] -= np.frombuffer(self.spaces, dtype=np.uint8)
        else:
            self._tails = stop

    def locate(self, starts: Sequence[int], ends: Sequence[int]) -> tuple[list[int], list[int]] | None:
        """First word and end word of each span [start, end), or None if an edge falls inside a
        word or on a trailing space (:func:`spacy_parts.locate` over these words, by numpy)."""
        if not starts:
            return [], []
        np = _numpy()
        heads, tails = self._heads, self._tails
        want_first, want_last = np.array(starts, dtype=np.int32), np.array(ends, dtype=np.int32)
        first, last = heads.searchsorted(want_first), tails.searchsorted(want_last)
        if not ((heads[first] == want_first).all() and (tails[last] == want_last).all()):
            return None
        return first.tolist(), (last + 1).tolist()

    def ids(self) -> Any:
        """The ORTH ids, one per word (an array of unsigned 64-bit ints)."""
        return array("Q", self.orth)
