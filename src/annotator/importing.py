"""Import files and folders into a project: all-or-nothing per file, with a full report."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from annotator.importers.base import DocumentImportError, ImportedDocument
from annotator.importers.registry import collect, importer_for, supported_suffixes
from annotator.importers.titles import clean_title, plain_line
from annotator.near_duplicates import THRESHOLD, matches, sketch
from annotator.storage.errors import StorageError
from annotator.storage.models import STATUSES
from annotator.storage.repository import Repository, StoreOutcome
from annotator.storage.repository.sources import NEEDS_ORIGINAL

Progress = Callable[[int, int, str], None]  # (done, total, current file)


@dataclass
class ImportReport:
    imported: list[tuple[str, str, int]] = field(default_factory=list)  # path, title, document id
    skipped: list[tuple[str, str]] = field(default_factory=list)  # path, reason
    refused: list[tuple[str, str]] = field(default_factory=list)  # path, reason
    cancelled: bool = False
    # Work attached to documents already in the project: path, annotator, spans added, documents.
    attached: list[tuple[str, str, int, int]] = field(default_factory=list)
    # A status that differs from the one the annotator already has (which is kept): path, message.
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    # A warning per imported document whose text nearly duplicates another one's: path, message.
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{len(self.imported)} imported, {len(self.skipped)} skipped, {len(self.refused)} refused"
        for _path, annotator, spans, docs in self.attached:
            text += f"; {spans} spans by {annotator} added to {docs} existing documents"
        if self.conflicts:
            text += f"; {len(self.conflicts)} status conflicts (existing statuses kept)"
        if self.near_duplicates:
            text += f"; {len(self.near_duplicates)} near-duplicate warnings"
        return text + (" (cancelled)" if self.cancelled else "")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_document(doc: ImportedDocument, labels: set[str], path: Path, index: int) -> None:
    """Refuse pre-annotations that would break the offset invariant or the label set."""
    where = doc.origin or (f"record {index + 1}" if doc.format == "jsonl" else None)
    if not doc.text.strip():
        raise DocumentImportError(path, "document has no text", where)
    if "\x00" in doc.text:
        raise DocumentImportError(path, "text contains NUL characters (looks like binary data)", where)
    if "\r" in doc.text:
        raise DocumentImportError(path, "text contains carriage returns (importer bug)", where)
    n = len(doc.text)
    annotators: set[str | None] = set()
    span_ids: set[str] = set()
    for annotator, status, spans in doc.annotations():
        who = f" by {annotator}" if doc.extra_annotations else ""
        if annotator in annotators:
            raise DocumentImportError(path, f"annotator {annotator!r} appears twice for the same text", where)
        annotators.add(annotator)
        seen: set[tuple[int, int, str]] = set()
        for s in spans:
            if not (0 <= s.start < s.end <= n):
                raise DocumentImportError(
                    path, f"span [{s.start}, {s.end}){who} is empty, reversed or outside the text (0..{n})", where)
            if s.label not in labels:
                raise DocumentImportError(
                    path, f"unknown label {s.label!r} (project labels: {', '.join(sorted(labels))})", where)
            key = (s.start, s.end, s.label)
            if key in seen:
                raise DocumentImportError(path, f"duplicate span [{s.start}, {s.end}) {s.label}{who}", where)
            seen.add(key)
            if s.id is not None:
                if s.id in span_ids:
                    raise DocumentImportError(path, f"span id {s.id!r} repeated", where)
                span_ids.add(s.id)
        if status is not None and status not in STATUSES:
            raise DocumentImportError(path, f"unknown status {status!r}", where)
        if spans and not annotator:
            raise DocumentImportError(path, "spans without an annotator name", where)


def import_paths(repo: Repository, paths: list[Path], *, progress: Progress | None = None,
                 cancelled: Callable[[], bool] | None = None) -> ImportReport:
    report = ImportReport()
    found = collect([Path(p) for p in paths])
    for p, why in found.skipped:
        report.skipped.append((shown_path(p), why))
    for p in found.unsupported:
        report.refused.append((shown_path(p), _unsupported_reason(p)))
    labels = {lr.name for lr in repo.labels()}
    files = found.files
    for i, path in enumerate(files):
        if cancelled is not None and cancelled():
            report.cancelled = True
            break
        if progress is not None:
            progress(i, len(files), shown_path(path))
        _import_file(repo, path, labels, report)
    if report.imported:
        _report_near_duplicates(repo, report)
    if progress is not None and not report.cancelled:
        progress(len(files), len(files), "")
    return report


def _unsupported_reason(path: Path) -> str:
    if not path.exists():
        return "no such file or folder"
    suffixes = " ".join(s for s in supported_suffixes() if s not in (".htm", ".markdown"))
    return f"unsupported file type {path.suffix or '(none)'} (annotator imports {suffixes})"


def _report_near_duplicates(repo: Repository, report: ImportReport) -> None:
    """Warn, per imported document, of the documents in the project (earlier or just imported) whose
    text is nearly the same: the same article from another source. Splits keep such documents together."""
    new = {doc_id: (path, title) for path, title, doc_id in report.imported}
    mine = {doc_id: sketch(text) for doc_id, text in repo.document_texts(list(new)).items()}
    found = matches(mine, ((doc_id, mine[doc_id] if doc_id in mine else sketch(text))
                           for doc_id, text in repo.iter_document_texts()))
    for doc_id in sorted(found):
        path, title = new[doc_id]
        others = ", ".join(repr(repo.document(o).title) for o in found[doc_id][:5])
        more = f" and {len(found[doc_id]) - 5} more" if len(found[doc_id]) > 5 else ""
        report.near_duplicates.append((path, f"{title!r} nearly duplicates {others}{more} (word 3-gram Jaccard "
                                             f">= {THRESHOLD}); kept as separate documents, in one split"))


def _import_file(repo: Repository, path: Path, labels: set[str], report: ImportReport) -> None:
    """Import one file whole, or add its refusal (with the reason) to the report: never raises
    for a problem of this file, so one odd file cannot stop the files after it."""
    shown = shown_path(path)
    try:
        docs = _load_checked(path, labels)
        pairs = [_same_text_as_stored(repo, d) for d in docs]
        original = path.read_bytes() if any(d.format in NEEDS_ORIGINAL for d in docs) else None
        outcomes = repo.add_or_attach_documents(pairs, original)
    except DocumentImportError as exc:
        report.refused.append((shown, printable(str(exc))))
        return
    except Exception as exc:  # noqa: BLE001 - anything else this file provokes is refused, named
        report.refused.append((shown, printable(f"{path.name}: {_failure_reason(exc)}")))
        return
    for doc, outcome in zip(docs, outcomes):
        if outcome.created:
            report.imported.append((shown, doc.title, outcome.document_id))
        elif not any(a.spans_added or a.status_set for a in outcome.attached):
            report.skipped.append((shown, printable(f"{doc.title!r} is already in the project (same text)")))
    _report_attached(report, shown, docs, outcomes)


def _same_text_as_stored(repo: Repository, doc: ImportedDocument) -> tuple[ImportedDocument, str]:
    """(document, sha256), matching a stored text that differs only by trailing whitespace.

    The file importers drop a text's trailing whitespace; a JSONL record of the same article
    often keeps its final newline. Offsets do not move when the end is trimmed, so a record
    whose spans all lie within the trimmed text is the stored document.
    """
    sha = sha256_text(doc.text)
    trimmed = doc.text.rstrip()
    if trimmed == doc.text or not trimmed or repo.has_sha256(sha):
        return doc, sha
    if all(s.end <= len(trimmed) for _a, _st, spans in doc.annotations() for s in spans):
        trimmed_sha = sha256_text(trimmed)
        if repo.has_sha256(trimmed_sha):
            doc.text = trimmed
            return doc, trimmed_sha
    return doc, sha


def _report_attached(report: ImportReport, path: str, docs: list[ImportedDocument],
                     outcomes: list[StoreOutcome]) -> None:
    """Per annotator, the spans added to documents already in the project; status conflicts."""
    per_annotator: dict[str, tuple[int, set[int]]] = {}
    for doc, outcome in zip(docs, outcomes):
        for a in outcome.attached:
            if a.spans_added or a.status_set:
                spans, touched = per_annotator.setdefault(a.annotator, (0, set()))
                touched.add(a.document_id)
                per_annotator[a.annotator] = (spans + a.spans_added, touched)
            if a.status_conflict is not None:
                kept, arrived = a.status_conflict
                report.conflicts.append((path, printable(f"{doc.title!r}: {a.annotator} already has status "
                                                         f"{kept!r}; the file says {arrived!r} (kept {kept!r})")))
    for annotator, (spans, touched) in sorted(per_annotator.items()):
        report.attached.append((path, annotator, spans, len(touched)))


def _load_checked(path: Path, labels: set[str]) -> list[ImportedDocument]:
    """The file's documents, checked, with clean titles and an absolute source path."""
    if not _name_is_utf8(path):
        raise DocumentImportError(path, "the file name is not valid UTF-8; rename the file and import it again")
    importer = importer_for(path)
    assert importer is not None  # collect only returns supported suffixes
    try:
        docs = importer.load(path)
    except RecursionError:
        raise DocumentImportError(path, "the file is nested too deeply to read") from None
    if not docs:
        raise DocumentImportError(path, "no documents in file")
    source = str(path.resolve())
    for k, doc in enumerate(docs):
        check_document(doc, labels, path, k)
        doc.title = clean_title(doc.title) or path.stem
        if doc.source == str(path):
            doc.source = source
    return docs


def _name_is_utf8(path: Path) -> bool:
    try:
        os.fsencode(path).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _failure_reason(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return f"cannot read ({exc.strerror or exc})"
    if isinstance(exc, MemoryError):
        return "not enough memory to import this file"
    if isinstance(exc, StorageError):
        return str(exc)
    return f"could not be imported ({type(exc).__name__}: {str(exc)[:200]})"


def shown_path(path: Path | str) -> str:
    """A path as the report shows it: bytes that are not UTF-8 as \\xNN escapes, no control characters."""
    return plain_line(os.fsencode(path).decode("utf-8", "backslashreplace"))


def printable(text: str) -> str:
    """A report line that any terminal prints as it is: no control characters, no lone surrogates."""
    return plain_line(text.encode("utf-8", "backslashreplace").decode("utf-8"))
