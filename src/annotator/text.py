"""The one tokenizer, selection snapping, and code point <-> UTF-16 conversion.

Offsets everywhere in the core are Unicode code points of the canonical text. Qt counts
UTF-16 code units, so astral characters (emoji, math letters) take two positions there;
:class:`Utf16Map` converts at the UI's edge.

Tokens follow spaCy's whitespace convention, so ``Doc(vocab, words, spaces).text == text``
for ``words = [t.text ...]`` and ``spaces = [t.ws ...]``:

- a word (letters, digits and ``_``, with inner hyphens, apostrophes and decimal points),
  or any other single character, is a token; one plain space (U+0020) after it is its
  ``ws`` flag;
- every other run of whitespace (two spaces, a newline, a tab, a run at the start of the
  text) is a token of its own, with ``ws`` false;
- a grapheme cluster is never split: combining marks, variation selectors, keycaps
  (U+20E3), skin-tone modifiers, tag characters and zero-width-joined sequences stay with
  the character before them, and two regional indicators make one flag.

Snapping and double-click use the non-whitespace tokens only (:func:`token_bounds`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate
from operator import add

_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
# Extenders that are not combining marks: skin-tone modifiers and tag characters.
_EXTRA_EXTENDERS = "\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F"


# Unicode has combining marks only in these blocks of code points (a test checks it).
_MARK_PLANES = (range(0x20000), range(0xE0000, 0xE1000))


def _class_of_marks() -> str:
    """A regex character-class body of every combining mark (Mn, Mc, Me) of this Python's Unicode."""
    ranges: list[list[int]] = []
    for cp in (cp for plane in _MARK_PLANES for cp in plane):
        if unicodedata.category(chr(cp))[0] == "M":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(tokens, non-whitespace tokens), built on first use: listing the marks takes ~0.1 s."""
    # The look-ahead skips the long class for the usual character: no extender is below U+0300.
    ext = f"(?:(?=[^\\x00-\\u02ff])[{_class_of_marks()}{_EXTRA_EXTENDERS}])"
    # A cluster's extenders and zero-width-joined parts (none start below U+0080: skipped at once).
    tail = f"(?:(?=[^\\x00-\\x7f])(?:{ext}|\u200d(?:[^\\s\u200d]{ext}*)?)*)?"
    part = f"\\w+(?:{ext}+\\w*)*"  # letters and digits, with any marks on them
    word = f"{part}(?:[-'’.,]{part})*"
    flag = "[\U0001F1E6-\U0001F1FF]{2}"
    nonspace = f"(?:{word}|{flag}|[^\\w\\s]){tail}"
    # A token and its one trailing plain space; a whitespace run (greedy, so no space follows it)
    # is a token of its own.
    return re.compile(f"({nonspace}|\\s+)( ?)"), re.compile(f"({nonspace})")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int
    id: int
    ws: bool


def token_columns(text: str) -> tuple[list[str], list[int], list[int], list[bool]]:
    """Token texts, starts, ends and trailing-space flags: :func:`tokenize` without objects."""
    parts = _patterns()[0].split(text)  # "", token, space, "", token, space, ..., "": tokens cover the text
    texts = parts[1::3]
    lengths = list(map(len, texts))
    spaces = list(map(bool, parts[2::3]))
    starts = list(accumulate(map(add, lengths, spaces), initial=0))
    starts.pop()
    return texts, starts, list(map(add, starts, lengths)), spaces


def tokenize(text: str) -> list[Token]:
    texts, starts, ends, spaces = token_columns(text)
    return list(map(Token, texts, starts, ends, range(len(texts)), spaces))


def word_columns(text: str) -> tuple[list[str], list[int], list[int]]:
    """Texts, starts and ends of the non-whitespace tokens (the whitespace runs left out)."""
    parts = _patterns()[1].split(text)  # whitespace, token, whitespace, ..., whitespace
    bounds = list(accumulate(map(len, parts)))
    return parts[1::2], bounds[0:-1:2], bounds[1::2]


def token_bounds(text: str) -> tuple[list[int], list[int]]:
    """Sorted starts and ends of the non-whitespace tokens: what snapping aligns to."""
    _, starts, ends = word_columns(text)
    return starts, ends


def token_range(starts: list[int], ends: list[int], start: int, end: int) -> tuple[int, int]:
    """Indices of the first and last (inclusive) tokens overlapping [start, end)."""
    first = bisect_right(ends, start)
    last = bisect_left(starts, end) - 1
    if last < first:  # a span inside whitespace or punctuation-only gap
        last = first
    return first, last


def span_tokens(starts: list[int], ends: list[int], start: int, end: int) -> tuple[int, int]:
    """First and last (inclusive) token of the span [start, end), Prodigy's convention,
    clamped to real token indices (a span in trailing whitespace points at the last token)."""
    if not starts:
        return 0, 0
    top = len(starts) - 1
    first = min(bisect_right(ends, start), top)
    return first, min(max(bisect_left(starts, end) - 1, first), top)


def snap_to_tokens(text: str, start: int, end: int, bounds: tuple[list[int], list[int]] | None = None) -> tuple[int, int]:
    """Widen [start, end) to whole tokens and trim surrounding whitespace.

    A selection that covers no token is returned trimmed but otherwise unchanged.
    """
    start, end = max(0, min(start, end)), min(len(text), max(start, end))
    starts, ends = bounds if bounds is not None else token_bounds(text)
    i = bisect_right(ends, start)  # first token ending after start
    if i < len(starts) and starts[i] < end:
        j = bisect_left(starts, end) - 1  # last token starting before end
        return starts[i], ends[j]
    return trim(text, start, end)


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def word_at(text: str, offset: int) -> tuple[int, int]:
    """The token containing ``offset`` (or the one just before it), for double-click."""
    for m in _patterns()[1].finditer(text, max(0, offset - 200), min(len(text), offset + 200)):
        if m.start() <= offset < m.end():
            return m.start(), m.end()
    return offset, offset


class Utf16Map:
    """Converts code point offsets of one text to UTF-16 positions and back in O(log n)."""

    __slots__ = ("_astral_cp", "_astral_u16", "length_cp", "length_u16")

    def __init__(self, text: str) -> None:
        # A regex scan runs in C: about 8x faster than a Python loop on a 1 MB article.
        cps = [m.start() for m in _ASTRAL.finditer(text)] if not text.isascii() else []
        self._astral_cp = cps
        self._astral_u16 = [cp + k for k, cp in enumerate(cps)]
        self.length_cp = len(text)
        self.length_u16 = len(text) + len(cps)

    @property
    def is_identity(self) -> bool:
        return not self._astral_cp

    def to_utf16(self, cp: int) -> int:
        return cp + bisect_left(self._astral_cp, cp)

    def to_codepoint(self, u16: int) -> int:
        """A UTF-16 position inside a surrogate pair maps to the start of its character."""
        k = bisect_left(self._astral_u16, u16)
        if k > 0 and self._astral_u16[k - 1] + 1 == u16:
            return self._astral_cp[k - 1]
        return u16 - k


def excerpt(text: str, start: int, end: int, width: int = 80) -> str:
    """One-line excerpt of a span for lists and tooltips."""
    piece = " ".join(text[start:end].split())
    return piece if len(piece) <= width else piece[: width - 1] + "…"
