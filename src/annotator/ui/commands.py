"""One QUndoCommand per user edit; redo() calls a service method and undo() its exact inverse.

Commands hold ids and plain records, never widgets, so the session-long undo stack can
replay an edit in a document that is no longer on screen (the window follows the change
signal there). An edit the service refuses on its first redo marks the command obsolete,
so QUndoStack drops it instead of keeping a step that did nothing.

A StorageError (read-only file, full disk, busy) may also hit a later undo or redo. The
stack has already moved its index by then, so the command remembers that it did nothing
(``stalled``) and the controller steps the stack back over it: the step stays in the
history, to be retried once the file is writable again, and the stack matches the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtGui import QUndoCommand

from annotator.storage.errors import StorageError

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
    """Subclasses implement ``_redo``/``_undo``; the error handling around them lives here."""

    def __init__(self, target: EditTarget, text: str) -> None:
        super().__init__(text)
        self.target = target
        self.error: str | None = None
        self.storage_failed = False  # the error was the file's, not the edit's (show it loudly)
        self.stalled = False  # the last undo/redo changed nothing although the stack moved
        self._done_once = False
        self._skip_next = False

    def _redo(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        if self._skip_next:  # the controller stepping back over a failed undo: nothing to do
            self._skip_next = False
            return
        first, self._done_once = not self._done_once, True
        self._clear()
        try:
            self._redo()
        except (ValueError, KeyError) as exc:  # ValueError covers services.EditError
            self._refused(exc)
        except StorageError as exc:
            self._failed(exc, drop=first)

    def undo(self) -> None:
        if self._skip_next:
            self._skip_next = False
            return
        self._clear()
        try:
            self._undo()
        except (ValueError, KeyError, StorageError) as exc:
            # Never obsolete here: Qt would delete a step whose change is still in the file.
            self._failed(exc, drop=False)

    def skip_next(self) -> None:
        """Make the next undo/redo a no-op: how the controller undoes the stack's index move."""
        self.stalled = False
        self._skip_next = True

    def _clear(self) -> None:
        self.error, self.storage_failed, self.stalled = None, False, False

    def _refused(self, exc: Exception) -> None:
        # KeyError: a span that vanished. The edit can never apply, so the step goes.
        self.error = str(exc)
        self.setObsolete(True)

    def _failed(self, exc: Exception, *, drop: bool) -> None:
        self.error = str(exc).strip("'\"") or type(exc).__name__
        self.storage_failed = isinstance(exc, StorageError)
        if drop:  # first redo, inside push(): an obsolete command is never pushed
            self.setObsolete(True)
        else:
            self.stalled = True


class AddSpanCommand(_EditCommand):
    def __init__(self, target: EditTarget, doc_id: int, start: int, end: int, label: str) -> None:
        super().__init__(target, f"Add {label}")
        self.doc_id, self.start, self.end, self.label = doc_id, start, end, label
        self.span: SpanRecord | None = None

    def _redo(self) -> None:
        if self.span is None:
            self.span = self.target.add_span(self.doc_id, self.start, self.end, self.label).after  # type: ignore[assignment]
        else:  # the same span, same id, back again
            self.target.restore_span(self.span)

    def _undo(self) -> None:
        if self.span is not None:
            self.target.remove_span(self.span.id)


class RemoveSpanCommand(_EditCommand):
    def __init__(self, target: EditTarget, span_id: str, label: str = "span") -> None:
        super().__init__(target, f"Delete {label}")
        self.span_id = span_id
        self.span: SpanRecord | None = None

    def _redo(self) -> None:
        self.span = self.target.remove_span(self.span_id).before  # type: ignore[assignment]

    def _undo(self) -> None:
        if self.span is not None:
            self.target.restore_span(self.span)


class RelabelCommand(_EditCommand):
    def __init__(self, target: EditTarget, span_id: str, old_label: str, new_label: str) -> None:
        super().__init__(target, f"Relabel {old_label} → {new_label}")
        self.span_id, self.old_label, self.new_label = span_id, old_label, new_label

    def _redo(self) -> None:
        self.target.relabel(self.span_id, self.new_label)

    def _undo(self) -> None:
        self.target.relabel(self.span_id, self.old_label)


class NoteCommand(_EditCommand):
    def __init__(self, target: EditTarget, span_id: str, old_note: str | None, new_note: str | None) -> None:
        super().__init__(target, "Edit note")
        self.span_id, self.old_note, self.new_note = span_id, old_note, new_note

    def _redo(self) -> None:
        self.target.set_note(self.span_id, self.new_note)

    def _undo(self) -> None:
        self.target.set_note(self.span_id, self.old_note)


class StatusCommand(_EditCommand):
    def __init__(self, target: EditTarget, doc_id: int, before: StatusRecord, status: str,
                 reason: str | None = None) -> None:
        super().__init__(target, f"Mark {status.replace('_', ' ')}")
        self.doc_id, self.before, self.status, self.reason = doc_id, before, status, reason

    def _redo(self) -> None:
        self.target.set_status(self.doc_id, self.status, self.reason)

    def _undo(self) -> None:
        self.target.set_status(self.doc_id, self.before.status, self.before.reason)
