"""One team edit as a change record: the spans it added and removed, and its exact inverse."""

from __future__ import annotations

from dataclasses import dataclass

from annotator.records import SpanRecord
from annotator.storage.repository import Repository


@dataclass(frozen=True, slots=True)
class SpansChange:
    """Spans added and removed by one edit (a copy, an adjudication decision), for one document."""

    document_id: int
    annotator: str  # whose spans changed (the copier, or gold)
    added: tuple[SpanRecord, ...] = ()
    removed: tuple[SpanRecord, ...] = ()

    def inverse(self) -> SpansChange:
        return SpansChange(self.document_id, self.annotator, self.removed, self.added)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed)


def apply(repo: Repository, change: SpansChange) -> SpansChange:
    """Make ``change`` (remove, then add) and return it; redo and undo both come here."""
    if change.removed:
        repo.delete_spans([s.id for s in change.removed])
    if change.added:
        repo.insert_spans(list(change.added))
    return change


def revert(repo: Repository, change: SpansChange) -> SpansChange:
    """Undo ``change`` exactly: its removed spans come back with their ids and timestamps."""
    return apply(repo, change.inverse())
