"""The main window: docks, actions and wiring. Behaviour lives in the controllers beside it."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QFileDialog, QMainWindow, QVBoxLayout, QWidget

from annotator.config import Preferences
from annotator.ui.actions import ACTIONS, ActionRegistry, Handler, label_action_specs
from annotator.ui.corpus_search import CorpusSearchDock
from annotator.ui.document_list import DocumentListWidget
from annotator.ui.document_models import STATUS_TEXT, DocumentListModel
from annotator.ui.document_view import DocumentView
from annotator.ui.find_bar import FindBar
from annotator.ui.guidelines import GuidelinesWidget
from annotator.ui.label_bar import LabelBarWidget
from annotator.ui.main_window.documents import DocumentController
from annotator.ui.main_window.editing import EditingController
from annotator.ui.main_window.live import (LiveUpdates, choose_team_project, is_team_project, masked,
                                           project_label, remembered_location)
from annotator.ui.main_window.notices import HealthWatcher, show_storage_error
from annotator.ui.main_window.opening import LoadedProject, ProjectOpener, load_project
from annotator.ui.main_window.pages import PageViewController
from annotator.ui.main_window.project_setup import resolve_reviewer, update_preferences
from annotator.ui.main_window.status_labels import SteadyLabel
from annotator.ui.agreement_view import AgreementDock
from annotator.ui.model_menu import MODEL_ACTIONS, ModelController
from annotator.ui.models import SpanListModel
from annotator.ui.review_mode import REVIEW_ACTIONS, ReviewMode
from annotator.ui.session import AnnotationSession
from annotator.ui.span_list import SpanListWidget
from annotator.ui.plain_text import plain_tooltip, show_critical
from annotator.ui.statistics import StatisticsDock
from annotator.ui.team import TEAM_ACTIONS, TeamController
from annotator.ui.window_state import place_window, save_window_state
from annotator.ui.wording import count, elide

if TYPE_CHECKING:
    from annotator.records import DocumentColumns, SearchHit
    from annotator.storage.document_list import ListSnapshot
    from annotator.ui.workers import TaskHandle

_THEMES = {"view.theme_system": "system", "view.theme_light": "light", "view.theme_dark": "dark"}


class MainWindow(QMainWindow):
    project_opened = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("annotator")
        self.setAcceptDrops(True)
        self.session: AnnotationSession | None = None
        self._tasks: list[TaskHandle] = []
        self.opener = ProjectOpener(self)  # opens projects on a worker thread
        self.opener.opened.connect(self._opened)
        self.opener.failed.connect(self._open_failed)
        self.opener.list_ready.connect(self._show_early_list)
        self._closed = False
        prefs = Preferences.load()

        self.view = DocumentView(self)
        self.view.set_point_size(prefs.font_point_size)
        self.label_bar = LabelBarWidget(self)
        self.find_bar = FindBar(self.view, self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.label_bar)
        layout.addWidget(self.find_bar)
        self.setCentralWidget(central)

        self.doc_model = DocumentListModel(self)
        self.doc_list = DocumentListWidget(self.doc_model, self)
        self.span_model = SpanListModel(self)
        self.span_list = SpanListWidget(self.span_model, self)
        self.guidelines = GuidelinesWidget(self)
        self.corpus_search = CorpusSearchDock(self._search, self)
        self.docks = {
            "documents": self._dock("Documents", "documentListDock", self.doc_list, Qt.DockWidgetArea.LeftDockWidgetArea),
            "spans": self._dock("Spans", "spanListDock", self.span_list, Qt.DockWidgetArea.RightDockWidgetArea),
            "guidelines": self._dock("Guidelines", "guidelinesDock", self.guidelines,
                                     Qt.DockWidgetArea.RightDockWidgetArea),
        }
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.corpus_search)
        self.tabifyDockWidget(self.docks["documents"], self.corpus_search)
        self.docks["documents"].raise_()
        self.statistics = StatisticsDock(self)  # hidden until asked for (View → Statistics)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.statistics)
        self.statistics.hide()

        self.documents = DocumentController(self.view, self.span_model, self.doc_model, self.doc_list, self)
        self.live = LiveUpdates(self.documents, self)  # changes made elsewhere, within 2 s
        self.editing = EditingController(self.view, self.span_model, self.span_list, self.doc_model, self)
        self.editing.snap_to_tokens = prefs.snap_to_tokens
        self.pages = PageViewController(self.view, self.documents, self)  # PDF pages beside the text
        layout.insertWidget(1, self.pages.stack, 1)
        self.editing.document_changed.connect(lambda _doc_id: self.pages.spans_changed())
        self.documents.opened.connect(self.editing.set_current_document)
        self.documents.spans_complete.connect(lambda span_id: self.editing.select_span(span_id or None, scroll=False))
        self.editing.open_document = lambda doc_id: self.documents.open(doc_id) and None
        self.editing.label_filter_changed = self._refresh_label_filter
        self.corpus_search.open_hit.connect(self._open_search_hit)
        self.team = TeamController(self)  # other reviewers and suggestions: the Reviewers dock, the Team menu
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.team.dock)
        self.tabifyDockWidget(self.docks["guidelines"], self.team.dock)
        self.docks["guidelines"].raise_()
        self.docks["reviewers"] = self.team.dock
        self.review = ReviewMode(self)  # adjudicating conflicts into gold (hidden until asked for)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.review.dock)
        self.review.dock.hide()
        self.model = ModelController(self)  # Model menu: train in a child process, suggest on a worker
        self.agreement = AgreementDock(self)  # hidden until asked for (View → Agreement)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.agreement)
        self.agreement.hide()
        self.agreement.follow_statistics(self.statistics)
        self.docks["agreement"] = self.agreement

        self.registry = ActionRegistry(self)
        self.registry.register_all(ACTIONS, self._handlers())
        self.registry.register_all(TEAM_ACTIONS, self.team.handlers())
        self.registry.register_all(REVIEW_ACTIONS, self.review.handlers())
        self.registry.register_all(MODEL_ACTIONS, self.model.handlers())
        self.menus = self.registry.build_menus(self.menuBar(), extra={
            "View": [d.toggleViewAction() for d in (*self.docks.values(), self.corpus_search)]})
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolBar")
        self.registry.build_toolbar(toolbar)
        self._init_action_states(prefs)
        self.pages.toggle_action = self.registry.action("view.page_view")
        self.pages.toggle_action.setEnabled(False)
        stats_action = self.registry.action("view.statistics")
        self.statistics.visibilityChanged.connect(lambda _v: stats_action.setChecked(self.statistics.isVisible()))

        self.reviewer_label = SteadyLabel("statusReviewer", self)
        self.status_label = SteadyLabel("statusDocument", self)
        self.counts_label = SteadyLabel("statusCounts", self)
        for label in (self.reviewer_label, self.status_label, self.counts_label):
            self.statusBar().addPermanentWidget(label)
        for source in (self.documents, self.editing, self.pages, self.team, self.review, self.model):
            source.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.editing.storage_failed.connect(lambda error: show_storage_error(self, error))
        self.health = HealthWatcher(self)  # reports the open-time check when it finishes
        self.live.refreshed.connect(self.update_status_bar)
        self.documents.opened.connect(lambda _doc_id: self.update_status_bar())
        # The list and the status bar count from one model, so they change together.
        self.doc_model.modelReset.connect(self.update_status_bar)
        self.doc_model.dataChanged.connect(lambda *_args: self.update_status_bar())
        if not place_window(self):
            horizontal = Qt.Orientation.Horizontal
            self.resizeDocks([self.docks["documents"], self.docks["spans"]], [340, 320], horizontal)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)  # saveState() finds docks by object name
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    # -- actions ---------------------------------------------------------------------------------
    def _handlers(self) -> dict[str, Handler]:
        e, d, p = self.editing, self.documents, self.pages
        return {
            "file.open_project": self.choose_project, "file.import_files": self.choose_import_files,
            "file.open_team_project": lambda: choose_team_project(self), "view.refresh": self.live.refresh,
            "file.import_folder": self.choose_import_folder, "file.export": self.export, "file.quit": self.close,
            "file.export_pdfs": lambda: self.export("pdf"),
            "edit.undo": e.undo, "edit.redo": e.redo, "edit.delete_span": e.delete_selected,
            "edit.note": e.edit_note, "edit.find": self.find_bar.activate,
            "edit.search_corpus": self.corpus_search.focus_query, "edit.snap_tokens": self._toggle_snapping,
            "doc.done": lambda: self.finish_document("done"), "doc.skip": lambda: self.finish_document("skipped"),
            "doc.flag": self.flag_document, "doc.next_unfinished": d.open_next_unfinished,
            "doc.next": lambda: d.open_relative(1), "doc.previous": lambda: d.open_relative(-1),
            "view.zoom_in": p.zoom_in, "view.zoom_out": p.zoom_out, "view.zoom_reset": p.zoom_reset,
            "view.page_view": p.toggle, "view.fit_width": p.fit_width, "view.fit_page": p.fit_page,
            **{action_id: (lambda t=theme: self.set_theme(t)) for action_id, theme in _THEMES.items()},
            "view.statistics": self.toggle_statistics,
            "help.shortcuts": self.show_shortcuts, "help.guide": self.show_guide, "help.about": self.show_about,
        }

    def _init_action_states(self, prefs: Preferences) -> None:
        stack = self.editing.undo_stack
        undo, redo = self.registry.action("edit.undo"), self.registry.action("edit.redo")
        undo.setEnabled(False)
        redo.setEnabled(False)
        stack.canUndoChanged.connect(undo.setEnabled)
        stack.canRedoChanged.connect(redo.setEnabled)
        self.registry.action("edit.snap_tokens").setChecked(prefs.snap_to_tokens)
        for action_id, theme in _THEMES.items():
            self.registry.action(action_id).setChecked(prefs.theme == theme)

    def _install_label_actions(self) -> None:
        assert self.session is not None
        specs = self.session.label_specs
        self.registry.unregister(("label.", "label_exact."))
        handlers: dict[str, Handler] = {}
        for spec in specs:
            handlers[f"label.{spec.name}"] = lambda n=spec.name: self.editing.tag(n)
            handlers[f"label_exact.{spec.name}"] = lambda n=spec.name: self.editing.tag(n, exact=True)
        self.registry.register_all(label_action_specs(specs), handlers)
        self.registry.fill_menu(self.menus["Labels"], "Labels")
        self.label_bar.set_labels(specs, {s.name: self.registry.action(f"label.{s.name}") for s in specs})
        self.guidelines.set_labels(specs)
        colours = {s.name: s.colour for s in specs}
        self.view.set_label_colours(colours)
        self.pages.set_label_colours(colours)
        self.span_model.set_colours(colours)

    # -- project -----------------------------------------------------------------------------------
    def open_project(self, path: str | Path | None, reviewer: str | None = None) -> bool:
        """Open a project file (None: the default project) for a reviewer (None: ask once), now."""
        name = resolve_reviewer(self, reviewer)
        try:
            loaded = load_project(str(path) if path is not None else None, name)
        except Exception as exc:  # a damaged or foreign file must not take the window down
            show_critical(self, "Cannot open project", masked(str(path), f"{path}:\n{exc}"))
            return False
        if self.opener.busy:  # this one wins over a background open still running
            self.opener.abandon()
            self.doc_list.set_busy(None)
        self._install_project(loaded, name)
        return True

    def switch_reviewer(self, name: str) -> bool:
        """Reopen the project as ``name`` on the same document, and remember the name."""
        doc_id = self.documents.current_id
        if self.session is None or not self.open_project(self.session.path, reviewer=name):
            return False
        update_preferences(reviewer=name)
        if doc_id is not None and self.documents.current_id != doc_id:
            self.documents.open(doc_id)
        return True

    def open_project_in_background(self, path: str | Path | None, reviewer: str | None = None,
                                   snapshot: Future[ListSnapshot | None] | None = None) -> TaskHandle:
        """Open a project on a worker thread; the window stays responsive and says so meanwhile.

        ``snapshot``: the document list read at launch (see storage.document_list), shown as
        soon as it is ready, before the project itself has finished opening.
        """
        name = resolve_reviewer(self, reviewer)
        target = str(path) if path is not None else None
        self.doc_list.set_busy("Opening project…")
        self.statusBar().showMessage(f"Opening {project_label(target) if target else 'the default project'}…")
        return self.opener.start(target, name, snapshot)

    @property
    def opening(self) -> bool:
        return self.opener.busy

    def _show_early_list(self, columns: DocumentColumns) -> None:
        if self.session is None:
            self.documents.show_list(columns)

    def _opened(self, loaded: LoadedProject, reviewer: str) -> None:
        self.doc_list.set_busy(None)
        self.statusBar().clearMessage()
        if self._closed:
            loaded.project.close()
            return
        self._install_project(loaded, reviewer)

    def _open_failed(self, what: str, message: str) -> None:
        self.doc_list.set_busy(None)
        self.statusBar().clearMessage()
        if self.session is None:
            self.documents.set_session(None)  # drop the list shown from the snapshot
        if not self._closed:
            show_critical(self, "Cannot open project", masked(what, f"{what}:\n{message}"))

    def _install_project(self, loaded: LoadedProject, reviewer: str) -> None:
        session = AnnotationSession(loaded.project, reviewer, self, service=loaded.service, label_specs=loaded.labels)
        prefs = Preferences.load()
        if self.session is not None:
            self.close_project()
        self.session = session
        self.editing.set_session(session)
        self.doc_model.set_flag_reasons(loaded.flag_reasons)
        self.documents.set_session(session, loaded.columns)
        self.pages.set_session(session)
        self.team.set_session(session)
        self.agreement.set_session(session)
        self.statistics.set_session(session)
        self._install_label_actions()
        self.doc_list.set_lookup(session, [s.name for s in session.label_specs])
        self.doc_list.apply_filters()
        preferred = prefs.last_document if prefs.last_project == remembered_location(session.path) else None
        self.documents.open_initial(preferred or None)
        update_preferences(last_project=remembered_location(session.path))
        self.setWindowTitle(f"{project_label(session.path)} — {session.reviewer} — annotator")
        self.live.set_session(session)
        self.update_status_bar()
        self.health.watch(loaded.project.health)
        self.project_opened.emit(session.path)

    def close_project(self) -> None:
        if self.session is None:
            return
        update_preferences(last_document=self.documents.current_id or 0)
        self.health.watch(None)  # a check of this file no longer concerns the window
        self.live.set_session(None)
        self.editing.set_session(None)
        self.documents.set_session(None)
        self.pages.set_session(None)
        self.team.set_session(None)
        self.agreement.set_session(None)
        self.statistics.set_session(None)
        self.session.close()
        self.session = None

    def choose_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "", "annotator projects (*.annotator);;All files (*)")
        if path:
            self.open_project_in_background(path, self.session.reviewer if self.session else None)

    def _search(self, query: str) -> list[SearchHit]:
        session = self.session
        return session.search(query) if session is not None else []

    def _open_search_hit(self, doc_id: int, start: int, end: int) -> None:
        """Open the document with the hit selected, in the middle of the view (not at an edge)."""
        if self.documents.open(doc_id, (start, end)):
            self.view.centre_on_selection()

    def _refresh_label_filter(self) -> None:
        if self.doc_list.label_filter_active():
            self.doc_list.apply_filters()

    # -- import and export ---------------------------------------------------------------------------
    def choose_import_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import files", "",
                                                "Articles (*.txt *.md *.markdown *.html *.htm *.pdf *.jsonl)")
        if paths:
            self.import_paths([Path(p) for p in paths])

    def choose_import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import folder")
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path]) -> TaskHandle | None:
        if self.session is None:
            return None
        from annotator.ui.dialogs.import_export import run_import

        handle = run_import(self, self.session.path, paths, lambda _report: self.documents.reload_list())
        self._tasks = [t for t in self._tasks if t is not handle] + [handle]
        return handle

    def export(self, fmt: str | None = None) -> None:
        if self.session is None:
            return
        from annotator.ui.dialogs.import_export import ExportDialog

        s = self.session
        from annotator.exporters.registry import any_done

        dialog = ExportDialog(self, s.path, [spec.name for spec in s.label_specs], s.annotators(), s.reviewer,
                              any_done=any_done(s.project.repo))
        if fmt is not None and dialog.format_combo.findData(fmt) >= 0:
            dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(fmt))
            dialog.path_edit.setText(str(dialog.default_path()))
        dialog.exec()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    # -- statuses ----------------------------------------------------------------------------------
    def finish_document(self, status: str) -> None:
        if self.editing.set_status(status):
            self.documents.open_next_unfinished()

    def flag_document(self) -> None:
        if self.documents.current_id is None:
            return
        from annotator.ui.dialogs.flag import ask_flag_reason

        reason = ask_flag_reason(self)
        if reason is not None:
            self.editing.set_status("flagged", reason)

    def update_status_bar(self) -> None:
        session, doc_id = self.session, self.documents.current_id
        where = f" · {project_label(session.path)}" if session and is_team_project(session.path) else ""
        self.reviewer_label.set_text(f"Reviewer: {session.reviewer}{where}" if session else "No project")
        summary = self.doc_model.summary_for(doc_id) if doc_id is not None else None
        status = f"Status: {STATUS_TEXT.get(summary.status, summary.status)}" if summary else ""
        reason = self.doc_model.flag_reason(doc_id) if doc_id is not None else None
        if reason:
            status += f" ({elide(reason, 48)})"
        self.status_label.set_text(status)
        self.status_label.setToolTip(plain_tooltip(f"Flagged: {reason}") if reason else "")
        self.span_list.set_flag_reason(reason)
        done, total = self.doc_model.done_count(), self.doc_model.rowCount()
        # The list's own count: right at once for a large document whose spans are still loading.
        spans = f"{count(summary.span_count, 'span')} · " if summary else ""
        self.counts_label.set_text(f"{spans}{done:,} of {total:,} done")

    # -- preferences, help, closing -------------------------------------------------------------------
    def _toggle_snapping(self) -> None:
        checked = self.registry.action("edit.snap_tokens").isChecked()
        self.editing.snap_to_tokens = checked
        update_preferences(snap_to_tokens=checked)

    def set_theme(self, theme: str) -> None:
        from annotator.ui.theme import apply_theme

        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        for action_id, name in _THEMES.items():
            self.registry.action(action_id).setChecked(name == theme)
        update_preferences(theme=theme)
        if self.session is not None:
            self.view.set_label_colours({s.name: s.colour for s in self.session.label_specs})
            self.pages.set_label_colours({s.name: s.colour for s in self.session.label_specs})

    def toggle_statistics(self) -> None:
        dock = self.statistics
        if dock.isVisible():
            dock.hide()
            return
        if not dock.isFloating() and not self.tabifiedDockWidgets(dock) and self.docks["guidelines"].isVisible():
            # A tall tab beside the guidelines rather than a sliver under them. Not done while
            # hidden: a tab group with a hidden member leaves a stray tab bar on the window.
            self.tabifyDockWidget(self.docks["guidelines"], dock)
        dock.show()
        dock.raise_()

    def show_guide(self) -> None:
        from annotator.ui.dialogs.help import GuideDialog, guide_html

        specs = self.session.label_specs if self.session else []
        keys = [(a.text().replace("&", ""), a.shortcut().toString()) for a in self.registry.actions()
                if not a.objectName().startswith(("label.", "label_exact."))]
        GuideDialog(self, guide_html(self.session.path if self.session else None,
                                     [(s.name, s.shortcut) for s in specs], keys)).exec()

    def show_about(self) -> None:
        from annotator.ui.dialogs.help import AboutDialog, about_text

        AboutDialog(self, about_text(self.session)).exec()

    def show_shortcuts(self) -> None:
        from annotator.ui.dialogs.shortcut_sheet import ShortcutSheet

        ShortcutSheet(self, self.registry.actions()).exec()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closed = True
        save_window_state(self)
        update_preferences(font_point_size=self.view.point_size())
        for task in self._tasks:
            task.cancel()
        self.model.stop_training()  # a training child process stores nothing once the window goes
        self.close_project()
        super().closeEvent(event)
