"""Annotated PDFs: a copy of each original PDF with one highlight annotation per span and page.

Each highlight covers the span's characters line by line (quads from the per-character
boxes kept at import), in the label's colour, and carries the reviewer as its author
(``title``), the label as its subject and the note (or the label) as its content, so any
PDF reader shows who tagged what. A span crossing a page break gets one highlight on each
page. Non-PDF documents are left out.

The project keeps the canonical text and geometry, not the PDF itself, so the original
file must still be at its stored source path (see :mod:`annotator.pdf_source`); a
document whose file is missing, changed or locked is skipped with its reason. Files are
written into a hidden staging folder inside ``out`` and moved into place only when every
document is done, so a failed or cancelled export leaves ``out`` as it was.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.exporters.base import ExportError, ExportResult, Ticker
from annotator.importers.base import PageGeometry
from annotator.pdf_geometry import from_display, line_rects
from annotator.pdf_source import (MUPDF_LOCK, PdfSourceError, load_pymupdf, open_pdf, original_pdf, page_geometry,
                                  password_for, stored_original)
from annotator.storage import db
from annotator.storage.repository import ExportFilter, ExportGroup, Repository

SUFFIX = ".annotated.pdf"
HIGHLIGHT_OPACITY = 0.3  # four overlapping highlights still leave the paper light and the text black
_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")


@dataclass
class PdfExportResult(ExportResult):
    """The shared result plus the documents left out and why ((title, reason) pairs)."""

    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        if self.cancelled:
            return "export cancelled; no file written"
        folder = self.files[0].parent if self.files else "the folder"
        text = f"{len(self.files)} annotated PDFs with {self.spans} highlights written to {folder}"
        if self.skipped:
            text += f"; {len(self.skipped)} skipped:\n" + "\n".join(f"  {t}: {why}" for t, why in self.skipped)
        return text


@dataclass
class _Document:
    """One PDF document and the spans of every exported annotator on it."""

    row: Any
    spans: list[tuple[str, int, int, str, str | None]] = field(default_factory=list)  # annotator, start, end, label, note


def unrotated(page: PageGeometry, rect: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """A displayed rectangle in the page's unrotated space, where PyMuPDF places annotations."""
    ax, ay = from_display(page, rect[0], rect[1])
    bx, by = from_display(page, rect[2], rect[3])
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def highlight_rects(pages: list[PageGeometry], start: int, end: int) -> dict[int, list[tuple[float, float, float, float]]]:
    """Per page number, the unrotated line rectangles covering the characters of [start, end)."""
    by_page: dict[int, list[tuple[float, float, float, float]]] = {}
    for number, rect in line_rects(pages, start, end):
        by_page.setdefault(number, []).append(unrotated(pages[number], rect))
    return by_page


def rgb(colour: str) -> tuple[float, float, float]:
    value = colour.lstrip("#")
    return int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255


class PdfExporter:
    name = "pdf"
    suffix = ""

    def export(self, repo: Repository, out: Path, flt: ExportFilter, ticker: Ticker) -> PdfExportResult:
        out = Path(out)
        if out.exists() and not out.is_dir():
            raise ExportError(f"cannot write into {out}: it is a file (the pdf format writes a folder of PDFs)")
        created = not out.exists()
        try:
            out.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".annotator-export-", dir=out))
        except OSError as exc:
            raise ExportError(f"cannot write in {out}: {exc.strerror or exc}") from exc
        colours = {lr.name: lr.spec.colour for lr in repo.labels()}
        project = db.engine_path(repo.engine)
        bases = [project.parent] if project is not None else []
        result = PdfExportResult()
        staged: list[tuple[Path, Path]] = []
        names: set[str] = set()
        try:
            done = 0
            for doc, groups in self._documents(repo, flt):
                done += groups
                ticker.tick(done, doc.row.title)
                name = _file_name(doc.row, names)
                try:
                    count = self._write(repo, doc, colours, bases, staging / name)
                except PdfSourceError as exc:
                    result.skipped.append((doc.row.title, str(exc)))
                    continue
                staged.append((staging / name, out / name))
                result.records += 1
                result.spans += count
            for tmp, final in staged:  # every document is written: only now replace earlier exports
                tmp.replace(final)
                result.files.append(final)
        except BaseException:
            if created and not result.files:
                shutil.rmtree(out, ignore_errors=True)  # a failed or cancelled export leaves no trace
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        ticker.finish(done)
        return result

    @staticmethod
    def _documents(repo: Repository, flt: ExportFilter) -> Iterator[tuple[_Document, int]]:
        """PDF documents with their spans from every exported annotator, and how many groups each took."""
        current: _Document | None = None
        groups = 0
        with closing(repo.iter_export_groups(flt)) as it:
            for group in it:
                if current is not None and group.document.id != current.row.id:
                    yield current, groups
                    current, groups = None, 0
                groups += 1
                if group.document.format != "pdf":
                    continue
                if current is None:
                    current = _Document(group.document)
                current.spans += _annotated(group)
        if current is not None:
            yield current, groups

    @staticmethod
    def _write(repo: Repository, doc: _Document, colours: dict[str, str], bases: list[Path], target: Path) -> int:
        row = doc.row
        source = original_pdf(stored_original(repo.source_sha256(row.id), repo.source_bytes), row.source, bases)
        if source is None:
            raise PdfSourceError(f"the project holds no copy of its original PDF and it is not at {row.source} "
                                 f"any more; put it back there to export it")
        pages = page_geometry(repo.pages(row.id))
        if not pages:
            raise PdfSourceError("the project holds no page geometry for this document")
        with MUPDF_LOCK:
            pdf = open_pdf(source, pages=pages)
            try:
                count = 0
                for annotator, start, end, label, note in doc.spans:
                    for number, rects in highlight_rects(pages, start, end).items():
                        page = pdf[number]  # an annotation dies with its page object: keep it referenced
                        annot = page.add_highlight_annot(quads=rects)
                        annot.set_colors(stroke=rgb(colours.get(label, "#ffd54f")))
                        annot.set_opacity(HIGHLIGHT_OPACITY)  # overlaps multiply: keep them light
                        annot.set_info(title=annotator, subject=label, content=note or label)
                        annot.update()
                    count += 1
                _fixed_id(pdf, row.sha256, doc.spans)
                pdf.save(str(target), garbage=1, deflate=True, no_new_id=True, **_encryption_kept(pdf, source))
            finally:
                pdf.close()
        return count


def _fixed_id(pdf: Any, sha256: str, spans: list[tuple[str, int, int, str, str | None]]) -> None:
    """Set the trailer /ID from the content (the original's first part, else the text's hash; then a hash of
    the text and the highlights), so the same data gives the same bytes and other highlights another id."""
    digest = hashlib.sha256(sha256.encode() + repr(spans).encode("utf-8")).hexdigest()[:32].upper()
    kind, value = pdf.xref_get_key(-1, "ID")
    found = re.match(r"\[\s*<([0-9A-Fa-f]+)>", value) if kind == "array" else None
    first = found.group(1) if found else sha256[:32].upper()
    pdf.xref_set_key(-1, "ID", f"[<{first}><{digest}>]")


def _encryption_kept(pdf: Any, source: Path) -> dict[str, Any]:
    """Save options that lock the copy with the original's password.

    MuPDF keeps the original encryption only for its owner; a reader who unlocked the file
    with the user password would otherwise get a decrypted copy of a locked article.
    """
    password = password_for(source)
    if not (pdf.metadata or {}).get("encryption") or not password:
        return {}
    pymupdf = load_pymupdf()
    return {"encryption": pymupdf.PDF_ENCRYPT_AES_256, "user_pw": password, "owner_pw": password}


def _annotated(group: ExportGroup) -> list[tuple[str, int, int, str, str | None]]:
    return [(group.annotator, start, end, label, note) for _id, start, end, label, note in group.spans]


def _file_name(row: Any, taken: set[str]) -> str:
    """``<source stem>.annotated.pdf``; a second document with the same stem gets its id added."""
    stem = _UNSAFE_NAME.sub("_", Path(row.source).stem or row.title).strip(" .") or f"document-{row.id}"
    name = f"{stem[:150]}{SUFFIX}"
    if name.lower() in taken:
        name = f"{stem[:150]}-{row.id}{SUFFIX}"
    taken.add(name.lower())
    return name
