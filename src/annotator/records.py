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


@dataclass(slots=True)
class DocumentColumns:
    """The whole document list for one annotator, one list per field, in id order.

    What a 100,000-document list is read into: seven lists instead of 100,000 records
    (building those costs more than the query). Row ``i`` is ``summary(i)``.
    """

    ids: list[int] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    char_counts: list[int] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    span_counts: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    def summary(self, i: int) -> DocumentSummary:
        return DocumentSummary(self.ids[i], self.titles[i], self.formats[i], self.sources[i], self.char_counts[i],
                               self.statuses[i], self.span_counts[i])

    @classmethod
    def from_rows(cls, rows: list[Any]) -> DocumentColumns:
        """From (id, title, format, source, char_count, status, span_count) rows or DocumentSummary records."""
        if not rows:
            return cls()
        tuples = rows if not isinstance(rows[0], DocumentSummary) else [
            (r.id, r.title, r.format, r.source, r.char_count, r.status, r.span_count) for r in rows]
        ids, titles, formats, sources, chars, statuses, counts = (list(c) for c in zip(*tuples))
        return cls(ids, titles, formats, sources, chars, statuses, counts)


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


@dataclass(frozen=True, slots=True)
class SuggestionRecord:
    """A span proposed by the reserved annotator ``model``: its label, offsets and score (0..1).

    ``model_id`` is the stored model that made it; None for imported predictions.
    """

    id: str
    document_id: int
    label: str
    start: int
    end: int
    score: float
    model_id: int | None
    created_at: str


@dataclass(frozen=True, slots=True)
class RejectionRecord:
    """A suggestion a reviewer rejected: never proposed again for these offsets and label."""

    document_id: int
    label: str
    start: int
    end: int
    annotator: str


@dataclass(frozen=True, slots=True)
class TrainedModelRecord:
    """A stored model's facts (not its bytes): what it was trained on, how, and its scores."""

    id: int
    created_at: str
    trained_on: str
    seed: int
    data_hash: str
    versions: dict[str, str]
    metrics: dict[str, Any]
