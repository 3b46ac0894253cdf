"""PDF importer: canonical text in reading order plus a box for every character.

Canonical text rules (see DESIGN.md, "Offsets: one truth"):

* blocks are read column by column (:func:`annotator.pdf_geometry.reading_order`);
* a block's lines are reflowed into one paragraph joined by single spaces, except where
  a line opens like a list item or a row changes font size (kicker, title); a block that
  carries on a paragraph (MuPDF split off its last line, or it flows into the next
  column) is glued back the same way;
* ``treat-`` + ``ment`` becomes ``treatment`` when a lowercase letter precedes the hyphen
  and the next line starts lowercase; a soft hyphen at a line end is always joined; any
  other hyphen after a letter or digit stays, without a space (``anti-TNF``);
* ligatures are expanded (``ﬁ`` -> ``fi``), whitespace becomes single spaces, control
  characters are dropped, and paragraphs and pages are separated by ``\\n\\n``.

Each page's range ends after the ``\\n\\n`` that follows it (the separator belongs to the
earlier page), so the ranges tile the whole text. Boxes are in PyMuPDF's unrotated page
space; the characters this module inserts (joining spaces, separators) get NaN boxes.

PyMuPDF is imported inside functions only: it costs about half a second.
"""

from __future__ import annotations

import gc
import math
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from annotator.importers.base import DocumentImportError, ImportedDocument, PageGeometry
from annotator.pdf_geometry import reading_order
from annotator.pdf_source import MUPDF_LOCK

MAX_FILE_BYTES = 200 * 1024 * 1024

_SEPARATOR = "\n\n"
_NAN4 = (math.nan,) * 4
# Ligatures keep one glyph box in MuPDF only when preserved; expanding them here lets each
# letter get a proportional slice instead of MuPDF's whole-box-then-zero-width split.
_LIGATURES = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)}
# Anything a line needs beyond stripping its ends: ligatures, controls, non-space whitespace,
# runs of spaces.
_NEEDS_CLEANING = re.compile("[\ufb00-\ufb06\x00-\x1f\x7f-\x9f]|[^\\S ]|  ")
_DAMAGE_WARNINGS = ("premature end", "page may not be correct", "missing 'endobj'", "truncated")
_META_FIELDS = ("format", "title", "author", "subject", "keywords", "creator", "producer",
                "creationDate", "modDate")
_BAD_TITLES = re.compile(
    r"^(untitled|title|document|no title|unknown|microsoft word\b.*|slide \d+)$|"
    r"\.(docx?|pdf|tex|dvi|indd|qxd|rtf|odt|pptx?)$",
    re.IGNORECASE,
)

# A line or block opening like a list item starts a paragraph, even right under a full line.
_LIST_ITEM = re.compile(
    r"[\u2022\u25e6\u25aa\u25cf\u2023\u2043\u2219\u00b7*\u2013\u2014-]\s|\(?\d{1,3}[.)]\s|[a-z][.)]\s")
_SENTENCE_END = ".!?:;\"\u201d)]"
_CHARS = itemgetter("chars")
_C = itemgetter("c")
_BBOX = itemgetter("bbox")


class PdfImporter:
    """Reads a PDF's text layer into one document with per-character page geometry."""

    suffixes: tuple[str, ...] = (".pdf",)

    def load(self, path: Path, password: str | None = None) -> list[ImportedDocument]:
        path = Path(path)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise DocumentImportError(path, f"cannot read the file: {exc.strerror or exc}") from exc
        if size > MAX_FILE_BYTES:
            raise DocumentImportError(path, f"file too large: {size / 2**20:.0f} MB is over the 200 MB limit for PDFs")
        if size == 0:
            raise DocumentImportError(path, "not a readable PDF: the file is empty")

        import pymupdf

        with MUPDF_LOCK:
            warnings_before = len(pymupdf.TOOLS.mupdf_warnings(reset=False))
            try:
                doc = pymupdf.open(path, filetype="pdf")
            except Exception as exc:  # MuPDF raises several types for unparsable data
                raise DocumentImportError(path, f"not a readable PDF: {exc}") from exc
        try:
            with _gc_paused():
                return [self._read(doc, path, password, warnings_before)]
        finally:
            with MUPDF_LOCK:
                doc.close()

    @staticmethod
    def _check(doc: Any, path: Path, password: str | None) -> None:
        """Refuse what is not a complete, unlocked PDF with pages, before reading any page."""
        if not doc.is_pdf:
            # MuPDF sniffs the content and ignores filetype="pdf" for HTML, images, EPUB...
            kind = (doc.metadata or {}).get("format") or "another format"
            raise DocumentImportError(path, f"not a readable PDF: the file holds {kind}, not a PDF")
        if doc.is_repaired and not _ends_with_eof_marker(path):
            raise DocumentImportError(path, "not a readable PDF: the file is truncated (no %%EOF marker at its end)")
        if doc.needs_pass:
            if not password:
                raise DocumentImportError(path, "encrypted PDF: a password is needed")
            if not doc.authenticate(password):
                raise DocumentImportError(path, "encrypted PDF: the password is wrong")
        if doc.page_count == 0:
            raise DocumentImportError(path, "the PDF has no pages")

    def _read(self, doc: Any, path: Path, password: str | None, warnings_before: int) -> ImportedDocument:
        import pymupdf

        with MUPDF_LOCK:
            self._check(doc, path, password)
            metadata = {k: v.strip() for k, v in (doc.metadata or {}).items()
                        if k in _META_FIELDS and isinstance(v, str) and v.strip()}
        flags = pymupdf.TEXT_PRESERVE_LIGATURES | pymupdf.TEXT_MEDIABOX_CLIP
        extracted: list[tuple[str, list[float], float, float, int]] = []
        title_lines: list[tuple[float, str]] = []
        for number in range(doc.page_count):
            try:
                # Held per page, not per document, so a page view can render in between.
                with MUPDF_LOCK:
                    page = doc.load_page(number)
                    raw = page.get_text("rawdict", flags=flags)
                    rotation = page.rotation
                    del page
                text, boxes = _page_text(raw, title_lines if number == 0 else None)
                extracted.append((text, boxes, float(raw["width"]), float(raw["height"]), rotation))
            except Exception as exc:
                raise DocumentImportError(path, f"not a readable PDF: {exc}", f"page {number + 1}") from exc

        if doc.is_repaired:
            # MuPDF repairs silently and returns whatever survived; all-or-nothing means a
            # repair that lost content is an error, not a shorter document.
            with MUPDF_LOCK:
                warnings = pymupdf.TOOLS.mupdf_warnings(reset=False)[warnings_before:]
            damage = next((w for w in _DAMAGE_WARNINGS if w in warnings), None)
            if damage:
                raise DocumentImportError(path, f"not a readable PDF: the file is damaged ({damage})")

        if not any(text for text, *_ in extracted):
            raise DocumentImportError(path, "no text layer (a scanned PDF?): there is no text to annotate")

        pages, text = _assemble(extracted)
        meta: dict[str, Any] = {"page_count": len(pages), "pdf_metadata": metadata}
        empty = [p.number for p in pages if p.start == p.end]
        if empty:
            meta["pages_without_text"] = empty
        title = _choose_title(metadata.get("title", ""), title_lines, path.stem)
        return ImportedDocument(text=text, title=title, format="pdf", source=str(path), meta=meta, pages=pages)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """rawdict makes ~10 acyclic objects per character; the cyclic GC walking them costs ~1/5."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _ends_with_eof_marker(path: Path) -> bool:
    """A complete PDF ends with %%EOF (maybe followed by junk); a truncated one does not."""
    with path.open("rb") as f:
        f.seek(0, 2)
        f.seek(max(0, f.tell() - 4096))
        return b"%%EOF" in f.read()


def _assemble(extracted: list[tuple[str, list[float], float, float, int]]) -> tuple[list[PageGeometry], str]:
    """Join page texts with separators; each separator belongs to the page before it."""
    last_with_text = max(i for i, (text, *_) in enumerate(extracted) if text)
    pages: list[PageGeometry] = []
    parts: list[str] = []
    pos = 0
    for number, (text, boxes, width, height, rotation) in enumerate(extracted):
        if text and number < last_with_text:
            text += _SEPARATOR
            boxes.extend(_NAN4 * len(_SEPARATOR))
        parts.append(text)
        pages.append(PageGeometry(number=number, start=pos, end=pos + len(text), width=width,
                                  height=height, rotation=rotation, boxes=array("f", boxes)))
        pos += len(text)
    return pages, "".join(parts)


def _page_text(raw: dict[str, Any], title_lines: list[tuple[float, str]] | None) -> tuple[str, list[float]]:
    """Text of one rawdict page in reading order with 4 floats per character (NaN when inserted)."""
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
            size = max(s["size"] for s in line["spans"])
            if title_lines is not None:
                title_lines.append((size, text))
            if previous and (_LIST_ITEM.match(text) or _starts_new_paragraph(last_line, line, last_size, size)):
                previous = ""
            last_line, last_size = line, size
            if not previous:
                if parts:
                    parts.append(_SEPARATOR)
                    boxes.extend(_NAN4 * len(_SEPARATOR))
            elif _is_broken_word(previous, text):
                parts[-1] = parts[-1][:-1]
                del boxes[-4:]
            elif previous[-1] in "-\u2010" and len(previous) >= 2 and previous[-2].isalnum():
                pass  # a real hyphen: "anti-" + "TNF" stays "anti-TNF"
            else:
                parts.append(" ")
                boxes.extend(_NAN4)
            parts.append(text)
            boxes.extend(line_boxes)
            previous = text
            last_block = block
    return "".join(parts), boxes


def _main_direction(blocks: list[dict[str, Any]]) -> tuple[float, float]:
    """The writing direction of most characters: sideways on a landscape page under /Rotate."""
    weight: Counter[tuple[int, int]] = Counter()
    for line in chain.from_iterable(map(itemgetter("lines"), blocks)):
        weight[(round(line["dir"][0]), round(line["dir"][1]))] += sum(map(len, map(_CHARS, line["spans"])))
    return weight.most_common(1)[0][0] if weight else (1, 0)


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
    count = sum(map(len, map(_CHARS, spans)))
    if not count:
        return "", ()
    text = "".join(map(_C, chain.from_iterable(map(_CHARS, spans))))
    # The line box is the union of its glyph boxes: checking it spares a per-glyph pass.
    x0, y0, x1, y1 = line["bbox"]
    inside = x0 >= 0.0 and y0 >= 0.0 and x1 <= width and y1 <= height
    if not inside or len(text) != count or _NEEDS_CLEANING.search(text):
        boxes = list(chain.from_iterable(map(_BBOX, chain.from_iterable(map(_CHARS, spans)))))
        if not inside:
            boxes = _clamped(boxes, width, height)
        units = list(map(_C, chain.from_iterable(map(_CHARS, spans))))
        return _cleaned(text_units=units, boxes=boxes, direction=line["dir"])
    lead = len(text) - len(text.lstrip(" "))
    tail = len(text.rstrip(" "))
    chars = chain.from_iterable(map(_CHARS, spans))
    if lead or tail < count:
        chars = islice(chars, lead, tail)
    return text[lead:tail], chain.from_iterable(map(_BBOX, chars))


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


def _choose_title(meta_title: str, lines: list[tuple[float, str]], stem: str) -> str:
    """Metadata title if it is a real title, else page 1's largest-font text, else the file name."""
    meta_title = " ".join(meta_title.split())
    if len(meta_title) >= 3 and any(c.isalpha() for c in meta_title) and not _BAD_TITLES.search(meta_title):
        return meta_title
    eligible = [i for i, (_size, text) in enumerate(lines) if sum(c.isalpha() for c in text) >= 2]
    if not eligible:
        return stem
    largest = max(lines[i][0] for i in eligible)
    first = next(i for i in eligible if lines[i][0] == largest)
    # A title wrapped over several lines: keep the following lines of the same size.
    title = [lines[first][1]]
    for size, text in lines[first + 1 :]:
        if abs(size - largest) > 0.5:
            break
        title.append(text)
    return " ".join(title)[:300].strip() or stem
