"""Plain text (.txt) import, plus the byte-reading and decoding helpers the other text importers share.

A .txt file is already the author's plain text, so its canonical text keeps the author's
layout (indentation, runs of spaces, several blank lines): only newlines become ``\\n``, the
BOM goes, trailing whitespace on each line and blank lines at either end are dropped. The
stricter tidying (:func:`tidy_canonical`) is for markup formats, whose whitespace means nothing.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from . import base
from .base import DocumentImportError, ImportedDocument, normalise_newlines

# Longest BOMs first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WIDE_ENCODINGS = frozenset({"utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"})

# Control characters a real text file may contain; any other C0 control (or DEL) hints at binary.
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1b")
_BINARY_SAMPLE = 8192
_BINARY_CONTROL_RATIO = 0.10

_MULTI_BLANK = re.compile(r"\n{3,}")
_TRAILING_WS = re.compile(r"[^\S\n]+$", re.MULTILINE)  # what str.rstrip() removes, line by line
_LINE = re.compile(r"[^\n]+")
_WORD = re.compile(r"\S+")
_TITLE_LINES_LOOKED_AT = 50
HEADING_CHARS = 120  # a line longer than this is a paragraph, not a title
_TITLE_CHARS_LOOKED_AT = 1000  # of a line: a title is never longer, and a 20 MB line is not copied
_INLINE_WS = re.compile(r"[ \t\f\v\u00a0]+")


def read_text_bytes(path: Path) -> bytes:
    """The file's bytes, refusing missing, unreadable, oversized and empty files."""
    try:
        size = path.stat().st_size
        limit = base.MAX_TEXT_BYTES  # read at call time so tests can lower it
        if size > limit:
            raise DocumentImportError(
                path, f"file is too large ({_format_size(size)}); the limit is {_format_size(limit)}"
            )
        check_memory_for(path, size)
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentImportError(path, f"cannot read the file: {exc.strerror or exc}") from exc
    if not raw:
        raise DocumentImportError(path, "file is empty")
    return raw


def check_memory_for(path: Path, size: int) -> None:
    """Refuse a file whose import would need more memory than the machine has free now."""
    free = base.available_memory()
    needed = size * base.IMPORT_MEMORY_FACTOR
    if free is not None and needed > free:
        raise DocumentImportError(
            path, f"file is too large to import with the memory available ({_format_size(size)} needs about "
            f"{_format_size(needed)}, {_format_size(free)} is free); close other programs or split the file")


def _format_size(size: int) -> str:
    mib = 1024 * 1024
    if size >= mib:
        return f"{size / mib:.1f}".removesuffix(".0") + " MB"
    return f"{size} bytes"


def detect_bom(raw: bytes) -> tuple[str, int] | None:
    """The encoding a byte order mark announces and the BOM's length, if there is one."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return encoding, len(bom)
    return None


def decode_text_bytes(
    raw: bytes, path: Path | str = "<bytes>", default_encoding: str = "utf-8"
) -> tuple[str, str]:
    """Decode strictly: a BOM wins, else ``default_encoding``. Returns (text, encoding used).

    Never guesses another encoding on failure: a silent fallback would corrupt characters
    that spans later point at, so the user is told where the file is broken instead.
    """
    bom = detect_bom(raw)
    encoding, skip = bom if bom else (codecs.lookup(default_encoding).name, 0)
    body = raw[skip:]
    if encoding not in _WIDE_ENCODINGS and b"\x00" in body:
        raise DocumentImportError(path, "looks like a binary file (it contains NUL bytes)")
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        if _mostly_controls(body[:_BINARY_SAMPLE].decode("latin-1")):
            raise DocumentImportError(path, "looks like a binary file") from exc
        offset = skip + exc.start
        raise DocumentImportError(
            path,
            f"not valid {_display_name(encoding)} at byte {offset} (line {_line_of(raw, offset)}); "
            "re-save the file as UTF-8",
        ) from exc
    check_not_binary(path, text)
    return text, encoding


def _display_name(encoding: str) -> str:
    return codecs.lookup(encoding).name.upper()


def _line_of(raw: bytes, offset: int) -> int:
    # Count lines the way normalise_newlines will, so the number matches what an editor shows.
    head = raw[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return head.count(b"\n") + 1


def _mostly_controls(sample: str) -> bool:
    if not sample:
        return False
    controls = sum(1 for ch in sample if (ch < " " or ch == "\x7f") and ch not in _TEXT_CONTROLS)
    return controls / len(sample) > _BINARY_CONTROL_RATIO


def check_not_binary(path: Path | str, text: str) -> None:
    """Refuse decoded text that is really binary data (NULs or mostly control characters)."""
    if "\x00" in text:
        raise DocumentImportError(path, "looks like a binary file (it contains NUL characters)")
    if _mostly_controls(text[:_BINARY_SAMPLE]):
        raise DocumentImportError(path, "looks like a binary file (mostly control characters)")


def collapse_inline_whitespace(line: str) -> str:
    """One space for each run of spaces, tabs and no-break spaces; trimmed at both ends."""
    return _INLINE_WS.sub(" ", line).strip()


def tidy_canonical(text: str) -> str:
    """Final pass for markup formats: trailing whitespace off, one blank line at most, no blank edges."""
    lines = [line.rstrip() for line in normalise_newlines(text).split("\n")]
    return _MULTI_BLANK.sub("\n\n", "\n".join(lines)).strip("\n")


def word_count(text: str) -> int:
    """Whitespace-separated words, counted without building a list of them."""
    return sum(1 for _ in _WORD.finditer(text))


# Lines a page saved as text often starts with, which name no article: skip links, menus,
# breadcrumbs ("Home / Health / Sleep"). The title is the first line that is none of these.
NAVIGATION_LINE = re.compile(
    r"(skip\s+to\s+(the\s+)?(main\s+)?(content|navigation)|(main\s+)?menu|toggle\s+navigation|search|home"
    r"|log\s*in|sign\s*(in|up)|subscribe|advertisement|share( this)?|(back\s+to\s+|jump\s+to\s+)?top(\s+of\s+(the\s+)?page)?"
    r"|(jump|go)\s+to\s+(the\s+)?(main\s+)?content|cookies?( settings| policy)?)\W*"
    r"|[\W\d_]*"
    r"|home\s*[/›»>|].*|you\s+are\s+here\b.*", re.IGNORECASE)


def title_line(lines: Iterable[str]) -> str | None:
    """The line a person would call the title: the first one that is neither page navigation
    ("Skip to content", "top of page") nor a paragraph (longer than :data:`HEADING_CHARS`);
    failing that the first non-navigation line, failing that the first line.

    Reads ``lines`` lazily and at most :data:`_TITLE_LINES_LOOKED_AT` non-empty ones.
    """
    first: str | None = None
    content: str | None = None
    for line in islice((s for s in (line[:_TITLE_CHARS_LOOKED_AT].strip() for line in lines) if s),
                       _TITLE_LINES_LOOKED_AT):
        first = first or line
        if NAVIGATION_LINE.fullmatch(line):
            continue
        if len(line) <= HEADING_CHARS:
            return line
        content = content or line
    return content or first


def plain_text_to_text(src: str) -> tuple[str, str | None]:
    """Canonical text and title (see :func:`title_line`) of decoded plain text."""
    # Lines end at "\n" only: splitlines() would also break on U+2028, \x1c, \x85..., which
    # would make line numbers and offsets disagree with every other tool. One regex pass
    # instead of a list of every line keeps a large file's import within a few copies of it.
    text = _TRAILING_WS.sub("", normalise_newlines(src)).strip("\n")
    return text, title_line(lines_of(text))


def lines_of(text: str) -> Iterator[str]:
    """The non-empty lines of ``text``, one at a time (no list of every line)."""
    return (m.group() for m in _LINE.finditer(text))


class TextImporter:
    """Imports a UTF-8 (or BOM-marked UTF-16/32) plain text file as one document."""

    suffixes: tuple[str, ...] = (".txt",)

    def load(self, path: Path) -> list[ImportedDocument]:
        path = Path(path)
        raw = read_text_bytes(path)
        decoded, encoding = decode_text_bytes(raw, path)
        text, title = plain_text_to_text(decoded)
        if not text.strip():
            raise DocumentImportError(path, "file is empty")
        meta = {
            "encoding": encoding,
            "bom": detect_bom(raw) is not None,
            "word_count": word_count(text),
        }
        return [
            ImportedDocument(
                text=text,
                title=title or path.stem,
                format="txt",
                source=str(path),
                meta=meta,
            )
        ]
