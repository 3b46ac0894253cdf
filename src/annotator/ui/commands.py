"""One QUndoCommand per user edit; redo() calls a service method and undo() its exact inverse.

Commands hold ids and plain records, never widgets, so the session-long undo stack can
replay an edit in a document that is no longer on screen (the window follows the change
signal there). An edit the service refuses on its first redo marks the command obsolete,
so QUndoStack drops it instead of keeping a step that did nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtGui import QUndoCommand

if TYPE_CHECKING:
    from annotator.records import SpanRecord, StatusRecord
    from annotator.services import Change


class EditTarget(Protocol):
    """What commands edit through (AnnotationSession): service calls that emit change records."""

    def add_span(self, doc_id: int, start: int, end: int, label: str, note: str | None = None) -> Change: ...
    def restore_span(self, span: SpanRecord) -> Change: ...
    def remove_span(self, span_id: str) -> Change: ...
    def relabel(self, span_id: str, label: str) -> Change: ...
    def set_note(self, span_id: str, note: str | None) -> Change: ...
    def set_status(self, doc_id: int, status: str, reason: str | None = None) -> Change: ...


class _EditCommand(QUndoCommand):
    def __init__(self, target: EditTarget, text: str) -> None:
        super().__init__(text)
        self.target = target
        self.error: str | None = None

    def _refused(self, exc: Exception) -> None:
        # ValueError covers services.EditError; KeyError a span that vanished.
        self.error = str(exc)
        self.setObsolete(True)


class AddSpanCommand(_EditCommand):
    def __init__(self, target: EditTarget, doc_id: int, start: int, end: int, label: str) -> None:
        super().__init__(target, f"Add {label}")
        self.doc_id, self.start, self.end, self.label = doc_id, start, end, label
        self.span: SpanRecord | None = None

    def redo(self) -> None:
        try:
            if self.span is None:
                self.span = self.target.add_span(self.doc_id, self.start, self.end, self.label).after  # type: ignore[assignment]
            else:  # the same span, same id, back again
                self.target.restore_span(self.span)
        except (ValueError, KeyError) as exc:
            self._refused(exc)

    def undo(self) -> None:
        if self.span is not None:
            self.target.remove_span(self.span.id)


class RemoveSpanCommand(_EditCommand):
    def __init__(self, target: EditTarget, span_id: str, label: str = "span") -> None:
        super().__init__(target, f"Delete {label}")
        self.span_id = span_id
        self.span: SpanRecord | None = None

    def redo(self) -> None:
        try:
            self.span = self.target.remove_span(self.span_id).before  # type: ignore[assignment]
        except (ValueError, KeyError) as exc:
            self._refused(exc)

    def undo(self) -> None:
        if self.span is not None:
            self.target.restore_span(self.span)


class RelabelCommand(_EditCommand):
    def __init__(self, target: EditTarget, span_id: str, old_label: str, new_label: str) -> None:
        super().__init__(target, f"Relabel {old_label} → {new_label}")
        self.span_id, self.old_label, self.new_label = span_id, old_label, new_label

    def redo(self) -> None:
        try:
            self.target.relabel(self.span_id, self.new_label)
        except (ValueError, KeyError) as exc:
            self._refused(exc)

    def undo(self) -> None:
        self.target.relabel(self.span_id, self.old_label)


class NoteCommand(_EditCommand):
    def __init__(self, target: EditTarget, span_id: str, old_note: str | None, new_note: str | None) -> None:
        super().__init__(target, "Edit note")
        self.span_id, self.old_note, self.new_note = span_id, old_note, new_note

    def redo(self) -> None:
        try:
            self.target.set_note(self.span_id, self.new_note)
        except (ValueError, KeyError) as exc:
            self._refused(exc)

    def undo(self) -> None:
        self.target.set_note(self.span_id, self.old_note)


class StatusCommand(_EditCommand):
    def __init__(self, target: EditTarget, doc_id: int, before: StatusRecord, status: str,
                 reason: str | None = None) -> None:
        super().__init__(target, f"Mark {status.replace('_', ' ')}")
        self.doc_id, self.before, self.status, self.reason = doc_id, before, status, reason

    def redo(self) -> None:
        try:
            self.target.set_status(self.doc_id, self.status, self.reason)
        except (ValueError, KeyError) as exc:
            self._refused(exc)

    def undo(self) -> None:
        self.target.set_status(self.doc_id, self.before.status, self.before.reason)
