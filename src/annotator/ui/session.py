"""The open project as the window sees it: one reviewer's edits, announced by one signal.

Every edit goes through a service method here and its change record is emitted on
``changed``; views refresh from that signal only (they never call each other). The
database layer is imported when a project is opened, not when this module is, so the
window can show before SQLAlchemy loads.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from annotator.labels import LabelSpec
    from annotator.project import Project
    from annotator.records import (DocumentColumns, DocumentInfo, DocumentSummary, SearchHit, SpanRecord,
                                   StatusRecord)
    from annotator.services import AnnotationService, Change


class AnnotationSession(QObject):
    changed = Signal(object)  # annotator.services.Change

    def __init__(self, project: Project, reviewer: str, parent: QObject | None = None, *,
                 service: AnnotationService | None = None, label_specs: list[LabelSpec] | None = None) -> None:
        """``service`` and ``label_specs`` when a worker already made them (see main_window.opening)."""
        super().__init__(parent)
        from annotator.services import AnnotationService

        self.project = project
        self.service: AnnotationService = service or AnnotationService(project.repo, reviewer)
        self.reviewer = self.service.annotator
        self.label_specs: list[LabelSpec] = (label_specs if label_specs is not None
                                             else [lr.spec for lr in project.repo.labels()])

    @classmethod
    def open(cls, path: str | None, reviewer: str, parent: QObject | None = None) -> AnnotationSession:
        """Open (or create) a project file; None opens the default project."""
        from annotator.project import open_project

        return cls(open_project(path), reviewer, parent)

    @property
    def path(self) -> str:
        return self.project.path

    def close(self) -> None:
        self.project.close()

    # -- reads ------------------------------------------------------------------------------------
    def summaries(self) -> list[DocumentSummary]:
        return self.project.repo.document_summaries(self.reviewer)

    def document_columns(self) -> DocumentColumns:
        """The document list's rows, column-wise (what the list model holds)."""
        return self.project.repo.document_list(self.reviewer)

    def document(self, doc_id: int) -> DocumentInfo:
        return self.project.repo.document(doc_id)

    def span_rows(self, doc_id: int) -> list[tuple[str, str, int, int, str | None]]:
        return self.project.repo.span_rows(doc_id, self.reviewer)

    def original_pdf(self, doc_id: int, source: str) -> Path | None:
        """The PDF to draw a document's pages from: the project's stored copy, else its file."""
        from annotator.pdf_source import original_pdf, stored_original
        from annotator.storage.db import database_url, sqlite_path

        repo = self.project.repo
        stored = stored_original(repo.source_sha256(doc_id), repo.source_bytes)
        file = sqlite_path(database_url(self.path))
        return original_pdf(stored, source, [file.parent] if file is not None else [])

    def page_rows(self, doc_id: int) -> list[Any]:
        """A PDF's pages: text range, size, rotation and character boxes (empty for other formats)."""
        return self.project.repo.pages(doc_id)

    def span_rows_between(self, doc_id: int, start: int, end: int) -> list[tuple[str, str, int, int, str | None]]:
        return self.project.repo.span_rows_between(doc_id, self.reviewer, start, end)

    def status(self, doc_id: int) -> StatusRecord:
        return self.service.status(doc_id)

    def search(self, query: str) -> list[SearchHit]:
        return self.project.repo.search(query)

    def documents_matching(self, query: str) -> set[int]:
        return {hit.document_id for hit in self.project.repo.search(query, limit=1_000_000)}

    def documents_with_label(self, label: str) -> set[int]:
        return self.project.repo.documents_with_label(self.reviewer, label)

    def annotators(self) -> list[str]:
        return self.project.repo.annotators()

    # -- edits (each one committed before it returns) --------------------------------------------------
    def _emit(self, change: Change) -> Change:
        self.changed.emit(change)
        return change

    def add_span(self, doc_id: int, start: int, end: int, label: str, note: str | None = None) -> Change:
        return self._emit(self.service.add_span(doc_id, start, end, label, note))

    def restore_span(self, span: SpanRecord) -> Change:
        return self._emit(self.service.restore_span(span))

    def remove_span(self, span_id: str) -> Change:
        return self._emit(self.service.remove_span(span_id))

    def relabel(self, span_id: str, label: str) -> Change:
        return self._emit(self.service.relabel(span_id, label))

    def set_note(self, span_id: str, note: str | None) -> Change:
        return self._emit(self.service.set_note(span_id, note))

    def set_status(self, doc_id: int, status: str, reason: str | None = None) -> Change:
        return self._emit(self.service.set_status(doc_id, status, reason))
