"""Plain, immutable records that cross layers (storage -> services -> ui/cli/exporters).

Nothing here holds a database session, so widgets and threads can keep them freely.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from annotator.labels import LabelSpec


@dataclass(frozen=True, slots=True)
class SpanRecord:
    id: str
    document_id: int
    annotator: str
    label: str
    start: int
    end: int
    note: str | None
    created_at: str
    updated_at: str
    source: str = "manual"  # "manual", "import" or "model" (models.SPAN_SOURCES)

    def with_(self, **changes: Any) -> SpanRecord:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class StatusRecord:
    document_id: int
    annotator: str
    status: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """One row of the document list, for one annotator."""

    id: int
    title: str
    format: str
    source: str
    char_count: int
    status: str
    span_count: int


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    id: int
    title: str
    source: str
    format: str
    sha256: str
    text: str
    meta: dict[str, Any]
    imported_at: str
    page_ranges: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LabelRecord:
    id: int
    spec: LabelSpec

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True, slots=True)
class SearchHit:
    document_id: int
    title: str
    start: int
    end: int
    context: str
