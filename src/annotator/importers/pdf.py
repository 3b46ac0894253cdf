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
space; inserted characters (joining spaces, separators) get NaN boxes. A page's text is
built by :mod:`annotator.importers.pdf_text`; this module opens, checks and assembles.

PyMuPDF is imported inside functions only, through :func:`annotator.pdf_source.load_pymupdf`
(a plain ``import pymupdf`` also loads a layout analyser and onnxruntime, which take seconds).

Why ``rawdict``: it is the only PyMuPDF extraction with MuPDF's own lines, blocks and
inserted spaces *and* a real box per character. Its many Python objects per character make
it the larger part of an import's time, and slower than ``get_text("text")``, which has no
boxes. ``get_texttrace`` has boxes, but font-size high rather than MuPDF's, and no lines,
blocks or inserted spaces; ``dict`` and ``words`` have no per-character boxes;
``extractRAWJSON`` builds the rawdict and then JSON in Python, which is slower still.
"""

from __future__ import annotations

import gc
import re
import struct
import threading
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from annotator.importers.base import DocumentImportError, ImportedDocument, PageGeometry
from annotator.importers.pdf_text import NAN4, SEPARATOR, page_text, resolve_line_hyphens
from annotator.pdf_source import MUPDF_LOCK, load_pymupdf

MAX_FILE_BYTES = 200 * 1024 * 1024

_DAMAGE_WARNINGS = ("premature end", "page may not be correct", "missing 'endobj'", "truncated")
_META_FIELDS = ("format", "title", "author", "subject", "keywords", "creator", "producer",
                "creationDate", "modDate")
_BAD_TITLES = re.compile(
    r"^(untitled|title|document|no title|unknown|microsoft word\b.*|slide \d+)$|"
    r"\.(docx?|pdf|tex|dvi|indd|qxd|rtf|odt|pptx?)$",
    re.IGNORECASE,
)


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

        pymupdf = load_pymupdf()
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
        pymupdf = load_pymupdf()
        with MUPDF_LOCK:
            self._check(doc, path, password)
            metadata = {k: v.strip() for k, v in (doc.metadata or {}).items()
                        if k in _META_FIELDS and isinstance(v, str) and v.strip()}
            page_count = doc.page_count
        # No TEXT_PRESERVE_IMAGES (image blocks would be decoded for nothing), no
        # TEXT_PRESERVE_WHITESPACE (MuPDF turns odd spaces into plain ones), no
        # TEXT_PRESERVE_SPANS; clipping drops glyphs drawn off the page.
        flags = pymupdf.TEXT_PRESERVE_LIGATURES | pymupdf.TEXT_MEDIABOX_CLIP
        extracted: list[tuple[str, list[float], float, float, int]] = []
        title_lines: list[tuple[float, str]] = []
        troubled: dict[int, str] = {}  # page number -> MuPDF's first complaint while reading it
        breaks: list[list[int]] = []  # per page, line-end hyphens decided once the whole text is read
        for number in range(page_count):
            try:
                # Held per page, not per document, so a page view can render in between.
                with MUPDF_LOCK:
                    before = len(pymupdf.TOOLS.mupdf_warnings(reset=False))
                    page = doc.load_page(number)
                    raw = page.get_text("rawdict", flags=flags)
                    rotation = page.rotation
                    del page
                    complaints = pymupdf.TOOLS.mupdf_warnings(reset=False)[before:].strip()
                if complaints:
                    troubled[number] = complaints.splitlines()[0]
                breaks.append([])
                text, boxes = page_text(raw, title_lines if number == 0 else None, breaks[-1])
                extracted.append((text, boxes, float(raw["width"]), float(raw["height"]), rotation))
                # Freed here, not when the next page's dict replaces it under the lock.
                del raw
            except Exception as exc:
                raise DocumentImportError(path, f"not a readable PDF: {exc}", f"page {number + 1}") from exc

        with MUPDF_LOCK:
            repaired = doc.is_repaired
        if repaired:
            # MuPDF repairs silently and returns whatever survived; all-or-nothing means a
            # repair that lost content is an error, not a shorter document.
            with MUPDF_LOCK:
                warnings = pymupdf.TOOLS.mupdf_warnings(reset=False)[warnings_before:]
            damage = next((w for w in _DAMAGE_WARNINGS if w in warnings), None)
            if damage:
                raise DocumentImportError(path, f"not a readable PDF: the file is damaged ({damage})")

        _refuse_damaged_pages(path, troubled, extracted)
        if not any(text for text, *_ in extracted):
            raise DocumentImportError(path, "no text layer (a scanned PDF?): there is no text to annotate")

        resolved = resolve_line_hyphens([(t, b) for t, b, *_ in extracted], breaks)
        extracted = [(t, b, *rest) for (t, b), (_t, _b, *rest) in zip(resolved, extracted)]
        pages, text = _assemble(extracted)
        meta: dict[str, Any] = {"page_count": len(pages), "pdf_metadata": metadata}
        empty = [p.number for p in pages if p.start == p.end]
        if empty:
            meta["pages_without_text"] = empty
        if troubled:
            meta["pages_with_errors"] = {str(n + 1): why for n, why in troubled.items()}
        title = _choose_title(metadata.get("title", ""), title_lines, path.stem)
        return ImportedDocument(text=text, title=title, format="pdf", source=str(path), meta=meta, pages=pages)


def _refuse_damaged_pages(path: Path, troubled: dict[int, str],
                          extracted: list[tuple[str, list[float], float, float, int]]) -> None:
    """Refuse a file whose pages came out empty while MuPDF complained about them: damage that
    lost their text, which would otherwise import as silently blank pages."""
    lost = [n for n, why in troubled.items() if not extracted[n][0]]
    if lost:
        where = page_ranges([n + 1 for n in lost])
        raise DocumentImportError(path, f"damaged PDF: no text could be read from page{'s' if len(lost) > 1 else ''} "
                                  f"{where} (MuPDF: {troubled[lost[0]]})")


def page_ranges(numbers: list[int]) -> str:
    """"3, 5-9, 12" for [3, 5, 6, 7, 8, 9, 12]."""
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


# The collector is process-wide: imports on two threads (the GUI's worker, a test) count
# their pauses so that the last one out turns it back on, and only if it was on before.
_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def _gc_paused() -> Iterator[None]:
    """rawdict makes ~10 acyclic objects per character; the cyclic GC walking them costs ~1/5."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
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
            text += SEPARATOR
            boxes.extend(NAN4 * len(SEPARATOR))
        parts.append(text)
        pages.append(PageGeometry(number=number, start=pos, end=pos + len(text), width=width,
                                  height=height, rotation=rotation, boxes=_float32(boxes)))
        pos += len(text)
    return pages, "".join(parts)


def _float32(values: list[float]) -> array:
    """``array("f", values)``, faster: struct converts without parsing a format per item."""
    out = array("f")
    try:
        out.frombytes(struct.pack(f"{len(values)}f", *values))
    except OverflowError:  # a finite value beyond float32 (array() makes it inf)
        out = array("f", values)
    return out


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
