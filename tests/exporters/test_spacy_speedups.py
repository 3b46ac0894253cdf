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

from annotator.exporters import docbin_stream, spacy_docbin, spacy_parts, spacy_words  # noqa: E402
from annotator.exporters.tokens import unpack_offsets  # noqa: E402

from .corpus import bulk_project  # noqa: E402
from .test_spacy_docbin_fast import _PIECES, _TEXT, assert_same_docbin, documents  # noqa: E402

_STRINGS = st.text() | st.sampled_from([*NAMES, "🦠", "e\u0301", "\x00", " ", "\n\n", "x" * 300, "PERSON ", "Root"])


# -- ids -------------------------------------------------------------------------------------------
@given(st.lists(_STRINGS, max_size=20))
def test_string_ids_are_spacys(strings: list[str]) -> None:
    assert [spacy_parts.string_id(s) for s in strings] == [get_string_id(s) for s in strings]
    assert spacy_parts.string_ids(strings) == [get_string_id(s) for s in strings]
    assert spacy_parts.spacy3_ids(strings) == [get_string_id(s) for s in strings]


def test_every_symbol_and_some_hashes_are_spacys() -> None:
    assert spacy_parts.SYMBOLS == tuple(NAMES)
    words = [*NAMES, *(f"{name}x" for name in NAMES), "🦠😀", "\U0001d518", "—", "it's", "\u00a0", "\t"]
    assert spacy_parts.string_ids(words) == [get_string_id(w) for w in words]
    assert spacy_parts._hasher() is spacy_parts.spacy3_id  # spaCy 3's scheme, not spaCy's own function
    met: dict[str, bytes] = {}
    row = spacy_parts.orth_row(words, met)
    assert row == b"".join(get_string_id(w).to_bytes(8, sys.byteorder) for w in words)
    assert set(met) == set(words)  # every word is recorded for the string table
    assert spacy_parts.orth_row(words[::-1], met) == b"".join(get_string_id(w).to_bytes(8, sys.byteorder)
                                                            for w in words[::-1])


@settings(max_examples=300)
@given(st.lists(st.text(max_size=40), max_size=5) | st.lists(st.text("ab\x00é🦠", max_size=40), max_size=5))
def test_murmurhash64a_is_spacys_hash(strings: list[str]) -> None:
    from spacy.strings import hash_string

    for s in [*strings, *("x" * n for n in range(17))]:  # every tail length
        assert spacy_parts.murmurhash64a(s.encode("utf-8"), 1) == hash_string(s)


def test_a_worker_s_batches_hand_over_each_string_once_and_the_table_gets_them_all(tmp_path: Path) -> None:
    met: dict[str, bytes] = {}  # what a worker keeps for one output from batch to batch
    sent: set[str] = set()
    first = docbin_stream.StreamingDocBin(["ORTH"], None, met, sent)
    first.row(["Gut", "bugs", "Gut"])
    first.add_strings(["fibre", "Gut"])  # words whose ids came with them (a cached row)
    first.span_groups("sc", ["claim"], [0], [1], [0], [3])
    batches = [first.take()]  # the batch ends before the next one begins
    second = docbin_stream.StreamingDocBin(["ORTH"], None, met, sent)
    row = second.row(["bugs", "help", "."])
    assert row == b"".join(get_string_id(w).to_bytes(8, sys.byteorder) for w in ["bugs", "help", "."])
    second.add_strings(["fibre", "feeds"])
    second.span_groups("sc", ["claim", "citation"], [0, 1], [1, 2], [0, 5], [4, 9])
    batches.append(second.take())
    assert sorted(batches[0]["strings"]) == ["Gut", "bugs", "claim", "fibre"]
    assert sorted(batches[1]["strings"]) == [".", "citation", "feeds", "help"]  # the others went with the first
    whole = docbin_stream.StreamingDocBin(["ORTH"], tmp_path)
    try:
        for batch in batches:
            whole.absorb(batch)
        assert whole.strings == {"Gut", "bugs", "claim", "fibre", "help", ".", "feeds", "citation"}
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


# -- words made at import -------------------------------------------------------------------------
_BLANKS = st.sampled_from([" ", "  ", "\n", " \n", "\n ", "\t", "\u00a0", "\u2028", "\x1f", " " * 255, " " * 256,
                           "\n" * 300, "\r\n"])
_GAPPY = st.lists(st.sampled_from(_PIECES) | _BLANKS, max_size=40).map("".join)


@settings(max_examples=400)
@given(_TEXT | _GAPPY)
def test_a_words_row_is_the_regex_words_with_spacys_ids(text: str) -> None:
    parts = spacy_words.WORDS.split(text)
    words, spaces = parts[1::3], bytes(map(len, parts[2::3]))
    orth, row_spaces, heads, strings = spacy_words.words_row(text)
    assert row_spaces == spaces and "".join(w + " " * s for w, s in zip(words, spaces)) == text
    assert orth == b"".join(get_string_id(w).to_bytes(8, "little") for w in words)
    assert list(unpack_offsets(heads)) == spacy_parts.bounds(words, spaces)[0][:-1]
    assert json.loads(strings) == list(dict.fromkeys(words))
    row = spacy_words.WordRow((orth, row_spaces, heads, strings), len(text))
    assert row.count == len(words) and list(row.ids()) == [get_string_id(w) for w in words]
    assert row.strings == list(dict.fromkeys(words))
    assert row.orth == b"".join(get_string_id(w).to_bytes(8, sys.byteorder) for w in words)


@settings(max_examples=300)
@given(_TEXT | _GAPPY, st.lists(st.tuples(st.integers(0, 200), st.integers(1, 40)), max_size=12))
def test_a_words_row_locates_spans_as_the_regex_words_do(text: str, picks: list[tuple[int, int]]) -> None:
    if not text:
        return
    row = spacy_words.WordRow(spacy_words.words_row(text), len(text))
    words, spaces = spacy_words.split_words(text)
    spans = sorted({(s % len(text), min(len(text), s % len(text) + n)) for s, n in picks})
    starts, ends = [s for s, _e in spans], [e for _s, e in spans]
    assert row.locate(starts, ends) == spacy_parts.locate(*spacy_parts.bounds(words, spaces), starts, ends)
    heads, tails = spacy_parts.bounds(words, spaces)
    if set(starts) <= set(heads) and set(ends) <= set(tails):  # every edge a word's edge
        assert row.locate(starts, ends) is not None


def test_a_words_row_whose_parts_disagree_is_refused() -> None:
    orth, spaces, heads, strings = spacy_words.words_row("Gut bugs help.")
    assert spacy_words.WordRow((orth, spaces, heads, strings), 14).count == 4
    with pytest.raises(ValueError, match="disagree"):
        spacy_words.WordRow((orth[:-8], spaces, heads, strings), 14)
    with pytest.raises(ValueError, match="disagree"):
        spacy_words.WordRow((orth, spaces[:-1], heads, strings), 14)


@settings(max_examples=60, deadline=None)
@given(docs=st.lists(documents(), min_size=1, max_size=4), ents=st.booleans())
def test_without_cached_words_the_docbin_is_the_same(tmp_path_factory: pytest.TempPathFactory,
                                                     docs: list[Any], ents: bool) -> None:
    # Every group split by the regex (as with a spaCy whose ids are not spaCy 3's).
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(spacy_docbin._SpacySink, "_words", lambda self, doc: None)
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
