"""Geometry of imported PDF pages, Qt-free: canonical-text offsets <-> rectangles on a page.

Two coordinate spaces, both in points with the origin top-left and y growing downwards:

* **unrotated** - what ``PageGeometry.boxes`` stores, ``PageGeometry.width``/``height``
  measure, and PyMuPDF's text extraction, ``search_for`` and ``get_textbox`` use: the
  CropBox before the page's ``/Rotate`` is applied.
* **displayed** - the page as ``page.get_pixmap()`` renders it (rotation applied); its
  size is :func:`display_size`. Every rectangle this module returns and every point it
  accepts is displayed, so a page view only multiplies by its zoom factor.

Storing the unrotated space keeps stored data independent of a later rotation change
and identical to PyMuPDF's own answers; converting is a cheap, exact quarter turn.
"""

from __future__ import annotations

import bisect
import math
import sys
from array import array
from collections.abc import Sequence

from annotator.importers.base import PageGeometry

Rect = tuple[float, float, float, float]
Point = tuple[float, float]

# Wider than any word gap, narrower than the narrowest column gutter seen in journals.
_MIN_COLUMN_GAP = 8.0
# How far under a column a lone paragraph may start and still continue it (the last page
# of a two-column article), when the column shows no paragraph spacing of its own.
_COLUMN_CONTINUATION = 14.0


# -- rotation ----------------------------------------------------------------------------


def display_size(page: PageGeometry) -> tuple[float, float]:
    """Width and height of the page as rendered (rotation applied)."""
    if page.rotation % 180:
        return page.height, page.width
    return page.width, page.height


def to_display(page: PageGeometry, rect: Rect) -> Rect:
    """An unrotated rectangle in displayed coordinates (the same maps PyMuPDF's rotation_matrix)."""
    x0, y0, x1, y1 = rect
    w, h = page.width, page.height
    rot = page.rotation % 360
    if rot == 90:
        return h - y1, x0, h - y0, x1
    if rot == 180:
        return w - x1, h - y1, w - x0, h - y0
    if rot == 270:
        return y0, w - x1, y1, w - x0
    return x0, y0, x1, y1


def from_display(page: PageGeometry, x: float, y: float) -> Point:
    """A displayed point in unrotated coordinates (inverse of :func:`to_display`)."""
    w, h = page.width, page.height
    rot = page.rotation % 360
    if rot == 90:
        return y, h - x
    if rot == 180:
        return w - x, h - y
    if rot == 270:
        return w - y, x
    return x, y


# -- offsets -> rectangles ----------------------------------------------------------------


def page_of_offset(pages: Sequence[PageGeometry], offset: int) -> int | None:
    """Number of the page whose text range holds ``offset``, or None outside every page.

    The ``\\n\\n`` between two pages belongs to the earlier page, so ranges tile the text.
    """
    i = bisect.bisect_right(pages, offset, key=lambda p: p.start) - 1
    # Empty pages share their start with the next page; step back over them.
    while i >= 0:
        page = pages[i]
        if page.start <= offset < page.end:
            return page.number
        if page.end <= offset:
            return None
        i -= 1
    return None


def _same_line(a: Rect, b: Rect) -> bool:
    """Whether two consecutive glyph boxes sit on one text line.

    Horizontal writing: the boxes overlap vertically by half the smaller height. Sideways
    writing (a landscape page drawn under /Rotate): they overlap horizontally by half the
    smaller width and follow each other closely up or down the page.
    """
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    if overlap >= 0.5 * min(a[3] - a[1], b[3] - b[1]) and overlap >= -1e-6:
        return True
    across = min(a[2], b[2]) - max(a[0], b[0])
    if across <= 0.0 or across < 0.5 * min(a[2] - a[0], b[2] - b[0]):
        return False
    step = max(a[3] - a[1], b[3] - b[1], 1.0)
    return -step <= b[1] - a[3] <= step or -step <= a[1] - b[3] <= step


def line_rects(pages: Sequence[PageGeometry], start: int, end: int) -> list[tuple[int, Rect]]:
    """One displayed rectangle per text line and page covering the characters of [start, end).

    Returns ``(page number, (x0, y0, x1, y1))`` in reading order. Inserted characters
    (NaN boxes) are skipped; a single inserted space between two line pieces on the same
    row does not split the rectangle.
    """
    out: list[tuple[int, Rect]] = []
    if end <= start:
        return out
    for page in pages:
        lo, hi = max(start, page.start), min(end, page.end)
        if lo >= hi:
            continue
        boxes = page.boxes
        segments: list[list[float]] = []
        seg: list[float] | None = None
        last: Rect | None = None
        gap = 0  # synthetic characters since the previous real one
        for i in range(lo - page.start, hi - page.start):
            box = (boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3])
            if box[0] != box[0]:  # NaN: an inserted separator
                gap += 1
                continue
            joinable = last is not None and _same_line(last, box)
            if seg is not None and joinable and (gap == 0 or (gap == 1 and box[0] >= seg[2] - 1.0)):
                seg[0] = min(seg[0], box[0])
                seg[1] = min(seg[1], box[1])
                seg[2] = max(seg[2], box[2])
                seg[3] = max(seg[3], box[3])
            else:
                seg = list(box)
                segments.append(seg)
            last = box
            gap = 0
        dw, dh = display_size(page)
        for s in segments:
            x0, y0, x1, y1 = to_display(page, (s[0], s[1], s[2], s[3]))
            out.append(
                (page.number, (_clamp(x0, dw), _clamp(y0, dh), _clamp(x1, dw), _clamp(y1, dh)))
            )
    return out


def _clamp(v: float, limit: float) -> float:
    return 0.0 if v < 0.0 else limit if v > limit else v


# -- points -> offsets --------------------------------------------------------------------


def _nearest_char(page: PageGeometry, x: float, y: float) -> tuple[int, Point] | None:
    """Index (within the page) of the real character box nearest to a displayed point."""
    ux, uy = from_display(page, x, y)
    boxes = page.boxes
    best, best_d = -1, math.inf
    it = iter(boxes)
    for i, (x0, y0, x1, y1) in enumerate(zip(it, it, it, it)):
        if x0 != x0:
            continue
        dx = x0 - ux if ux < x0 else ux - x1 if ux > x1 else 0.0
        dy = y0 - uy if uy < y0 else uy - y1 if uy > y1 else 0.0
        # Vertical distance weighs double: a point beside a (horizontal) line belongs to
        # that line, not to a line of the neighbouring column that happens to be nearer.
        d = dx * dx + 4.0 * dy * dy
        if d < best_d:
            best, best_d = i, d
            if d == 0.0:
                break
    if best < 0:
        return None
    return best, (ux, uy)


def offset_at_point(page: PageGeometry, x: float, y: float) -> int | None:
    """Offset of the character nearest to a displayed point, or None on a page without text."""
    hit = _nearest_char(page, x, y)
    return None if hit is None else page.start + hit[0]


def caret_at_point(page: PageGeometry, x: float, y: float) -> int:
    """Caret offset (between characters) nearest to a displayed point, as a text editor places it.

    Past the middle of a character, in its line's writing direction (taken from a
    neighbouring glyph, so sideways and rotated text work too), the caret goes after it.
    A page without text gives its start offset.
    """
    hit = _nearest_char(page, x, y)
    if hit is None:
        return page.start
    i, (ux, uy) = hit
    box = _box(page, i)
    assert box is not None  # _nearest_char only returns real glyphs
    cx, cy = (box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0
    vx, vy = 1.0, 0.0  # a lone glyph: assume left-to-right
    for j in (i + 1, i - 1):
        other = _box(page, j)
        if other is None or not (_same_line(box, other) if j > i else _same_line(other, box)):
            continue
        sign = 1.0 if j > i else -1.0
        vx = sign * ((other[0] + other[2]) / 2.0 - cx)
        vy = sign * ((other[1] + other[3]) / 2.0 - cy)
        break
    after = (ux - cx) * vx + (uy - cy) * vy > 0.0
    return page.start + i + (1 if after else 0)


def _box(page: PageGeometry, i: int) -> Rect | None:
    """Box of the page's i-th character, None for inserted characters and out of range."""
    if not 0 <= i < page.end - page.start:
        return None
    b = page.boxes
    box = (b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3])
    return None if box[0] != box[0] else box


def _page(pages: Sequence[PageGeometry], number: int) -> PageGeometry:
    if 0 <= number < len(pages) and pages[number].number == number:
        return pages[number]
    for page in pages:
        if page.number == number:
            return page
    raise ValueError(f"no page number {number}")


def offsets_for_drag(
    pages: Sequence[PageGeometry], page_a: int, point_a: Point, page_b: int, point_b: Point
) -> tuple[int, int]:
    """(start, end) selected by dragging from one displayed point to another, as a PDF reader does.

    Either end may be on any page; the result follows canonical reading order, so a drag
    from the middle of the left column to the middle of the right one selects the rest of
    the left column and the top of the right one.
    """
    a = caret_at_point(_page(pages, page_a), *point_a)
    b = caret_at_point(_page(pages, page_b), *point_b)
    return (a, b) if a <= b else (b, a)


# -- storage ------------------------------------------------------------------------------


def pack_boxes(boxes: array) -> bytes:
    """Boxes as little-endian float32 bytes (16 per character) for a BLOB column."""
    if boxes.typecode != "f":
        boxes = array("f", boxes)
    if sys.byteorder == "big":
        boxes = array("f", boxes)
        boxes.byteswap()
    return boxes.tobytes()


def unpack_boxes(data: bytes) -> array:
    """Inverse of :func:`pack_boxes`."""
    if len(data) % 16:
        raise ValueError(f"box data of {len(data)} bytes is not a whole number of boxes")
    boxes = array("f")
    boxes.frombytes(data)
    if sys.byteorder == "big":
        boxes.byteswap()
    return boxes


# -- reading order ------------------------------------------------------------------------


def _x_gaps(bboxes: Sequence[Sequence[float]], members: list[int]) -> list[tuple[float, float]]:
    """Vertical strips wider than a column gutter that no member crosses."""
    gaps: list[tuple[float, float]] = []
    right = -math.inf
    for i in sorted(members, key=lambda k: bboxes[k][0]):
        x0, x1 = bboxes[i][0], bboxes[i][2]
        if right > -math.inf and x0 - right >= _MIN_COLUMN_GAP:
            gaps.append((right, x0))
        right = max(right, x1)
    return gaps


def _common_gaps(
    a: list[tuple[float, float]], b: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    out = []
    for a0, a1 in a:
        for b0, b1 in b:
            lo, hi = max(a0, b0), min(a1, b1)
            if hi - lo >= 1.0:
                out.append((lo, hi))
    return out


def _column(bbox: Sequence[float], gaps: list[tuple[float, float]]) -> int:
    centre = (bbox[0] + bbox[2]) / 2.0
    return sum(1 for g0, g1 in gaps if centre >= (g0 + g1) / 2.0)


def _upright(b: Sequence[float], direction: tuple[int, int]) -> tuple[float, float, float, float]:
    """A box turned so that text running along ``direction`` runs left to right."""
    x0, y0, x1, y1 = b[0], b[1], b[2], b[3]
    if direction == (0, -1):  # bottom to top: the next line is to the right
        return -y1, x0, -y0, x1
    if direction == (0, 1):  # top to bottom: the next line is to the left
        return y0, -x1, y1, -x0
    if direction == (-1, 0):
        return -x1, -y1, -x0, -y0
    return x0, y0, x1, y1


def reading_order(bboxes: Sequence[Sequence[float]], direction: tuple[float, float] = (1.0, 0.0)) -> list[int]:
    """Indices of text blocks (x0, y0, x1, y1) in reading order: columns left to right.

    ``direction`` is the page's main writing direction in the boxes' space (MuPDF's line
    ``dir``): a landscape page drawn sideways under a /Rotate is laid out as it reads.

    Blocks are cut into horizontal bands wherever nothing overlaps vertically. Adjacent
    bands whose column gutters line up form one multi-column section, read column by
    column; a full-width block (a title, a figure caption) ends the section. A band with
    a single column joins the section above only if it fits inside one of its columns and
    sits no further under it than the section's paragraphs are apart (the tail of a
    column on the last page), so a running footer does not.
    """
    axis = (round(direction[0]), round(direction[1]))
    if axis not in ((0, -1), (0, 1), (-1, 0)):
        axis = (1, 0)
    bboxes = [_upright(b, axis) for b in bboxes]
    idx = [i for i, b in enumerate(bboxes) if all(math.isfinite(v) for v in b)]
    idx.sort(key=lambda i: (bboxes[i][1], bboxes[i][0]))
    bands: list[list[int]] = []
    bottom = -math.inf
    for i in idx:
        if not bands or bboxes[i][1] >= bottom - 1.0:
            bands.append([])
            bottom = -math.inf
        bands[-1].append(i)
        bottom = max(bottom, bboxes[i][3])

    sections: list[tuple[list[int], list[tuple[float, float]]]] = []
    for band in bands:
        gaps = _x_gaps(bboxes, band)
        if sections and sections[-1][1]:
            members, section_gaps = sections[-1]
            if gaps:
                common = _common_gaps(section_gaps, gaps)
                if common:
                    sections[-1] = (members + band, common)
                    continue
            elif _continues_column(bboxes, band, members, section_gaps):
                members.extend(band)
                continue
        sections.append((list(band), gaps))

    order: list[int] = []
    for members, gaps in sections:
        members.sort(key=lambda i: (_column(bboxes[i], gaps), bboxes[i][1], bboxes[i][0]))
        order.extend(members)
    placed = set(idx)
    order.extend(i for i in range(len(bboxes)) if i not in placed)
    return order


def _continues_column(
    bboxes: Sequence[Sequence[float]],
    band: list[int],
    members: list[int],
    gaps: list[tuple[float, float]],
) -> bool:
    x0 = min(bboxes[i][0] for i in band)
    x1 = max(bboxes[i][2] for i in band)
    if any(x0 < g1 and x1 > g0 for g0, g1 in gaps):
        return False
    columns: dict[int, list[Sequence[float]]] = {}
    for i in members:
        columns.setdefault(_column(bboxes[i], gaps), []).append(bboxes[i])
    above = columns.get(_column((x0, 0.0, x1, 0.0), gaps))
    if not above:
        return False
    # A paragraph continues the column if it is no further below it than the section's
    # own paragraphs are from each other; a running footer usually sits further down.
    spacing = []
    for blocks in columns.values():
        blocks.sort(key=lambda r: r[1])
        spacing.extend(b[1] - a[3] for a, b in zip(blocks, blocks[1:]))
    limit = max(spacing, default=_COLUMN_CONTINUATION) + 2.0
    top = min(bboxes[i][1] for i in band)
    return top - max(b[3] for b in above) <= min(limit, 2 * _COLUMN_CONTINUATION)
