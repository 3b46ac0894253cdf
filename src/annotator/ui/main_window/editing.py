"""What the reviewer's keys do to spans and statuses: each edit is one undoable command.

The controller turns intents (tag the selection as X, delete the selected span, mark the
document done) into commands on the session-long undo stack, and applies the change
records the session emits to the models and the view, whichever document they touch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QInputDialog, QWidget

from annotator.text import snap_to_tokens, trim
from annotator.ui.commands import (AddSpanCommand, NoteCommand, RelabelCommand, RemoveSpanCommand,
                                   StatusCommand)
from annotator.ui.document_models import DocumentListModel
from annotator.ui.document_view import DocumentView
from annotator.ui.models import SpanListModel
from annotator.ui.span_list import SpanListWidget

if TYPE_CHECKING:
    from annotator.services import Change
    from annotator.ui.session import AnnotationSession

# Token snapping tokenizes only the selection's surroundings, cut at whitespace at least this
# far out: a cut at whitespace tokenizes exactly like the whole text (tokens never hold
# whitespace), so a few characters of margin are as good as hundreds, and cheaper per tag.
_SNAP_WINDOW = 16


def snap_selection(text: str, start: int, end: int) -> tuple[int, int]:
    """snap_to_tokens on a whitespace-bounded window, so it stays O(selection) on 1 MB."""
    lo = max(0, start - _SNAP_WINDOW)
    while lo > 0 and not text[lo - 1].isspace():
        lo -= 1
    hi = min(len(text), end + _SNAP_WINDOW)
    while hi < len(text) and not text[hi].isspace():
        hi += 1
    s, e = snap_to_tokens(text[lo:hi], start - lo, end - lo)
    return s + lo, e + lo


class EditingController(QObject):
    message = Signal(str)  # a short explanation for the status bar
    storage_failed = Signal(str)  # the file refused a change (read-only, full, busy): say so loudly
    document_changed = Signal(int)  # counts or status of this document changed

    def __init__(self, view: DocumentView, span_model: SpanListModel, span_list: SpanListWidget,
                 doc_model: DocumentListModel, parent: QWidget) -> None:
        super().__init__(parent)
        self.view = view
        self.span_model = span_model
        self.span_list = span_list
        self.doc_model = doc_model
        self.undo_stack = QUndoStack(self)  # one history for the whole session, across documents
        self.session: AnnotationSession | None = None
        self.current_doc: int | None = None
        self.snap_to_tokens = True
        self.open_document: Callable[[int], None] = lambda _doc_id: None
        self.label_filter_changed: Callable[[], None] = lambda: None
        span_model.note_edit_requested.connect(self.set_note)
        view.span_clicked.connect(lambda span_id: self.select_span(span_id or None))
        view.selection_edited.connect(self._on_selection_edited)
        span_list.span_selected.connect(self.select_span)

    def set_session(self, session: AnnotationSession | None) -> None:
        self.undo_stack.clear()
        self.session = session
        self.current_doc = None
        if session is not None:
            session.changed.connect(self.apply_change)

    def set_current_document(self, doc_id: int | None) -> None:
        self.current_doc = doc_id

    # -- commands ----------------------------------------------------------------------------------
    def push(self, command: QUndoCommand) -> bool:
        # push() runs the first redo; a command that failed there marked itself obsolete, so
        # the stack dropped it and its count is what it was before.
        self.undo_stack.push(command)
        return not self._report(command)

    def _report(self, command: QUndoCommand | None) -> bool:
        """Tell the reviewer why ``command`` changed nothing; True if it failed."""
        error = getattr(command, "error", None)
        if not error:
            return False
        if getattr(command, "storage_failed", False):
            self.storage_failed.emit(error)
        else:
            self.message.emit(f"Not changed: {error}")
        return True

    def tag(self, label: str, *, exact: bool = False) -> None:
        """Tag the selection, or relabel the selected span when the selection is that span."""
        if self.session is None or self.current_doc is None or self.view.store is None:
            return
        selection = self.view.selection_cp()
        current = self.view.current_span
        entry = self.span_model.entry(current) if current else None
        if entry is not None and (selection is None or selection == (entry.start, entry.end)):
            if entry.label != label:
                self.push(RelabelCommand(self.session, entry.id, entry.label, label))
            return
        if selection is None:
            self.message.emit("Select some text first, then press a label key")
            return
        text = self.view.store.text
        start, end = selection
        start, end = snap_selection(text, start, end) if self.snap_to_tokens and not exact else trim(text, start, end)
        if end <= start:
            self.message.emit("The selection holds only spaces; nothing tagged")
            return
        command = AddSpanCommand(self.session, self.current_doc, start, end, label)
        if self.push(command) and command.span is not None:
            # The new span becomes the selected one (outlined, so a second key relabels it)
            # while the text selection collapses: an opaque selection would hide its colour.
            self.view.collapse_selection(self.view.store.utf16.to_utf16(end))
            self.view.set_current_span(command.span.id)
            self.span_list.select_span(command.span.id)

    def delete_selected(self) -> None:
        entry = self._selected_entry()
        if entry is None or self.session is None:
            self.message.emit("Select a span to delete (click it, or pick it in the span list)")
            return
        self.push(RemoveSpanCommand(self.session, entry.id, entry.label))

    def edit_note(self) -> None:
        entry = self._selected_entry()
        if entry is None:
            self.message.emit("Select a span to write a note on")
            return
        if self.span_list.edit_note(entry.id):
            return
        text, ok = QInputDialog.getText(self.parent(), "Note", f"Note on this {entry.label}:", text=entry.note or "")
        if ok:
            self.set_note(entry.id, text)

    def set_note(self, span_id: str, note: str) -> None:
        entry = self.span_model.entry(span_id)
        if entry is None or self.session is None:
            return
        new = note if note.strip() else None
        if new != entry.note:
            self.push(NoteCommand(self.session, span_id, new))

    def set_status(self, status: str, reason: str | None = None) -> bool:
        if self.session is None or self.current_doc is None:
            return False
        before = self.session.status(self.current_doc)
        if before.status == status and before.reason == reason:
            return True
        return self.push(StatusCommand(self.session, self.current_doc, status, reason))

    def undo(self) -> None:
        stack = self.undo_stack
        command = stack.command(stack.index() - 1) if stack.canUndo() else None
        stack.undo()
        if getattr(command, "stalled", False):
            command.skip_next()  # type: ignore[union-attr]
            stack.redo()  # back to the index that matches the file; the command does nothing
        self._report(command)

    def redo(self) -> None:
        stack = self.undo_stack
        command = stack.command(stack.index()) if stack.canRedo() else None
        stack.redo()
        if getattr(command, "stalled", False):
            command.skip_next()  # type: ignore[union-attr]
            stack.undo()
        self._report(command)

    # -- selection of spans -------------------------------------------------------------------------
    def _selected_entry(self):  # type: ignore[no-untyped-def]
        current = self.view.current_span or self.span_list.current_span()
        return self.span_model.entry(current) if current else None

    def select_span(self, span_id: str | None, *, scroll: bool = True) -> None:
        """Make a span current: outlined and selected in the text, selected in the list."""
        entry = self.span_model.entry(span_id) if span_id else None
        self.view.set_current_span(entry.id if entry else None)
        self.span_list.select_span(entry.id if entry else None)
        if entry is not None and scroll:
            self.view.select_cp(entry.start, entry.end)

    def _on_selection_edited(self) -> None:
        current = self.view.current_span
        entry = self.span_model.entry(current) if current else None
        selection = self.view.selection_cp()
        # A click collapses the selection before the view resolves which span it hit, so only
        # a real selection elsewhere deselects the span (clicks report through span_clicked).
        if entry is not None and selection is not None and selection != (entry.start, entry.end):
            self.view.set_current_span(None)
            self.span_list.select_span(None)

    # -- change records -> models and view -------------------------------------------------------------
    def apply_change(self, change: Change) -> None:
        doc_id = change.document_id
        if change.kind == "status_changed":
            after = change.after
            self.doc_model.update_document(doc_id, status=after.status, reason=after.reason)  # type: ignore[union-attr]
        else:
            delta = {"span_added": 1, "span_removed": -1}.get(change.kind, 0)
            summary = self.doc_model.summary_for(doc_id)
            status = None
            if change.kind == "span_added" and summary is not None and summary.status == "todo":
                status = self.session.status(doc_id).status if self.session else None  # first span starts it
            self.doc_model.update_document(doc_id, span_delta=delta, status=status)
            self.label_filter_changed()
        if doc_id != self.current_doc:
            # Only undo/redo reaches another document: follow it so the reviewer sees the effect.
            self.open_document(doc_id)
        elif change.kind == "span_added":
            span = change.after
            entry = self.span_model.add(span.id, span.label, span.start, span.end, span.note)  # type: ignore[union-attr]
            self.view.refresh_span(entry)
        elif change.kind == "span_removed":
            entry = self.span_model.remove(change.before.id)  # type: ignore[union-attr]
            if entry is not None:
                if self.view.current_span == entry.id:
                    self.view.set_current_span(None)
                    self.span_list.select_span(None)  # not the row Qt moved the selection to
                self.view.refresh_span(entry)
        elif change.kind == "span_changed":
            span = change.after
            entry = self.span_model.update(span.id, label=span.label, note=span.note)  # type: ignore[union-attr]
            if entry is not None:
                self.view.refresh_span(entry)
        self.document_changed.emit(doc_id)
