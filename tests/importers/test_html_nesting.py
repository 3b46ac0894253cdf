"""Deeply nested HTML parses in about linear time; ordinary pages pass through untouched."""

from __future__ import annotations

import time

from annotator.importers.html import extract_article
from annotator.importers.html_depth import MAX_DEPTH, cap_nesting


def nested(depth: int, tag: str = "div") -> str:
    return (f"<html><body><article><h1>Deep</h1><p>before</p>{f'<{tag}>' * depth}deep text"
            f"{f'</{tag}>' * depth}<p>after</p></article></body></html>")


def test_100k_nested_divs_import_quickly_with_their_text() -> None:
    started = time.perf_counter()
    article = extract_article(nested(100_000))
    assert time.perf_counter() - started < 8  # quadratic parsing took 16 s and more
    assert article.text == "Deep\n\nbefore\n\ndeep text\n\nafter"


def test_nesting_is_capped_and_the_rest_kept() -> None:
    capped = cap_nesting(nested(MAX_DEPTH + 1000, "span"))
    assert capped.count("<span>") == capped.count("</span>") == MAX_DEPTH - 1  # the <article> is a level too
    assert "deep text" in capped and "<p>after</p>" in capped


def test_pages_without_deep_nesting_are_not_changed() -> None:
    unclosed = "<html><body>" + "<p>para <b>bold</b> <!-- <div> -->" * 2000 + "<ul>" + "<li>item" * 2000 + "</ul>"
    script = "<script>" + "'<div>'" * 2000 + "</script>"
    for page in (unclosed, unclosed + script, nested(MAX_DEPTH - 1)):
        assert cap_nesting(page) == page
