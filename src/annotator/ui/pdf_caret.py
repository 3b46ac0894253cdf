"""Moving a caret through a PDF's canonical text from the keyboard, and where to draw it on its page.

The page view keeps a caret (an offset between characters) and an anchor; arrow keys move
the caret by a character, Ctrl by a word, Up/Down (with Shift) by a text line found from
the per-character boxes, and the selection is always [anchor, caret) in canonical offsets.
Qt-free so the steps can be reasoned about (and tested) on plain text and geometry.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotator.importers.base import PageGeometry
from annotator.pdf_geometry import caret_at_point, line_rects, page_of_offset

Rect = tuple[float, float, float, float]
_LINE_SEARCH = 4000  # characters looked through for the next or previous text line


def char_step(text: str, pos: int, forward: bool) -> int:
    return min(len(text), pos + 1) if forward else max(0, pos - 1)


def word_step(text: str, pos: int, forward: bool) -> int:
    """The end of the next word (forward) or the start of the previous one, as text editors move."""
    n = len(text)
    if forward:
        while pos < n and not text[pos].isalnum():
            pos += 1
        while pos < n and text[pos].isalnum():
            pos += 1
        return pos
    while pos > 0 and not text[pos - 1].isalnum():
        pos -= 1
    while pos > 0 and text[pos - 1].isalnum():
        pos -= 1
    return pos


def _char_rect(pages: Sequence[PageGeometry], offset: int) -> tuple[int, Rect] | None:
    """(page, displayed box) of one character; None for an inserted one or outside every page."""
    page = page_of_offset(pages, offset) if offset >= 0 else None
    rects = line_rects(pages[page:page + 1], offset, offset + 1) if page is not None else []
    return rects[0] if rects else None


def caret_rect(pages: Sequence[PageGeometry], pos: int) -> tuple[int, Rect] | None:
    """(page, displayed rectangle) of the glyph the caret stands before, or after at a line's end.

    Inserted characters (joined line breaks, paragraph gaps) have no box: the nearest real
    glyph stands in, after the caret if there is one on the same page, else before it.
    """
    for offset in range(pos, pos + 8):
        hit = _char_rect(pages, offset)
        if hit is not None:
            page, (x0, y0, _x1, y1) = hit
            return page, (x0, y0, x0, y1)
    for offset in range(pos - 1, pos - 9, -1):
        hit = _char_rect(pages, offset)
        if hit is not None:
            page, (_x0, y0, x1, y1) = hit
            return page, (x1, y0, x1, y1)
    return None


def line_step(pages: Sequence[PageGeometry], pos: int, down: bool) -> int:
    """The caret on the next (or previous) text line, as near the same x as that line allows."""
    here = caret_rect(pages, pos)
    if here is None:
        return pos
    page, (x, top, _x, bottom) = here
    height = max(bottom - top, 1.0)
    step = 1 if down else -1
    offset = pos if down else pos - 1
    last_offset = pages[-1].end if pages else 0
    for _ in range(_LINE_SEARCH):
        offset += step
        if not 0 <= offset < last_offset:
            return last_offset if down else 0
        hit = _char_rect(pages, offset)
        if hit is None:
            continue
        other_page, (_x0, y0, _x1, y1) = hit
        moved = other_page != page or (y0 > bottom - 0.25 * height if down else y1 < top + 0.25 * height)
        if moved:
            geo = pages[other_page]
            return caret_at_point(geo, x, (y0 + y1) / 2)
    return pos
