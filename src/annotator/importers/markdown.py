"""Markdown (.md, .markdown) import: the readable text a renderer would show, without markup.

Layout of the canonical text (same conventions as the HTML importer):

* headings, paragraphs, blockquotes, code blocks and tables are blocks separated by one
  blank line; a soft line break inside a paragraph becomes a space, a hard break a newline;
* a whole list is one block, one line per item; ordered items keep their displayed number
  ("1. "), bulleted items are just their text, nested lists are not indented;
* table rows one per line, cells joined by " | "; code blocks keep their text and indentation;
* link text is kept and its URL dropped; images are dropped with their alt text (alt text is
  not prose an author wrote for readers, and the HTML importer drops images too);
* raw HTML is reduced to its text; YAML front matter is dropped, its ``title:`` used as title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .base import DocumentImportError, ImportedDocument, normalise_newlines
from .html import html_fragment_to_text
from .text import (
    collapse_inline_whitespace,
    decode_text_bytes,
    lines_of,
    read_text_bytes,
    tidy_canonical,
    title_line,
    word_count,
)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?:(.*?)\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_MATTER_TITLE = re.compile(r"^title[ \t]*:[ \t]*(.*?)[ \t]*$", re.MULTILINE)
_BR_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
CHUNK_CHARS = 64 * 1024  # Markdown parsed at a time (see source_chunks)
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_TABLE_DELIMITER = re.compile(r" {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
# A line that keeps the block above it going across a blank line: a list item or indented text.
_CONTINUES_BLOCK = re.compile(r"\s|[-+*](\s|$)|\d{1,9}[.)](\s|$)")


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def split_front_matter(src: str) -> tuple[str, str | None, bool]:
    """The Markdown body, the front matter's title (if any), and whether there was front matter."""
    match = _FRONT_MATTER.match(src)
    if not match:
        return src, None, False
    title_match = _FRONT_MATTER_TITLE.search(match.group(1) or "")
    title = _unquote(title_match.group(1)) if title_match else None
    return src[match.end() :], title or None, True


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def markdown_to_text(src: str) -> tuple[str, str | None]:
    """Canonical text and title (front matter title, else first H1) of Markdown source."""
    body, fm_title, _ = split_front_matter(normalise_newlines(src))
    writer = _BlockWriter()
    parser = _parser()
    for chunk, continues_table in source_chunks(body):
        writer.continues_table = continues_table
        writer.feed(parser.parse(chunk))
    return tidy_canonical(writer.text()), fm_title or writer.first_h1


def source_chunks(body: str, size: int | None = None) -> Iterator[tuple[str, bool]]:
    """``body`` in pieces of about ``size`` characters that parse as the whole would: (piece,
    whether it continues the previous piece's table).

    markdown-it holds a token object per cell and inline run, over a hundred times the
    source's size for a long table, so a large file is parsed a piece at a time. Pieces end
    at a blank line outside fenced code that no list item or indented line follows; a table
    longer than a piece is cut between rows, its header and delimiter repeated in the next
    piece (and its header row dropped again from the text).
    """
    size = size or CHUNK_CHARS
    if len(body) <= size:
        yield body, False
        return
    lines = body.split("\n")
    piece: list[str] = []
    length = 0
    fence: str | None = None
    block_start = 0  # index in ``piece`` of the current block's first line
    table_head: tuple[str, str] | None = None
    continues = False
    for i, line in enumerate(lines):
        blank = not line.strip()
        if fence is None and length >= size:
            following = lines[i + 1] if i + 1 < len(lines) else ""
            if blank and not _CONTINUES_BLOCK.match(following):
                yield "\n".join(piece), continues
                piece, length, continues, table_head = [], 0, False, None
                continue
            if table_head is not None and not blank and "|" in line:
                yield "\n".join(piece), continues
                piece, length, continues = list(table_head), 0, True
                block_start = 0
        piece.append(line)
        length += len(line) + 1
        fence_match = _FENCE.match(line)
        if fence_match and (fence is None or fence_match.group(1).startswith(fence)):
            fence = fence_match.group(1)[:3] if fence is None else None
        if fence is not None:
            continue
        if blank:
            block_start, table_head = len(piece), None
        elif len(piece) - block_start == 2 and _TABLE_DELIMITER.match(line) and "|" in piece[block_start]:
            table_head = (piece[block_start], line)
    if piece:
        yield "\n".join(piece), continues


def render_inline(token: Token) -> list[str]:
    """An inline token's text as lines: markup dropped, soft breaks reflowed, hard breaks kept."""
    pieces: list[str] = []
    for child in token.children or []:
        kind = child.type
        if kind in ("text", "text_special", "code_inline"):
            pieces.append(child.content)
        elif kind == "softbreak":
            pieces.append(" ")
        elif kind == "hardbreak":
            pieces.append("\n")
        elif kind == "html_inline" and _BR_TAG.fullmatch(child.content.strip()):
            pieces.append("\n")
        # Everything else (emphasis, links, images, other inline HTML) is markup only.
    return [collapse_inline_whitespace(line) for line in "".join(pieces).split("\n")]


@dataclass
class _ListItem:
    prefix: str
    started: bool = False


class _BlockWriter:
    """Turns the flat markdown-it token stream into blocks of lines."""

    def __init__(self) -> None:
        self.blocks: list[list[str]] = []
        self.first_h1: str | None = None
        self._list_lines: list[str] = []
        self._lists: list[list[int]] = []  # per open list: [next number] if ordered, [] if bullets
        self._items: list[_ListItem] = []
        self._rows: list[str] = []
        self._cells: list[str] = []
        self._heading_tag: str | None = None
        self._in_cell = False
        self.continues_table = False  # the next table carries on the last block (source_chunks)

    def text(self) -> str:
        return "\n\n".join("\n".join(block) for block in self.blocks)

    def feed(self, tokens: list[Token]) -> None:
        for token in tokens:
            handler = getattr(self, f"_on_{token.type}", None)
            if handler is not None:
                handler(token)

    def add_lines(self, lines: list[str]) -> None:
        lines = _trim_blank_edges(lines)
        if not lines:
            return
        if not self._items:
            self.blocks.append(lines)
            return
        # Items opened but not yet written (e.g. "1. - x") all show their number on this line.
        prefix = "".join(item.prefix for item in self._items if not item.started)
        for item in self._items:
            item.started = True
        self._list_lines.extend([prefix + lines[0], *lines[1:]])

    def _on_heading_open(self, token: Token) -> None:
        self._heading_tag = token.tag

    def _on_heading_close(self, token: Token) -> None:
        self._heading_tag = None

    def _on_inline(self, token: Token) -> None:
        lines = render_inline(token)
        if self._in_cell:
            self._cells.append(" ".join(line for line in lines if line))
            return
        if self._heading_tag == "h1" and self.first_h1 is None:
            self.first_h1 = " ".join(line for line in lines if line) or None
        self.add_lines(lines)

    def _on_th_open(self, token: Token) -> None:
        self._in_cell = True

    def _on_th_close(self, token: Token) -> None:
        self._in_cell = False

    _on_td_open = _on_th_open
    _on_td_close = _on_th_close

    def _on_tr_open(self, token: Token) -> None:
        self._cells = []

    def _on_tr_close(self, token: Token) -> None:
        if any(self._cells):
            self._rows.append(collapse_inline_whitespace(" | ".join(self._cells)))
        self._cells = []

    def _on_table_close(self, token: Token) -> None:
        rows, self._rows = self._rows, []
        if self.continues_table and self.blocks and not self._items:
            # The rest of the previous piece's table: its repeated header row goes again.
            self.continues_table = False
            self.blocks[-1].extend(rows[1:])
            return
        self.add_lines(rows)

    def _on_bullet_list_open(self, token: Token) -> None:
        self._lists.append([])

    def _on_ordered_list_open(self, token: Token) -> None:
        start = token.attrs.get("start", 1)
        self._lists.append([start if isinstance(start, int) else 1])

    def _on_bullet_list_close(self, token: Token) -> None:
        self._lists.pop()
        if not self._lists and self._list_lines:
            self.blocks.append(self._list_lines)
            self._list_lines = []

    _on_ordered_list_close = _on_bullet_list_close

    def _on_list_item_open(self, token: Token) -> None:
        counter = self._lists[-1] if self._lists else []
        prefix = ""
        if counter:
            prefix = f"{counter[0]}. "
            counter[0] += 1
        self._items.append(_ListItem(prefix))

    def _on_list_item_close(self, token: Token) -> None:
        self._items.pop()

    def _on_fence(self, token: Token) -> None:
        self.add_lines(_code_lines(token.content))

    _on_code_block = _on_fence

    def _on_html_block(self, token: Token) -> None:
        for chunk in html_fragment_to_text(token.content).split("\n\n"):
            self.add_lines(chunk.split("\n"))


def _code_lines(content: str) -> list[str]:
    # Code keeps its indentation; only trailing whitespace goes, as everywhere.
    return [line.rstrip() for line in content.split("\n")]


def _trim_blank_edges(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


class MarkdownImporter:
    """Imports a Markdown file as one document of readable plain text."""

    suffixes: tuple[str, ...] = (".md", ".markdown")

    def load(self, path: Path) -> list[ImportedDocument]:
        path = Path(path)
        raw = read_text_bytes(path)
        decoded, encoding = decode_text_bytes(raw, path)
        if not decoded.strip():
            raise DocumentImportError(path, "file is empty")
        text, title = markdown_to_text(decoded)
        if not text:
            raise DocumentImportError(path, "no text found (the file holds only markup)")
        _, _, has_front_matter = split_front_matter(normalise_newlines(decoded))
        meta = {
            "encoding": encoding,
            "word_count": word_count(text),
            "front_matter": has_front_matter,
        }
        return [
            ImportedDocument(
                text=text,
                title=title or title_line(lines_of(text)) or path.stem,
                format="md",
                source=str(path),
                meta=meta,
            )
        ]
