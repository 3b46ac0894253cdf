"""The shared reference articles import as themselves: offsets computed on them stay valid."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from annotator.importers.base import normalise_newlines
from annotator.importers.text import TextImporter

REFERENCE_DIR = Path(__file__).resolve().parents[3] / "shared" / "reference-articles"
ARTICLES = sorted(REFERENCE_DIR.glob("*.txt")) if REFERENCE_DIR.is_dir() else []

if not ARTICLES:
    pytest.skip(f"no reference articles in {REFERENCE_DIR}", allow_module_level=True)

_NUMBERED = re.compile(r"^\s*\d+\.\s+\S")


def expected_text(path: Path) -> str:
    raw = normalise_newlines(path.read_bytes().decode("utf-8"))
    return "\n".join(line.rstrip() for line in raw.split("\n")).strip("\n")


def heading_like_lines(text: str) -> list[str]:
    """Short lines standing alone between blank lines and not ending like a sentence."""
    lines = text.split("\n")
    found = []
    for i, line in enumerate(lines):
        alone = (i == 0 or not lines[i - 1].strip()) and (i + 1 == len(lines) or not lines[i + 1].strip())
        if alone and line.strip() and len(line) < 90 and not line.rstrip().endswith((".", ":", ",")):
            found.append(line)
    return found


@pytest.fixture(params=ARTICLES, ids=lambda p: p.name)
def article(request: pytest.FixtureRequest) -> Path:
    return request.param


def test_canonical_text_is_the_file_text(article: Path) -> None:
    doc = TextImporter().load(article)[0]
    assert doc.text == expected_text(article)
    assert "\r" not in doc.text


def test_headings_and_numbered_items_keep_their_own_lines(article: Path) -> None:
    text = TextImporter().load(article)[0].text
    lines = set(text.split("\n"))
    raw_lines = [line.rstrip() for line in normalise_newlines(article.read_text("utf-8")).split("\n")]
    for line in heading_like_lines("\n".join(raw_lines)):
        assert line in lines
    for line in (raw for raw in raw_lines if _NUMBERED.match(raw)):
        assert line in lines


def test_title_is_a_heading_past_a_skip_link(article: Path) -> None:
    """A person's title: never the site's "Skip to content" link nor a whole opening paragraph,
    but a heading-like line of the article itself (issue 20: titles)."""
    doc = TextImporter().load(article)[0]
    lines = [line.strip() for line in normalise_newlines(article.read_text("utf-8")).split("\n") if line.strip()]
    assert doc.title and doc.title != "Skip to content"
    assert len(doc.title) <= 120
    # one of the article's opening lines (past boilerplate such as "top of page"), or the start
    # of its first paragraph cut at a word when no heading opens it
    assert doc.title in lines[:6] or lines[0].startswith(doc.title.rstrip("…").rstrip())
    assert doc.text.startswith(lines[0])


def test_the_set_has_headings_and_numbered_items() -> None:
    # Guards the two checks above from passing vacuously on a changed article set.
    texts = [expected_text(path) for path in ARTICLES]
    assert any(heading_like_lines(text) for text in texts)
    assert any(_NUMBERED.match(line) for text in texts for line in text.split("\n"))
