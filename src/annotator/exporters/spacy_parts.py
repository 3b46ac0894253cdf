"""What the spacy format needs of spaCy, made without importing it: ids, msgpack, words.

Importing spaCy costs more than a second of CPU and starts BLAS threads (through numpy,
which srsly imports too), after which a process may no longer fork an export worker (see
:mod:`workers`). A DocBin needs little of it, all of it fixed within spaCy 3:

- **String ids** (:func:`string_id`, :func:`orth_row`): ``spacy.strings.get_string_id``,
  i.e. a symbol's id for one of spaCy's 457 reserved names (``spacy.symbols.NAMES``: "",
  "ORTH", "PERSON", "root", ...), else ``hash_utf8``: MurmurHash64A of the UTF-8 bytes
  with seed 1, the C function ``murmurhash.mrmr`` exports (a spaCy dependency) and spaCy
  itself calls. It is reached through that module's Cython C-API capsule and ``ctypes``;
  where that fails, or spaCy is not version 3, spaCy's own function is used. Ids are kept
  per process.
- **Attribute ids** and DocBin's version: ``spacy.attrs`` constants.
- **msgpack** (:func:`packb`): the ``msgpack`` package (installed with the spacy extra),
  which gives what ``srsly.msgpack`` (``use_bin_type=True``) gives for plain types; the
  headers of the parts streamed into the one message are made here (``*_header``).
- **Words** (:func:`cached_words`): a document's spaCy words and trailing spaces from its
  cached tokens, and where spans fall among them (:meth:`Words.locate`, with numpy, which
  spaCy requires; imported on first use, in the export's workers, after they fork).

Tests compare each with spaCy's, srsly's and the text split by a regex.
"""

from __future__ import annotations

import struct
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from functools import partial
from itertools import accumulate, compress, repeat
from operator import add, is_, sub
from typing import Any

ORTH, ENT_IOB, ENT_TYPE, SPACY = 65, 77, 78, 81  # spacy.attrs
ATTRS = {"ORTH": ORTH, "ENT_IOB": ENT_IOB, "ENT_TYPE": ENT_TYPE, "SPACY": SPACY}
DOCBIN_VERSION = "0.1"

# spacy.symbols.NAMES (a name's index is its id), the same in every spaCy 3 release.
SYMBOLS: tuple[str, ...] = (
    "", *"IS_ALPHA IS_ASCII IS_DIGIT IS_LOWER IS_PUNCT IS_SPACE IS_TITLE IS_UPPER LIKE_URL LIKE_NUM LIKE_EMAIL "
    "IS_STOP IS_OOV_DEPRECATED IS_BRACKET IS_QUOTE IS_LEFT_PUNCT IS_RIGHT_PUNCT IS_CURRENCY".split(),
    *(f"FLAG{i}" for i in range(19, 64)),
    *"ID ORTH LOWER NORM SHAPE PREFIX SUFFIX LENGTH CLUSTER LEMMA POS TAG DEP ENT_IOB ENT_TYPE HEAD SENT_START "
    "SPACY PROB LANG ADJ ADP ADV AUX CONJ CCONJ DET INTJ NOUN NUM PART PRON PROPN PUNCT SCONJ SYM VERB X EOL "
    "SPACE".split(),
    *(f"DEPRECATED{i:03d}" for i in range(1, 277)),
    *"PERSON NORP FACILITY ORG GPE LOC PRODUCT EVENT WORK_OF_ART LANGUAGE LAW DATE TIME PERCENT MONEY QUANTITY "
    "ORDINAL CARDINAL acomp advcl advmod agent amod appos attr aux auxpass cc ccomp complm conj cop csubj "
    "csubjpass dep det dobj expl hmod hyph infmod intj iobj mark meta neg nmod nn npadvmod nsubj nsubjpass num "
    "number oprd obj obl parataxis partmod pcomp pobj poss possessive preconj prep prt punct quantmod relcl "
    "rcmod root xcomp acl ENT_KB_ID MORPH ENT_ID IDX _".split(),
)

_ids: dict[str, int] = {}  # every string given an id in this process (ids never change)
_UINT64 = struct.Struct("=Q")  # native byte order, as numpy's uint64 array gives it
_hash: Callable[[str], int] | None = None


def string_id(string: str) -> int:
    """``spacy.strings.get_string_id(string)``."""
    value = _ids.get(string)
    if value is None:
        value = _ids[string] = (_hash or _hasher())(string)
    return value


def string_ids(strings: Sequence[str]) -> list[int]:
    """:func:`string_id` of each string."""
    found = list(map(_ids.get, strings))
    if None in found:
        for i in compress(range(len(found)), map(is_, found, repeat(None))):
            found[i] = string_id(strings[i])
    return found  # type: ignore[return-value]


def orth_row(words: Sequence[str], rows: dict[str, bytes]) -> bytes:
    """The string ids of ``words`` as native uint64s, one after another (a DocBin's ORTH column).

    ``rows`` maps each word met so far to its id so packed; the words not in it join it.
    One lookup per word both finds the id and records the word for the string table.
    """
    found = list(map(rows.get, words))
    try:
        return b"".join(found)
    except TypeError:  # words not met before: most documents have a few
        for i in compress(range(len(found)), map(is_, found, repeat(None))):
            word = words[i]
            value = rows.get(word)  # met earlier in this document
            if value is None:
                value = rows[word] = _UINT64.pack(string_id(word))
            found[i] = value
        return b"".join(found)


def _hasher() -> Callable[[str], int]:
    global _hash
    if _hash is None:
        symbols = {name: i for i, name in enumerate(SYMBOLS)}
        hash64 = _murmur64() if (installed_spacy() or "").startswith("3.") else None
        if hash64 is None:
            from spacy.strings import get_string_id  # the slow, obvious way

            _hash = get_string_id
        else:
            def fast(string: str, get: Callable[..., Any] = symbols.get, hash64: Any = hash64) -> int:
                value = get(string)
                if value is None:
                    data = string.encode("utf-8")
                    value = hash64(data, len(data), 1)
                return value  # type: ignore[no-any-return]

            _hash = fast
    return _hash


_versions: dict[str, str | None] = {}


def installed_spacy() -> str | None:
    """The installed spaCy distribution's version, from its metadata (kept for the process and
    the workers it forks), or None."""
    if "spacy" not in _versions:
        from importlib.metadata import PackageNotFoundError, version

        try:
            _versions["spacy"] = version("spacy")
        except PackageNotFoundError:
            _versions["spacy"] = None
    return _versions["spacy"]


def spacy_version() -> str:
    """``spacy.__version__`` (importing spaCy takes a second: its metadata says the same)."""
    found = installed_spacy()
    if found is None:  # not installed as a distribution: ask the module
        import spacy

        return str(spacy.__version__)
    return found


def _murmur64() -> Any:
    """``murmurhash.mrmr.hash64`` (MurmurHash64A) as a ctypes function, or None."""
    try:
        import ctypes

        from murmurhash import mrmr

        capsule = mrmr.__pyx_capi__["hash64"]  # type: ignore[attr-defined]
        get_name = ctypes.pythonapi.PyCapsule_GetName
        get_name.restype, get_name.argtypes = ctypes.c_char_p, [ctypes.py_object]
        get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
        get_pointer.restype, get_pointer.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
        name = get_name(capsule)
        if name != b"uint64_t (void *, int, uint64_t)":
            return None
        kind = ctypes.PYFUNCTYPE(ctypes.c_uint64, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint64)
        return kind(get_pointer(capsule, name))  # PYFUNCTYPE: keeps the GIL, no hand-over per call
    except (ImportError, AttributeError, KeyError, OSError, ValueError):
        return None


# -- msgpack ---------------------------------------------------------------------------------------
def _header(size: int, fix: int, below: int, one: int, two: int, four: int) -> bytes:
    """A msgpack header: ``fix | size`` below ``below``, else the code for 8 bits (``one``,
    if any), 16 or 32 bits, then the size."""
    if size < below:
        return bytes((fix | size,))
    if one and size < 1 << 8:
        return bytes((one, size))
    if size < 1 << 16:
        return bytes((two,)) + size.to_bytes(2, "big")
    return bytes((four,)) + size.to_bytes(4, "big")


str_header = partial(_header, fix=0xA0, below=32, one=0xD9, two=0xDA, four=0xDB)
bin_header = partial(_header, fix=0, below=0, one=0xC4, two=0xC5, four=0xC6)
array_header = partial(_header, fix=0x90, below=16, one=0, two=0xDC, four=0xDD)
map_header = partial(_header, fix=0x80, below=16, one=0, two=0xDE, four=0xDF)


def packb(obj: Any) -> bytes:
    """``srsly.msgpack_dumps(obj)`` for the plain types a DocBin's parts hold: the msgpack
    package, which srsly vendors (srsly itself imports numpy, whose threads forbid forking)."""
    import msgpack

    return msgpack.packb(obj, use_bin_type=True)


# -- words from the token cache ----------------------------------------------------------------------
def bounds(words: list[str], spaces: bytes) -> tuple[list[int], list[int]]:
    """Each word's start (then the text's length) and end, for :func:`locate`."""
    heads = list(accumulate(map(add, map(len, words), spaces), initial=0))
    return heads, list(map(add, heads, map(len, words)))


def locate(heads: Sequence[int], tails: Sequence[int], starts: Sequence[int], ends: Sequence[int]
           ) -> tuple[list[int], list[int]] | None:
    """First word and end word of each span [start, end), or None if an edge falls inside a word
    (or a trailing space). ``heads`` are the words' starts, then the text's length; ``tails``
    their ends (before a trailing space)."""
    if not starts:
        return [], []
    n = len(tails)
    first = list(map(bisect_left, repeat(heads), starts, repeat(0), repeat(n)))
    # The word holding a span's last character must end where the span does.
    stop = list(map(bisect_right, repeat(heads), map(sub, ends, repeat(1)), repeat(0), repeat(n)))
    if (tuple(map(heads.__getitem__, first)) != tuple(starts)
            or tuple(map(tails.__getitem__, map(sub, stop, repeat(1)))) != tuple(ends)):
        return None
    return first, stop


class Words:
    """A document's spaCy words, made from its cached tokens (:func:`cached_words`).

    ``words`` and ``spaces`` (one byte per word, 1 for a trailing space) are what
    ``spacy_docbin._WORDS`` splits the text into; the whitespace words sit after the
    tokens listed in ``odd`` (and first, if ``lead``). ``starts``/``ends`` are the token
    bounds (int32 numpy arrays), each followed by a value no span edge equals, for
    :meth:`locate`.
    """

    __slots__ = ("ends", "lead", "odd", "spaces", "starts", "words")

    def __init__(self, words: list[str], spaces: bytes, starts: Any, ends: Any, odd: list[int], lead: int) -> None:
        self.words, self.spaces, self.starts, self.ends, self.lead = words, spaces, starts, ends, lead
        self.odd = _numpy().array(odd, dtype=starts.dtype) if odd else None

    def locate(self, starts: Sequence[int], ends: Sequence[int]) -> tuple[list[int], list[int]] | None:
        """First word and end word of each span [start, end) whose edges are token edges, else None
        (a span edge inside a token, on whitespace or in a whitespace word: go the long way).

        numpy's binary searches: a span's edges as arrays, each searched among the bounds in
        one call, instead of a bisect per edge, each step of which makes an int.
        """
        if not starts:
            return [], []
        np = _numpy()
        heads, tails = self.starts, self.ends
        want_first, want_last = np.array(starts, dtype=heads.dtype), np.array(ends, dtype=heads.dtype)
        first, last = heads.searchsorted(want_first), tails.searchsorted(want_last)
        if not ((heads[first] == want_first).all() and (tails[last] == want_last).all()):
            return None
        stop = last + (1 + self.lead)
        if self.odd is not None:  # each whitespace word after a token before them moves them on by one
            first = first + self.odd.searchsorted(first) + self.lead
            stop += self.odd.searchsorted(last)
        elif self.lead:
            first += self.lead
        return first.tolist(), stop.tolist()


_np: Any = None


def _numpy() -> Any:
    """numpy, imported on first use: by a spaCy export's worker, never before it forks
    (numpy's BLAS threads would forbid the fork; see :mod:`workers`). spaCy requires it."""
    global _np
    if _np is None:
        import numpy

        _np = numpy
    return _np


def cached_words(text: str, starts: array, ends: array, texts: list[str]) -> Words | None:
    """``spacy_docbin._WORDS``'s words of ``text`` from its cached tokens (int32 arrays of their
    bounds, and their strings), without a regex pass; None if the tokens cannot be the text's.

    A token takes one following space as its trailing space; any other whitespace up to
    the next token (or before the first) is one whitespace word. So only the gaps between
    tokens matter, and their widths come from one big-integer subtraction of the packed
    bounds (no lane borrows: each gap ends where it starts or later), not a Python int
    per token. Most gaps are one plain space; a gap of two or more characters shows in its
    width, one of another character (a lone newline, a tab) in the count of spaces.
    """
    size, n = len(text), len(texts)
    if n != len(starts) or n != len(ends) or not n or ends[-1] > size or starts[0] < 0:
        return None
    after = starts[1:]
    after.append(size)  # where the gap after each token ends
    order = sys.byteorder
    gaps = int.from_bytes(after.tobytes(), order) - int.from_bytes(ends.tobytes(), order)
    if gaps < 0 or gaps & _high_bytes(n):  # tokens out of order, or a gap of 256 characters or more
        return None
    low = gaps.to_bytes(4 * n, order)[_LOW::4]  # each gap's width
    spaces = bytearray(low.translate(_NONZERO))
    wide = low.translate(_WIDE)
    odd = []
    at = wide.find(1)
    while at >= 0:
        odd.append(at)
        at = wide.find(1, at + 1)
    lead = starts[0]
    if text.count(" ") != (low.count(1) + text.count(" ", 0, lead)
                           + sum(text.count(" ", ends[i], after[i]) for i in odd)):
        # Some one-character gap is not a space: look at each.
        odd = [i for i in range(n) if wide[i] or (low[i] == 1 and text[ends[i]] != " ")]
    words = texts
    if odd or lead:
        flags = spaces
        words = texts[:]
        for i in reversed(odd):
            a, b = ends[i], after[i]
            if text[a] == " ":
                a += 1
            else:
                flags[i] = 0
            words.insert(i + 1, text[a:b])
        spaces = bytearray(b"\0" if lead else b"")  # whitespace words have no trailing space
        done = 0
        for i in odd:
            spaces += flags[done:i + 1]
            spaces.append(0)
            done = i + 1
        spaces += flags[done:]
        if lead:
            words.insert(0, text[:lead])
    np = _numpy()
    starts, ends = np.frombuffer(starts, dtype=np.int32), np.frombuffer(ends, dtype=np.int32)
    sentinel = np.array([size + 1], dtype=np.int32)  # after the bounds, a value no span edge equals
    return Words(words, bytes(spaces), np.concatenate((starts, sentinel)), np.concatenate((ends, sentinel)), odd,
                 1 if lead else 0)


_LOW = 0 if sys.byteorder == "little" else 3  # where an int32's low byte is
_NONZERO = bytes([0] + [1] * 255)
_WIDE = bytes([0, 0] + [1] * 254)  # 2 or more
_masks: list[int] = [0, 0]  # lanes covered, and a mask of the three high bytes of each int32 lane


def _high_bytes(n: int) -> int:
    """A mask of the three high bytes of ``n`` (or more) packed int32s, read as one integer."""
    if _masks[0] < n:
        lanes = max(n, 2 * _masks[0], 1024)
        lane = b"\x00\xff\xff\xff" if sys.byteorder == "little" else b"\xff\xff\xff\x00"
        _masks[:] = [lanes, int.from_bytes(lane * lanes, sys.byteorder)]
    return _masks[1]
