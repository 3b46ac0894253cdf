"""The canonical JSONL export: one line per document and annotator (see DESIGN.md).

Records are streamed straight from :meth:`Repository.iter_export_groups` to the output,
so memory holds one document at a time. Key order is fixed by construction (no sorting,
no timestamps, ids and order from the database), so the same database always gives the
same bytes. A document's text, tokens and meta are serialised once and reused for each of
its annotators, whose lines are consecutive.
"""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path
from typing import Any

import orjson

from annotator.exporters.base import ExportError, ExportResult, Ticker, atomic_output
from annotator.exporters.record import ANSWERS, document_key, input_hash_from_sha256, task_hash
from annotator.exporters.tokens import span_tokens, token_bounds_and_json
from annotator.storage.repository import ExportFilter, ExportGroup, Repository

def _stored_meta(meta_json: str) -> Any:
    try:
        return orjson.loads(meta_json)
    except orjson.JSONDecodeError:
        # json.dumps wrote it, and it allows NaN/Infinity where orjson does not.
        return json.loads(meta_json)


class _DocumentParts:
    """The per-document pieces of a record, serialised once for all of its annotators."""

    __slots__ = ("doc_id", "ends", "input_hash", "meta", "starts", "text", "text_json", "tokens")

    def __init__(self, repo: Repository, row: Any) -> None:
        self.doc_id: int = row.id
        self.text: str = row.text
        tokens, self.starts, self.ends = token_bounds_and_json(self.text)
        self.tokens = orjson.Fragment(tokens)
        self.text_json = orjson.Fragment(orjson.dumps(self.text))
        self.input_hash = input_hash_from_sha256(row.sha256)
        meta: dict[str, Any] = {"document_id": document_key(row.sha256), "title": row.title,
                                "source": row.source, "format": row.format, "sha256": row.sha256}
        if row.format == "pdf":
            meta["pages"] = [list(p) for p in repo.page_ranges([row.id]).get(row.id, [])]
        meta["import_meta"] = _stored_meta(row.meta_json)
        self.meta = orjson.Fragment(orjson.dumps(meta))

    def line(self, group: ExportGroup) -> bytes:
        text, starts, ends = self.text, self.starts, self.ends
        spans: list[dict[str, Any]] = []
        keys: list[tuple[int, int, str]] = []
        for span_id, start, end, label, note in group.spans:
            first, last = span_tokens(starts, ends, start, end)
            spans.append({"start": start, "end": end, "token_start": first, "token_end": last,
                          "label": label, "text": text[start:end], "id": span_id, "note": note})
            keys.append((start, end, label))
        record = {
            "text": self.text_json,
            "tokens": self.tokens,
            "spans": spans,
            "meta": self.meta,
            "annotator": group.annotator,
            "status": group.status,
            "answer": ANSWERS.get(group.status, "accept"),
            "_input_hash": self.input_hash,
            "_task_hash": task_hash(self.input_hash, group.annotator, keys),
        }
        return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)


class CanonicalExporter:
    name = "canonical"
    suffix = ".jsonl"

    def export(self, repo: Repository, out: Path, flt: ExportFilter, ticker: Ticker) -> ExportResult:
        result = ExportResult(files=[Path(out)])
        with atomic_output(out) as fh, closing(repo.iter_export_groups(flt)) as groups:
            write = fh.write
            parts: _DocumentParts | None = None
            for group in groups:
                ticker.tick(result.records, group.document.title)
                row = group.document
                try:
                    if parts is None or parts.doc_id != row.id:
                        parts = None  # drop the previous document before building the next
                        parts = _DocumentParts(repo, row)
                    write(parts.line(group))
                except (orjson.JSONEncodeError, UnicodeEncodeError) as exc:
                    raise ExportError(f"document {row.id} ({row.title!r}) cannot be written as JSON: {exc}") from exc
                result.records += 1
                result.spans += len(group.spans)
        ticker.finish(result.records)
        return result
