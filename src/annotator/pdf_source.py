"""The original PDF behind an imported document: finding it, unlocking it, checking it is the same.

The project stores a PDF's canonical text and per-character geometry, not the file, so
drawing pages and writing annotated copies reopen the file at its stored source path.
This module is Qt-free: the page view and the PDF exporter both use it.

PyMuPDF is not thread-safe (MuPDF keeps one error stack per context), and the page view
renders on a worker thread while an export may run on another: every PyMuPDF call made
through this module's users holds :data:`MUPDF_LOCK`.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from annotator.importers.base import PageGeometry

MUPDF_LOCK = threading.RLock()

# Passwords typed in this process, by resolved file path. Kept in memory only: a password
# written into the project would be readable by anyone who gets the project file.
_passwords: dict[str, str] = {}
# Stored page sizes are float32-rounded by the importer's arithmetic; a real size change is points.
_SIZE_TOLERANCE = 0.5


# PyMuPDF 2.0 imports two optional companions at start-up: a layout analyser and
# pymupdf4llm, which load onnxruntime and a neural network. Nothing here uses them
# (text extraction, rendering and annotations do not), and they cost 1.5 to 3 seconds
# of the first import, which the first page of a PDF would wait for.
_UNUSED_COMPANIONS = ("pymupdf.layout", "pymupdf4llm")


def load_pymupdf() -> ModuleType:
    """``import pymupdf`` without its optional companions (a layout analyser and onnxruntime,
    which would make the import about ten times slower)."""
    if "pymupdf" not in sys.modules:
        for name in _UNUSED_COMPANIONS:
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None makes the import fail fast
    import pymupdf

    return pymupdf


class PdfSourceError(Exception):
    """The original PDF cannot be used; the message says why in a reviewer's words."""

    def __init__(self, message: str, *, needs_password: bool = False) -> None:
        super().__init__(message)
        self.needs_password = needs_password


def _key(path: Path | str) -> str:
    try:
        return str(Path(path).resolve())
    except OSError:
        return str(path)


def remember_password(path: Path | str, password: str) -> None:
    _passwords[_key(path)] = password


def password_for(path: Path | str) -> str | None:
    return _passwords.get(_key(path))


def locate(source: str, base_dirs: Iterable[Path] = ()) -> Path | None:
    """The stored source path if the file is still there (relative paths tried against ``base_dirs`` too)."""
    if not source:
        return None
    path = Path(source).expanduser()
    candidates = [path] if path.is_absolute() else [path, *(Path(b) / path for b in base_dirs)]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def page_geometry(rows: Iterable[Any]) -> list[PageGeometry]:
    """PageGeometry from ``Repository.pages`` rows (boxes unpacked from their BLOB)."""
    from annotator.pdf_geometry import unpack_boxes

    return [PageGeometry(number=r.number, start=r.start, end=r.end, width=r.width, height=r.height,
                         rotation=r.rotation, boxes=unpack_boxes(r.boxes)) for r in rows]


def open_pdf(path: Path, password: str | None = None, pages: Sequence[PageGeometry] = ()) -> Any:
    """Open and unlock ``path`` as a pymupdf.Document; with ``pages``, check it is the imported file.

    Call with :data:`MUPDF_LOCK` held. Raises :class:`PdfSourceError`.
    """
    pymupdf = load_pymupdf()

    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # MuPDF raises several types for unreadable data
        raise PdfSourceError(f"{path.name} cannot be read any more: {exc}") from exc
    try:
        if doc.needs_pass:
            password = password or password_for(path)
            if not password:
                raise PdfSourceError(f"{path.name} is encrypted: its password is needed", needs_password=True)
            if not doc.authenticate(password):
                raise PdfSourceError(f"{path.name} is encrypted and the password is wrong", needs_password=True)
            remember_password(path, password)
        if pages:
            check_same_file(doc, path, pages)
    except BaseException:
        doc.close()
        raise
    return doc


def check_same_file(doc: Any, path: Path, pages: Sequence[PageGeometry]) -> None:
    """Refuse a file whose pages no longer match the imported geometry (it was replaced or edited).

    Page count and the size and rotation of the first, middle and last page are cheap to
    compare (loading every page of a long PDF is not) and catch a different file; the
    highlights would land on the wrong words otherwise.
    """
    if doc.page_count != len(pages):
        raise PdfSourceError(f"{path.name} has changed since it was imported "
                             f"({doc.page_count} pages, the project has {len(pages)})")
    for geo in {pages[0].number: pages[0], pages[len(pages) // 2].number: pages[len(pages) // 2],
                pages[-1].number: pages[-1]}.values():
        page = doc.load_page(geo.number)
        box = page.cropbox
        if (abs(box.width - geo.width) > _SIZE_TOLERANCE or abs(box.height - geo.height) > _SIZE_TOLERANCE
                or page.rotation % 360 != geo.rotation % 360):
            raise PdfSourceError(f"{path.name} has changed since it was imported (page {geo.number + 1} "
                                 f"differs in size or rotation)")
