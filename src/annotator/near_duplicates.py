"""Near-duplicate documents: the same article imported twice (as .txt, .html and .pdf, say).

Texts are normalised (NFKC, case folded, every run of non-word characters one space, a
hyphen at a line end joined), cut into word 3-grams (shingles), and each shingle hashed to
64 bits (CRC-32 and Adler-32 side by side: C-fast, and the same on every machine, unlike
``hash``). A document keeps
a bottom-k sketch: its ``SKETCH`` smallest shingle hashes, 512 bytes however long the text.
The Jaccard similarity of two documents is estimated from their sketches (exact when both
have fewer shingles than that): of the ``SKETCH`` smallest hashes of the two sketches
together, the share found in both. Documents at ``THRESHOLD`` or more are near-duplicates,
and groups are the connected components of that relation.

Only pairs that share one of their ``BLOCK`` smallest hashes are compared (blocking): two
documents at Jaccard 0.8 fail to share one with probability about 0.2 ** BLOCK. Within a
block a document is compared with the groups found there so far, at most ``CROWD`` of them,
so a hash shared by thousands of documents (boilerplate) costs a bounded number of
comparisons per document, and a hundred copies of one article still join one group.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from array import array
from collections.abc import Iterable, Mapping
from typing import TypeVar

K = TypeVar("K")

THRESHOLD = 0.8
SHINGLE_WORDS = 3
SKETCH = 64
BLOCK = 8
CROWD = 20
_PIECE = 1 << 18  # characters of normalised text hashed at a time
_LINE_HYPHEN = re.compile(r"(\w)-\s*\n\s*(\w)")
_NON_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Case-folded words separated by single spaces; a word broken by a hyphen at a line end is joined."""
    text = _LINE_HYPHEN.sub(r"\1\2", unicodedata.normalize("NFKC", text))
    return _NON_WORD.sub(" ", text.casefold()).strip()


def sketch(text: str) -> array:
    """The sorted ``SKETCH`` smallest 64-bit hashes of the text's word 3-grams (the whole text when shorter).

    The text is normalised and hashed in pieces of about ``_PIECE`` characters, cut in
    whitespace that does not follow a hyphen (the last words carried over), so a long article
    never holds all its shingles, nor several normalised copies of itself, at once.
    """
    crc, adler = zlib.crc32, zlib.adler32
    best: set[int] = set()
    carry: list[bytes] = []
    for piece in _pieces(text):
        words = carry + [w for w in normalise(piece).encode("utf-8").split(b" ") if w]
        grams = set(map(b" ".join, zip(*(words[i:] for i in range(SHINGLE_WORDS)))))
        best = set(sorted(best | {(crc(g) << 32) | adler(g) for g in grams})[:SKETCH])
        carry = words[-(SHINGLE_WORDS - 1):]
    if not best:  # fewer words than a shingle: the words themselves
        best = {(crc(g) << 32) | adler(g) for g in [b" ".join(carry)]}
    return array("Q", sorted(best))


def _pieces(text: str) -> Iterable[str]:
    """``text`` in consecutive pieces of at least ``_PIECE`` characters, each ending in whitespace
    whose last non-space character is not a hyphen (so a line-end hyphen stays with its word)."""
    pos, n = 0, len(text)
    while pos < n:
        cut = pos + _PIECE
        while cut < n and not (text[cut].isspace() and _last_visible(text, cut) != "-"):
            cut += 1
        yield text[pos:cut]
        pos = cut


def _last_visible(text: str, end: int) -> str:
    """The last character before ``end`` that is not whitespace ("" if none)."""
    i = end - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return text[i] if i >= 0 else ""


def similarity(a: array, b: array) -> float:
    """The estimated Jaccard similarity of two documents from their sketches."""
    if not a or not b:
        return 0.0
    sa, sb = set(a), set(b)
    union = sorted(sa | sb)[:SKETCH]
    return sum(1 for h in union if h in sa and h in sb) / len(union)


def groups(sketches: Mapping[K, array], threshold: float = THRESHOLD) -> list[list[K]]:
    """Groups of two or more near-duplicate documents (keys sorted within a group, groups by first key)."""
    buckets: dict[int, list[K]] = {}
    for key, sk in sketches.items():
        for h in sk[:BLOCK]:
            buckets.setdefault(h, []).append(key)
    parent: dict[K, K] = {}

    def root(x: K) -> K:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for members in buckets.values():
        if len(members) < 2:
            continue
        firsts: list[K] = []  # the first member of each group met in this block
        for key in members:
            for first in firsts:
                if root(first) == root(key):
                    break
                if similarity(sketches[first], sketches[key]) >= threshold:
                    parent[root(key)] = root(first)
                    break
            else:
                if len(firsts) < CROWD:
                    firsts.append(key)
    found: dict[K, list[K]] = {}
    for key in sketches:
        found.setdefault(root(key), []).append(key)
    return sorted((sorted(g) for g in found.values() if len(g) > 1), key=lambda g: g[0])  # type: ignore[type-var]


def matches(new: Mapping[K, array], old: Iterable[tuple[K, array]], threshold: float = THRESHOLD
            ) -> dict[K, list[K]]:
    """For each new document, the old documents it nearly duplicates (old ones are streamed, not kept)."""
    index: dict[int, list[K]] = {}
    for key, sk in new.items():
        for h in sk[:BLOCK]:
            index.setdefault(h, []).append(key)
    out: dict[K, list[K]] = {}
    for old_key, sk in old:
        candidates = {k for h in sk if h in index for k in index[h]}
        for key in sorted(candidates):  # type: ignore[type-var]
            if key != old_key and similarity(new[key], sk) >= threshold:
                out.setdefault(key, []).append(old_key)
    return out
