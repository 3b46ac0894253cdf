"""JSONL pre-annotations: the canonical export, Prodigy span records, doccano sequence labels.

doccano lines may carry ``annotator``, ``status`` and ``notes`` ([start, end, label, note]),
as ``annotator export --format doccano`` writes them; they are restored too.

Each line is checked by the same :class:`~annotator.validation.RecordChecker` that
``annotator validate`` runs, so the first problem anywhere refuses the whole file, with its
line number. Lines holding the same text (one line per document and annotator in the
canonical format) become one document carrying every annotator's spans.

A canonical record restores the document as exported: title, source, format, import meta,
span ids and notes, so export -> import -> export gives the same bytes. PDFs are the
exception: the file has no page geometry, so they come back as format "jsonl", with the
original format and page ranges kept in the meta.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.importers.base import DocumentImportError, ImportedDocument, ImportedSpan
from annotator.importers import base
from annotator.validation import RecordChecker
from annotator.validation_rules import codepoint_offsets

DEFAULT_ANNOTATOR = "imported"
# Formats whose documents are fully described by their text; anything else lacks geometry.
_RESTORABLE_FORMATS = frozenset({"txt", "md", "html", "jsonl"})
_TITLE_WIDTH = 200
_WHOLE_DOCUMENTS = frozenset({"canonical", "prodigy", "doccano"})


def _first_line(text: str) -> str:
    line = next((ln.strip() for ln in text.split("\n") if ln.strip()), "")
    return line if len(line) <= _TITLE_WIDTH else line[: _TITLE_WIDTH - 1] + "…"


def _canonical(obj: dict[str, Any], path: Path) -> tuple[ImportedDocument, str]:
    meta = obj["meta"]
    fmt = meta["format"]
    doc_meta = dict(meta["import_meta"])
    if fmt not in _RESTORABLE_FORMATS:
        doc_meta["original_format"] = fmt
        if meta.get("pages"):
            doc_meta["pages"] = meta["pages"]
        fmt = "jsonl"
    spans = [ImportedSpan(s["start"], s["end"], s["label"], s["note"], s["id"]) for s in obj["spans"]]
    doc = ImportedDocument(text=obj["text"], title=meta["title"] or _first_line(obj["text"]), format=fmt,
                           source=meta["source"] or str(path), meta=doc_meta, spans=spans,
                           annotator=obj["annotator"], status=obj["status"])
    _keep_reason(doc, obj, obj["annotator"])
    return doc, obj["annotator"]


def _prodigy(obj: dict[str, Any], path: Path, line_no: int) -> tuple[ImportedDocument, str]:
    """Prodigy span records, and hand-written ones that add ``annotator`` and ``status``."""
    meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
    annotator = prodigy_annotator(obj)
    spans = [ImportedSpan(s["start"], s["end"], s["label"], s.get("note")) for s in obj.get("spans") or ()]
    title = meta.get("title") if isinstance(meta.get("title"), str) and meta.get("title") else None
    doc = ImportedDocument(text=obj["text"], title=title or _first_line(obj["text"]), format="jsonl",
                           source=str(path), meta={"line": line_no, "record_meta": meta}, spans=spans,
                           annotator=annotator, status=_status(obj) or PRODIGY_ANSWER_STATUS.get(obj.get("answer")))
    _keep_reason(doc, obj, annotator)
    return doc, annotator


def _doccano(obj: dict[str, Any], path: Path, line_no: int) -> tuple[ImportedDocument, str]:
    obj = codepoint_offsets(obj)
    notes = {(s, e, label): note for s, e, label, note in obj.get("notes") or ()}
    spans = [ImportedSpan(s, e, label, notes.get((s, e, label))) for s, e, label in obj["label"]]
    meta: dict[str, Any] = {"line": line_no}
    if "id" in obj:
        meta["id"] = obj["id"]
    annotator = obj.get("annotator") if isinstance(obj.get("annotator"), str) and obj.get("annotator") else None
    doc = ImportedDocument(text=obj["text"], title=_first_line(obj["text"]), format="jsonl", source=str(path),
                           meta=meta, spans=spans, annotator=annotator or DEFAULT_ANNOTATOR, status=_status(obj))
    return doc, doc.annotator or DEFAULT_ANNOTATOR


# Prodigy's answer as a status, so a rejected example never counts as annotated work
# (trainer exports take "done" documents). An export writes the answer back from the status:
# done -> accept, flagged -> reject, skipped -> ignore.
PRODIGY_ANSWER_STATUS = {"accept": "done", "reject": "flagged", "ignore": "skipped"}
PRODIGY_REJECT_REASON = "rejected in Prodigy"
# An unnamed Prodigy session is "<dataset>-<timestamp>": kept whole, it names one session.
_PRODIGY_TIMESTAMP = re.compile(r"-\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}$")


def prodigy_annotator(obj: dict[str, Any]) -> str:
    """The annotator of a Prodigy record: ``annotator`` if given, else the name in
    ``_annotator_id`` / ``_session_id`` with Prodigy's ``<dataset>-`` prefix dropped
    (``dataset-alice`` -> ``alice``; an unnamed session's ``dataset-2024-01-02_10-11-12`` stays whole)."""
    named = obj.get("annotator")
    if isinstance(named, str) and named.strip():
        return named.strip()
    for key in ("_annotator_id", "_session_id"):
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            value = value.strip()
            if "-" in value and not _PRODIGY_TIMESTAMP.search(value) and value.rsplit("-", 1)[1]:
                return value.rsplit("-", 1)[1]
            return value
    return DEFAULT_ANNOTATOR


def _keep_reason(doc: ImportedDocument, obj: dict[str, Any], annotator: str) -> None:
    """A flagged status keeps its reason: the record's own ``reason``, else Prodigy's reject (a record that
    states its status, as a canonical one does, has no reason when it gives none)."""
    if doc.status != "flagged":
        return
    reason = obj.get("reason")
    if isinstance(reason, str) and reason.strip():
        doc.reasons[annotator] = reason
    elif obj.get("answer") == "reject" and _status(obj) is None:
        doc.reasons[annotator] = PRODIGY_REJECT_REASON


def _status(obj: dict[str, Any]) -> str | None:
    status = obj.get("status")
    return status if isinstance(status, str) else None


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of each line, refusing one longer than a text file may be: a
    line of a gigabyte would be read whole, then fail in the database with raw SQL."""
    limit = base.MAX_TEXT_BYTES
    with open(path, "rb") as fh:
        line_no = 0
        while raw := fh.readline(limit + 1):
            line_no += 1
            if len(raw) > limit and not raw.endswith(b"\n"):
                raise DocumentImportError(path, f"line is longer than {limit // (1024 * 1024)} MB", f"line {line_no}")
            yield line_no, raw


class JsonlImporter:
    """Imports a JSONL file of pre-annotated documents, all or nothing."""

    suffixes: tuple[str, ...] = (".jsonl",)

    def load(self, path: Path) -> list[ImportedDocument]:
        path = Path(path)
        checker = RecordChecker()
        docs: list[ImportedDocument] = []
        by_text: dict[str, tuple[ImportedDocument, list[int]]] = {}
        seen: dict[tuple[str, str], int] = {}  # (text, annotator) -> line
        try:
            for line_no, raw in _lines(path):
                obj, problems = checker.parse(line_no, raw)
                if obj is not None:
                    problems = checker.check(line_no, obj)
                if problems:
                    first = problems[0]
                    where = "" if first.path == "$" else f"{first.path}: "
                    raise DocumentImportError(path, f"{where}{first.message}", f"line {line_no}")
                if obj is None:
                    continue
                if checker.format not in _WHOLE_DOCUMENTS:
                    raise DocumentImportError(
                        path, f"{checker.format} lines cannot be imported: they do not hold whole documents "
                        "with their spans (import a canonical, Prodigy or doccano file)", f"line {line_no}")
                if checker.format == "canonical":
                    doc, annotator = _canonical(obj, path)
                elif checker.format == "doccano":
                    doc, annotator = _doccano(obj, path, line_no)
                else:
                    doc, annotator = _prodigy(obj, path, line_no)
                earlier = seen.setdefault((doc.text, annotator), line_no)
                if earlier != line_no:
                    raise DocumentImportError(
                        path, f"annotator {annotator!r} already annotated this text on line {earlier}", f"line {line_no}")
                if doc.text in by_text:
                    first_doc, lines = by_text[doc.text]
                    first_doc.extra_annotations.append((annotator, doc.status, doc.spans))
                    first_doc.reasons.update(doc.reasons)
                    lines.append(line_no)
                    first_doc.origin = f"lines {', '.join(map(str, lines))}"
                else:
                    doc.origin = f"line {line_no}"
                    by_text[doc.text] = (doc, [line_no])
                    docs.append(doc)
        except OSError as exc:
            raise DocumentImportError(path, f"cannot read the file: {exc.strerror or exc}") from exc
        if not docs:
            raise DocumentImportError(path, "no records in file")
        return docs
