"""Working beside the team: switch reviewer, see others' spans and suggestions, take them over.

:class:`TeamController` owns the Reviewers dock and the overlay on the document view, and
turns the Team menu's keys into undoable commands on the window's one undo stack:

* copy another reviewer's span to mine (``C``), or all of a reviewer's spans on the
  document at once (``Shift+C``, one undo step), never duplicating a span I already have;
* accept the suggestion at the caret (``A``: it becomes my span) or reject it (``X``:
  hidden from then on, kept through :class:`~annotator.ui.suggestions.SuggestionActions`),
  or accept every suggestion on the document scoring at least a threshold (``Shift+A``).

Switching reviewer reopens the project for the new name (the document list's statuses and
counts are per reviewer) on the same document, and starts a fresh undo history: the steps
before were another reviewer's edits, which the new one must not undo by accident.

Seams for the team services: ``kind_of`` (what an annotator is: person, model, gold),
``reviewers_of`` and ``layer_rows`` (who annotated a document, and one annotator's spans
there), ``scores_for`` (a suggestion's score by span id), ``label_shown`` on the overlay
(whether a label's suggestions are good enough to show) and ``make_suggestion_actions``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QDockWidget, QInputDialog, QMenu

from annotator.ui.actions import ActionSpec, Handler
from annotator.ui.commands import AddSpanCommand
from annotator.ui.other_spans import MODEL, PERSON, OtherLayer, OtherSpansOverlay, default_kind
from annotator.ui.reviewers import ReviewersPanel
from annotator.ui.span_store import PROGRESSIVE_CHARS, SpanEntry, SpanRow, SpanStore
from annotator.ui.suggestions import RejectSuggestionCommand, SuggestionActions

if TYPE_CHECKING:
    from annotator.storage.repository import DocumentReviewer, Repository
    from annotator.ui.main_window.window import MainWindow
    from annotator.ui.session import AnnotationSession
    from annotator.ui.workers import TaskContext, TaskHandle

TEAM_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("team.switch_reviewer", "S&witch reviewer…", "Team", ("Ctrl+Shift+R",),
               "Annotate as another reviewer (the undo history starts afresh)"),
    ActionSpec("team.copy_span", "&Copy their span to mine", "Team", ("C",),
               "Copy the other reviewer's span at the caret or selection to your spans", separator_before=True),
    ActionSpec("team.copy_all", "Copy &all their spans to mine", "Team", ("Shift+C",),
               "Copy every span of the reviewer chosen in the Reviewers panel on this document (one undo step)"),
    ActionSpec("team.accept", "&Accept suggestion", "Team", ("A",),
               "Make the suggestion at the caret or selection one of your spans", separator_before=True),
    ActionSpec("team.reject", "Re&ject suggestion", "Team", ("X",),
               "Dismiss the suggestion at the caret or selection; it is not shown again"),
    ActionSpec("team.accept_above", "Accept all suggestions a&bove score…", "Team", ("Shift+A",),
               "Accept every shown suggestion on this document scoring at least a threshold (one undo step)"),
)

SpanKey = tuple[int, int, str]


def ask_reviewer_switch(parent: MainWindow, names: list[str], current: str) -> str | None:
    """The reviewer to switch to (a listed name or a new one), or None if cancelled."""
    others = [n for n in names if n != current]
    # The label stays free of names: a QLabel would take a name that looks like HTML for markup.
    name, ok = QInputDialog.getItem(parent, "Switch reviewer", "Annotate as (pick a name, or type a new one):",
                                    others or [""], 0, True)
    return name.strip() if ok and name.strip() else None


class TeamController(QObject):
    message = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.view = window.view
        self.session: AnnotationSession | None = None
        self.doc_id: int | None = None
        self.kind_of: Callable[[str], str] = default_kind
        self.scores_for: Callable[[Repository, int, str], dict[str, float]] = lambda _repo, _doc, _name: {}
        # Who the Reviewers panel lists for a document, and one annotator's spans there (id, label,
        # start, end, note): where suggestions kept apart from spans plug in.
        self.reviewers_of: Callable[[Repository, int], list[DocumentReviewer]] = \
            lambda repo, doc_id: repo.document_reviewers(doc_id)
        self.layer_rows: Callable[[Repository, int, str], list[SpanRow]] = \
            lambda repo, doc_id, name: repo.span_rows(doc_id, name)
        self.make_suggestion_actions: Callable[[Repository], SuggestionActions] = SuggestionActions.in_project
        self.suggestions: SuggestionActions | None = None
        self.overlay = OtherSpansOverlay(self.view.span_painter.colour)
        self.overlay.mine = lambda: self.view.store
        self.view.overlays.append(self.overlay)
        self.view.viewport().installEventFilter(self)
        self.panel = ReviewersPanel()
        self.dock = QDockWidget("Reviewers", window)
        self.dock.setObjectName("reviewers")
        self.dock.setWidget(self.panel)
        self.dock.hide()  # its tab bar widens the window: shown once a document has others' work
        self._shown: set[str] = set()  # people ticked "show"
        self._hidden_models: set[str] = set()  # suggestions show unless unticked
        self._loaded: tuple[int, tuple[str, ...], SpanStore] | None = None
        self._loading: TaskHandle | None = None
        self._dock_offered = False
        self.panel.shown_changed.connect(self.set_shown)
        self.panel.copy_all_requested.connect(self._panel_button)
        window.documents.opened.connect(self.document_opened)

    def handlers(self) -> dict[str, Handler]:
        return {"team.switch_reviewer": self.switch_reviewer, "team.copy_span": self.copy_span,
                "team.copy_all": self.copy_all, "team.accept": self.accept_suggestion,
                "team.reject": self.reject_suggestion, "team.accept_above": self.accept_above}

    # -- session and document -------------------------------------------------------------------
    def set_session(self, session: AnnotationSession | None) -> None:
        self._cancel_loading()
        self.session = session
        self.doc_id = None
        self._loaded = None
        self.suggestions = self.make_suggestion_actions(session.project.repo) if session is not None else None
        self.overlay.set_layers([])
        self.overlay.rejected = set()
        self.panel.set_reviewers(session.reviewer if session else None, [], {}, set())

    @property
    def repo(self) -> Repository:
        assert self.session is not None
        return self.session.project.repo

    def document_opened(self, doc_id: int) -> None:
        if self.session is None:
            return
        self.doc_id = doc_id
        self.refresh_panel()
        if self.suggestions is not None:
            self.overlay.rejected = self.suggestions.rejected(doc_id)
        self._load_layers()

    def refresh_panel(self) -> None:
        if self.session is None or self.doc_id is None:
            return
        reviewers = self.reviewers_of(self.repo, self.doc_id)
        kinds = {r.name: self.kind_of(r.name) for r in reviewers}
        self.panel.set_reviewers(self.session.reviewer, reviewers, kinds, self._shown_names(kinds))
        if not self._dock_offered and any(r.name != self.session.reviewer for r in reviewers):
            self._dock_offered = True  # once: after that the reviewer decides (View → Reviewers)
            self.dock.show()

    def _shown_names(self, kinds: dict[str, str]) -> set[str]:
        me = self.session.reviewer if self.session else None
        return {name for name, kind in kinds.items() if name != me and
                (name not in self._hidden_models if kind == MODEL else name in self._shown)}

    def set_shown(self, name: str, show: bool) -> None:
        """Show or hide one annotator's spans over the text (the panel's checkbox)."""
        if self.kind_of(name) == MODEL:
            (self._hidden_models.discard if show else self._hidden_models.add)(name)
        else:
            (self._shown.add if show else self._shown.discard)(name)
        if self.panel.is_shown(name) != show:
            self.panel.set_shown(name, show)
        self._load_layers()

    def shown(self) -> list[str]:
        """Annotators whose spans are painted now, people first."""
        return [layer.annotator for layer in self.overlay.layers]

    # -- loading their spans ------------------------------------------------------------------------
    def _load_layers(self) -> None:
        store, doc_id = self.view.store, self.doc_id
        if self.session is None or doc_id is None or store is None:
            return
        names = [n for n in self.panel.names() if self.panel.is_shown(n)]
        names.sort(key=lambda n: (self.kind_of(n) == MODEL, n))
        key = (doc_id, tuple(names), store)  # the same store: not reopened since
        if self._loaded is not None and self._loaded[:2] == key[:2] and self._loaded[2] is store:
            return
        self._cancel_loading()
        self._loaded = key
        repo, text, utf16 = self.repo, store.text, store.utf16
        kinds = {n: self.kind_of(n) for n in names}
        scorer, rows_of = self.scores_for, self.layer_rows

        def read(_ctx: TaskContext | None = None) -> list[OtherLayer]:
            return [OtherLayer(n, kinds[n], SpanStore(text, rows_of(repo, doc_id, n), utf16=utf16),
                               scorer(repo, doc_id, n) if kinds[n] == MODEL else {}) for n in names]

        if len(text) <= PROGRESSIVE_CHARS or not names:
            self._show_layers(read())
            return
        from annotator.ui.workers import start_task  # a large article: index off the GUI thread

        handle = start_task(self, read, title="load reviewers' spans")
        handle.finished.connect(lambda layers, h=handle: self._layers_read(h, layers))
        handle.failed.connect(lambda message: self.message.emit(f"Could not read others' spans: {message}"))
        self._loading = handle

    def reload_layers(self, only: str | None = None) -> None:
        """Read the shown layers again (all, or just ``only``'s) after their spans changed."""
        if only is None or self.doc_id is None or self.view.store is None or self.overlay.layer(only) is None:
            self._loaded = None
            self._load_layers()
            return
        store = self.view.store
        layers = [OtherLayer(only, layer.kind, SpanStore(store.text, self.layer_rows(self.repo, self.doc_id, only),
                                                       utf16=store.utf16), layer.scores)
                  if layer.annotator == only else layer for layer in self.overlay.layers]
        self._show_layers(layers)

    def _layers_read(self, handle: TaskHandle, layers: list[OtherLayer]) -> None:
        if handle is self._loading:  # else superseded by another document or another choice
            self._show_layers(layers)

    def _show_layers(self, layers: list[OtherLayer]) -> None:
        self._loading = None
        self.overlay.set_layers(layers)
        self.repaint()

    def repaint(self) -> None:
        self.view.viewport().update()
        self.window.pages.spans_changed()  # the PDF page view, when there is one

    def _cancel_loading(self) -> None:
        if self._loading is not None:
            self._loading.cancel()
        self._loading = None

    @property
    def loading(self) -> bool:
        return self._loading is not None

    # -- which span the reviewer means ----------------------------------------------------------------
    def _target(self, models: bool) -> tuple[OtherLayer, SpanEntry] | None:
        view = self.view
        if view.store is None:
            return None
        selection = view.selection_cp()
        return self.overlay.pick(models, selection, None if selection else view.textCursor().position())

    def _mine(self) -> set[SpanKey]:
        store = self.view.store
        return {(e.start, e.end, e.label) for e in (store.at_row(i) for i in range(len(store)))} if store is not None else set()

    def _have(self, start: int, end: int, label: str) -> bool:
        store = self.view.store
        return store is not None and any(e.label == label for e in store.exact(start, end))

    def _add(self, start: int, end: int, label: str) -> AddSpanCommand | None:
        """Push one AddSpanCommand for the open document; the command if it stuck."""
        if self.session is None or self.doc_id is None:
            return None
        command = AddSpanCommand(self.session, self.doc_id, start, end, label)
        return command if self.window.editing.push(command) and command.span is not None else None

    def _add_many(self, keys: list[SpanKey], text: str) -> int:
        """Add spans as one undo step (a macro of AddSpanCommands); how many were added."""
        stack = self.window.editing.undo_stack
        stack.beginMacro(text)
        try:
            added = sum(self._add(*key) is not None for key in keys)
        finally:
            stack.endMacro()
        return added

    def _select_new(self, command: AddSpanCommand | None) -> None:
        if command is not None and command.span is not None and self.view.store is not None:
            self.view.collapse_selection(self.view.store.utf16.to_utf16(command.span.end))
            self.window.editing.select_span(command.span.id, scroll=False)

    # -- copying others' spans --------------------------------------------------------------------------
    def copy_span(self) -> None:
        hit = self._target(models=False)
        if hit is None:
            self.message.emit("Put the caret on a shown reviewer's span (Reviewers panel), then press C")
            return
        layer, e = hit
        if self._have(e.start, e.end, e.label):
            self.message.emit(f"You already have this {e.label} span")
            return
        self._select_new(self._add(e.start, e.end, e.label))

    def copy_all(self, name: str | None = None) -> int:
        """Copy every span of ``name`` (else the chosen or pointed-at reviewer) on this document."""
        if self.session is None or self.doc_id is None:
            return 0
        if name is None:
            hit = self._target(models=False)
            name = self.panel.chosen() or (hit[0].annotator if hit else None)
        if name is None or self.kind_of(name) == MODEL:
            self.message.emit("Choose a reviewer in the Reviewers panel first")
            return 0
        mine, todo = self._mine(), []
        for _id, label, start, end, _note in self.layer_rows(self.repo, self.doc_id, name):
            if (start, end, label) not in mine:
                mine.add((start, end, label))
                todo.append((start, end, label))
        if not todo:
            self.message.emit(f"You already have every span {name} made on this document")
            return 0
        added = self._add_many(todo, f"Copy {len(todo)} spans from {name}")
        self.message.emit(f"Copied {added} spans from {name}")
        return added

    def _panel_button(self, name: str) -> None:
        self.accept_above() if self.kind_of(name) == MODEL else self.copy_all(name)

    # -- suggestions -----------------------------------------------------------------------------------
    def accept_suggestion(self) -> None:
        hit = self._target(models=True)
        if hit is None:
            self.message.emit("Put the caret on a suggestion (dashed outline), then press A")
            return
        _layer, e = hit
        self._select_new(self._add(e.start, e.end, e.label))

    def reject_suggestion(self) -> None:
        hit = self._target(models=True)
        if hit is None or self.suggestions is None or self.doc_id is None:
            self.message.emit("Put the caret on a suggestion (dashed outline), then press X")
            return
        _layer, e = hit
        command = RejectSuggestionCommand(self.suggestions, self.doc_id, (e.start, e.end, e.label),
                                          self._rejections_changed)
        self.window.editing.push(command)

    def _rejections_changed(self, doc_id: int) -> None:
        if doc_id != self.doc_id:
            self.window.documents.open(doc_id)  # an undo from elsewhere: show where it acted
        elif self.suggestions is not None:
            self.overlay.rejected = self.suggestions.rejected(doc_id)
            self.repaint()

    def accept_above(self, threshold: float | None = None) -> int:
        """Accept every shown suggestion scoring at least ``threshold`` (asked when None).

        Suggestions without a score count as 0: a threshold of 0 accepts them all.
        """
        layers = [layer for layer in self.overlay.layers if layer.is_model]
        if not layers:
            self.message.emit("No suggestions are shown on this document")
            return 0
        if threshold is None:
            value, ok = QInputDialog.getDouble(self.window, "Accept suggestions",
                                               "Accept every suggestion on this document scoring at least:",
                                               0.5, 0.0, 1.0, 2)
            if not ok:
                return 0
            threshold = value
        todo: list[SpanKey] = []
        seen = self._mine()
        for layer in layers:
            for e in self.overlay.entries(layer):
                key = (e.start, e.end, e.label)
                if layer.scores.get(e.id, 0.0) >= threshold and key not in seen:
                    seen.add(key)
                    todo.append(key)
        if not todo:
            self.message.emit(f"No suggestion scores {threshold:.2f} or more")
            return 0
        added = self._add_many(todo, f"Accept {len(todo)} suggestions")
        self.message.emit(f"Accepted {added} suggestions scoring {threshold:.2f} or more")
        return added

    # -- reviewer ------------------------------------------------------------------------------------------
    def switch_reviewer(self, name: str | None = None) -> bool:
        """Annotate as ``name`` (asked when None): the project reopens for them on this document."""
        session = self.session
        if session is None:
            return False
        if name is None:
            people = [n for n in session.annotators() if self.kind_of(n) == PERSON]
            name = ask_reviewer_switch(self.window, people, session.reviewer)
        name = (name or "").strip()
        if not name or name == session.reviewer:
            return False
        if self.kind_of(name) != PERSON:
            self.message.emit(f"{name!r} is reserved (suggestions or gold); pick a person's name")
            return False
        if not self.window.switch_reviewer(name):
            return False
        self.message.emit(f"You are now annotating as {name}")
        return True

    # -- context menu over others' spans ----------------------------------------------------------------------
    def context_menu(self, point: QPoint) -> QMenu | None:
        """The view's menu plus copy / accept / reject for the others' spans under ``point``."""
        pos16 = self.view.char_at(point)
        hits = self.overlay.at16(pos16) if pos16 is not None else []
        if not hits:
            return None
        menu = self.view.createStandardContextMenu(point)
        menu.addSeparator()
        for layer, e in hits:
            who, label = layer.annotator.replace("&", "&&"), e.label.replace("&", "&&")  # no mnemonics

            def place(e: SpanEntry = e) -> None:
                self.view.select_cp(e.start, e.end, scroll=False)
            if layer.is_model:
                menu.addAction(f"Accept suggestion: {label}", lambda p=place: (p(), self.accept_suggestion()))
                menu.addAction(f"Reject suggestion: {label}", lambda p=place: (p(), self.reject_suggestion()))
            else:
                menu.addAction(f"Copy {who}'s {label} to mine", lambda p=place: (p(), self.copy_span()))
        return menu

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ContextMenu and isinstance(event, QContextMenuEvent):
            menu = self.context_menu(event.pos())
            if menu is not None:
                menu.exec(event.globalPos())
                menu.deleteLater()
                return True
        return False
