"""The edits a reviewer makes, each committed at once and returned as a change record, and
their inverses.

Every edit returns a :class:`Change` (what it was before, what it is after). Undo and redo
are defined once, here, on those records: :func:`apply_inverse` undoes a change and
:func:`reapply` makes it again. The app's QUndoCommands (``ui/commands.py``) call exactly
these two, and the stateful test (``tests/storage/test_edit_history.py``) drives them with
thousands of random edits, so what the test checks is what the app runs.

The pairs: add_span <-> remove_span, remove_span <-> restore_span(before),
relabel <-> relabel(before.label), set_note <-> set_note(before.note),
set_status <-> set_status(before.status, before.reason). ``restore_span`` re-inserts a
removed span with its id and timestamps, so undoing a delete gives back the very same span.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from annotator.records import SpanRecord, StatusRecord
from annotator.storage.models import STATUSES, utc_now
from annotator.storage.repository import Repository, new_span_id

ChangeKind = Literal["span_added", "span_removed", "span_changed", "status_changed"]


class EditError(ValueError):
    """An edit that cannot be made (bad offsets, unknown label or status); nothing changed."""


@dataclass(frozen=True, slots=True)
class Change:
    """One edit as it happened: the span or status record before it and after it (None: absent)."""

    kind: ChangeKind
    document_id: int
    before: SpanRecord | StatusRecord | None
    after: SpanRecord | StatusRecord | None


class AnnotationService:
    """Edits on one project by one annotator."""

    def __init__(self, repo: Repository, annotator: str) -> None:
        if not annotator.strip():
            raise EditError("the annotator needs a name")
        self.repo = repo
        self.annotator = annotator.strip()
        self._doc_lengths: dict[int, int] = {}
        self._started: set[int] = set()
        self._label_names = {lr.name for lr in repo.labels()}

    def _check_label(self, label: str) -> None:
        if label not in self._label_names:
            self._label_names = {lr.name for lr in self.repo.labels()}
            if label not in self._label_names:
                raise EditError(f"unknown label {label!r}; this project has {sorted(self._label_names)}")

    def _doc_length(self, doc_id: int) -> int:
        if doc_id not in self._doc_lengths:
            try:
                self._doc_lengths[doc_id] = len(self.repo.document(doc_id).text)
            except KeyError as exc:
                raise EditError(str(exc)) from None
        return self._doc_lengths[doc_id]

    def add_span(self, doc_id: int, start: int, end: int, label: str, note: str | None = None) -> Change:
        n = self._doc_length(doc_id)
        if not (0 <= start < end <= n):
            raise EditError(f"span [{start}, {end}) is empty or outside the document (0..{n})")
        self._check_label(label)
        now = utc_now()
        note = note if note and note.strip() else None  # as set_note stores it, so undo is exact
        span = SpanRecord(new_span_id(), doc_id, self.annotator, label, start, end, note, now, now)
        # The first span on an untouched document moves it to in_progress, in the same
        # transaction; this is bookkeeping, not a user edit, so it is not part of the undo history.
        self.repo.insert_span(span, start_document=doc_id not in self._started)
        self._started.add(doc_id)
        return Change("span_added", doc_id, None, span)

    def restore_span(self, span: SpanRecord) -> Change:
        """Put back a span exactly as it was (undo of a delete, redo of an add)."""
        self.repo.insert_span(span)
        return Change("span_added", span.document_id, None, span)

    def remove_span(self, span_id: str) -> Change:
        span = self._own_span(span_id)
        self.repo.delete_span(span_id)
        return Change("span_removed", span.document_id, span, None)

    def relabel(self, span_id: str, label: str) -> Change:
        self._check_label(label)
        span = self._own_span(span_id)
        after = span.with_(label=label, updated_at=utc_now())
        self.repo.update_span(span_id, label=label, updated_at=after.updated_at)
        return Change("span_changed", span.document_id, span, after)

    def set_note(self, span_id: str, note: str | None) -> Change:
        span = self._own_span(span_id)
        note = note if note and note.strip() else None
        after = span.with_(note=note, updated_at=utc_now())
        self.repo.update_span(span_id, note=note, set_note=True, updated_at=after.updated_at)
        return Change("span_changed", span.document_id, span, after)

    def set_status(self, doc_id: int, status: str, reason: str | None = None) -> Change:
        if status not in STATUSES:
            raise EditError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
        before = self.repo.status(doc_id, self.annotator)
        after = StatusRecord(doc_id, self.annotator, status, reason if status == "flagged" else None)
        self.repo.set_status(after)
        return Change("status_changed", doc_id, before, after)

    def spans(self, doc_id: int) -> list[SpanRecord]:
        return self.repo.spans(doc_id, self.annotator)

    def status(self, doc_id: int) -> StatusRecord:
        return self.repo.status(doc_id, self.annotator)

    def _own_span(self, span_id: str) -> SpanRecord:
        try:
            span = self.repo.span(span_id)
        except KeyError as exc:
            raise EditError(str(exc)) from None
        if span.annotator != self.annotator:
            raise EditError(f"span {span_id} belongs to {span.annotator}, not {self.annotator}")
        return span


# -- undo and redo -------------------------------------------------------------------------------
class Editor(Protocol):
    """The edits undo and redo need: AnnotationService, or the UI's session that wraps it."""

    def restore_span(self, span: SpanRecord) -> Change: ...
    def remove_span(self, span_id: str) -> Change: ...
    def relabel(self, span_id: str, label: str) -> Change: ...
    def set_note(self, span_id: str, note: str | None) -> Change: ...
    def set_status(self, doc_id: int, status: str, reason: str | None = None) -> Change: ...


def _span_edit(editor: Editor, old: SpanRecord, new: SpanRecord) -> Change:
    """Take a span from ``old`` to ``new`` with the one edit that differs."""
    if old.note != new.note and old.label == new.label:
        return editor.set_note(new.id, new.note)
    return editor.relabel(new.id, new.label)


def apply_inverse(editor: Editor, change: Change) -> Change:
    """Undo ``change`` (the latest edit still in effect on its span or status); the change made."""
    before, after = change.before, change.after
    if change.kind == "span_added" and isinstance(after, SpanRecord):
        return editor.remove_span(after.id)
    if change.kind == "span_removed" and isinstance(before, SpanRecord):
        return editor.restore_span(before)
    if change.kind == "span_changed" and isinstance(before, SpanRecord) and isinstance(after, SpanRecord):
        return _span_edit(editor, after, before)
    if change.kind == "status_changed" and isinstance(before, StatusRecord):
        return editor.set_status(before.document_id, before.status, before.reason)
    raise ValueError(f"cannot undo a {change.kind} change without its records")


def reapply(editor: Editor, change: Change) -> Change:
    """Redo ``change`` after it was undone; a re-added span comes back with its own id.

    Returns a fresh record (a new ``updated_at``): the one to keep for the next undo.
    """
    before, after = change.before, change.after
    if change.kind == "span_added" and isinstance(after, SpanRecord):
        return editor.restore_span(after)
    if change.kind == "span_removed" and isinstance(before, SpanRecord):
        return editor.remove_span(before.id)
    if change.kind == "span_changed" and isinstance(before, SpanRecord) and isinstance(after, SpanRecord):
        return _span_edit(editor, before, after)
    if change.kind == "status_changed" and isinstance(after, StatusRecord):
        return editor.set_status(after.document_id, after.status, after.reason)
    raise ValueError(f"cannot redo a {change.kind} change without its records")
