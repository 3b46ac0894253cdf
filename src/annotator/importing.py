"""Import files and folders into a project: all-or-nothing per file, with a full report."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from annotator.importers.base import DocumentImportError, ImportedDocument
from annotator.importers.registry import collect_files, importer_for
from annotator.near_duplicates import THRESHOLD, matches, sketch
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
    files, unsupported = collect_files([Path(p) for p in paths])
    for p in unsupported:
        if p.exists():
            report.skipped.append((str(p), f"unsupported file type {p.suffix or '(none)'}"))
        else:
            report.refused.append((str(p), "no such file or folder"))
    labels = {lr.name for lr in repo.labels()}
    for i, path in enumerate(files):
        if cancelled is not None and cancelled():
            report.cancelled = True
            break
        if progress is not None:
            progress(i, len(files), str(path))
        _import_file(repo, path, labels, report)
    if report.imported:
        _report_near_duplicates(repo, report)
    if progress is not None and not report.cancelled:
        progress(len(files), len(files), "")
    return report


def _report_near_duplicates(repo: Repository, report: ImportReport) -> None:
    """Warn, per imported document, of the documents in the project (earlier or just imported) whose
    text is nearly the same: the same article from another source. Splits keep such documents together."""
    new = {doc_id: (path, title) for path, title, doc_id in report.imported}
    texts = repo.document_texts(list(new))
    found = matches({doc_id: sketch(text) for doc_id, text in texts.items()},
                    ((doc_id, sketch(text)) for doc_id, text in repo.iter_document_texts()))
    for doc_id in sorted(found):
        path, title = new[doc_id]
        others = ", ".join(repr(repo.document(o).title) for o in found[doc_id][:5])
        more = f" and {len(found[doc_id]) - 5} more" if len(found[doc_id]) > 5 else ""
        report.near_duplicates.append((path, f"{title!r} nearly duplicates {others}{more} (word 3-gram Jaccard "
                                             f">= {THRESHOLD}); kept as separate documents, in one split"))


def _import_file(repo: Repository, path: Path, labels: set[str], report: ImportReport) -> None:
    importer = importer_for(path)
    assert importer is not None  # collect_files only returns supported suffixes
    try:
        # Stored absolute, so the source means the same file from any folder the app runs in.
        docs = importer.load(path.resolve())
        if not docs:
            raise DocumentImportError(path, "no documents in file")
        for k, doc in enumerate(docs):
            check_document(doc, labels, path, k)
        pairs = [_same_text_as_stored(repo, d) for d in docs]
        original = path.read_bytes() if any(d.format in NEEDS_ORIGINAL for d in docs) else None
        outcomes = repo.add_or_attach_documents(pairs, original)
    except DocumentImportError as exc:
        report.refused.append((str(path), str(exc)))
        return
    except OSError as exc:
        report.refused.append((str(path), f"{path.name}: cannot read ({exc.strerror or exc})"))
        return
    for doc, outcome in zip(docs, outcomes):
        if outcome.created:
            report.imported.append((str(path), doc.title, outcome.document_id))
        elif not any(a.spans_added or a.status_set for a in outcome.attached):
            report.skipped.append((str(path), f"{doc.title!r} is already in the project (same text)"))
    _report_attached(report, str(path), docs, outcomes)


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
                report.conflicts.append((path, f"{doc.title!r}: {a.annotator} already has status {kept!r}; "
                                               f"the file says {arrived!r} (kept {kept!r})"))
    for annotator, (spans, touched) in sorted(per_annotator.items()):
        report.attached.append((path, annotator, spans, len(touched)))
