"""Canonical text of one PDF page from MuPDF's ``rawdict``: reading order, reflow, cleaning.

The rules are listed in :mod:`annotator.importers.pdf`. Input is one page's ``rawdict``
(blocks -> lines -> spans -> chars); output is the page's text and a flat list of 4
floats per character of it (x0, y0, x1, y1 in unrotated page space, NaN for characters
inserted here: joining spaces and paragraph separators).

Speed matters here (an import spends about a fifth of its time in this module, most of the
rest in MuPDF building the rawdict): every character is touched in C-level loops only
(``map``, ``join``, ``chain``), once for its text and once for its box; per-line Python
work is kept to a handful of comparisons.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from itertools import chain, islice
from operator import itemgetter
from typing import Any

from annotator.pdf_geometry import reading_order

SEPARATOR = "\n\n"
NAN4 = (math.nan,) * 4
# Ligatures keep one glyph box in MuPDF only when preserved; expanding them here lets each
# letter get a proportional slice instead of MuPDF's whole-box-then-zero-width split.
_LIGATURES = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)}
# Anything a line needs beyond stripping its ends: ligatures, controls, non-space whitespace,
# runs of spaces.
_NEEDS_CLEANING = re.compile("[\ufb00-\ufb06\x00-\x1f\x7f-\x9f]|[^\\S ]|  ")
# A line or block opening like a list item starts a paragraph, even right under a full line.
_LIST_ITEM = re.compile(
    r"[\u2022\u25e6\u25aa\u25cf\u2023\u2043\u2219\u00b7*\u2013\u2014-]\s|\(?\d{1,3}[.)]\s|[a-z][.)]\s")
_SENTENCE_END = ".!?:;\"\u201d)]"
_CHARS = itemgetter("chars")
_C = itemgetter("c")
_BBOX = itemgetter("bbox")
_SIZE = itemgetter("size")
_LINES = itemgetter("lines")
_DIR = itemgetter("dir")
_HORIZONTAL = (1, 0)


def page_text(raw: dict[str, Any], title_lines: list[tuple[float, str]] | None,
              breaks: list[int] | None = None) -> tuple[str, list[float]]:
    """Text of one rawdict page in reading order with 4 floats per character (NaN when inserted).

    With ``breaks``, a hyphen that ends a line between two lowercase letters is kept and its
    index appended there, for :func:`resolve_line_hyphens` to decide with the whole document."""
    width, height = float(raw["width"]), float(raw["height"])
    blocks = [b for b in raw["blocks"] if b.get("type") == 0 and b.get("lines")]
    parts: list[str] = []
    boxes: list[float] = []
    previous = ""
    last_block: dict[str, Any] | None = None
    last_line: dict[str, Any] = {}
    last_size = 0.0
    for bi in reading_order([b["bbox"] for b in blocks], _main_direction(blocks)):
        block = blocks[bi]
        if last_block is None or not _continues_paragraph(last_block, block):
            previous = ""
        for line in block["lines"]:
            text, line_boxes = _line(line, width, height)
            if not text:
                continue
            size = max(map(_SIZE, line["spans"]))
            if title_lines is not None:
                title_lines.append((size, text))
            if previous and (_LIST_ITEM.match(text) or _starts_new_paragraph(last_line, line, last_size, size)):
                previous = ""
            last_line, last_size = line, size
            if not previous:
                if parts:
                    parts.append(SEPARATOR)
                    boxes.extend(NAN4 * len(SEPARATOR))
            elif breaks is not None and previous[-1] != "\u00ad" and _is_broken_word(previous, text):
                breaks.append(len(boxes) // 4 - 1)  # the hyphen's index: decided with the whole document
            elif _is_broken_word(previous, text):
                parts[-1] = parts[-1][:-1]
                del boxes[-4:]
            elif previous[-1] in "-\u2010" and len(previous) >= 2 and previous[-2].isalnum():
                pass  # a real hyphen: "anti-" + "TNF" stays "anti-TNF"
            else:
                parts.append(" ")
                boxes.extend(NAN4)
            parts.append(text)
            boxes.extend(line_boxes)
            previous = text
            last_block = block
    return "".join(parts), boxes


_WORD = re.compile(r"\w+")
_LAST_WORD = re.compile(r"\w+$")
_COMPOUND = re.compile(r"(\w+)[-\u2010](\w+)")


def resolve_line_hyphens(pages: list[tuple[str, list[float]]], breaks: list[list[int]]
                         ) -> list[tuple[str, list[float]]]:
    """Each page's (text, boxes) with the line-end hyphens at ``breaks`` removed where they only broke a word.

    Dictionary-free, from the document's own words (case-folded): the hyphen goes when the
    joined form ("treatment") appears elsewhere in the document; it stays when the hyphenated
    form appears elsewhere, or when both parts ("healthy", "eating") appear as words elsewhere
    and the joined form does not; otherwise ("treat-" + "ment") it goes, as typesetting breaks do.
    """
    if not any(breaks):
        return pages
    words: Counter[str] = Counter()
    compounds: Counter[str] = Counter()
    for text, _boxes in pages:
        words.update(w.casefold() for w in _WORD.findall(text))
        compounds.update(f"{a}-{b}".casefold() for a, b in _COMPOUND.findall(text))
    parts: list[list[tuple[int, str, str]]] = []
    for (text, _boxes), found in zip(pages, breaks):
        parts.append([])
        for at in found:  # the parts of each break, whose own counts are taken out: "elsewhere" means elsewhere
            left, right = _LAST_WORD.search(text, 0, at), _WORD.match(text, at + 1)
            if left is not None and right is not None:
                a, b = left.group().casefold(), right.group().casefold()
                words.subtract((a, b))
                compounds[f"{a}-{b}"] -= 1
                parts[-1].append((at, a, b))
    out = []
    for (text, boxes), found in zip(pages, parts):
        for at, a, b in sorted(found, reverse=True):
            if words[a + b] > 0 or not (compounds[f"{a}-{b}"] > 0 or (words[a] > 0 and words[b] > 0)):
                text = text[:at] + text[at + 1:]
                boxes = boxes[:4 * at] + boxes[4 * at + 4:]
        out.append((text, boxes))
    return out


def _main_direction(blocks: list[dict[str, Any]]) -> tuple[float, float]:
    """The writing direction of most characters: sideways on a landscape page under /Rotate."""
    lines = list(chain.from_iterable(map(_LINES, blocks)))
    # Nearly every page has one direction: no need to count its characters.
    directions = {(round(dx), round(dy)) for dx, dy in set(map(_DIR, lines))}
    if len(directions) <= 1:
        return directions.pop() if directions else _HORIZONTAL
    weight: Counter[tuple[int, int]] = Counter()
    for line in lines:
        weight[(round(line["dir"][0]), round(line["dir"][1]))] += sum(map(len, map(_CHARS, line["spans"])))
    return weight.most_common(1)[0][0]


def _starts_new_paragraph(above: dict[str, Any], line: dict[str, Any], above_size: float, size: float) -> bool:
    """A block's next row in another font size (a kicker over a title, a title over its
    standfirst) is a new paragraph; a superscript on the same row is not."""
    if abs(size - above_size) <= max(1.0, 0.15 * above_size):
        return False
    return line["bbox"][1] >= above["bbox"][3] - 0.25 * (above["bbox"][3] - above["bbox"][1])


def _continues_paragraph(above: dict[str, Any], block: dict[str, Any]) -> bool:
    """Whether ``block`` goes on with the paragraph of ``above`` rather than starting one.

    MuPDF sometimes puts a paragraph's last line(s) in a block of their own, and a
    paragraph often flows from the foot of one column to the head of the next. Either
    way the lines must share a font size and the line above must run (nearly) to the
    right margin, which tells a wrapped paragraph from a heading or a short last line.
    """
    last, first = above["lines"][-1], block["lines"][0]
    lx0, ly0, lx1, ly1 = last["bbox"]
    fx0, fy0, _fx1, _fy1 = first["bbox"]
    left, right = above["bbox"][0], above["bbox"][2]
    if abs(last["spans"][-1]["size"] - first["spans"][0]["size"]) > 0.5:
        return False
    head = "".join(map(_C, islice(chain.from_iterable(map(_CHARS, first["spans"])), 6))).lstrip()
    if not head or _LIST_ITEM.match(head):
        return False
    if fy0 < ly0:  # the next column (or a block beside this one)
        tail = "".join(c["c"] for c in last["spans"][-1]["chars"][-3:]).rstrip()
        ends_open = bool(tail) and tail[-1] not in _SENTENCE_END
        return head[0].islower() and ends_open and lx1 >= right - 0.15 * (right - left)
    right = max(right, block["bbox"][2])
    if abs(fx0 - left) > 2.0:
        return False
    gap = fy0 - ly1
    if len(above["lines"]) >= 2:
        spacing = ly0 - above["lines"][-2]["bbox"][3]
        if abs(gap - spacing) > 2.0:
            return False
    elif not -1.0 <= gap <= 0.3 * (ly1 - ly0):
        return False
    return lx1 >= right - 0.15 * (right - left)


def _is_broken_word(previous: str, nxt: str) -> bool:
    if previous[-1] == "\u00ad":
        return True
    return (
        len(previous) >= 2 and previous[-1] in "-\u2010" and previous[-2].islower() and nxt[0].islower()
    )


def _line(line: dict[str, Any], width: float, height: float) -> tuple[str, Iterable[float]]:
    """One line's cleaned text and boxes; the common case stays in C-level loops.

    The boxes come back as a lazy iterator in the common case: copying them into an
    intermediate list costs as much as reading them.
    """
    spans = line["spans"]
    # Most lines are one span: its list of characters is used as it is.
    chars = spans[0]["chars"] if len(spans) == 1 else list(chain.from_iterable(map(_CHARS, spans)))
    count = len(chars)
    if not count:
        return "", ()
    text = "".join(map(_C, chars))
    # The line box is the union of its glyph boxes: checking it spares a per-glyph pass.
    x0, y0, x1, y1 = line["bbox"]
    inside = x0 >= 0.0 and y0 >= 0.0 and x1 <= width and y1 <= height
    if not inside or len(text) != count or _NEEDS_CLEANING.search(text):
        boxes = list(chain.from_iterable(map(_BBOX, chars)))
        if not inside:
            boxes = _clamped(boxes, width, height)
        return _cleaned(text_units=list(map(_C, chars)), boxes=boxes, direction=line["dir"])
    if text[0] == " " or text[-1] == " ":
        lead = count - len(text.lstrip(" "))
        tail = len(text.rstrip(" "))
        return text[lead:tail], chain.from_iterable(map(_BBOX, islice(chars, lead, tail)))
    return text, chain.from_iterable(map(_BBOX, chars))


def _clamped(boxes: list[float], width: float, height: float) -> list[float]:
    """Boxes forced inside the page: glyphs poking out of the CropBox, or broken fonts."""
    out = []
    for i, v in enumerate(boxes):
        limit = width if i % 2 == 0 else height
        out.append(0.0 if not v >= 0.0 else limit if v > limit else v)  # NaN -> 0
    return out


def _cleaned(
    text_units: list[str], boxes: list[float], direction: tuple[float, float]
) -> tuple[str, list[float]]:
    """Slow path: expand ligatures, normalise whitespace, drop controls, collapse and strip spaces."""
    out: list[str] = []
    out_boxes: list[float] = []
    dx, dy = direction
    along_x = abs(dx) >= abs(dy)
    backwards = dx < 0 if along_x else dy < 0
    for i, unit in enumerate(text_units):
        box = boxes[4 * i : 4 * i + 4]
        expanded = _LIGATURES.get(unit, unit)
        n = len(expanded)
        for k, ch in enumerate(expanded):
            if ch.isspace():
                if not out or out[-1] == " ":
                    continue
                ch = " "
            elif unicodedata.category(ch) == "Cc":
                continue
            out.append(ch)
            out_boxes.extend(box if n == 1 else _slice(box, n, n - 1 - k if backwards else k, along_x))
    while out and out[-1] == " ":
        out.pop()
        del out_boxes[-4:]
    return "".join(out), out_boxes


def _slice(box: list[float], n: int, k: int, along_x: bool) -> list[float]:
    """The k-th of n equal parts of a glyph box along the writing direction."""
    x0, y0, x1, y1 = box
    if along_x:
        step = (x1 - x0) / n
        return [x0 + k * step, y0, x0 + (k + 1) * step, y1]
    step = (y1 - y0) / n
    return [x0, y0 + k * step, x1, y0 + (k + 1) * step]
