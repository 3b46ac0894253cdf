"""What every importer produces: canonical text plus metadata (and page geometry for PDFs).

The canonical text is the single truth every span points into (see CONTEXT.md):
newlines are ``\\n`` only, no BOM, and it never changes after import. Offsets are
Unicode code points, ``end`` exclusive.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

# Text-like files (txt, md, html) above this size are refused before decoding: an
# article is never this big, and decoding one would stall the import for minutes.
MAX_TEXT_BYTES = 50 * 1024 * 1024


class DocumentImportError(Exception):
    """A file cannot be imported. The message names the file, what is wrong and where."""

    def __init__(self, path: Path | str, reason: str, where: str | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.where = where
        location = f" ({where})" if where else ""
        super().__init__(f"{Path(self.path).name}: {reason}{location}")


@dataclass(frozen=True)
class PageGeometry:
    """One PDF page: which slice of the canonical text it holds and where each character sits.

    ``boxes`` is a flat float32 array of 4 floats (x0, y0, x1, y1) per code point of
    ``text[start:end]``, in unrotated PDF page coordinates (points, origin top-left, as
    PyMuPDF reports them). Characters the importer inserted (newlines, joining spaces)
    have NaN boxes.
    """

    number: int
    start: int
    end: int
    width: float
    height: float
    rotation: int = 0
    boxes: array = field(default_factory=lambda: array("f"))


@dataclass(frozen=True)
class ImportedSpan:
    start: int
    end: int
    label: str
    note: str | None = None
    # Kept from a canonical export so a re-import gives the very same spans (a fresh id
    # is drawn if the project already holds this one).
    id: str | None = None


@dataclass
class ImportedDocument:
    text: str
    title: str
    format: str  # "txt", "md", "html", "pdf", "jsonl"
    source: str
    meta: dict[str, Any] = field(default_factory=dict)
    pages: list[PageGeometry] | None = None
    # Pre-annotations (JSONL imports): spans and status of one named annotator.
    spans: list[ImportedSpan] = field(default_factory=list)
    annotator: str | None = None
    status: str | None = None
    # Further annotators of the same text (a JSONL file has one line per document and
    # annotator): (annotator, status, spans) each, stored with the document.
    extra_annotations: list[tuple[str, str | None, list[ImportedSpan]]] = field(default_factory=list)
    # The reason stored with an annotator's "flagged" status ("rejected in Prodigy"), by annotator.
    reasons: dict[str, str] = field(default_factory=dict)
    # Where in the file the document came from ("line 7"), for error messages.
    origin: str | None = None

    def annotations(self) -> list[tuple[str | None, str | None, list[ImportedSpan]]]:
        """Every annotator's (name, status, spans), the main one first."""
        return [(self.annotator, self.status, self.spans), *self.extra_annotations]


class Importer(Protocol):
    """Reads one file into one or more documents, or raises DocumentImportError."""

    suffixes: tuple[str, ...]

    def load(self, path: Path) -> list[ImportedDocument]: ...


def normalise_newlines(text: str) -> str:
    """Canonical newlines: CRLF and lone CR become LF; a leading BOM is dropped."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")
