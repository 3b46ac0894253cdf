"""Markdown import: readable text without markup, per the canonical text rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.importers.base import DocumentImportError, ImportedDocument
from annotator.importers.markdown import MarkdownImporter, markdown_to_text
from .helpers import assert_tidy, load_single


def md(source: str) -> str:
    return markdown_to_text(source)[0]


def load_file(tmp_path: Path, data: bytes | str, name: str = "article.md") -> ImportedDocument:
    return load_single(MarkdownImporter(), tmp_path, data, name)


def test_suffixes() -> None:
    assert MarkdownImporter.suffixes == (".md", ".markdown")


def test_headings_and_paragraphs_are_blocks() -> None:
    source = "# Title\n\nFirst para.\n\n## Section\nSecond para.\n\nSetext\n------\n\nThird."
    assert md(source) == "Title\n\nFirst para.\n\nSection\n\nSecond para.\n\nSetext\n\nThird."


def test_soft_break_reflows_and_hard_break_keeps_line() -> None:
    assert md("one\ntwo\nthree") == "one two three"
    assert md("one  \ntwo\\\nthree") == "one\ntwo\nthree"


def test_inline_markup_is_removed() -> None:
    text = md("Some **bold**, *em*, __strong__, _u_, ~~gone~~ and `code()` here.")
    assert text == "Some bold, em, strong, u, gone and code() here."


def test_links_keep_text_and_drop_url() -> None:
    text = md("See [the study](https://example.org/x \"t\") and [ref][1].\n\n[1]: https://r.org")
    assert text == "See the study and ref."


def test_images_are_dropped_with_alt_text() -> None:
    assert md("Before ![a chart](chart.png) after.\n\n![alone](x.png)\n\nEnd") == "Before after.\n\nEnd"


def test_bullet_lists_one_item_per_line_without_bullets() -> None:
    assert md("Intro\n\n- alpha\n- beta\n* gamma\n\nOutro") == "Intro\n\nalpha\nbeta\n\ngamma\n\nOutro"


def test_ordered_list_keeps_displayed_numbers() -> None:
    assert md("3. three\n4. four\n\nx") == "3. three\n4. four\n\nx"
    assert md("1. a\n1. b\n1. c") == "1. a\n2. b\n3. c"
    assert md("1) a\n2) b") == "1. a\n2. b"


def test_nested_and_loose_lists() -> None:
    source = "1. first\n   - inner a\n   - inner b\n2. second\n\n   more of second\n3. - nested first"
    assert md(source) == "1. first\ninner a\ninner b\n2. second\nmore of second\n3. nested first"


def test_blockquote_loses_marker() -> None:
    assert md("> quoted *text*\n> continues\n>\n> second") == "quoted text continues\n\nsecond"


def test_code_blocks_keep_text_and_indentation() -> None:
    source = "Intro\n\n```python\ndef f(x):\n    return x  # *not emphasis*\n```\n\n    indented code\n      deeper\n"
    assert md(source) == "Intro\n\ndef f(x):\n    return x  # *not emphasis*\n\nindented code\n  deeper"


def test_tables_one_row_per_line() -> None:
    source = "| Dose | Effect |\n|:-----|-------:|\n| 10 mg | **none** |\n| 20 mg | mild |\n"
    assert md(source) == "Dose | Effect\n10 mg | none\n20 mg | mild"


def test_html_is_stripped_of_tags() -> None:
    source = "<div class=\"note\">\n<p>Raw <b>HTML</b> block</p>\n<script>alert(1)</script>\n</div>\n\nInline <span>tag</span> and a<br>break."
    assert md(source) == "Raw HTML block\n\nInline tag and a\nbreak."


def test_entities_are_decoded() -> None:
    assert md("Fish &amp; chips &copy; &lt;b&gt; &#x1F600; &#8212;") == "Fish & chips © <b> 😀 —"


def test_escaped_markup_characters_are_literal_text() -> None:
    assert md(r"5 \* 3 \# not heading") == "5 * 3 # not heading"


def test_no_markup_characters_remain() -> None:
    source = "# H\n\n> *q* [l](u) `c` **b** _e_\n\n- x\n\n---\n\n***\n\nEnd"
    text = md(source)
    for mark in ("#", "*", "_", "`", ">", "[", "](", "---"):
        assert mark not in text
    assert text == "H\n\nq l c b e\n\nx\n\nEnd"


def test_front_matter_is_dropped_and_title_used() -> None:
    source = "---\ntitle: \"Front Title\"\nauthor: x\n---\n# Heading\n\nBody"
    assert markdown_to_text(source) == ("Heading\n\nBody", "Front Title")


def test_front_matter_without_title_falls_back_to_h1() -> None:
    assert markdown_to_text("---\nauthor: x\n---\nIntro\n\n# Real\n\n# Second") == (
        "Intro\n\nReal\n\nSecond",
        "Real",
    )


def test_title_falls_back_to_the_first_heading_like_line(tmp_path: Path) -> None:
    doc = load_file(tmp_path, "## Only h2\n\ntext", "gut-health.md")
    assert doc.title == "Only h2"  # as a person would pick, not the file name
    assert markdown_to_text("## Only h2")[1] is None


def test_whitespace_is_collapsed_and_blank_lines_limited() -> None:
    text = md("\n\n\nA\tlot   of \t space\u00a0here   \n\n\n\n\nNext\n\n\n")
    assert text == "A lot of space here\n\nNext"


def test_emoji_and_astral_survive_exactly() -> None:
    text, title = markdown_to_text("# Gut 😀 and 𝑝-values\n\nThe 𝑝 value 😀 is 🇫🇷 e\u0301.")
    assert title == "Gut 😀 and 𝑝-values"
    assert text == "Gut 😀 and 𝑝-values\n\nThe 𝑝 value 😀 is 🇫🇷 e\u0301."


def test_crlf_source_and_meta(tmp_path: Path) -> None:
    doc = load_file(tmp_path, b"\xef\xbb\xbf# T\r\n\r\nOne\r\ntwo\r\r- a\r\n")
    assert doc.text == "T\n\nOne two\n\na"
    assert doc.title == "T"
    assert doc.format == "md"
    assert doc.meta == {"encoding": "utf-8", "word_count": 4, "front_matter": False}


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match="file is empty"):
        load_file(tmp_path, " \n\n ")


def test_markup_only_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match="no text found"):
        load_file(tmp_path, "![just an image](x.png)\n\n---\n")


def test_invalid_utf8(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match=r"not valid UTF-8 at byte 4 \(line 2\)"):
        load_file(tmp_path, b"# T\n\xff\n")


def test_binary(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match="looks like a binary file"):
        load_file(tmp_path, b"# T\x00\x00\x01")


PIECES = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(
        ["\r\n", "\r", "\n", "\t", "😀", "𝑝", "# ", "- ", "1. ", "> ", "*", "_", "`", "```",
         "|", "---", "[a](b)", "![x](y)", "<div>", "</div>", "&amp;", "  \n", "    "]
    ),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PIECES, max_size=60).map("".join))
def test_random_markdown_never_crashes(tmp_path: Path, source: str) -> None:
    try:
        doc = load_file(tmp_path, source.encode("utf-8"), "random.md")
    except DocumentImportError:
        return
    assert_tidy(doc.text)
