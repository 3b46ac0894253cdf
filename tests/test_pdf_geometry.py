"""pdf_geometry: rotation, offsets <-> rectangles, hit-testing, box packing and reading order."""

from __future__ import annotations

import math
from array import array
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.importers.base import ImportedDocument, PageGeometry
from annotator.pdf_geometry import (
    caret_at_point,
    display_size,
    from_display,
    line_rects,
    offset_at_point,
    offsets_for_drag,
    pack_boxes,
    page_of_offset,
    reading_order,
    to_display,
    unpack_boxes,
)

NAN = math.nan


def page(number: int, start: int, boxes: list[tuple[float, float, float, float]], rotation: int = 0,
         width: float = 600.0, height: float = 800.0) -> PageGeometry:
    flat = array("f", [v for box in boxes for v in box])
    return PageGeometry(number=number, start=start, end=start + len(boxes), width=width, height=height,
                        rotation=rotation, boxes=flat)


def row(x: float, y: float, n: int, w: float = 10.0, h: float = 12.0) -> list[tuple[float, float, float, float]]:
    return [(x + i * w, y, x + (i + 1) * w, y + h) for i in range(n)]


GAP = [(NAN, NAN, NAN, NAN)]


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_to_display_matches_pymupdf_rotation_matrix(rotation: int) -> None:
    pymupdf = pytest.importorskip("pymupdf")
    doc = pymupdf.open()
    pdf_page = doc.new_page(width=300, height=500)
    pdf_page.set_rotation(rotation)
    geo = page(0, 0, [], rotation=rotation, width=300, height=500)
    assert display_size(geo) == (pdf_page.rect.width, pdf_page.rect.height)
    rect = (10.0, 20.0, 60.0, 45.0)
    expected = pymupdf.Rect(rect) * pdf_page.rotation_matrix
    assert to_display(geo, rect) == pytest.approx(tuple(expected))
    x, y = 33.0, 41.0
    px, py = to_display(geo, (x, y, x, y))[:2]
    assert from_display(geo, px, py) == pytest.approx((x, y))


def test_page_of_offset_with_empty_pages() -> None:
    pages = [page(0, 0, row(0, 0, 10)), page(1, 10, []), page(2, 10, row(0, 0, 5)), page(3, 15, [])]
    assert [page_of_offset(pages, o) for o in (0, 9, 10, 14)] == [0, 0, 2, 2]
    assert page_of_offset(pages, 15) is None and page_of_offset(pages, -1) is None


def test_line_rects_split_lines_and_skip_inserted_characters() -> None:
    # "abc" + joining space + "de" on the next line + "\n\n" + "fg" on a third line.
    boxes = row(100, 50, 3) + GAP + row(100, 70, 2) + GAP + GAP + row(100, 120, 2)
    pages = [page(0, 0, boxes)]
    rects = line_rects(pages, 0, len(boxes))
    assert rects == [(0, (100, 50, 130, 62)), (0, (100, 70, 120, 82)), (0, (100, 120, 120, 132))]
    assert line_rects(pages, 1, 2) == [(0, (110, 50, 120, 62))]
    assert line_rects(pages, 3, 4) == [] and line_rects(pages, 2, 2) == []


def test_line_rects_merge_pieces_of_one_row_and_split_hyphen_joins() -> None:
    # Two MuPDF lines on one row joined by an inserted space: one rectangle.
    same_row = row(100, 50, 3) + GAP + row(140, 50, 2)
    assert line_rects([page(0, 0, same_row)], 0, 6) == [(0, (100, 50, 160, 62))]
    # "treat" | "ment" joined without any inserted character: still two lines.
    joined = row(200, 50, 5) + row(50, 64, 4)
    assert len(line_rects([page(0, 0, joined)], 0, 9)) == 2


def test_line_rects_of_sideways_writing() -> None:
    # Glyphs stacked up the page (text drawn at 90 degrees): one line, one rectangle.
    column = [(100.0, 500.0 - 10 * (i + 1), 112.0, 500.0 - 10 * i) for i in range(6)]
    next_line = [(116.0, 500.0 - 10 * (i + 1), 128.0, 500.0 - 10 * i) for i in range(3)]
    geo = page(0, 0, column + GAP + next_line)
    assert line_rects([geo], 0, 10) == [(0, (100, 440, 112, 500)), (0, (116, 470, 128, 500))]


def test_caret_follows_the_writing_direction() -> None:
    up = [(100.0, 500.0 - 10 * (i + 1), 112.0, 500.0 - 10 * i) for i in range(5)]  # written upwards
    geo = page(0, 0, up)
    # Glyph 2 spans y 470..480 and is read bottom to top: its lower half puts the caret before it.
    assert caret_at_point(geo, 106, 477) == 2 and caret_at_point(geo, 106, 473) == 3
    # The same glyphs on a page shown turned a quarter: the point is given on screen.
    turned = page(0, 0, up, rotation=90, width=600, height=800)
    x0, y0, x1, y1 = to_display(turned, up[2])
    assert caret_at_point(turned, x1 - 1, (y0 + y1) / 2) == 3
    assert caret_at_point(turned, x0 + 1, (y0 + y1) / 2) == 2


def test_reading_order_of_sideways_columns() -> None:
    # A landscape page drawn bottom-to-top under /Rotate 90: its left column (as read) is
    # the lower one in unrotated space, and lines follow each other to the right.
    left = [(80, 458, 95, 792), (96, 458, 111, 792)]
    right = [(80, 80, 95, 402), (96, 80, 111, 402)]
    blocks = [right[1], left[1], right[0], left[0]]
    assert [blocks[i] for i in reading_order(blocks, (0.0, -1.0))] == [*left, *right]


def test_line_rects_across_pages_and_rotation() -> None:
    first = page(0, 0, row(10, 10, 4) + GAP + GAP)
    second = page(1, 6, row(10, 10, 4), rotation=90, width=300, height=500)
    rects = line_rects([first, second], 2, 9)
    assert rects[0] == (0, (30, 10, 50, 22))
    # Unrotated (10..40, 10..22) on a 300x500 page turned 90 degrees: x' = 500 - y, y' = x.
    assert rects[1] == (1, (478, 10, 490, 40))


def test_hit_testing_and_carets() -> None:
    geo = page(0, 100, row(100, 50, 5) + GAP + row(100, 70, 5))
    assert offset_at_point(geo, 115, 55) == 101
    assert offset_at_point(geo, 400, 56) == 104  # right of a line's end: its last character
    assert offset_at_point(geo, 101, 75) == 106
    assert caret_at_point(geo, 113, 55) == 101 and caret_at_point(geo, 117, 55) == 102
    empty = page(1, 111, [])
    assert offset_at_point(empty, 5, 5) is None and caret_at_point(empty, 5, 5) == 111


def test_hit_testing_on_a_rotated_page() -> None:
    geo = page(0, 0, row(100, 50, 5), rotation=270, width=300, height=500)
    x0, y0, x1, y1 = to_display(geo, (120, 50, 130, 62))  # the third character
    assert offset_at_point(geo, (x0 + x1) / 2, (y0 + y1) / 2) == 2


def test_drag_is_ordered_and_crosses_pages() -> None:
    pages = [page(0, 0, row(100, 50, 5) + GAP + GAP), page(1, 7, row(100, 50, 5))]
    assert offsets_for_drag(pages, 0, (121, 55), 1, (139, 55)) == (2, 11)
    assert offsets_for_drag(pages, 1, (139, 55), 0, (121, 55)) == (2, 11)
    with pytest.raises(ValueError):
        offsets_for_drag(pages, 5, (0, 0), 0, (0, 0))


def test_pack_and_unpack_boxes() -> None:
    boxes = array("f", [1.5, 2.25, NAN, 4.0, 0.0, -1.0, 1e6, 3.0])
    data = pack_boxes(boxes)
    assert len(data) == 32
    back = unpack_boxes(data)
    assert back.typecode == "f" and len(back) == 8
    assert [v for v in back if v == v] == [v for v in boxes if v == v] and math.isnan(back[2])
    assert unpack_boxes(b"") == array("f")
    with pytest.raises(ValueError):
        unpack_boxes(b"\x00" * 10)


def test_reading_order_columns_titles_and_footers() -> None:
    title = (50, 40, 545, 60)
    left = [(50, 80, 290, 200), (50, 210, 290, 400)]
    right = [(310, 80, 545, 200), (310, 210, 545, 400)]  # paragraph gaps aligned with the left
    footer = (50, 790, 200, 800)
    blocks = [right[1], footer, left[1], title, right[0], left[0]]
    order = [blocks[i] for i in reading_order(blocks)]
    assert order == [title, *left, *right, footer]


def test_reading_order_footer_close_under_a_column_versus_a_column_tail() -> None:
    left = [(54, 200, 294, 328), (54, 341, 294, 516), (54, 530, 294, 724)]  # gaps of 13-14 pt
    right = [(317, 199, 554, 600), (317, 612, 554, 722)]
    footer = (54, 748, 188, 758)  # 24 pt under the left column: a running footer
    blocks = [footer, *right, *left]
    assert [blocks[i] for i in reading_order(blocks)] == [*left, *right, footer]
    tail = (54, 736, 294, 790)  # 12 pt under it: the left column goes on
    blocks = [tail, *right, *left]
    assert [blocks[i] for i in reading_order(blocks)] == [*left, tail, *right]


def test_reading_order_single_column_and_degenerate_input() -> None:
    blocks = [(50, 300, 500, 350), (50, 100, 500, 150), (60, 200, 480, 250)]
    assert reading_order(blocks) == [1, 2, 0]
    assert reading_order([]) == []
    assert sorted(reading_order([(NAN, 0, 1, 1), (0, 0, 1, 1)])) == [0, 1]


# -- property: any range of a real PDF's text maps to rectangles inside its pages ----------


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> ImportedDocument:
    pymupdf = pytest.importorskip("pymupdf")
    from annotator.importers.pdf import PdfImporter

    doc = pymupdf.open()
    sizes = [(595, 842, 0), (612, 792, 90), (420, 298, 180), (300, 500, 270)]
    for n, (w, h, rot) in enumerate(sizes):
        p = doc.new_page(width=w, height=h)
        p.insert_text((20, 40), f"Heading {n}", fontsize=16)
        p.insert_textbox(pymupdf.Rect(20, 60, w / 2 - 10, h - 20), "Left column of the page. " * 12, fontsize=9)
        p.insert_textbox(pymupdf.Rect(w / 2 + 10, 60, w - 20, h - 20), "Right col- umn words. " * 12, fontsize=9)
        p.insert_text((w - 40, h - 10), "Text running off the page edge", fontsize=9)
        p.set_rotation(rot)
    path: Path = tmp_path_factory.mktemp("geometry") / "property.pdf"
    doc.save(path)
    return PdfImporter().load(path)[0]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_line_rects_stay_inside_pages(imported: ImportedDocument, data: st.DataObject) -> None:
    pages = imported.pages or []
    n = len(imported.text)
    start = data.draw(st.integers(min_value=-5, max_value=n + 5))
    end = data.draw(st.integers(min_value=start, max_value=n + 10))
    by_number = {p.number: p for p in pages}
    for number, (x0, y0, x1, y1) in line_rects(pages, start, end):
        w, h = display_size(by_number[number])
        assert 0.0 <= x0 <= x1 <= w + 1e-3 and 0.0 <= y0 <= y1 <= h + 1e-3
    lo, hi = max(start, 0), min(end, n)
    if lo < hi and any(not c.isspace() for c in imported.text[lo:hi]):
        assert line_rects(pages, start, end)
