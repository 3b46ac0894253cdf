"""Small PDFs built with PyMuPDF for the page view and PDF export tests, plus geometry checks.

The article has pages of three sizes, a two-column page, a rotated page and a paragraph
crossing a page break. ``words_under`` reads words with PyMuPDF itself, so tests check the
importer's boxes and the view's rectangles against an independent source.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

PAGE_ONE = ("Probiotics reduce nerve pain in most adults who took them daily for twelve weeks. "
            "Researchers measured butyrate levels before and after the trial and found that")
PAGE_ONE_TAIL = "the gut barrier"  # last words of page 1: the sentence continues on page 2
PAGE_TWO_HEAD = "improved in responders."
LEFT_COLUMN = ("Fibre feeds microbes that ferment it into short chain fatty acids. These molecules "
               "calm immune cells in the spinal cord, a mechanism shown in mice.")
RIGHT_COLUMN = ("Clinical trials remain small. A 2021 study in the Journal of Pain enrolled sixty "
                "patients and reported modest benefits after eight weeks.")
ROTATED = "Vitamin D supplements help sleep quality in older adults."
DISCLAIMER = "This article is not medical advice."


def build_article(path: Path) -> Path:
    """Page 1: A4, one column. Page 2: Letter, two columns. Page 3: 400x300 rotated 90 degrees."""
    import pymupdf

    doc = pymupdf.open()
    p1 = doc.new_page(width=595, height=842)
    p1.insert_text((72, 80), "Gut Microbes and Nerve Pain", fontsize=20)
    _box(p1, pymupdf.Rect(72, 110, 523, 200), PAGE_ONE)
    _box(p1, pymupdf.Rect(72, 770, 523, 800), PAGE_ONE_TAIL)
    p2 = doc.new_page(width=612, height=792)
    _box(p2, pymupdf.Rect(72, 72, 540, 100), PAGE_TWO_HEAD)
    _box(p2, pymupdf.Rect(72, 120, 290, 400), LEFT_COLUMN)
    _box(p2, pymupdf.Rect(322, 120, 540, 400), RIGHT_COLUMN)
    p3 = doc.new_page(width=400, height=300)
    _box(p3, pymupdf.Rect(40, 40, 360, 120), ROTATED)
    _box(p3, pymupdf.Rect(40, 200, 360, 240), DISCLAIMER)
    p3.set_rotation(90)
    doc.save(path)
    doc.close()
    return path


def _box(page: Any, rect: Any, text: str) -> None:
    assert page.insert_textbox(rect, text, fontsize=11, fontname="helv") >= 0, "text does not fit"


def build_scan(path: Path) -> Path:
    """An image-only page: what a scanner produces (no text layer)."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=300, height=200)
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 60, 40), False)
    pix.clear_with(200)
    page.insert_image(pymupdf.Rect(20, 20, 280, 180), pixmap=pix)
    doc.save(path)
    doc.close()
    return path


def build_encrypted(path: Path, password: str) -> Path:
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=400, height=300)
    page.insert_text((40, 60), "Locked article says omega three eases depression.", fontsize=11)
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=password, owner_pw=password + "-owner")
    doc.close()
    return path


def build_long(path: Path, pages: int) -> Path:
    """Many text pages, for timing the first page of a long PDF."""
    import pymupdf

    doc = pymupdf.open()
    for n in range(pages):
        page = doc.new_page(width=595, height=842)
        _box(page, pymupdf.Rect(72, 72, 523, 770), f"Page {n + 1}. " + PAGE_ONE * 6)
    doc.save(path)
    doc.close()
    return path


def unrotated_rect(page: Any, rect: Iterable[float]) -> Any:
    """A displayed rectangle (rotation applied) in PyMuPDF's unrotated page space."""
    import pymupdf

    return pymupdf.Rect(rect) * page.derotation_matrix


def chars_under(page: Any, rects: Iterable[Any]) -> str:
    """PyMuPDF's characters on ``page`` whose centre lies in one of the unrotated ``rects``.

    In extraction order and without spaces, so it compares with a span's text minus its
    whitespace: equal means the rectangles cover exactly the span's characters.
    """
    import pymupdf

    rects = [pymupdf.Rect(r) for r in rects]
    out = []
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", ()):
            for span in line["spans"]:
                for ch in span["chars"]:
                    x0, y0, x1, y1 = ch["bbox"]
                    centre = pymupdf.Point((x0 + x1) / 2, (y0 + y1) / 2)
                    if not ch["c"].isspace() and any(r.contains(centre) for r in rects):
                        out.append(ch["c"])
    return "".join(out)


def squeeze(text: str) -> str:
    return "".join(text.split())


def word_rect(page: Any, word: str, occurrence: int = 0) -> Any:
    """Unrotated rectangle of a whole word on the page (PyMuPDF's own answer)."""
    hits = [w for w in page.get_text("words", sort=False) if w[4].strip(".,") == word]
    import pymupdf

    return pymupdf.Rect(hits[occurrence][:4])


def displayed_rect(page: Any, rect: Any) -> Any:
    """An unrotated rectangle as the rendered (rotated) page shows it."""
    import pymupdf

    return pymupdf.Rect(rect) * page.rotation_matrix


def build_text_pdf(path: Path, paragraphs: list[str], lines: list[str] | None = None) -> Path:
    """Paragraphs flowed into text boxes over as many A4 pages as they need; or, with ``lines``,
    each string set as one line of its own (to place a hyphen at a line's end)."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    y = 72.0
    if lines is not None:
        for line in lines:
            if y > 770:
                page, y = doc.new_page(width=595, height=842), 72.0
            page.insert_text((72, y), line, fontsize=11, fontname="helv")
            y += 14
    for text in paragraphs:
        height = 14.0 * (len(text) // 80 + 2)
        if y + height > 790:
            page, y = doc.new_page(width=595, height=842), 72.0
        while page.insert_textbox(pymupdf.Rect(72, y, 523, y + height), text, fontsize=11, fontname="helv") < 0:
            height += 14
        y += height + 8
    doc.save(path)
    doc.close()
    return path
