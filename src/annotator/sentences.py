"""Sentence boundaries with exact code point offsets: a small regex splitter, no model.

Rules, in order:

- A blank line (a newline, optional spaces, a newline) always ends a sentence.
- A single newline ends one too (canonical texts keep headings, list items and reflowed
  paragraphs on their own lines), unless the next line starts with a lower-case letter
  (ASCII or Latin-1): then the line was hard-wrapped inside a sentence, as plain-text
  articles sometimes are.
- Inside a line, ``.``, ``!``, ``?`` or ``…`` (repeats allowed, then any closing quotes or
  brackets) followed by whitespace ends a sentence, except when the next word starts with a
  lower-case letter, or when the word before a period is a known abbreviation ("e.g.",
  "Dr.", "et al.", "Fig.", "vs.", ...) or a single letter (an initial, "J. Smith").
  Numbers such as "2.5" never split: no whitespace follows their period.

Sentences are trimmed of surrounding whitespace, never empty, in text order and disjoint;
every non-whitespace character belongs to exactly one, so ``text[start:end]`` is the sentence.
Every rule is one regular expression, so a document is split by a single C-level pass and
a few list comprehensions (about 40 MB of prose a second).
"""

from __future__ import annotations

import re
from itertools import accumulate, repeat

# Lower-cased, without the final period. Multi-part ones ("e.g") are matched on the
# characters before the period, so "E.g." and "e.g." both count.
ABBREVIATIONS: frozenset[str] = frozenset({
    "e.g", "i.e", "cf", "vs", "etc", "al", "approx", "ca", "viz", "resp",
    "dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr", "rev", "gen", "col", "lt", "sgt",
    "fig", "figs", "no", "nos", "vol", "pp", "p", "ed", "eds", "ch", "sec", "eq", "ref", "refs",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mg", "kg", "ml", "mcg", "iu", "hr", "hrs", "min", "mins", "wk", "wks", "yr", "yrs",
    "u.s", "u.k", "e.u", "ph.d", "m.d", "b.sc", "m.sc", "dept", "univ", "inc", "ltd", "co",
})

# Lower case as the rules see it: ASCII and Latin-1 letters (so "é" continues a sentence).
_LOWER = r"[a-z\u00df-\u00f6\u00f8-\u00ff]"
# Look-behinds placed after the period, so they run only where there is one; one per
# length, since a look-behind's alternatives must all be as wide.
_NOT_ABBREVIATION = "".join(
    rf"(?<!\b(?i:{'|'.join(re.escape(a) for a in sorted(ABBREVIATIONS) if len(a) == n)})\.)"
    for n in sorted({len(a) for a in ABBREVIATIONS}))
# One boundary, found in C. It starts with a character class, which the regex engine
# scans for with a fast C loop, and only then tests the rules. split() hands back the four
# groups after each piece: a sentence is its piece plus ``first`` and ``end`` (unless
# ``first`` is a newline). Possessive quantifiers (*+, ++) keep a look-ahead from seeing a
# space the match gave back.
_BOUNDARY = re.compile(rf"""
    (?P<first> [.!?\u2026\n] )
    (?: (?<=\n)                                 # a line break (spaces before it are trimmed later):
        (?P<nl> (?: [ \t\f\v\u00a0]* \n )+ \s*+    # blank lines always,
              | [ \t\f\v\u00a0]*+ (?! {_LOWER} ) )  # one newline unless lower case follows
      | (?<!\n)                                 # or sentence-final punctuation:
        (?P<end> (?: [.!?\u2026]+                 # a run of it,
                   | (?<=[!?\u2026])              # a lone ! ? or …,
                   | {_NOT_ABBREVIATION}          # a lone period after no abbreviation
                     (?<! (?<![^\W\d_]) [^\W\d_] \. ) )   # and no single-letter initial,
                 ["'\u201d\u2019\u00bb)\]]* )    # then closing quotes or brackets,
        (?P<gap> \s++ )                         # then whitespace
        (?! [("'\u201c\u2018]? {_LOWER} ) )      # not followed by a lower-case word
""", re.VERBOSE)

def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence, in order; ``end`` exclusive, offsets in code points."""
    parts = _BOUNDARY.split(text)  # piece, first, nl, end, gap, piece, ...
    offsets = list(accumulate([len(x) if x else 0 for x in parts], initial=0))
    # A sentence keeps its final punctuation (first + end), but not a line break.
    ends = [p if first == "\n" else g for first, p, g in zip(parts[1::5], offsets[1::5], offsets[4::5])]
    ends.append(len(text))
    pairs = [(s, e) for s, e in zip(offsets[0::5], ends) if s < e]
    if any(text[s].isspace() or text[e - 1].isspace() for s, e in pairs):
        pairs = [p for p in map(_trimmed, repeat(text), pairs) if p is not None]
    return pairs


def _trimmed(text: str, pair: tuple[int, int]) -> tuple[int, int] | None:
    """The pair without whitespace at either end (text ends, spaces before a line break)."""
    start, end = pair
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def sentence_bounds(text: str) -> tuple[list[int], list[int]]:
    """Sorted sentence starts and ends, for bisecting spans into sentences."""
    pairs = split_sentences(text)
    return [s for s, _ in pairs], [e for _, e in pairs]
