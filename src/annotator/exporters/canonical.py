"""The canonical JSONL export: one line per document and annotator (see DESIGN.md).

Key order is fixed by construction (no sorting, no timestamps, ids and order from the
database), so the same database always gives the same bytes. A document's text, tokens
and meta are serialised once and reused for each of its annotators, whose lines are
consecutive. Tokens are :func:`annotator.text.tokenize`'s, so
``Doc(vocab, words, spaces).text == text`` for every record.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from typing import Any

import orjson

from annotator.canonical_record import ANSWERS, hash32, input_hash_from_sha256
from annotator.exporters.base import ExportError
from annotator.exporters import sink
from annotator.exporters.sink import Context, Document
from annotator.storage.repository import ExportGroup

RULES = (
    "One JSON line per document and annotator: text, tokens, spans, meta, annotator, status, "
    "and reason on a flagged record with one (a superset of Prodigy's span format; see DESIGN.md).",
    "Span start/end are code points into text, end exclusive; token_end is inclusive (Prodigy's convention).",
    "Tokens rebuild the text: spacy.tokens.Doc(vocab, words=[t.text], spaces=[t.ws]).text == text "
    "(a whitespace run other than one trailing space is a token of its own).",
    "`annotator validate` checks the file; `annotator import` restores the same spans, notes and statuses.",
)


def details(ctx: Context) -> dict[str, Any]:
    return {"rules": list(RULES)}


def _stored_meta(meta_json: str) -> Any:
    try:
        return orjson.loads(meta_json)
    except orjson.JSONDecodeError:
        return json.loads(meta_json)  # json.dumps wrote it, and it allows NaN/Infinity where orjson does not


class _Parts:
    """The per-document pieces of a record, serialised once for all of its annotators."""

    __slots__ = ("doc_id", "ends", "head", "input_hash", "meta", "starts", "text")

    def __init__(self, repo: Any, doc: Document) -> None:
        row = doc.row
        self.doc_id, self.text = doc.id, doc.text
        texts, self.starts, self.ends, spaces = doc.tokens()
        tokens = orjson.dumps([{"text": t, "start": s, "end": e, "id": i, "ws": w}
                               for i, (t, s, e, w) in enumerate(zip(texts, self.starts, self.ends, spaces))])
        self.head = b'{"text":' + orjson.dumps(self.text) + b',"tokens":' + tokens + b","
        self.input_hash = input_hash_from_sha256(row.sha256)
        meta: dict[str, Any] = {"document_id": doc.key, "title": row.title, "source": row.source,
                                "format": row.format, "sha256": row.sha256}
        if row.format == "pdf":
            meta["pages"] = [list(p) for p in repo.page_ranges([row.id]).get(row.id, [])]
        meta["import_meta"] = _stored_meta(row.meta_json)
        self.meta = orjson.Fragment(orjson.dumps(meta))

    def line(self, group: ExportGroup) -> bytes:
        text, starts, ends = self.text, self.starts, self.ends
        top = len(starts) - 1
        spans = []
        for span_id, start, end, label, note in group.spans:
            first = min(bisect_right(ends, start), max(top, 0))
            last = min(max(bisect_left(starts, end) - 1, first), max(top, 0))
            spans.append({"start": start, "end": end, "token_start": first, "token_end": last,
                          "label": label, "text": text[start:end], "id": span_id, "note": note})
        keys = [s[1:4] for s in group.spans]  # canonical_record.task_hash over (start, end, label)
        record: dict[str, Any] = {"spans": spans, "meta": self.meta, "annotator": group.annotator,
                                  "status": group.status}
        if group.reason is not None:
            record["reason"] = group.reason  # why it was flagged; `annotator import` reads it back
        record["answer"] = ANSWERS.get(group.status, "accept")
        record["_input_hash"] = self.input_hash
        record["_task_hash"] = hash32(orjson.dumps([self.input_hash, group.annotator, keys]))
        rest = orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
        return self.head + rest[1:]


class Writer(sink.Writer):
    def __init__(self, out: Any, ctx: Context) -> None:
        super().__init__(out, ctx)
        self.counts["spans"] = 0
        self._parts: _Parts | None = None

    def write(self, group: ExportGroup, doc: Document) -> None:
        try:
            if self._parts is None or self._parts.doc_id != doc.id:
                self._parts = None  # drop the previous document before building the next
                self._parts = _Parts(self.ctx.repo, doc)
            self.out.write(self._parts.line(group))
        except (orjson.JSONEncodeError, UnicodeEncodeError) as exc:
            raise ExportError(f"document {doc.id} ({doc.row.title!r}) cannot be written as JSON: {exc}") from exc
        self.counts["records"] += 1
        self.counts["spans"] += len(group.spans)
