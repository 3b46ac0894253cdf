"""One QUndoCommand per user edit: the first redo() makes the edit through a service method,
and every later undo() and redo() is ``services.apply_inverse`` or ``services.reapply`` of
the change record it returned, the same functions the stateful test drives.

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

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtGui import QUndoCommand

from annotator.storage.errors import StorageError

if TYPE_CHECKING:
    from annotator.records import SpanRecord
    from annotator.services import Change, Editor

    class EditTarget(Editor, Protocol):
        """What commands edit through (AnnotationSession): service calls that emit change records."""

        def add_span(self, doc_id: int, start: int, end: int, label: str, note: str | None = None) -> Change: ...


class EditCommand(QUndoCommand):
    """One edit: ``make`` does it the first time; undo/redo are the services' inverses of its change."""

    def __init__(self, target: EditTarget, text: str, make: Callable[[], Change]) -> None:
        super().__init__(text)
        self.target = target
        self.change: Change | None = None  # the edit as last made (by ``make`` or a redo)
        self._make = make
        self.error: str | None = None
        self.storage_failed = False  # the error was the file's, not the edit's (show it loudly)
        self.stalled = False  # the last undo/redo changed nothing although the stack moved
        self._done_once = False
        self._skip_next = False

    def _redo(self) -> None:
        # Imported here: the services load SQLAlchemy, which the window does not wait for at start-up.
        from annotator.services import reapply

        self.change = self._make() if self.change is None else reapply(self.target, self.change)

    def _undo(self) -> None:
        from annotator.services import apply_inverse

        if self.change is not None:
            apply_inverse(self.target, self.change)

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


class AddSpanCommand(EditCommand):
    def __init__(self, target: EditTarget, doc_id: int, start: int, end: int, label: str) -> None:
        super().__init__(target, f"Add {label}", lambda: target.add_span(doc_id, start, end, label))

    @property
    def span(self) -> SpanRecord | None:
        """The span this command added (None until it did)."""
        return self.change.after if self.change is not None else None  # type: ignore[return-value]


class RemoveSpanCommand(EditCommand):
    def __init__(self, target: EditTarget, span_id: str, label: str = "span") -> None:
        super().__init__(target, f"Delete {label}", lambda: target.remove_span(span_id))


class RelabelCommand(EditCommand):
    def __init__(self, target: EditTarget, span_id: str, old_label: str, new_label: str) -> None:
        super().__init__(target, f"Relabel {old_label} → {new_label}", lambda: target.relabel(span_id, new_label))


class NoteCommand(EditCommand):
    def __init__(self, target: EditTarget, span_id: str, new_note: str | None) -> None:
        super().__init__(target, "Edit note", lambda: target.set_note(span_id, new_note))


class StatusCommand(EditCommand):
    def __init__(self, target: EditTarget, doc_id: int, status: str, reason: str | None = None) -> None:
        super().__init__(target, f"Mark {status.replace('_', ' ')}",
                         lambda: target.set_status(doc_id, status, reason))
