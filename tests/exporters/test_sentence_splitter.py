"""The regex sentence splitter: abbreviations, numbers, line breaks, exact offsets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.sentences import sentence_bounds, split_sentences


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize("text, expected", [
    ("Probiotics help. They reduce pain!", ["Probiotics help.", "They reduce pain!"]),
    ("Dr. Lee et al. found it, e.g. in mice. Then it stopped.", ["Dr. Lee et al. found it, e.g. in mice.",
                                                                 "Then it stopped."]),
    ("Take 2.5 mg daily. Or 1,000 IU.", ["Take 2.5 mg daily.", "Or 1,000 IU."]),
    ("A study by J. Smith showed it. See Fig. 2 for more.", ["A study by J. Smith showed it.", "See Fig. 2 for more."]),
    ("Is it safe? Yes. \"Quite.\" Next one… Ok", ["Is it safe?", "Yes.", "\"Quite.\"", "Next one…", "Ok"]),
    ("Why? because it works.", ["Why? because it works."]),
    ("U.S. data vs. U.K. data agree. Good.", ["U.S. data vs. U.K. data agree.", "Good."]),
    ("Heading\n\nFirst paragraph. Second.\n• A bullet\n• Another", ["Heading", "First paragraph.", "Second.",
                                                                    "• A bullet", "• Another"]),
    ("A hard-wrapped line\ncontinues here. Done.", ["A hard-wrapped line\ncontinues here.", "Done."]),
    ("Gut bugs 🦠 matter. 😀 Emoji start.", ["Gut bugs 🦠 matter.", "😀 Emoji start."]),
    ("   \n\n  ", []),
    ("", []),
])
def test_examples(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected




@given(st.lists(st.sampled_from(["ab", "Cd", ".", "!", "?", "…", " ", "\n", "\n\n", "\"", ")", "🦠", "😀", "e.g.",
                                 "Dr.", " et al.", "2.5", "\u00a0", "\t", "x"]), max_size=40).map("".join))
def test_sentences_are_ordered_trimmed_and_cover_every_visible_character(text: str) -> None:
    spans = split_sentences(text)
    covered = [False] * len(text)
    prev = 0
    for start, end in spans:
        assert prev <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        for i in range(start, end):
            covered[i] = True
        prev = end
    assert all(covered[i] for i, ch in enumerate(text) if not ch.isspace())
    assert sentence_bounds(text) == ([s for s, _ in spans], [e for _, e in spans])
