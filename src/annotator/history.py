"""Undo and redo of service change records, without Qt.

The UI's QUndoCommands and the stateful tests share these two functions, so the inverse
of every edit is defined once: add_span <-> remove_span, remove_span <-> restore_span(before),
relabel <-> relabel(before.label), set_note <-> set_note(before.note),
set_status <-> set_status(before.status, before.reason).

Both return the change record of what they just did. ``reapply`` returns a fresh record
(new ``updated_at``), which is what a redo stack should keep for the next undo.
"""

from __future__ import annotations

from typing import Protocol

from annotator.records import SpanRecord, StatusRecord
from annotator.services import Change


class Editor(Protocol):
    """The service methods undo and redo need (AnnotationService, or a UI wrapper around it)."""

    def restore_span(self, span: SpanRecord) -> Change: ...
    def remove_span(self, span_id: str) -> Change: ...
    def relabel(self, span_id: str, label: str) -> Change: ...
    def set_note(self, span_id: str, note: str | None) -> Change: ...
    def set_status(self, doc_id: int, status: str, reason: str | None = None) -> Change: ...


def _span_edit(editor: Editor, old: SpanRecord, new: SpanRecord) -> Change:
    """Take a span from ``old`` to ``new`` with the one service call that differs."""
    if old.note != new.note and old.label == new.label:
        return editor.set_note(new.id, new.note)
    return editor.relabel(new.id, new.label)


def apply_inverse(editor: Editor, change: Change) -> Change:
    """Undo ``change`` (which must be the latest edit still in effect on its span or status)."""
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
    """Redo ``change`` after it was undone; a re-added span comes back with its own id."""
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
