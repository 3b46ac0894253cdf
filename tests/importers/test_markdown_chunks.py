"""A large Markdown file is parsed a piece at a time and gives exactly the text of a whole parse."""

from __future__ import annotations

import pytest

from annotator.importers import markdown

SECTION = """# Heading {i}

A paragraph about vitamin D and *sleep*, with a [link](http://x) and `code`.
It goes on over a soft break.

- item one
- item two

- loose item three
  continued, indented

1. first
2. second

```python
def f():

    return 1
```

    indented code

    after a blank line

| drug | dose | note |
|------|-----:|------|
{rows}

> a quote
> on two lines

<div>
raw html
</div>
"""


def document(sections: int, rows: int) -> str:
    table = "\n".join(f"| drug {r} | {r} mg | *take* with food |" for r in range(rows))
    return "\n".join(SECTION.format(i=i, rows=table) for i in range(sections))


@pytest.mark.parametrize("size", [60, 200, 1000, 5000])
def test_pieces_parse_to_the_same_text_as_the_whole(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    src = document(sections=6, rows=40)
    whole = markdown.markdown_to_text(src)
    monkeypatch.setattr(markdown, "CHUNK_CHARS", size)
    assert len(list(markdown.source_chunks(src))) > 1
    assert markdown.markdown_to_text(src) == whole


def test_a_table_longer_than_a_piece_is_cut_between_rows_with_its_header_repeated() -> None:
    src = document(sections=1, rows=500)
    pieces = list(markdown.source_chunks(src, size=2000))
    continued = [p for p, continues in pieces if continues]
    assert continued and all(p.startswith("| drug | dose | note |\n|------|-----:|------|\n") for p in continued)
