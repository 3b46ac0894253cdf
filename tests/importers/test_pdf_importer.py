"""PdfImporter against PDFs built with PyMuPDF: canonical text, page geometry, errors."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

pymupdf = pytest.importorskip("pymupdf")

from annotator.importers import pdf as pdf_module  # noqa: E402
from annotator.importers import pdf_text  # noqa: E402
from annotator.importers.base import DocumentImportError, ImportedDocument  # noqa: E402
from annotator.importers.pdf import PdfImporter  # noqa: E402
from annotator.pdf_geometry import (  # noqa: E402
    display_size,
    line_rects,
    offset_at_point,
    offsets_for_drag,
)

SRC = Path(__file__).resolve().parents[2] / "src"

PARAGRAPHS = [
    "Probiotic supplements changed the gut microbiome of adults within four weeks.",
    "Inflammation markers fell in the intervention group compared with placebo.",
    "The authors caution that the trial was small and not blinded for outcomes.",
]


def load(path: Path, **kwargs: str) -> ImportedDocument:
    docs = PdfImporter().load(path, **kwargs)
    assert len(docs) == 1
    return docs[0]


def save(doc: pymupdf.Document, path: Path, **kwargs: object) -> Path:
    doc.save(path, **kwargs)
    doc.close()
    return path


def multipage_pdf(path: Path, rotation: int = 0) -> Path:
    doc = pymupdf.open()
    for n in range(3):
        page = doc.new_page()
        if n == 0:
            page.insert_text((72, 80), "Gut Bacteria and Health", fontsize=22)
        page.insert_textbox(pymupdf.Rect(72, 120, 520, 700), PARAGRAPHS[n] + f" Page marker p{n}.", fontsize=11)
        page.set_rotation(rotation if n == 1 else 0)
    return save(doc, path)


def assert_canonical(doc: ImportedDocument) -> None:
    text = doc.text
    assert "\r" not in text and text == text.strip() and "  " not in text
    pages = doc.pages
    assert pages is not None and pages[0].start == 0 and pages[-1].end == len(text)
    for a, b in zip(pages, pages[1:]):
        assert a.end == b.start
    for page in pages:
        assert len(page.boxes) == 4 * (page.end - page.start)
        w, h = page.width, page.height
        for i, ch in enumerate(text[page.start : page.end]):
            box = page.boxes[4 * i : 4 * i + 4]
            if ch == "\n":
                assert all(math.isnan(v) for v in box)
            elif ch != " ":  # every printed character has a real box inside the page
                assert all(math.isfinite(v) for v in box), (ch, page.number)
                assert -0.01 <= box[0] <= box[2] <= w + 0.01 and -0.01 <= box[1] <= box[3] <= h + 0.01


def displayed_rects(page: pymupdf.Page, word: str) -> list[pymupdf.Rect]:
    return [r * page.rotation_matrix for r in page.search_for(word)]


def overlaps(a: tuple[float, ...] | pymupdf.Rect, b: pymupdf.Rect, tol: float = 1.0) -> bool:
    return a[0] < b.x1 + tol and b.x0 < a[2] + tol and a[1] < b.y1 + tol and b.y0 < a[3] + tol


def test_importing_the_modules_does_not_import_pymupdf() -> None:
    code = (
        "import sys, annotator.importers.pdf, annotator.pdf_geometry;"
        "bad = [m for m in ('pymupdf', 'fitz', 'numpy') if m in sys.modules];"
        "assert not bad, bad"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_multipage_text_pages_and_metadata(tmp_path: Path) -> None:
    doc = load(multipage_pdf(tmp_path / "gut.pdf"))
    assert doc.format == "pdf" and doc.source.endswith("gut.pdf")
    assert doc.title == "Gut Bacteria and Health"
    assert doc.meta["page_count"] == 3 and doc.meta["pdf_metadata"]["format"].startswith("PDF")
    assert_canonical(doc)
    positions = [doc.text.index(p) for p in PARAGRAPHS]
    assert positions == sorted(positions)
    for n, page in enumerate(doc.pages or []):
        page_text = doc.text[page.start : page.end]
        assert f"p{n}." in page_text and PARAGRAPHS[n] in page_text
        # The separator belongs to the earlier page.
        assert page_text.endswith("\n\n") == (n < 2)
    # Paragraph-internal line breaks are reflowed into single spaces.
    assert "\n" not in doc.text[doc.pages[0].start : doc.pages[0].end].strip().split("\n\n", 1)[1]


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_boxes_match_search_for_in_displayed_space(tmp_path: Path, rotation: int) -> None:
    path = multipage_pdf(tmp_path / "rot.pdf", rotation=rotation)
    doc = load(path)
    assert_canonical(doc)
    pages = doc.pages or []
    assert pages[1].rotation == rotation
    with pymupdf.open(path) as pdf:
        page = pdf[1]
        assert display_size(pages[1]) == pytest.approx((page.rect.width, page.rect.height))
        for word in ["Inflammation", "markers", "placebo.", "intervention group", "p1."]:
            start = doc.text.find(word)
            assert start >= 0, word
            end = start + len(word)
            expected = displayed_rects(page, word)
            assert expected, word
            rects = line_rects(pages, start, end)
            assert rects and all(n == 1 for n, _ in rects)
            for _, rect in rects:
                assert any(overlaps(rect, e) for e in expected), (word, rect, expected)
            centre = ((expected[0].x0 + expected[0].x1) / 2, (expected[0].y0 + expected[0].y1) / 2)
            hit = offset_at_point(pages[1], *centre)
            assert hit is not None and start <= hit < end
            # Back into PyMuPDF's own coordinates: the rectangles hold exactly the word.
            found = []
            for _, rect in rects:
                unrotated = pymupdf.Rect(rect) * page.derotation_matrix
                found.append(page.get_textbox(unrotated + (1, 1, -1, -1)))
            assert " ".join(found).split() == word.split()


def test_two_columns_read_left_column_first(tmp_path: Path) -> None:
    left = ["Left one: fibre intake rose.", "Left two: stool frequency rose.", "Left three: no harms."]
    right = ["Right one: the mechanism.", "Right two: short chain fatty acids.", "Right three: limits."]
    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_text((50, 60), "Trial Report", fontsize=20)
    for n in range(3):
        # Aligned paragraph gaps in both columns must not interleave the columns.
        top = 90 + n * 120
        page.insert_textbox(pymupdf.Rect(50, top, 290, top + 100), (left[n] + " ") * 6, fontsize=10)
        page.insert_textbox(pymupdf.Rect(310, top, 545, top + 100), (right[n] + " ") * 6, fontsize=10)
    page.insert_text((50, 810), "Footer: journal page 12", fontsize=8)
    doc = load(save(pdf, tmp_path / "columns.pdf"))
    assert_canonical(doc)
    order = [doc.text.index(s) for s in ["Trial Report", *left, *right, "Footer"]]
    assert order == sorted(order)


def test_last_page_column_tail_stays_in_left_column(tmp_path: Path) -> None:
    pdf = pymupdf.open()
    page = pdf.new_page()
    spare = page.insert_textbox(pymupdf.Rect(50, 50, 290, 200), "Left A. " * 40, fontsize=10)
    page.insert_textbox(pymupdf.Rect(310, 50, 545, 100), "Right A. " * 10, fontsize=10)
    # The left column goes on below the end of the right one, one paragraph gap lower.
    top = 200 - spare + 8
    page.insert_textbox(pymupdf.Rect(50, top, 290, top + 100), "Left B. " * 20, fontsize=10)
    page.insert_text((50, 780), "Footer text", fontsize=8)
    doc = load(save(pdf, tmp_path / "tail.pdf"))
    order = [doc.text.index(s) for s in ("Left A", "Left B", "Right A", "Footer")]
    assert order == sorted(order)


def test_paragraph_flowing_into_the_next_column_stays_one_paragraph(tmp_path: Path) -> None:
    pdf = pymupdf.open()
    page = pdf.new_page()
    left = ["Adults in the trial took one capsule", "of the probiotic mixture every day and",
            "most of the patients who took it daily"]
    right = ["reported less pain than those on placebo.", "The effect faded after the capsules",
             "were stopped, the authors noted."]
    # Each column written in one go, as layout programs do (MuPDF would otherwise read
    # same-baseline text across the gutter as one line).
    for x, column in ((50, left), (320, right)):
        for n, line in enumerate(column):
            page.insert_text((x, 100 + 13 * n), line, fontsize=10)
    page.insert_text((50, 200), "A new paragraph in the left column.", fontsize=10)
    doc = load(save(pdf, tmp_path / "flow.pdf"))
    # Joined by one inserted space, and the rectangles still follow the columns.
    assert "took it daily reported less pain" in doc.text
    start = doc.text.index("daily reported")
    rects = [r for _, r in line_rects(doc.pages or [], start, start + len("daily reported"))]
    assert len(rects) == 2 and rects[0][0] < 300 < rects[1][0]


def test_kicker_title_and_list_items_are_separate_paragraphs(tmp_path: Path) -> None:
    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_text((72, 60), "HEALTH FEATURE", fontsize=9)
    page.insert_text((72, 82), "Walking After Meals", fontsize=20)
    lines = ["Key points from the studies:", "\u2022 a short walk lowers blood sugar",
             "\u2022 ten minutes is enough", "2. start slowly"]
    for n, line in enumerate(lines):
        page.insert_text((72, 120 + 13 * n), line, fontsize=10)
    doc = load(save(pdf, tmp_path / "kicker.pdf"))
    assert doc.title == "Walking After Meals"
    paragraphs = doc.text.split("\n\n")
    # Helvetica's simple encoding may turn the bullet into a middle dot: compare the rest.
    assert [p[1:] for p in paragraphs] == [p[1:] for p in ["HEALTH FEATURE", "Walking After Meals", *lines]]


def test_landscape_page_drawn_sideways(tmp_path: Path) -> None:
    """Text written bottom-to-top on a portrait page shown with /Rotate 90: it reads upright."""
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)

    def unrotated(x0: float, y0: float, x1: float, y1: float) -> pymupdf.Rect:
        return pymupdf.Rect(y0, 842 - x1, y1, 842 - x0)  # displayed -> unrotated for /Rotate 90

    page.insert_textbox(unrotated(50, 80, 400, 500), "Left column about gut flora. " * 8, fontsize=11, rotate=90)
    page.insert_textbox(unrotated(440, 80, 790, 500), "Right column about sleep. " * 8, fontsize=11, rotate=90)
    page.set_rotation(90)
    path = save(pdf, tmp_path / "sideways.pdf")
    doc = load(path)
    assert_canonical(doc)
    assert doc.text.index("Right column") > doc.text.rindex("Left column")
    with pymupdf.open(path) as check:
        expected = displayed_rects(check[0], "flora.")
    start = doc.text.index("flora.")
    rects = line_rects(doc.pages or [], start, start + len("flora."))
    assert len(rects) == 1 and overlaps(rects[0][1], expected[0])
    x0, y0, x1, y1 = rects[0][1]
    assert x1 - x0 > y1 - y0  # upright on screen: wider than tall
    hit = offset_at_point((doc.pages or [])[0], (x0 + x1) / 2, (y0 + y1) / 2)
    assert hit is not None and start <= hit < start + len("flora.")
    # A drag across the upright-looking text selects whole words, as on a normal page.
    with pymupdf.open(path) as check:
        a, b = displayed_rects(check[0], "Left")[0], displayed_rects(check[0], "gut")[0]
    mid_a, mid_b = (a.y0 + a.y1) / 2, (b.y0 + b.y1) / 2
    s, e = offsets_for_drag(doc.pages or [], 0, (a.x0 + 0.5, mid_a), 0, (b.x1 - 0.5, mid_b))
    assert doc.text[s:e] == "Left column about gut"


def test_mixed_page_sizes(tmp_path: Path) -> None:
    pdf = pymupdf.open()
    sizes = [pymupdf.paper_rect("a4"), pymupdf.paper_rect("letter"), pymupdf.paper_rect("a5-l")]
    for n, rect in enumerate(sizes):
        page = pdf.new_page(width=rect.width, height=rect.height)
        page.insert_textbox(rect + (40, 40, -40, -40), f"Page {n} of a mixed document. " * 30, fontsize=9)
    path = save(pdf, tmp_path / "mixed.pdf")
    doc = load(path)
    assert_canonical(doc)
    for page, rect in zip(doc.pages or [], sizes):
        assert (page.width, page.height) == pytest.approx((rect.width, rect.height))
        assert display_size(page) == pytest.approx((rect.width, rect.height))


def test_hyphenated_line_break_is_joined(tmp_path: Path) -> None:
    pdf = pymupdf.open()
    page = pdf.new_page()
    lines = ["The new treat-", "ment was tested against anti-", "TNF drugs and a well", "known placebo."]
    for n, line in enumerate(lines):
        page.insert_text((72, 100 + 14 * n), line, fontsize=11)
    path = save(pdf, tmp_path / "hyphen.pdf")
    doc = load(path)
    assert doc.text == "The new treatment was tested against anti-TNF drugs and a well known placebo."
    start = doc.text.index("treatment")
    rects = line_rects(doc.pages or [], start, start + len("treatment"))
    with pymupdf.open(path) as check:
        treat = check[0].search_for("treat")[0]
        # search_for dehyphenates too: "ment was" also matches the hyphen on line 1.
        ment = [r for r in check[0].search_for("ment was") if r.y0 > treat.y1 - 2][0]
    assert len(rects) == 2
    assert overlaps(rects[0][1], treat) and overlaps(rects[1][1], ment)
    assert not overlaps(rects[1][1], treat)


def test_ligatures_are_expanded_with_proportional_boxes(tmp_path: Path) -> None:
    font = pymupdf.Font("cjk")  # MuPDF's built-in Droid Sans Fallback has the fi/ffi glyphs
    if not font.has_glyph(0xFB01) or not font.has_glyph(0xFB03):
        pytest.skip("built-in font has no ligature glyphs")
    pdf = pymupdf.open()
    page = pdf.new_page()
    writer = pymupdf.TextWriter(page.rect)
    writer.append((72, 100), "the \ufb01ber of e\ufb03cacy", font=font, fontsize=20)
    writer.write_text(page)
    pdf.subset_fonts()
    path = save(pdf, tmp_path / "ligature.pdf", garbage=3, deflate=True)
    doc = load(path)
    assert doc.text == "the fiber of efficacy"
    with pymupdf.open(path) as check:
        raw = check[0].get_text("rawdict", flags=pymupdf.TEXT_PRESERVE_LIGATURES)
    glyphs = {c["c"]: c["bbox"] for b in raw["blocks"] for l in b["lines"] for s in l["spans"] for c in s["chars"]}
    boxes = (doc.pages or [])[0].boxes
    for ligature, word in (("\ufb01", "fiber"), ("\ufb03", "efficacy")):
        glyph = glyphs[ligature]
        first = doc.text.index(word) + (0 if word == "fiber" else 1)
        n = len(pdf_text._LIGATURES[ligature])
        parts = [boxes[4 * i : 4 * i + 4] for i in range(first, first + n)]
        assert parts[0][0] == pytest.approx(glyph[0], abs=1e-3)
        assert parts[-1][2] == pytest.approx(glyph[2], abs=1e-3)
        widths = [p[2] - p[0] for p in parts]
        assert widths == pytest.approx([widths[0]] * n, abs=1e-3) and widths[0] > 0
        for a, b in zip(parts, parts[1:]):
            assert a[2] == pytest.approx(b[0], abs=1e-3)


def test_drag_from_page_one_to_page_two(tmp_path: Path) -> None:
    path = multipage_pdf(tmp_path / "drag.pdf", rotation=90)
    doc = load(path)
    with pymupdf.open(path) as pdf:
        a = displayed_rects(pdf[0], "supplements")[0]
        b = displayed_rects(pdf[1], "markers")[0]
    start_point = (a.x0 + 0.5, (a.y0 + a.y1) / 2)
    # Page 2 is turned a quarter: the end of the word is at the bottom of its rectangle.
    end_point = ((b.x0 + b.x1) / 2, b.y1 - 0.5)
    start, end = offsets_for_drag(doc.pages or [], 0, start_point, 1, end_point)
    assert doc.text[start:end].startswith("supplements") and doc.text[start:end].endswith("markers")
    # Dragging backwards selects the same text.
    assert offsets_for_drag(doc.pages or [], 1, end_point, 0, start_point) == (start, end)


def test_title_prefers_meaningful_metadata(tmp_path: Path) -> None:
    pdf = pymupdf.open()
    pdf.new_page().insert_text((72, 100), "Body text only here.", fontsize=11)
    pdf.set_metadata({"title": "Fermented Foods and Immunity", "author": "A. Author"})
    doc = load(save(pdf, tmp_path / "meta.pdf"))
    assert doc.title == "Fermented Foods and Immunity"
    assert doc.meta["pdf_metadata"]["author"] == "A. Author"

    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_text((72, 100), "Small print first.", fontsize=9)
    page.insert_text((72, 140), "The Real Headline", fontsize=24)
    pdf.set_metadata({"title": "Microsoft Word - draft3.docx"})
    assert load(save(pdf, tmp_path / "word.pdf")).title == "The Real Headline"

    pdf = pymupdf.open()
    pdf.new_page()
    pdf.new_page().insert_text((72, 100), "Text starts on page two.", fontsize=11)
    doc = load(save(pdf, tmp_path / "blank-first.pdf"))
    assert doc.title == "blank-first"
    assert doc.meta["pages_without_text"] == [0]
    assert_canonical(doc)


def test_scanned_pdf_without_text_layer(tmp_path: Path) -> None:
    pdf = pymupdf.open()
    page = pdf.new_page()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 60, 80), False)
    pix.clear_with(180)
    page.insert_image(pymupdf.Rect(40, 40, 555, 800), pixmap=pix)
    with pytest.raises(DocumentImportError, match=r"no text layer \(a scanned PDF\?\)"):
        load(save(pdf, tmp_path / "scan.pdf"))


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = multipage_pdf(tmp_path / "plain.pdf")
    with pymupdf.open(path) as pdf:
        pdf.save(tmp_path / "locked.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="x", owner_pw="y")
    locked = tmp_path / "locked.pdf"
    with pytest.raises(DocumentImportError, match="encrypted PDF: a password is needed"):
        load(locked)
    with pytest.raises(DocumentImportError, match="encrypted PDF: the password is wrong"):
        load(locked, password="nope")
    assert load(locked, password="x").text == load(path).text
    assert load(locked, password="y").text == load(path).text


@pytest.mark.parametrize("damage", ["first half", "half with eof", "random bytes", "empty", "html", "png"])
def test_damaged_files_are_refused_whole(tmp_path: Path, damage: str) -> None:
    data = multipage_pdf(tmp_path / "good.pdf").read_bytes()
    broken = {
        "first half": data[: len(data) // 2],
        "half with eof": data[: len(data) // 2] + b"\n%%EOF\n",
        "random bytes": os.urandom(4096),
        "empty": b"",
        "html": b"<!doctype html><html><body>Access denied</body></html>",
        "png": pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 8, 8), False).tobytes("png"),
    }[damage]
    path = tmp_path / "broken.pdf"
    path.write_bytes(broken)
    with pytest.raises(DocumentImportError, match="not a readable PDF") as info:
        load(path)
    assert info.value.path == str(path)


def test_zero_pages(tmp_path: Path) -> None:
    head = b"%PDF-1.4\n"
    obj1 = b"1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n"
    obj2 = b"2 0 obj\n<</Type/Pages/Kids[]/Count 0>>\nendobj\n"
    xref = len(head + obj1 + obj2)
    tail = (
        b"xref\n0 3\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \n"
        b"trailer\n<</Size 3/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(head), len(head + obj1), xref)
    )
    path = tmp_path / "zero.pdf"
    path.write_bytes(head + obj1 + obj2 + tail)
    with pytest.raises(DocumentImportError, match="no pages"):
        load(path)


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = multipage_pdf(tmp_path / "big.pdf")
    monkeypatch.setattr(pdf_module, "MAX_FILE_BYTES", 100)
    with pytest.raises(DocumentImportError, match="too large"):
        load(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match="cannot read"):
        load(tmp_path / "nowhere.pdf")


def _block(lines: list[tuple[str, tuple[float, float, float, float]]], size: float = 10.0) -> dict[str, object]:
    """A rawdict-shaped text block, for the paragraph-gluing rules alone."""
    made = [{"bbox": bbox, "spans": [{"size": size, "chars": [{"c": c} for c in text]}]} for text, bbox in lines]
    x0 = min(b[0] for _, b in lines)
    return {"bbox": (x0, lines[0][1][1], max(b[2] for _, b in lines), lines[-1][1][3]), "lines": made}


def test_blocks_that_continue_a_paragraph() -> None:
    glue = pdf_text._continues_paragraph
    body = _block([("full line one", (72, 100, 518, 114)), ("full line two", (72, 116, 516, 130))])
    # MuPDF's own block for a paragraph's last line: same margin, same line spacing.
    assert glue(body, _block([("twelve months.", (72, 132, 150, 146))]))
    assert not glue(body, _block([("Next paragraph", (72, 150, 300, 164))]))  # paragraph spacing
    assert not glue(body, _block([("\u2022 an item", (72, 132, 300, 146))]))  # a list item
    assert not glue(body, _block([("twelve months.", (72, 132, 150, 146))], size=14))  # a heading
    heading = _block([("Short heading", (72, 80, 160, 94))])
    assert not glue(heading, body)
    # The head of the next column goes on with the sentence only if it starts in lowercase.
    assert glue(body, _block([("and so on", (300, 40, 540, 54))]))
    assert not glue(body, _block([("Results", (300, 40, 540, 54))]))
    ended = _block([("a full line.", (72, 100, 518, 114))])
    assert not glue(ended, _block([("and so on", (300, 40, 540, 54))]))
