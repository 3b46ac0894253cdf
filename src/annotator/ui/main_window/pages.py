"""PDF documents on their rendered pages: the page view beside the text view, one selection for both.

The text view stays the one place the editing controller reads the selection and the
current span from, even while hidden: a selection made on a page is copied into it (and
announced with its ``selection_edited``), and a selection made there (find, the span
list, undo) is shown on the page. So tagging, relabelling, notes and undo work the same
whichever view the reviewer looks at, and neither view writes to the project.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QStackedWidget, QWidget

from annotator.ui.document_view import DocumentView
from annotator.ui.plain_text import ask_text

if TYPE_CHECKING:
    from annotator.ui.main_window.documents import DocumentController
    from annotator.ui.pdf_view import PdfPageView
    from annotator.ui.session import AnnotationSession


class PageViewController(QObject):
    message = Signal(str)

    def __init__(self, text_view: DocumentView, documents: DocumentController, parent: QWidget) -> None:
        super().__init__(parent)
        self.text_view = text_view
        self.documents = documents
        # The page view (and the PDF rendering modules) are made on the first PDF: most
        # projects hold none, and building it costs a good part of the window's start-up.
        self._pdf_view: PdfPageView | None = None
        self._colours: dict[str, str] = {}
        self.stack = QStackedWidget(parent)
        self.stack.setObjectName("documentStack")
        self.stack.addWidget(text_view)
        self.toggle_action: QAction | None = None  # "view.page_view", set by the window
        self.prefer_pages = True  # a PDF opens on its pages until the reviewer picks the text
        self.session: AnnotationSession | None = None
        self._doc_id: int | None = None
        self._from_page = False
        text_view.selectionChanged.connect(self._follow_text_selection)
        documents.opened.connect(self.document_opened)
        documents.spans_complete.connect(lambda _span: self._follow_store())

    @property
    def pdf_view(self) -> PdfPageView:
        if self._pdf_view is None:
            from annotator.ui.pdf_view import PdfPageView

            view = PdfPageView(self.stack)
            view.current_span_source = lambda: self.text_view.current_span
            view.selection_made.connect(self._take_page_selection)
            view.span_clicked.connect(self.text_view.span_clicked)  # handled as a click in the text
            view.password_needed.connect(self._ask_password)
            view.set_label_colours(self._colours)
            view.overlays = self.text_view.overlays  # the same read-only layers as the text
            self.stack.addWidget(view)
            self._pdf_view = view
        return self._pdf_view

    # -- documents ------------------------------------------------------------------------------
    def set_session(self, session: AnnotationSession | None) -> None:
        self.session = session
        self._doc_id = None
        if self._pdf_view is not None:
            self._pdf_view.clear_document()
        self._show(pages=False)

    def document_opened(self, doc_id: int) -> None:
        info = self.documents.info
        if self.session is None or info is None or info.format != "pdf":
            self._doc_id = None
            if self._pdf_view is not None:
                self._pdf_view.clear_document()
            self._show(pages=False)
            return
        if doc_id != self._doc_id:
            from annotator.pdf_source import page_geometry

            self._doc_id = doc_id
            pages = page_geometry(self.session.page_rows(doc_id))
            source = self.session.original_pdf(doc_id, info.source)
            self.pdf_view.set_document(info.text, self.text_view.store, pages, source, info.source)
            self._follow_text_selection()
        else:
            self._follow_store()
        self._show(pages=self.prefer_pages and bool(self.pdf_view.pages))

    def _follow_store(self) -> None:
        """The text view got a new span index (a progressive load finished, or a reload)."""
        if self._doc_id is not None and self.text_view.store is not None:
            self.pdf_view.set_store(self.text_view.store)

    def spans_changed(self) -> None:
        if self._pdf_view is not None:
            self._pdf_view.spans_changed()

    def set_label_colours(self, colours: dict[str, str]) -> None:
        self._colours = dict(colours)
        if self._pdf_view is not None:
            self._pdf_view.set_label_colours(colours)

    # -- which view -----------------------------------------------------------------------------
    @property
    def showing_pages(self) -> bool:
        return self._pdf_view is not None and self.stack.currentWidget() is self._pdf_view

    def toggle(self) -> None:
        """Switch between the rendered pages and the text, keeping the place and the selection."""
        if self._doc_id is None:
            self.message.emit("Only PDF documents have a page view")
            self._show(pages=False)
            return
        self.prefer_pages = not self.showing_pages
        self._show(pages=self.prefer_pages)

    def _show(self, *, pages: bool) -> None:
        was_pages = self.showing_pages
        if pages and not was_pages:
            self.stack.setCurrentWidget(self.pdf_view)
            self.pdf_view.ensure_visible(self._text_place())
        elif not pages and was_pages:
            offset = self.pdf_view.offset_at_top()
            self.stack.setCurrentWidget(self.text_view)
            if self.text_view.selection_cp() is None and self.text_view.store is not None:
                self.text_view.select_cp(offset, offset)  # an empty selection: only moves the place
        if self.toggle_action is not None:
            self.toggle_action.setEnabled(self._doc_id is not None)
            self.toggle_action.setChecked(pages)
        if was_pages != pages and self.stack.isVisible():
            self.stack.currentWidget().setFocus()

    def _text_place(self) -> int:
        """Where the reviewer is in the text: the selection, else the current span, else the top line."""
        selection, store = self.text_view.selection_cp(), self.text_view.store
        entry = store.get(self.text_view.current_span or "") if store is not None else None
        if selection is not None:
            return selection[0]
        if entry is not None:
            return entry.start
        if store is None:
            return 0
        return store.utf16.to_codepoint(self.text_view.cursorForPosition(self.text_view.rect().topLeft()).position())

    # -- one selection ---------------------------------------------------------------------------
    def _take_page_selection(self, start: int, end: int) -> None:
        self._from_page = True
        try:
            if start < 0:
                self.text_view.clear_selection()
            else:
                self.text_view.select_cp(start, end, scroll=False)
        finally:
            self._from_page = False
        self.text_view.selection_edited.emit()

    def _follow_text_selection(self) -> None:
        if self._doc_id is not None:
            # A selection from elsewhere (find, the span list, undo) is brought into view.
            self.pdf_view.set_selection(self.text_view.selection_cp(), scroll=not self._from_page)

    # -- zoom: the actions act on the view on screen ----------------------------------------------
    def zoom_in(self) -> None:
        self.pdf_view.zoom_in() if self.showing_pages else self.text_view.zoom_in()

    def zoom_out(self) -> None:
        self.pdf_view.zoom_out() if self.showing_pages else self.text_view.zoom_out()

    def zoom_reset(self) -> None:
        self.pdf_view.fit_width() if self.showing_pages else self.text_view.set_point_size(12)

    def fit_width(self) -> None:
        if self._pdf_view is not None:
            self._pdf_view.fit_width()

    def fit_page(self) -> None:
        if self._pdf_view is not None:
            self._pdf_view.fit_page()

    # -- locked originals ------------------------------------------------------------------------
    def _ask_password(self, path: str) -> None:
        text, ok = ask_text(self.stack, "Password needed",
                            f"{Path(path).name} is encrypted.\n\nPassword to show its pages:",
                            echo=QLineEdit.EchoMode.Password)
        if ok and text:
            self.pdf_view.set_password(text)
        else:
            self.message.emit("Without its password the PDF's pages cannot be drawn; the text view shows it all")
