from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotator.text import Utf16Map, excerpt, snap_to_tokens, token_range, tokenize, token_bounds, word_at

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
