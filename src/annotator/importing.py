"""Import files and folders into a project: all-or-nothing per file, with a full report."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from annotator.importers.base import DocumentImportError, ImportedDocument
from annotator.importers.registry import collect_files, importer_for
from annotator.storage.models import STATUSES
from annotator.storage.repository import Repository
from annotator.storage.repository.sources import NEEDS_ORIGINAL

Progress = Callable[[int, int, str], None]  # (done, total, current file)


@dataclass
class ImportReport:
    imported: list[tuple[str, str, int]] = field(default_factory=list)  # path, title, document id
    skipped: list[tuple[str, str]] = field(default_factory=list)  # path, reason
    refused: list[tuple[str, str]] = field(default_factory=list)  # path, reason
    cancelled: bool = False

    def summary(self) -> str:
        text = f"{len(self.imported)} imported, {len(self.skipped)} skipped, {len(self.refused)} refused"
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
    if progress is not None and not report.cancelled:
        progress(len(files), len(files), "")
    return report


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
        pairs = [(d, sha256_text(d.text)) for d in docs]
        original = path.read_bytes() if any(d.format in NEEDS_ORIGINAL for d in docs) else None
        ids = repo.add_documents(pairs, original)
    except DocumentImportError as exc:
        report.refused.append((str(path), str(exc)))
        return
    except OSError as exc:
        report.refused.append((str(path), f"{path.name}: cannot read ({exc.strerror or exc})"))
        return
    for doc, doc_id in zip(docs, ids):
        if doc_id is None:
            report.skipped.append((str(path), f"{doc.title!r} is already in the project (same text)"))
        else:
            report.imported.append((str(path), doc.title, doc_id))
