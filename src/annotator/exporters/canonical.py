"""The canonical JSONL export: one line per document and annotator (see DESIGN.md).

Records are streamed by the dataset driver (:mod:`dataset`, and :mod:`parallel` for a
large export) from :meth:`Repository.iter_export_groups` to the output, so memory holds one
document at a time. Key order is fixed by construction (no sorting,
no timestamps, ids and order from the database), so the same database always gives the
same bytes. A document's text, tokens and meta are serialised once and reused for each of
its annotators, whose lines are consecutive.

Tokens are most of every line (about 80% of the bytes) and used to be most of the time:
they come from the storage layer's cache (made at import), already as the JSON bytes this
module writes, and are spliced in between the text and the spans without being parsed or
copied into a bigger line. Documents without a cache row (projects from before schema 4)
are tokenized here, identically, and their rows stored for next time.
"""

from __future__ import annotations

import json
import queue
import threading
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from annotator.exporters.base import ExportError
from annotator.exporters.record import ANSWERS, document_key, hash32, input_hash_from_sha256
from annotator.exporters.sink import Context, DatasetFormat, Document, Sink
from annotator.exporters.tokens import DocumentTokens, from_cache, spans_tokens
from annotator.storage.repository import ExportDocument, ExportGroup, Repository

Piece = bytes | memoryview


def _stored_meta(meta_json: str) -> Any:
    try:
        return orjson.loads(meta_json)
    except orjson.JSONDecodeError:
        # json.dumps wrote it, and it allows NaN/Infinity where orjson does not.
        return json.loads(meta_json)


class _DocumentParts:
    """The per-document pieces of a record, serialised once for all of its annotators."""

    __slots__ = ("doc_id", "ends", "head", "input_hash", "meta", "starts", "text", "tokens")

    def __init__(self, repo: Repository, row: ExportDocument, tokens: DocumentTokens) -> None:
        self.doc_id: int = row.id
        self.text: str = row.text
        self.tokens = tokens.json
        self.starts, self.ends = tokens.starts, tokens.ends
        # The record up to its "tokens" value; the key order is the schema's.
        self.head = b'{"text":' + orjson.dumps(self.text) + b',"tokens":'
        self.input_hash = input_hash_from_sha256(row.sha256)
        meta: dict[str, Any] = {"document_id": document_key(row.sha256), "title": row.title,
                                "source": row.source, "format": row.format, "sha256": row.sha256}
        if row.format == "pdf":
            meta["pages"] = [list(p) for p in repo.page_ranges([row.id]).get(row.id, [])]
        meta["import_meta"] = _stored_meta(row.meta_json)
        self.meta = orjson.Fragment(orjson.dumps(meta))

    def line(self, group: ExportGroup) -> tuple[Piece, ...]:
        """One record as pieces whose concatenation is the JSON line (newline included)."""
        text = self.text
        firsts, lasts = spans_tokens(self.starts, self.ends, group.spans)
        spans = [{"start": start, "end": end, "token_start": first, "token_end": last,
                  "label": label, "text": text[start:end], "id": span_id, "note": note}
                 for (span_id, start, end, label, note), first, last in zip(group.spans, firsts, lasts)]
        # record.task_hash over (start, end, label) tuples, which orjson writes as arrays too.
        keys = [s[1:4] for s in group.spans]
        rest = orjson.dumps({
            "spans": spans,
            "meta": self.meta,
            "annotator": group.annotator,
            "status": group.status,
            "answer": ANSWERS.get(group.status, "accept"),
            "_input_hash": self.input_hash,
            "_task_hash": hash32(orjson.dumps([self.input_hash, group.annotator, keys])),
        }, option=orjson.OPT_APPEND_NEWLINE)
        return self.head, self.tokens, b",", memoryview(rest)[1:]  # rest without its "{"


class _BackgroundWriter:
    """Writes pieces to ``fh`` from a helper thread, about a megabyte at a time.

    A full export is over a gigabyte, and joining, buffering, hashing (for the manifest)
    and the kernel's copy each touch every byte: measured, 2.4 s of 9 on the main thread.
    ``bytes.join`` and file writes release the GIL on large buffers, so on a second core
    this runs alongside building the next records. At most ``_DEPTH`` chunks wait, so
    memory stays bounded (the streaming memory tests hold it to the old 1 MB buffer's
    order); an error in the helper surfaces at the next hand-over.
    """

    _CHUNK = 1 << 20
    _DEPTH = 2

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self._pieces: list[Piece] = []
        self._size = 0
        self._queue: queue.Queue[list[Piece] | None] = queue.Queue(self._DEPTH)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="export-writer", daemon=True)
        self._thread.start()

    def write(self, pieces: tuple[Piece, ...]) -> None:
        self._pieces += pieces
        self._size += sum(map(len, pieces))
        if self._size >= self._CHUNK:
            self._hand_over()

    def _hand_over(self) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(self._pieces)
        self._pieces, self._size = [], 0

    def _run(self) -> None:
        while (pieces := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._fh.write(b"".join(pieces))
                except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                    self._error = exc

    def close(self, *, completed: bool) -> None:
        """Write what is left (when ``completed``) and stop the thread; re-raise its error."""
        try:
            if completed and self._pieces:
                self._hand_over()
        finally:
            self._queue.put(None)
            self._thread.join()
        if completed and self._error is not None:
            raise self._error


RULES = (
    "One JSON line per document and annotator: text, tokens, spans, meta, annotator, status "
    "(a superset of Prodigy's span format; see DESIGN.md).",
    "Span start/end are code points into text, end exclusive; token_end is inclusive (Prodigy's convention).",
    "`annotator validate` checks the file; `annotator import` restores the same spans, notes and statuses.",
)


class _CanonicalSink(Sink):
    """Lines built by :class:`_DocumentParts`, tokens from the export's cache (``Document.token_row``)."""

    def __init__(self, fh: BinaryIO, ctx: Context) -> None:
        super().__init__()
        self.counts["spans"] = 0
        repo = ctx.repo
        if repo is None:
            raise ExportError("the canonical format needs the project's repository in its context")
        self._repo: Repository = repo
        # In a worker (parallel.py) the output is memory (parallel.Pieces), which keeps the
        # pieces themselves: no joining, no thread.
        self._writer: _BackgroundWriter | _MemoryWriter = _MemoryWriter(fh) if ctx.worker else _BackgroundWriter(fh)
        self._parts: _DocumentParts | None = None
        self._open = True

    def write(self, group: ExportGroup, doc: Document) -> None:
        row = group.document
        try:
            if self._parts is None or self._parts.doc_id != row.id:
                self._parts = None  # drop the previous document before building the next
                self._parts = _DocumentParts(self._repo, row, from_cache(*doc.token_row()))
            self._writer.write(self._parts.line(group))
        except (orjson.JSONEncodeError, UnicodeEncodeError) as exc:
            raise ExportError(f"document {row.id} ({row.title!r}) cannot be written as JSON: {exc}") from exc
        self.counts["records"] += 1
        self.counts["spans"] += len(group.spans)

    def close(self) -> None:
        self._finish(completed=True)

    def dispose(self) -> None:
        self._finish(completed=False)

    def _finish(self, *, completed: bool) -> None:
        if not self._open:
            return
        self._open = False
        self._writer.close(completed=completed)


class _MemoryWriter:
    def __init__(self, fh: BinaryIO) -> None:
        self._write = fh.write

    def write(self, pieces: tuple[Piece, ...]) -> None:
        for piece in pieces:
            self._write(piece)

    def close(self, *, completed: bool) -> None:
        pass


class CanonicalFormat(DatasetFormat):
    name = "canonical"
    suffix = ".jsonl"
    jsonl = True
    parallel = True

    def open(self, out: BinaryIO | Path, ctx: Context) -> Sink:
        assert not isinstance(out, Path)
        return _CanonicalSink(out, ctx)

    def details(self, ctx: Context) -> dict[str, Any]:
        return {"rules": list(RULES)}
