"""Working beside the team: switch reviewer, see others' spans and suggestions, take them over.

:class:`TeamController` owns the Reviewers dock and the overlay on the document view, and
turns the Team menu's keys into undoable commands on the window's one undo stack:

* copy another reviewer's span to mine (``C``), or all of a reviewer's spans on the
  document at once (``Shift+C``, one undo step), never duplicating a span I already have;
* accept the suggestion at the caret (``A``: it becomes my span) or reject it (``X``:
  remembered in the project, never suggested again), or accept every shown suggestion on
  the document scoring at least a threshold (``Shift+A``); suggestions come from their own
  table (``annotator.suggestions``), see :mod:`annotator.ui.team_commands`.

Switching reviewer reopens the project for the new name (the document list's statuses and
counts are per reviewer) on the same document, and starts a fresh undo history: the steps
before were another reviewer's edits, which the new one must not undo by accident.

Seams, filled from :mod:`annotator.ui.team_commands`: ``kind_of`` (person, model, gold, by
``services.team``), ``reviewers_of`` and ``layer_rows`` (who annotated a document, and one
annotator's spans or suggestions there), ``scores_for`` (a suggestion's score by id) and
``label_shown`` on the overlay (only labels whose model beats the keyword baseline).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QPoint, Signal
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QDockWidget, QInputDialog, QMenu

from annotator.ui.actions import ActionSpec, Handler
from annotator.ui import team_commands
from annotator.ui.other_spans import MODEL, MODEL_ANNOTATOR, PERSON, OtherLayer, OtherSpansOverlay
from annotator.ui.reviewers import ReviewersPanel
from annotator.ui.span_store import PROGRESSIVE_CHARS, SpanEntry, SpanRow, SpanStore
from annotator.ui.team_commands import CopySpansCommand, SuggestionCommand

SMALL_LAYER_SPANS = 2_000  # a layer this small is read on the GUI thread when added to those shown

if TYPE_CHECKING:
    from annotator.records import SpanRecord
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


def ask_reviewer_switch(parent: MainWindow, names: list[str], current: str) -> str | None:
    """The reviewer to switch to (a listed name or a new one), or None if cancelled."""
    others = [n for n in names if n != current]
    # The label stays free of names: a QLabel would take a name that looks like HTML for markup.
    name, ok = QInputDialog.getItem(parent, "Switch reviewer", "Annotate as (pick a name, or type a new one):",
                                    others or [""], 0, True)
    return name.strip() if ok and name.strip() else None


class TeamController(QObject):
    message = Signal(str)
    layers_shown = Signal()  # the shown reviewers' layers were (re)read and are painted

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.view = window.view
        self.session: AnnotationSession | None = None
        self.doc_id: int | None = None
        self.kind_of: Callable[[str], str] = team_commands.kind_of
        self.scores_for: Callable[[Repository, int, str], dict[str, float]] = team_commands.scores_for
        # Who the Reviewers panel lists for a document, and one annotator's spans there (id, label,
        # start, end, note); the model's are its suggestions, from their own table.
        self.reviewers_of: Callable[[Repository, int], list[DocumentReviewer]] = team_commands.reviewers_of
        self.layer_rows: Callable[[Repository, int, str], list[SpanRow]] = team_commands.layer_rows
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
        self.overlay.set_layers([])
        self.refresh_label_filter()
        self.panel.set_reviewers(session.reviewer if session else None, [], {}, set())

    def refresh_label_filter(self) -> None:
        """Show only the labels whose model beats the keyword baseline (all when no model is trained)."""
        labels = team_commands.shown_labels(self.repo) if self.session is not None else None
        self.overlay.label_shown = (lambda _label: True) if labels is None else labels.__contains__
        self.repaint()

    @property
    def repo(self) -> Repository:
        assert self.session is not None
        return self.session.project.repo

    def document_opened(self, doc_id: int) -> None:
        if self.session is None:
            return
        self.doc_id = doc_id
        self.refresh_panel()
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
        previous, was_loading = self._loaded, self._loading is not None
        self._cancel_loading()
        self._loaded = key
        repo, text, utf16 = self.repo, store.text, store.utf16
        kinds = {n: self.kind_of(n) for n in names}
        scorer, rows_of = self.scores_for, self.layer_rows

        def layer(n: str) -> OtherLayer:
            return OtherLayer(n, kinds[n], SpanStore(text, rows_of(repo, doc_id, n), utf16=utf16),
                              scorer(repo, doc_id, n) if kinds[n] == MODEL else {})

        def read(_ctx: TaskContext | None = None) -> list[OtherLayer]:
            return [layer(n) for n in names]

        if len(text) <= PROGRESSIVE_CHARS or not names:
            self._show_layers(read())
            return
        # The same document with layers shown already: keep them, and read the few new ones here
        # (gold's first decided spans in Review mode) instead of every layer again on a worker.
        have = {shown.annotator: shown for shown in self.overlay.layers}
        if (previous is not None and previous[0] == doc_id and previous[2] is store and not was_loading
                and set(have) == set(previous[1])
                and all(n in have or self.panel.span_count(n) <= SMALL_LAYER_SPANS for n in names)):
            self._show_layers([have[n] if n in have else layer(n) for n in names])
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
        self.layers_shown.emit()

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

    def _have(self, start: int, end: int, label: str) -> bool:
        store = self.view.store
        return store is not None and any(e.label == label for e in store.exact(start, end))

    def _push(self, command: CopySpansCommand | SuggestionCommand) -> tuple[SpanRecord, ...] | None:
        """Push one team command; the reviewer's spans it added, or None if it was refused."""
        if not self.window.editing.push(command):
            return None
        return command.added_spans()

    def _team_changed(self, doc_id: int) -> None:
        """After a team command or its undo: follow it to its document, else re-read the model's layer."""
        if doc_id != self.window.documents.current_id:
            self.window.documents.open(doc_id)  # an undo from elsewhere: show where it acted
            return
        self.refresh_panel()
        self.reload_layers(MODEL_ANNOTATOR)

    def _suggestions_changed(self, doc_id: int, suggestions: tuple[Any, ...], gone: bool) -> None:
        """After an accept/reject or its undo: take the suggestions off the model's layer or put
        them back (no re-read of the document's suggestions: a key press stays within a frame)."""
        layer = self.overlay.layer(MODEL_ANNOTATOR)
        if doc_id != self.window.documents.current_id or layer is None:
            self._team_changed(doc_id)
            return
        for s in suggestions:
            if gone:
                layer.store.remove(s.id)
                layer.scores.pop(s.id, None)
            elif layer.store.get(s.id) is None:
                layer.store.add(s.id, s.label, s.start, s.end, None)
                layer.scores[s.id] = s.score
        if not self.panel.set_count(MODEL_ANNOTATOR, len(layer.store)):
            self.refresh_panel()
        self.repaint()

    def _select_new(self, spans: tuple[SpanRecord, ...] | None) -> None:
        if spans and self.view.store is not None:
            self.view.collapse_selection(self.view.store.utf16.to_utf16(spans[0].end))
            self.window.editing.select_span(spans[0].id, scroll=False)

    # -- copying others' spans --------------------------------------------------------------------------
    def copy_span(self) -> None:
        hit = self._target(models=False)
        if hit is None or self.session is None or self.doc_id is None:
            self.message.emit("Put the caret on a shown reviewer's span (Reviewers panel), then press C")
            return
        _layer, e = hit
        if self._have(e.start, e.end, e.label):
            self.message.emit(f"You already have this {e.label} span")
            return
        self._select_new(self._push(CopySpansCommand(self.session, self.doc_id, span_id=e.id,
                                                     changed=self._team_changed)))

    def copy_all(self, name: str | None = None) -> int:
        """Copy every span of ``name`` (else the chosen or pointed-at reviewer) on this document:
        one transaction, one undo step."""
        if self.session is None or self.doc_id is None:
            return 0
        if name is None:
            hit = self._target(models=False)
            name = self.panel.chosen() or (hit[0].annotator if hit else None)
        if name is None or self.kind_of(name) == MODEL:
            self.message.emit("Choose a reviewer in the Reviewers panel first")
            return 0
        added = self._push(CopySpansCommand(self.session, self.doc_id, source=name, changed=self._team_changed))
        if added is None:
            return 0
        self.message.emit(f"Copied {len(added)} spans from {name}")
        return len(added)

    def _panel_button(self, name: str) -> None:
        self.accept_above() if self.kind_of(name) == MODEL else self.copy_all(name)

    # -- suggestions -----------------------------------------------------------------------------------
    def _suggestion_command(self, text: str, decide: Callable[[object], object]) -> SuggestionCommand | None:
        if self.session is None or self.doc_id is None:
            return None
        return SuggestionCommand(self.session, self.doc_id, text, decide, self._suggestions_changed)

    def accept_suggestion(self) -> None:
        hit = self._target(models=True)
        if hit is None:
            self.message.emit("Put the caret on a suggestion (dashed outline), then press A")
            return
        e = hit[1]
        command = self._suggestion_command(f"Accept suggestion {e.label}", lambda service: service.accept(e.id))
        if command is not None:
            self._select_new(self._push(command))

    def reject_suggestion(self) -> None:
        hit = self._target(models=True)
        if hit is None:
            self.message.emit("Put the caret on a suggestion (dashed outline), then press X")
            return
        e = hit[1]
        command = self._suggestion_command(f"Reject suggestion {e.label}", lambda service: service.reject(e.id))
        if command is not None:
            self._push(command)

    def accept_above(self, threshold: float | None = None) -> int:
        """Accept every shown suggestion on this document scoring at least ``threshold`` (asked
        when None), in one transaction and one undo step; how many became mine."""
        layer = self.overlay.layer(MODEL_ANNOTATOR)
        if layer is None or self.doc_id is None or not self.overlay.entries(layer):
            self.message.emit("No suggestions are shown on this document")
            return 0
        if threshold is None:
            value, ok = QInputDialog.getDouble(self.window, "Accept suggestions",
                                               "Accept every suggestion on this document scoring at least:",
                                               0.5, 0.0, 1.0, 2)
            if not ok:
                return 0
            threshold = value
        labels = {e.label for e in self.overlay.entries(layer)}  # the shown ones: filtered labels stay
        doc_id, minimum = self.doc_id, threshold
        if not any(layer.scores.get(e.id, 0.0) >= minimum for e in self.overlay.entries(layer)):
            self.message.emit(f"No suggestion scores {threshold:.2f} or more")
            return 0
        command = self._suggestion_command(
            "Accept suggestions", lambda service: service.accept_all(doc_id, minimum, labels))
        added = self._push(command) if command is not None else None
        if added is None:
            return 0
        self.message.emit(f"Accepted {len(added)} suggestions scoring {threshold:.2f} or more")
        return len(added)

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
        from annotator.services.team import ReservedNameError, check_reviewer_name

        try:
            name = check_reviewer_name(name)
        except ReservedNameError as exc:
            self.message.emit(f"Cannot annotate as that name: {exc}")
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
