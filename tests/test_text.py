from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.text import Utf16Map, excerpt, snap_to_tokens, span_tokens, token_bounds, token_range, tokenize, word_at

REFERENCE = Path("/work/shared/reference-articles")

ASTRAL_TEXT = st.text(alphabet=st.sampled_from(list("ab c.\n😀𝑝é🦠-")), max_size=60)


def test_tokens_carry_offsets_and_whitespace() -> None:
    text = "Vitamin D3 helps, maybe. 😀 ok"
    toks = tokenize(text)
    assert [t.text for t in toks] == ["Vitamin", "D3", "helps", ",", "maybe", ".", "😀", "ok"]
    for t in toks:
        assert text[t.start:t.end] == t.text
    assert toks[0].ws and not toks[2].ws and not toks[-1].ws


def test_snap_widens_to_whole_tokens_and_trims() -> None:
    text = "Probiotics reduce inflammation."
    assert snap_to_tokens(text, 3, 13) == (0, 17)  # "obiotics re" -> "Probiotics reduce"
    s, e = snap_to_tokens(text, 10, 11)  # only whitespace: empty after trimming
    assert s == e
    assert snap_to_tokens(text, 0, len(text)) == (0, len(text))


def test_token_range_is_inclusive_like_prodigy() -> None:
    text = "Gut bacteria make butyrate."
    starts, ends = token_bounds(text)
    assert token_range(starts, ends, 4, 17) == (1, 2)  # "bacteria make"


def test_word_at_for_double_click() -> None:
    text = "The vagus nerve carries signals."
    assert text[slice(*word_at(text, 6))] == "vagus"


def test_excerpt_is_one_line() -> None:
    assert excerpt("a\n\nb   c", 0, 8) == "a b c"
    assert len(excerpt("x" * 200, 0, 200, width=20)) == 20


@given(ASTRAL_TEXT, st.data())
def test_utf16_round_trip(text: str, data: st.DataObject) -> None:
    m = Utf16Map(text)
    assert m.length_u16 == len(text.encode("utf-16-le")) // 2
    cp = data.draw(st.integers(0, len(text)))
    u16 = m.to_utf16(cp)
    assert u16 == len(text[:cp].encode("utf-16-le")) // 2
    assert m.to_codepoint(u16) == cp


@given(ASTRAL_TEXT, st.data())
def test_snap_never_leaves_the_text(text: str, data: st.DataObject) -> None:
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(0, len(text)))
    s, e = snap_to_tokens(text, a, b)
    assert 0 <= s <= e <= len(text)
    if s < e:
        assert not text[s].isspace() and not text[e - 1].isspace()


# The tokenizer's contract with spaCy, checked by spaCy itself.
spacy_tokens = pytest.importorskip("spacy.tokens")
spacy_vocab = pytest.importorskip("spacy.vocab")

WHITESPACEY = st.text(alphabet=st.sampled_from(list("ab c.,-'\n\t\r\u00a0😀👍🏽\u200d\ufe0f\u20e3🇫🇷é\u0301")), max_size=80)


def _doc(text: str):  # type: ignore[no-untyped-def]
    toks = tokenize(text)
    return toks, spacy_tokens.Doc(spacy_vocab.Vocab(), words=[t.text for t in toks], spaces=[t.ws for t in toks])


def _check_rebuild_and_alignment(text: str) -> None:
    toks, doc = _doc(text)
    assert doc.text == text
    assert [(t.start, t.end) for t in toks] == [(t.idx, t.idx + len(t.text)) for t in doc]
    assert all(t.id == i and text[t.start:t.end] == t.text and t.text for i, t in enumerate(toks))
    for i in range(len(toks)):
        for j in (i, min(i + 3, len(toks) - 1)):
            span = doc.char_span(toks[i].start, toks[j].end, alignment_mode="strict")
            assert span is not None and (span.start, span.end) == (i, j + 1)


@settings(max_examples=300, deadline=None)
@given(st.one_of(WHITESPACEY, st.text(max_size=60)))
def test_tokens_rebuild_the_text_in_spacy(text: str) -> None:
    _check_rebuild_and_alignment(text)


def test_whitespace_follows_spacy() -> None:
    text = "Fibre  feeds\n\nthe gut. \tOk "
    toks = tokenize(text)
    assert [(t.text, t.ws) for t in toks] == [
        ("Fibre", True), (" ", False), ("feeds", False), ("\n\n", False), ("the", True), ("gut", False),
        (".", True), ("\t", False), ("Ok", True)]
    assert [t.text for t in tokenize("  lead")] == ["  ", "lead"]


@pytest.mark.parametrize("cluster", ["👩\u200d👩\u200d👧", "❤\ufe0f", "1\ufe0f\u20e3", "👍🏽", "🇫🇷", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",
                                     "e\u0301"])
def test_grapheme_clusters_are_never_split(cluster: str) -> None:
    text = f"a {cluster} b {cluster}{cluster}"
    toks = tokenize(text)
    assert cluster in [t.text for t in toks]
    for t in toks:  # no token starts inside a cluster
        assert not any(t.start in range(k + 1, k + len(cluster)) for k in range(len(text)) if text.startswith(cluster, k))


def test_two_flags_are_two_tokens() -> None:
    assert [t.text for t in tokenize("🇫🇷🇩🇪")] == ["🇫🇷", "🇩🇪"]


def test_snapping_ignores_whitespace_tokens() -> None:
    text = "Gut\n\nbacteria  feed"
    starts, ends = token_bounds(text)
    assert [text[s:e] for s, e in zip(starts, ends)] == ["Gut", "bacteria", "feed"]
    assert snap_to_tokens(text, 2, 6) == (0, 13)
    assert snap_to_tokens(text, 3, 5) == (5, 5)


def test_span_tokens_is_clamped_and_inclusive() -> None:
    toks = tokenize("Gut bacteria make butyrate. ")
    starts, ends = [t.start for t in toks], [t.end for t in toks]
    assert span_tokens(starts, ends, 4, 17) == (1, 2)
    assert span_tokens(starts, ends, 27, 28) == (4, 4)
    assert span_tokens([], [], 0, 1) == (0, 0)


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="reference articles absent")
def test_reference_articles_rebuild_in_spacy() -> None:
    files = sorted(REFERENCE.glob("*.txt"))[:10]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        toks, doc = _doc(text)
        assert doc.text == text, path.name


def test_combining_marks_live_only_where_the_tokenizer_looks() -> None:
    import unicodedata

    from annotator import text

    seen = {cp for plane in text._MARK_PLANES for cp in plane}
    outside = [cp for cp in range(0x110000) if cp not in seen and unicodedata.category(chr(cp)).startswith("M")]
    assert outside == []


@settings(max_examples=200, deadline=None)
@given(st.one_of(WHITESPACEY, st.text(max_size=60)))
def test_word_columns_are_the_non_whitespace_tokens(text: str) -> None:
    from annotator.text import word_columns

    words = [(t.text, t.start, t.end) for t in tokenize(text) if not t.text.isspace()]
    texts, starts, ends = word_columns(text)
    assert list(zip(texts, starts, ends)) == words
    assert token_bounds(text) == (starts, ends)
