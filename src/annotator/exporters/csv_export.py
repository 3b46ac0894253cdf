"""A spreadsheet view: one CSV row per span.

Columns: document_id, title, source, annotator, status, label, start, end, text, note,
span_id. RFC 4180 quoting (fields holding commas, quotes or line breaks are quoted; rows
end in CRLF), UTF-8 with a byte order mark so Excel detects the encoding; read it back with
``open(path, newline="", encoding="utf-8-sig")`` and :mod:`csv`. ``text`` is the exact span
text, line breaks included; nothing is escaped, so a cell starting with "=" is still text
to Python but a spreadsheet may treat it as a formula: open untrusted exports as text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, BinaryIO

from annotator.exporters.base import ExportError
from annotator.exporters.sink import Context, DatasetFormat, Document, Sink
from annotator.storage.repository import ExportGroup

COLUMNS = ("document_id", "title", "source", "annotator", "status", "label", "start", "end", "text", "note", "span_id")


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def cell(value: str) -> str:
    """One field as the csv module writes it (QUOTE_MINIMAL): quoted only when it must be."""
    if _NEEDS_QUOTES.search(value) is None:
        return value
    return '"' + value.replace('"', '""') + '"'


def row(fields: tuple[object, ...]) -> str:
    return ",".join(cell(f) if isinstance(f, str) else str(f) for f in fields) + "\r\n"


class _CsvSink(Sink):
    """Rows built by hand: the csv module spends ~6 µs a row; here the five columns a
    document's rows share are quoted once per group and only span text and note are checked
    per row (labels, offsets and span ids never need quotes). A test checks the bytes equal
    csv.writer's."""

    def __init__(self, fh: BinaryIO) -> None:
        super().__init__()
        self._fh = fh
        fh.write(("\ufeff" + row(COLUMNS)).encode("utf-8"))

    def write(self, group: ExportGroup, doc: Document) -> None:
        meta = doc.row
        head = row((doc.key, meta.title, meta.source, group.annotator, group.status))[:-2]
        text = doc.text
        lines = [f"{head},{label},{start},{end},{cell(text[start:end])},{'' if note is None else cell(note)},"
                 f"{span_id}\r\n" for span_id, start, end, label, note in group.spans]
        self.counts["records"] += len(lines)
        try:
            self._fh.write("".join(lines).encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise ExportError(f"document {doc.id} ({meta.title!r}) cannot be written as UTF-8: {exc}") from exc


class CsvFormat(DatasetFormat):
    name = "csv"
    suffix = ".csv"
    parallel = True

    def open(self, out: BinaryIO | Path, ctx: Context) -> Sink:
        assert not isinstance(out, Path)
        return _CsvSink(out)

    def details(self, ctx: Context) -> dict[str, Any]:
        return {"columns": list(COLUMNS), "rules": [
            "One row per span; UTF-8 with BOM, RFC 4180 quoting, CRLF row ends.",
            "text is the exact span text (line breaks kept inside quotes); an empty note cell means no note.",
        ]}
