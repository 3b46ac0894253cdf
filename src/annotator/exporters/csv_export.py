"""A spreadsheet view: one CSV row per span.

Columns: document_id, title, source, annotator, status, label, start, end, text, note,
span_id. Written by :mod:`csv` (RFC 4180 quoting, CRLF row ends), UTF-8 with a byte order
mark so Excel detects the encoding; read it back with
``open(path, newline="", encoding="utf-8-sig")``.

Formula injection: a spreadsheet runs a cell starting with ``=``, ``+``, ``-`` or ``@`` as
a formula, and titles, notes and span texts come from imported articles. Such text cells
get a leading ``'`` (which spreadsheets show as "text") unless ``--raw`` asks for the exact
text; the card says which.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from annotator.exporters import sink
from annotator.exporters.base import ExportError
from annotator.exporters.sink import Context, Document
from annotator.storage.repository import ExportGroup

COLUMNS = ("document_id", "title", "source", "annotator", "status", "label", "start", "end", "text", "note", "span_id")
FORMULA_STARTS = ("=", "+", "-", "@")


def details(ctx: Context) -> dict[str, Any]:
    rules = ["One row per span; UTF-8 with BOM, RFC 4180 quoting, CRLF row ends.",
             "An empty note cell means no note."]
    if ctx.options.raw:
        rules.append("--raw: text cells are exact; a spreadsheet may run a cell starting with = + - @ as a formula.")
    else:
        rules.append("Text cells starting with = + - or @ carry a leading ' so spreadsheets do not run them as "
                     "formulas (strip it, or export with --raw, for the exact text).")
    return {"columns": list(COLUMNS), "formulas_neutralised": not ctx.options.raw, "rules": rules}


def neutralised(value: str) -> str:
    """``value`` with a leading ' when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class Writer(sink.Writer):
    def __init__(self, out: Any, ctx: Context) -> None:
        super().__init__(out, ctx)
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer)
        self._cell = (lambda v: v) if ctx.options.raw else neutralised
        self._csv.writerow(COLUMNS)
        self._flush("\ufeff")

    def _flush(self, prefix: str = "") -> None:
        self.out.write((prefix + self._buffer.getvalue()).encode("utf-8"))  # type: ignore[union-attr]
        self._buffer.seek(0)
        self._buffer.truncate()

    def write(self, group: ExportGroup, doc: Document) -> None:
        meta, text, cell = doc.row, doc.text, self._cell
        head = (doc.key, cell(meta.title), cell(meta.source), cell(group.annotator), group.status)
        self._csv.writerows((*head, label, start, end, cell(text[start:end]), "" if note is None else cell(note), span_id)
                            for span_id, start, end, label, note in group.spans)
        self.counts["records"] += len(group.spans)
        try:
            self._flush()
        except UnicodeEncodeError as exc:
            raise ExportError(f"document {doc.id} ({meta.title!r}) cannot be written as UTF-8: {exc}") from exc
