"""The spacy format builds its DocBin without a spaCy Doc: prove it equals the one spaCy builds.

The reference is the slow, obvious way through spaCy's public API: a ``Doc`` from the
words and trailing spaces :func:`words_and_spaces` gives (the documented rule), the spans
from ``doc.char_span``, ``doc.ents`` by the overlap rule, ``doc.user_data``, then
``DocBin.add`` and ``DocBin.to_bytes``. Both are compared decoded (``DocBin.from_bytes``
then ``get_docs``) and as the raw msgpack message.
"""

from __future__ import annotations

import io
import re
import zlib
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("spacy")

import srsly  # noqa: E402
from spacy.tokens import Doc, DocBin  # noqa: E402
from spacy.vocab import Vocab  # noqa: E402

from annotator.exporters import docbin_stream, spacy_docbin, spacy_words  # noqa: E402
from annotator.exporters.base import ExportError  # noqa: E402
from annotator.exporters.hf_bio import cut_tokens  # noqa: E402
from annotator.exporters.options import ExportOptions  # noqa: E402
from annotator.exporters.sink import Context, Document, split_tokens  # noqa: E402
from annotator.exporters.spacy_docbin import SpacyFormat, words_and_spaces  # noqa: E402
from annotator.labels import default_labels  # noqa: E402
from annotator.storage.repository import ExportGroup  # noqa: E402
from annotator.text import _TOKEN  # noqa: E402

LABELS = [s.name for s in default_labels()]
ORDER = {name: i for i, name in enumerate(LABELS)}
# Words spaCy maps to symbol ids rather than hashes ("PERSON", "ADJ"), emoji and other astral
# characters, combining marks, every kind of whitespace the tokenizer meets (tabs, CR,
# no-break space, line separator, the \x1f unit separator), runs of spaces, joiners.
_PIECES = ["Gut", "bugs", "PERSON", "ADJ", "🦠", "😀", "\U0001d518", "e\u0301", "é", ".", "Dr.", "2.5", "1,000",
           "it's", "—", "-", "_x", "\u200d", " ", " ", " ", "  ", "   ", "\n", "\n\n", " \n", "\t", "\r\n", "\u00a0",
           "\u2028", "\x1f", "x", ","]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)
_NOTE = st.none() | st.sampled_from(["", "which strains?", "line 1\nline 2", "🦠"])
_SPAN = st.tuples(st.integers(0, 200), st.integers(1, 30), st.sampled_from([*LABELS, "PERSON"]), _NOTE)


@st.composite
def documents(draw: Any) -> tuple[str, list[tuple[str, int, int, str, str | None]]]:
    """A text and its spans as ExportGroup holds them (sorted by start, end, label, id)."""
    text = draw(_TEXT)
    spans = {}
    if text:
        for start, length, label, note in draw(st.lists(_SPAN, max_size=12)):
            start = start % len(text)
            end = min(len(text), start + length)
            spans.setdefault((start, end, label), note)
    rows = [(f"s{i:03d}", s, e, lb, note) for i, ((s, e, lb), note) in enumerate(spans.items())]
    rows.sort(key=lambda r: (r[1], r[2], r[3], r[0]))
    return text, rows


def _group(i: int, text: str, spans: list[Any]) -> tuple[ExportGroup, Document]:
    row = SimpleNamespace(id=i, text=text, sha256=f"{i:064x}", title=f"doc {i}" if i % 3 else None)
    return ExportGroup(row, f"ann-{i % 2}", ["done", "todo", "flagged"][i % 3], spans), Document(row)


def fast_docbin(docs: list[tuple[str, list[Any]]], ents: bool, folder: Path) -> tuple[bytes, dict[str, Any]]:
    """The bytes and counts the spacy format's sink writes for these documents."""
    buffer = io.BytesIO()
    sink = SpacyFormat().open(buffer, Context(default_labels(), ExportOptions(ents=ents), folder))
    try:
        for i, (text, spans) in enumerate(docs):
            sink.write(*_group(i, text, spans))
        sink.close()
    finally:
        sink.dispose()
    return buffer.getvalue(), sink.counts


def reference_docbin(docs: list[tuple[str, list[Any]]], ents: bool) -> tuple[bytes, Counter[str]]:
    """The same DocBin the slow, obvious way: a Doc per document, DocBin.add, DocBin.to_bytes."""
    vocab = Vocab()
    attrs = ["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE"] if ents else ["ORTH", "SPACY"]
    bin_ = DocBin(attrs=attrs, store_user_data=True)
    left_out: Counter[str] = Counter()
    for i, (text, spans) in enumerate(docs):
        group, document = _group(i, text, spans)
        texts, starts, ends = split_tokens(text)
        texts, starts, ends = cut_tokens(texts, starts, ends, [x for s in spans for x in (s[1], s[2])])
        words, spaces = words_and_spaces(text, texts, starts, ends, {s[1] for s in spans}, {s[2] for s in spans})
        doc = Doc(vocab, words=words, spaces=spaces)
        assert doc.text == text
        made = [doc.char_span(s, e, label=lb) for _i, s, e, lb, _n in spans]
        assert all(span is not None and span.text == text[span.start_char:span.end_char] for span in made)
        doc.spans["sc"] = made
        if ents:
            chosen, reach = [], 0
            for span in sorted(made, key=lambda sp: (sp.start, sp.start - sp.end, ORDER.get(sp.label_, len(ORDER)))):
                if span.start >= reach:
                    chosen.append(span)
                    reach = span.end
                else:
                    left_out[span.label_] += 1
            doc.ents = chosen
        doc.user_data.update({"document_id": document.key, "annotator": group.annotator, "status": group.status,
                              "title": document.row.title,
                              "notes": [[s, e, lb, n] for _i, s, e, lb, n in spans if n is not None]})
        bin_.add(doc)
    return bin_.to_bytes(), left_out


def _decoded(data: bytes) -> list[dict[str, Any]]:
    out = []
    for doc in DocBin().from_bytes(data).get_docs(Vocab()):
        out.append({"text": doc.text, "words": [t.text for t in doc], "ws": [t.whitespace_ for t in doc],
                    "spans": [(s.start, s.end, s.start_char, s.end_char, s.label_, s.id, s.kb_id)
                              for s in doc.spans["sc"]],
                    "groups": list(doc.spans), "ents": [(e.start, e.end, e.label_) for e in doc.ents],
                    "iob": [t.ent_iob_ for t in doc], "user_data": dict(doc.user_data)})
    return out


def assert_same_docbin(docs: list[tuple[str, list[Any]]], ents: bool, folder: Path) -> None:
    ours, counts = fast_docbin(docs, ents, folder)
    theirs, left_out = reference_docbin(docs, ents)
    assert not list(folder.iterdir())  # the temporary parts are gone
    mine = _decoded(ours)
    assert mine == _decoded(theirs)
    for doc, (text, spans) in zip(mine, docs):
        assert doc["text"] == text
        assert [(s[2], s[3], s[4]) for s in doc["spans"]] == [(s, e, lb) for _i, s, e, lb, _n in spans]
    # The raw message: every part byte for byte, the string table a subset (DocBin also keeps
    # tags, lemmas and norms, which these Docs leave empty) holding every word and label.
    a = srsly.msgpack_loads(zlib.decompress(ours))
    b = srsly.msgpack_loads(zlib.decompress(theirs))
    assert list(a) == list(b)
    assert {k: v for k, v in a.items() if k != "strings"} == {k: v for k, v in b.items() if k != "strings"}
    assert a["strings"] == sorted(a["strings"])
    assert set(a["strings"]) == {w for d in mine for w in d["words"]} | {s[4] for d in mine for s in d["spans"]}
    assert set(a["strings"]) <= set(b["strings"])
    assert counts["records"] == len(docs)
    assert counts["spans_written"] == Counter(s[3] for _t, spans in docs for s in spans)
    if ents:
        assert counts["left_out_of_ents"] == dict(left_out)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(documents(), min_size=1, max_size=4), ents=st.booleans())
def test_the_fast_docbin_equals_spacys_own(tmp_path_factory: pytest.TempPathFactory,
                                           docs: list[tuple[str, list[Any]]], ents: bool) -> None:
    assert_same_docbin(docs, ents, tmp_path_factory.mktemp("fast"))


_EDGES = "Gut  bugs help. Dr. Lee\n\n  say so\t(2.5-fold)   ok 🦠  "


@pytest.mark.parametrize("ents", [False, True])
@pytest.mark.parametrize("spans", [
    [],
    [(0, 3, "claim")],
    [(3, 5, "claim")],  # starts on a trailing space, inside a double space
    [(2, 4, "claim"), (1, 6, "mechanism")],  # inside a token, on the first space, inside the run
    [(5, 9, "claim"), (4, 9, "citation")],  # ends right after a trailing space / starts on whitespace word
    [(14, 15, "claim"), (15, 16, "claim"), (16, 17, "mechanism")],  # "." its space and "D"
    [(9, 14, "claim"), (15, 18, "mechanism")],  # start on a single trailing space
    [(5, 10, "claim"), (16, 20, "mechanism")],  # end just after one
    [(23, 24, "claim"), (24, 27, "claim"), (25, 28, "mechanism")],  # inside the blank lines
    [(len(_EDGES) - 2, len(_EDGES), "disclaimer"), (len(_EDGES) - 1, len(_EDGES), "claim")],  # trailing space
    [(0, len(_EDGES), "claim"), (0, len(_EDGES), "mechanism"), (35, 47, "citation")],
    [(s, s + 1, "claim") for s in range(0, len(_EDGES), 2)],
])
def test_span_edges_on_spaces_and_inside_words(tmp_path: Path, spans: list[tuple[int, int, str]], ents: bool) -> None:
    rows = [(f"s{i}", s, e, lb, "n" if i % 2 else None) for i, (s, e, lb) in enumerate(sorted(spans))]
    assert_same_docbin([(_EDGES, rows), ("", []), ("   ", [("a", 1, 2, "claim", None)]), ("\n ok", [])], ents,
                       tmp_path)


def test_annotators_of_one_document_each_get_their_own_cuts(tmp_path: Path) -> None:
    # One text object for consecutive groups, as the driver passes a document's annotators:
    # the sink splits it once, and spans inside words or on spaces still cut only their group.
    text = "Probiotics 🦠 reduce  nerve pain.\n\nAsk first."
    groups = [[("a", 0, 10, "claim", None)], [("b", 2, 6, "claim", "inside"), ("c", 10, 12, "citation", None)], [],
              [("d", 0, 10, "claim", None), ("e", 19, 21, "mechanism", None)], [("f", 33, 36, "disclaimer", None)]]
    assert_same_docbin([(text, spans) for spans in groups], True, tmp_path)


def test_more_documents_than_short_headers_hold_and_many_compressor_chunks(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docbin_stream, "_CHUNK", 97)  # many small chunks, so the backlog fills and waits
    text = "Probiotics 🦠 reduce nerve pain.\n\nAsk your doctor first — it's well-known.  PERSON ADJ "
    docs = [(text + f"n{i} " * (i % 5), [(f"s{j}", j * 3, j * 3 + 7, LABELS[j % 5], None) for j in range(i % 9)])
            for i in range(40)]
    assert_same_docbin(docs, True, tmp_path)


def test_a_span_off_the_word_boundaries_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spacy_docbin, "recut", lambda text, parts, starts, ends: parts)  # a broken re-cut
    with pytest.raises(ExportError, match="does not fall on spaCy token boundaries"):
        fast_docbin([("Probiotics reduce pain.", [("a", 2, 6, "claim", None)])], False, tmp_path)
    assert not list(tmp_path.iterdir())


def test_a_compressor_failure_surfaces_and_leaves_no_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(part: Any, data: bytes) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(docbin_stream._Part, "take", fail)
    monkeypatch.setattr(docbin_stream, "_CHUNK", 10)
    with pytest.raises(OSError, match="disk full"):
        fast_docbin([("Probiotics reduce pain.", [])] * 20, False, tmp_path)
    assert not list(tmp_path.iterdir())


def test_spans_the_app_never_stores_go_through_a_doc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    slow = spacy_docbin._SpacySink.write_through_doc
    monkeypatch.setattr(spacy_docbin._SpacySink, "write_through_doc",
                        lambda self, group, doc: (seen.append(group.spans), slow(self, group, doc)))
    empty = ("b", 4, 4, "claim", None)  # an empty span: spaCy makes it an empty Span, as before
    data, counts = fast_docbin([("Gut bugs.", [("a", 0, 3, "claim", None)]), ("Gut bugs.", [empty])], False, tmp_path)
    assert seen == [[empty]]
    docs = list(DocBin().from_bytes(data).get_docs(Vocab()))
    assert [d.text for d in docs] == ["Gut bugs."] * 2 and counts["records"] == 2
    assert [(s.start_char, s.end_char, s.label_) for s in docs[1].spans["sc"]] == [(4, 4, "claim")]


@given(_TEXT)
def test_the_word_pattern_splits_as_the_token_pattern_does(text: str) -> None:
    plain = re.compile(f"({_TOKEN.pattern}|\\s+)( ?)")  # without the possessive quantifiers
    assert spacy_words.WORDS.split(text) == plain.split(text)
    assert "".join(spacy_words.WORDS.split(text)) == text


@given(st.binary(max_size=300), st.binary(max_size=300), st.integers(1, 70_000))
def test_adler32_combine_is_zlibs(a: bytes, b: bytes, repeat: int) -> None:
    b = b * (repeat // max(1, len(b)) + 1) if b else b
    assert docbin_stream.adler32_combine(zlib.adler32(a), zlib.adler32(b), len(b)) == zlib.adler32(a + b)
