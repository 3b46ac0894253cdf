"""The spacy format's shortcuts equal what they stand for: spaCy's ids, srsly's msgpack, the regex's words.

The format builds a DocBin without importing spaCy (so export workers can fork and do not
pay for spaCy's import): string ids, attribute ids and msgpack come from
:mod:`spacy_parts`, a document's words from its cached tokens. Each is compared here with
the real thing; test_spacy_docbin_fast.py compares whole DocBins.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("spacy")

import spacy  # noqa: E402
import srsly  # noqa: E402
from spacy.attrs import ENT_IOB, ENT_TYPE, ORTH, SPACY  # noqa: E402
from spacy.strings import get_string_id  # noqa: E402
from spacy.symbols import NAMES  # noqa: E402
from spacy.tokens import DocBin  # noqa: E402

from annotator.exporters import docbin_stream, spacy_docbin, spacy_parts  # noqa: E402
from annotator.exporters.tokens import cache_row, unpack_offsets  # noqa: E402

from .corpus import bulk_project  # noqa: E402
from .test_spacy_docbin_fast import _PIECES, _TEXT, assert_same_docbin, documents  # noqa: E402

_STRINGS = st.text() | st.sampled_from([*NAMES, "🦠", "e\u0301", "\x00", " ", "\n\n", "x" * 300, "PERSON ", "Root"])


# -- ids -------------------------------------------------------------------------------------------
@given(st.lists(_STRINGS, max_size=20))
def test_string_ids_are_spacys(strings: list[str]) -> None:
    assert [spacy_parts.string_id(s) for s in strings] == [get_string_id(s) for s in strings]
    assert spacy_parts.string_ids(strings) == [get_string_id(s) for s in strings]


def test_every_symbol_and_some_hashes_are_spacys() -> None:
    assert spacy_parts.SYMBOLS == tuple(NAMES)
    words = [*NAMES, *(f"{name}x" for name in NAMES), "🦠😀", "\U0001d518", "—", "it's", "\u00a0", "\t"]
    assert spacy_parts.string_ids(words) == [get_string_id(w) for w in words]
    assert spacy_parts._murmur64() is not None  # the fast hash is the one in use, not spaCy's own
    met: dict[str, bytes] = {}
    row = spacy_parts.orth_row(words, met)
    assert row == b"".join(get_string_id(w).to_bytes(8, sys.byteorder) for w in words)
    assert set(met) == set(words)  # every word is recorded for the string table
    assert spacy_parts.orth_row(words[::-1], met) == b"".join(get_string_id(w).to_bytes(8, sys.byteorder)
                                                            for w in words[::-1])


def test_a_worker_s_batches_hand_over_each_word_once_and_the_table_gets_them_all(tmp_path: Path) -> None:
    met: dict[str, bytes] = {}  # what a worker keeps for one output from batch to batch
    first = docbin_stream.StreamingDocBin(["ORTH"], None, met)
    first.row(["Gut", "bugs", "Gut"])
    first.span_groups("sc", ["claim"], [0], [1], [0], [3])
    batches = [first.take()]  # the batch ends before the next one begins
    second = docbin_stream.StreamingDocBin(["ORTH"], None, met)
    row = second.row(["bugs", "help", "."])
    assert row == b"".join(get_string_id(w).to_bytes(8, sys.byteorder) for w in ["bugs", "help", "."])
    batches.append(second.take())
    assert sorted(batches[0]["strings"]) == ["Gut", "bugs", "claim"]
    assert sorted(batches[1]["strings"]) == [".", "help"]  # "bugs" went with the first batch
    whole = docbin_stream.StreamingDocBin(["ORTH"], tmp_path)
    try:
        for batch in batches:
            whole.absorb(batch)
        assert whole.strings == {"Gut", "bugs", "claim", "help", "."}
    finally:
        whole.close()


def test_attribute_ids_and_docbin_layout_are_spacys() -> None:
    assert (spacy_parts.ORTH, spacy_parts.SPACY, spacy_parts.ENT_IOB, spacy_parts.ENT_TYPE) == (
        ORTH, SPACY, ENT_IOB, ENT_TYPE)
    for attrs in (["ORTH", "SPACY"], ["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE"], ["ENT_TYPE", "SPACY", "ENT_IOB"]):
        theirs = DocBin(attrs=attrs, store_user_data=True)
        ours = docbin_stream.StreamingDocBin(attrs, None)
        assert ours.attrs == list(theirs.attrs)
        assert ours.version == theirs.version


def test_the_manifest_names_the_installed_spacy() -> None:
    assert spacy_docbin.spacy_version() == spacy.__version__


# -- msgpack ---------------------------------------------------------------------------------------
_INTS = st.sampled_from([0, 1, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**64 - 1, -1, -32, -33, -128,
                         -129, -32768, -32769, -(2**31), -(2**31) - 1, -(2**63)]) | st.integers(-(2**63), 2**64 - 1)
_SCALARS = (st.none() | st.booleans() | _INTS | st.floats(allow_nan=False) | st.text() | st.binary()
            | st.sampled_from(["x" * 31, "x" * 32, "é" * 200, "x" * 70000, b"y" * 300, b"y" * 70000]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=20) | st.tuples(inner, inner)
                       | st.dictionaries(st.text(max_size=5), inner, max_size=20), max_leaves=40)


@settings(max_examples=300)
@given(_VALUES)
def test_packb_is_srsly_msgpack(value: Any) -> None:
    assert spacy_parts.packb(value) == srsly.msgpack_dumps(value)


def test_packb_refuses_what_it_cannot_pack() -> None:
    with pytest.raises(TypeError):
        spacy_parts.packb({1, 2})
    with pytest.raises(OverflowError):
        spacy_parts.packb(2**64)


# -- words from the token cache --------------------------------------------------------------------
def _from_cache(text: str) -> spacy_parts.Words | None:
    _json, starts, ends, texts = cache_row(text)
    return spacy_parts.cached_words(text, unpack_offsets(starts), unpack_offsets(ends), json.loads(texts))


_BLANKS = st.sampled_from([" ", "  ", "\n", " \n", "\n ", "\t", "\u00a0", "\u2028", "\x1f", " " * 255, " " * 256,
                           "\n" * 300, "\r\n"])
_GAPPY = st.lists(st.sampled_from(_PIECES) | _BLANKS, max_size=40).map("".join)


@settings(max_examples=400)
@given(_TEXT | _GAPPY)
def test_cached_words_are_the_regex_words(text: str) -> None:
    parts = spacy_docbin._WORDS.split(text)
    words, spaces = parts[1::3], bytes(map(len, parts[2::3]))
    found = _from_cache(text)
    if found is None:  # nothing to split, or a gap of 256 characters or more: the regex does it
        assert not text.strip() or max(map(len, parts[1::3])) >= 255
        return
    assert (found.words, found.spaces) == (words, spaces)


@settings(max_examples=300)
@given(_TEXT | _GAPPY, st.lists(st.tuples(st.integers(0, 200), st.integers(1, 40)), max_size=12))
def test_cached_words_locate_spans_as_the_regex_words_do(text: str, picks: list[tuple[int, int]]) -> None:
    found = _from_cache(text)
    if found is None or not text:
        return
    _json, starts_b, ends_b, _texts = cache_row(text)
    token_starts, token_ends = set(unpack_offsets(starts_b)), set(unpack_offsets(ends_b))
    spans = sorted({(s % len(text), min(len(text), s % len(text) + n)) for s, n in picks})
    starts, ends = [s for s, _e in spans], [e for _s, e in spans]
    mine = found.locate(starts, ends)
    theirs = spacy_docbin.locate(*spacy_docbin.bounds(found.words, found.spaces), starts, ends)
    if mine is None:  # the long way: some edge is not a token's edge
        assert not (set(starts) <= token_starts and set(ends) <= token_ends)
    else:
        assert mine == theirs
    if set(starts) <= token_starts and set(ends) <= token_ends:
        assert mine is not None


def test_tokens_that_are_not_the_texts_are_refused() -> None:
    _json, starts, ends, texts = cache_row("Gut bugs help.")
    s, e = unpack_offsets(starts), unpack_offsets(ends)
    assert spacy_parts.cached_words("Gut bugs help.", s, e, json.loads(texts)) is not None
    assert spacy_parts.cached_words("Gut bugs", s, e, json.loads(texts)) is None  # text shorter than the tokens
    assert spacy_parts.cached_words("Gut bugs help.", s, e, json.loads(texts)[:-1]) is None
    assert spacy_parts.cached_words("", s[:0], e[:0], []) is None


@settings(max_examples=60, deadline=None)
@given(docs=st.lists(documents(), min_size=1, max_size=4), ents=st.booleans())
def test_without_cached_words_the_docbin_is_the_same(tmp_path_factory: pytest.TempPathFactory,
                                                     docs: list[Any], ents: bool) -> None:
    # Every document split by the regex (as when its cached tokens cannot be used).
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(spacy_docbin._SpacySink, "_words", staticmethod(lambda doc: None))
        assert_same_docbin(docs, ents, tmp_path_factory.mktemp("regex"))


# -- the deflate -----------------------------------------------------------------------------------
@pytest.mark.parametrize("level", [1, 6, 9])
@pytest.mark.parametrize("chunk", [7, 4096, 1 << 20])
def test_any_level_and_cut_decodes_to_the_same_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       level: int, chunk: int) -> None:
    def written(folder: Path) -> bytes:
        folder.mkdir()
        bin_ = docbin_stream.StreamingDocBin(["ORTH", "SPACY"], folder)
        try:
            for i in range(300):
                words = ["Gut", "bugs", f"n{i % 17}", "🦠", "."]
                bin_.add_parts(bin_.row(words), b"\x01\x01\x00\x01\x00", 5,
                               bin_.span_groups("sc", ["claim"], [0], [2], [0], [8]), {"document_id": f"{i:016x}"})
            out = io.BytesIO()
            bin_.write(out)
        finally:
            bin_.close()
        return out.getvalue()

    reference = written(tmp_path / "default")
    monkeypatch.setattr(docbin_stream, "LEVEL", level)
    monkeypatch.setattr(docbin_stream, "_CHUNK", chunk)
    data = written(tmp_path / "other")
    assert zlib.decompress(data) == zlib.decompress(reference)
    docs = list(DocBin().from_bytes(data).get_docs(spacy.blank("en").vocab))
    assert [d.text for d in docs[:2]] == ["Gut bugs n0🦠 .", "Gut bugs n1🦠 ."]


# -- no spaCy in the exporting process -------------------------------------------------------------
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers fork on Linux only")
def test_the_export_forks_its_workers_and_never_imports_spacy(tmp_path: Path) -> None:
    p = bulk_project(tmp_path / "p.annotator", 60)
    p.close()
    code = f"""
import json, os, sys
from pathlib import Path
from annotator.exporters import workers
from annotator.exporters.options import ExportOptions
from annotator.exporters.registry import run_export
from annotator.project import open_project
seen = []
real = workers.start_method
def spy(engine):
    seen.append([real(engine), len(os.listdir("/proc/self/task")), "spacy" in sys.modules, "numpy" in sys.modules])
    return seen[-1][0]
workers.start_method = spy
p = open_project(Path({str(tmp_path / "p.annotator")!r}))
run_export(p.repo, "spacy", Path({str(tmp_path / "out.spacy")!r}), options=ExportOptions(workers=2))
print(json.dumps({{"seen": seen, "after": ["spacy" in sys.modules, "numpy" in sys.modules]}}))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "ANNOTATOR_HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"seen": [["fork", 1, False, False]], "after": [False, False]}
    docs = list(DocBin().from_disk(tmp_path / "out.spacy").get_docs(spacy.blank("en").vocab))
    assert len(docs) >= 60
