"""What the spacy format needs of spaCy, made without importing it: ids, msgpack, words.

Importing spaCy costs more than a second of CPU and starts BLAS threads (through numpy,
which srsly imports too), after which a process may no longer fork an export worker (see
:mod:`workers`). A DocBin needs little of it, all of it fixed within spaCy 3:

- **String ids** (:func:`string_id`, :func:`orth_row`): ``spacy.strings.get_string_id``,
  i.e. a symbol's id for one of spaCy's 457 reserved names (``spacy.symbols.NAMES``: "",
  "ORTH", "PERSON", "root", ...), else ``hash_utf8``: MurmurHash64A of the UTF-8 bytes
  with seed 1 (:func:`spacy3_id`, :func:`murmurhash64a`), the same in every spaCy 3
  release; with another spaCy, spaCy's own function is used. The import of documents
  uses :func:`spacy3_id` too (``spacy_words``), so it needs no spaCy.
- **Attribute ids** and DocBin's version: ``spacy.attrs`` constants.
- **msgpack** (:func:`packb`): the ``msgpack`` package (installed with the spacy extra),
  which gives what ``srsly.msgpack`` (``use_bin_type=True``) gives for plain types; the
  headers of the parts streamed into the one message are made here (``*_header``).
- **Where spans fall among words** (:func:`bounds`, :func:`locate`), and numpy (which spaCy
  requires) imported on first use, in the export's workers, after they fork.

Tests compare each with spaCy's, srsly's and the text split by a regex.
"""

from __future__ import annotations

import struct
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

_UINT64 = struct.Struct("=Q")  # native byte order, as numpy's uint64 array gives it
_hash: Callable[[str], int] | None = None


def string_id(string: str) -> int:
    """``spacy.strings.get_string_id(string)`` for the installed spaCy."""
    return (_hash or _hasher())(string)


def string_ids(strings: Sequence[str]) -> list[int]:
    """:func:`string_id` of each string."""
    return list(map(_hash or _hasher(), strings))


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
        version = installed_spacy()
        if version is not None and not version.startswith("3."):
            from spacy.strings import get_string_id  # another scheme, maybe: the slow, obvious way

            _hash = get_string_id
        else:
            _hash = spacy3_id
    return _hash


_SYMBOL_IDS = {name: i for i, name in enumerate(SYMBOLS)}
_ids3: dict[str, int] = {}  # spacy3_id's, kept per process up to _KEEP strings
_KEEP = 1 << 18
_M, _MASK = 0xC6A4A7935BD1E995, (1 << 64) - 1  # MurmurHash64A's multiplier, and 64 bits
_BLOCKS = struct.Struct("<Q")


def spacy3_id(string: str) -> int:
    """``spacy.strings.get_string_id(string)`` as every spaCy 3 release computes it, without
    spaCy: a symbol's id, else :func:`murmurhash64a` of the UTF-8 bytes with seed 1."""
    value = _ids3.get(string)
    if value is None:
        value = _SYMBOL_IDS.get(string)
        if value is None:
            data = string.encode("utf-8")
            value = murmurhash64a(data, 1)
        if len(_ids3) >= _KEEP:
            _ids3.clear()
        _ids3[string] = value
    return value


def spacy3_ids(strings: Sequence[str]) -> list[int]:
    """:func:`spacy3_id` of each string (the ones met before found by C loops)."""
    found = list(map(_ids3.get, strings))
    if None in found:
        for i in compress(range(len(found)), map(is_, found, repeat(None))):
            found[i] = spacy3_id(strings[i])
    return found  # type: ignore[return-value]


def murmurhash64a(data: bytes, seed: int) -> int:
    """Austin Appleby's MurmurHash64A (little-endian blocks), which spaCy's ``hash_utf8`` calls
    through the ``murmurhash`` package; about 0.75 µs for a word, a third more than that C
    function through ``ctypes``. Tests compare it with spaCy's ids."""
    size = len(data)
    h = (seed ^ (size * _M)) & _MASK
    cut = size & ~7
    for (k,) in _BLOCKS.iter_unpack(data[:cut]):
        k = (k * _M) & _MASK
        k ^= k >> 47
        h ^= (k * _M) & _MASK
        h = (h * _M) & _MASK
    if cut < size:
        h = ((h ^ int.from_bytes(data[cut:], "little")) * _M) & _MASK
    h ^= h >> 47
    h = (h * _M) & _MASK
    return h ^ (h >> 47)


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

