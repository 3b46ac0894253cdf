"""Opening documents and moving between them (next, previous, next unfinished).

A large document opens in two steps so it shows within the 100 ms budget: the text and the
spans meeting its first screenful are loaded at once (the visible highlights are complete),
then all its spans are read and indexed on a worker thread and swapped in. Edits made in
between are replayed onto the full index, so nothing is lost in the swap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from annotator.records import DocumentColumns
from annotator.ui.document_list import DocumentListWidget
from annotator.ui.document_models import DocumentListModel
from annotator.ui.document_view import DocumentView
from annotator.ui.models import SpanListModel
from annotator.ui.span_store import PROGRESSIVE_CHARS, SpanStore

if TYPE_CHECKING:
    from annotator.records import DocumentInfo
    from annotator.services import Change
    from annotator.ui.session import AnnotationSession
    from annotator.ui.workers import TaskContext, TaskHandle

# Code points around the first visible position whose spans are read before the first paint:
# more than any screen shows at the smallest zoom.
_FIRST_SCREEN = 30_000


class DocumentController(QObject):
    opened = Signal(int)  # document id, after its text and spans are on screen
    spans_complete = Signal(str)  # a progressive load finished; carries the selected span id
    message = Signal(str)

    def __init__(self, view: DocumentView, span_model: SpanListModel, doc_model: DocumentListModel,
                 doc_list: DocumentListWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.span_model = span_model
        self.doc_model = doc_model
        self.doc_list = doc_list
        self.session: AnnotationSession | None = None
        self.current_id: int | None = None
        self.info: DocumentInfo | None = None
        self._loading: TaskHandle | None = None
        self._pending: list[Change] = []
        self._loading_doc: int | None = None
        self._requested: int | None = None  # picked in the list while the project was still opening
        self._start_timer = QTimer(self)
        self._start_timer.setSingleShot(True)
        self._start_timer.setInterval(30)
        self._start_timer.timeout.connect(self._start_loading)
        doc_list.document_selected.connect(self.open)

    def set_session(self, session: AnnotationSession | None, columns: DocumentColumns | None = None) -> None:
        """Switch to a session; ``columns`` is its document list when already read (off the GUI thread)."""
        self._cancel_loading()
        self.session = session
        if session is not None:
            session.changed.connect(self._note_change)
        self.current_id = None
        self.info = None
        self.view.clear_document()
        self.span_model.set_store(SpanStore(""))
        if session is None:
            self.doc_model.set_columns(DocumentColumns())
        elif columns is None:
            self.doc_model.set_columns(session.document_columns())
        elif columns is not self.doc_model.columns:  # else shown already, from the start-up snapshot
            self.doc_model.set_columns(columns)

    def show_list(self, columns: DocumentColumns) -> None:
        """Show a document list before its session exists (read while the project opens)."""
        if self.session is None:
            self.doc_model.set_columns(columns)

    def reload_list(self) -> None:
        """Re-read every row (after an import); keeps the open document."""
        if self.session is not None:
            self.doc_model.set_columns(self.session.document_columns())
            self.doc_list.apply_filters()
            self.doc_list.select_document(self.current_id)

    def open(self, doc_id: int, select: tuple[int, int] | None = None) -> bool:
        if self.session is None:
            self._requested = doc_id  # opened as soon as the project is (open_initial)
            return False
        if doc_id != self.current_id:
            try:
                info = self.session.document(doc_id)
            except KeyError:
                self.message.emit(f"Document {doc_id} is no longer in the project")
                return False
            self._cancel_loading()
            progressive = len(info.text) > PROGRESSIVE_CHARS
            if progressive:
                around = select[0] if select is not None else 0
                lo, hi = max(0, around - _FIRST_SCREEN), around + _FIRST_SCREEN
                store = SpanStore(info.text, self.session.span_rows_between(doc_id, lo, hi))
            else:
                store = SpanStore(info.text, self.session.span_rows(doc_id))
            self.info, self.current_id = info, doc_id
            self.span_model.set_store(store)
            self.view.set_document(info.text, store)
            if progressive:
                self._load_all_spans(doc_id)
        self.doc_list.select_document(doc_id)
        if select is not None:
            self.view.select_cp(*select)
        self.opened.emit(doc_id)
        return True

    # -- progressive loading ------------------------------------------------------------------------
    def _load_all_spans(self, doc_id: int) -> None:
        # Started a frame later: the worker holds the GIL while it indexes, and the first
        # paint of the text must not wait for it.
        self._loading_doc = doc_id
        self._pending = []
        self._start_timer.start()

    def _start_loading(self) -> None:
        from annotator.ui.workers import start_task

        session, doc_id, store = self.session, self._loading_doc, self.view.store
        if session is None or doc_id is None or doc_id != self.current_id or store is None:
            return
        first = store

        def work(_ctx: TaskContext) -> SpanStore:
            # Reads through its own pooled connection; builds the index off the GUI thread.
            return SpanStore(first.text, session.span_rows(doc_id), utf16=first.utf16)

        handle = start_task(self, work, title="load spans")
        handle.finished.connect(lambda store, h=handle: self._swap_in(h, doc_id, store))
        handle.failed.connect(lambda message: self.message.emit(f"Could not read every span: {message}"))
        self._loading = handle

    def _note_change(self, change: Change) -> None:
        if self.loading and change.document_id == self.current_id:
            self._pending.append(change)

    def _swap_in(self, handle: TaskHandle, doc_id: int, store: SpanStore) -> None:
        if handle is not self._loading or doc_id != self.current_id:
            return  # superseded by another document
        self._loading = None
        for change in self._pending:
            before, after = change.before, change.after
            if change.kind == "span_added":
                store.add(after.id, after.label, after.start, after.end, after.note)  # type: ignore[union-attr]
            elif change.kind == "span_removed":
                store.remove(before.id)  # type: ignore[union-attr]
            elif change.kind == "span_changed":
                store.update(after.id, label=after.label, note=after.note, set_note=True)  # type: ignore[union-attr]
        self._pending = []
        current = self.view.current_span
        self.span_model.set_store(store)
        self.view.replace_store(store)
        self.spans_complete.emit(current or "")

    def _cancel_loading(self) -> None:
        self._start_timer.stop()
        self._loading_doc = None
        if self._loading is not None:
            self._loading.cancel()
        self._loading = None
        self._pending = []

    @property
    def loading(self) -> bool:
        return self._loading is not None or self._start_timer.isActive()

    def refresh_from_elsewhere(self) -> None:
        """Show what another window or program changed, keeping the reviewer's place: the list's
        current row and scroll position, the text's selection and scroll, the selected span."""
        if self.session is None:
            return
        bar = self.doc_list.table.verticalScrollBar()
        scrolled = bar.value()
        self.reload_list()
        bar.setValue(scrolled)
        doc_id, store = self.current_id, self.view.store
        if doc_id is None or store is None or self.loading:
            return
        rows = self.session.span_rows(doc_id)
        shown = [(e.id, e.label, e.start, e.end, e.note) for e in map(store.get, store.ids()) if e is not None]
        if sorted(rows) == sorted(shown):
            return
        fresh = SpanStore(store.text, rows, utf16=store.utf16)
        current = self.view.current_span
        self.span_model.set_store(fresh)
        self.view.replace_store(fresh)
        self.spans_complete.emit(current if current in fresh else "")

    def reload_current(self) -> None:
        doc_id, self.current_id = self.current_id, None
        if doc_id is not None:
            self.open(doc_id)

    def open_initial(self, preferred: int | None) -> None:
        """The document picked while opening, else where the reviewer left off, else the first unfinished."""
        requested, self._requested = self._requested, None
        preferred = requested if requested is not None else preferred
        if preferred is not None and self.doc_model.row_for(preferred) >= 0:
            self.open(preferred)
            return
        target = self.doc_model.next_unfinished(None)
        if target is None and self.doc_model.rowCount() > 0:
            target = self.doc_model.summary(0).id
        if target is not None:
            self.open(target)

    def open_next_unfinished(self) -> bool:
        target = self.doc_model.next_unfinished(self.current_id)
        if target is None:
            self.message.emit("Every document is finished")
            return False
        return self.open(target)

    def open_relative(self, step: int) -> None:
        """The next or previous document as the (filtered) list shows them."""
        proxy = self.doc_list.proxy
        rows = proxy.rowCount()
        if rows == 0:
            return
        row = self.doc_model.row_for(self.current_id) if self.current_id is not None else -1
        current = proxy.mapFromSource(self.doc_model.index(row, 0)).row() if row >= 0 else -1
        target = (current + step) % rows if current >= 0 else 0
        doc_id = proxy.index(target, 0).data(256)  # Qt.UserRole
        if doc_id is not None:
            self.open(int(doc_id))
