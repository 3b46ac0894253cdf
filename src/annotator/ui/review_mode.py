"""Review mode: adjudicate two reviewers' conflicts on the open document into gold.

The Review dock lists the conflicts (:func:`annotator.services.adjudication.conflicts`) side by
side, who marked what and what gold holds; the text shows both reviewers and gold as
outlines (through the team overlay) and the current conflict selected. Keys take A's spans,
B's, both or neither for the conflict's region and move on to the next undecided one. Each
decision is one :class:`DecideConflictCommand` on the window's undo stack: its first redo is
:func:`~annotator.services.adjudication.decide` (one transaction: gold's spans in the region
become the chosen reviewers'), later undo and redo are ``changes.revert`` / ``changes.apply``
of the change it returned.

A decision of "neither" leaves gold empty there; it counts as decided for this session only.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDockWidget, QHBoxLayout, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from annotator.storage.errors import StorageError
from annotator.ui.actions import ActionSpec, Handler
from annotator.ui.other_spans import GOLD_ANNOTATOR, PERSON
from annotator.ui.span_store import PROGRESSIVE_CHARS, SpanStore

if TYPE_CHECKING:
    from annotator.records import SpanRecord
    from annotator.services.adjudication import Conflict
    from annotator.services.changes import SpansChange
    from annotator.storage.repository import Repository
    from annotator.ui.main_window.window import MainWindow
    from annotator.ui.workers import TaskHandle

Mark = tuple[int, int, str]  # start, end, label

REVIEW_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("review.mode", "&Review mode", "Team", ("Ctrl+Alt+R",),
               "Adjudicate two reviewers' conflicts on this document into gold", checkable=True,
               separator_before=True),
    ActionSpec("review.take_a", "Take reviewer A", "Team", ("Alt+A",), "Gold gets A's spans in this conflict"),
    ActionSpec("review.take_b", "Take reviewer B", "Team", ("Alt+B",), "Gold gets B's spans in this conflict"),
    ActionSpec("review.take_both", "Take both", "Team", ("Alt+Shift+B",), "Gold gets A's and B's spans here"),
    ActionSpec("review.take_neither", "Take neither", "Team", ("Alt+N",), "Gold gets no span in this conflict"),
    ActionSpec("review.next", "Next conflict", "Team", ("Alt+Right",), "Go to the next undecided conflict"),
    ActionSpec("review.previous", "Previous conflict", "Team", ("Alt+Left",), "Go to the previous conflict"),
)


def _marks_text(text: str, marks: tuple[Mark, ...]) -> str:
    return "; ".join(f"{label}: {text[s:e]}" for s, e, label in marks) or "—"


@dataclass(frozen=True)
class DecisionApplied:
    """What a decision (or its undo) did to gold: the spans that went and came."""

    doc_id: int
    region: tuple[int, int]
    gone: list[SpanRecord]
    came: list[SpanRecord]
    done: bool  # False: the decision was undone


class DecideConflictCommand(QUndoCommand):
    """Gold's spans in a conflict become those of the reviewers in ``take``; undo puts gold back."""

    def __init__(self, repo: Repository, conflict: Conflict, take: list[str],
                 changed: Callable[[DecisionApplied], None], gold_started: set[int] | None = None) -> None:
        super().__init__("Decide a conflict")
        self.repo, self.conflict, self.take, self.changed = repo, conflict, take, changed
        self.gold_started = gold_started if gold_started is not None else set()  # documents known past to do
        self.change: SpansChange | None = None
        self.error: str | None = None
        self.storage_failed = False

    @property
    def region(self) -> tuple[int, int]:
        return self.conflict.start, self.conflict.end

    def redo(self) -> None:
        from annotator.services import adjudication, changes

        first = self.change is None
        try:
            if self.change is None:
                self.change = adjudication.decide(self.repo, self.conflict, self.take)
                self._mark_gold_started()
            else:
                changes.apply(self.repo, self.change)
        except (ValueError, KeyError, StorageError) as exc:
            self._failed(exc)
            self.setObsolete(first)
            return
        self.changed(DecisionApplied(self.conflict.document_id, self.region, list(self.change.removed),
                                     list(self.change.added), True))

    def undo(self) -> None:
        from annotator.services import changes

        if self.change is None:
            return
        try:
            changes.revert(self.repo, self.change)
        except (ValueError, KeyError, StorageError) as exc:
            self._failed(exc)
            return
        self.changed(DecisionApplied(self.conflict.document_id, self.region, list(self.change.added),
                                     list(self.change.removed), False))

    def _mark_gold_started(self) -> None:
        """Gold's status on the document goes from to do to in progress with the first decision
        (kept on undo, like a reviewer's first span)."""
        from annotator.services import AnnotationService
        from annotator.services.team import GOLD

        doc_id = self.conflict.document_id
        if doc_id in self.gold_started:
            return
        if self.repo.status(doc_id, GOLD).status == "todo":
            AnnotationService(self.repo, GOLD).set_status(doc_id, "in_progress")
        self.gold_started.add(doc_id)

    def _failed(self, exc: Exception) -> None:
        self.error = str(exc).strip("'\"") or type(exc).__name__
        self.storage_failed = isinstance(exc, StorageError)


class ReviewPanel(QWidget):
    """Two reviewer pickers, the conflicts table and the progress line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewPanel")
        self.a_combo, self.b_combo = QComboBox(self), QComboBox(self)
        self.a_combo.setObjectName("reviewA")
        self.b_combo.setObjectName("reviewB")
        pickers = QHBoxLayout()
        for text, combo in (("A:", self.a_combo), ("B:", self.b_combo)):
            pickers.addWidget(QLabel(text, self))
            pickers.addWidget(combo, 1)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("reviewConflicts")
        self.table.setHorizontalHeaderLabels(["Text", "A", "B", "Gold"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.progress = QLabel(self)
        self.progress.setObjectName("reviewProgress")
        self.progress.setTextFormat(Qt.TextFormat.PlainText)
        keys = QLabel("Alt+A take A · Alt+B take B · Alt+Shift+B both · Alt+N neither · Alt+→ next", self)
        keys.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(pickers)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)
        layout.addWidget(keys)

    def set_people(self, people: list[str]) -> None:
        for combo, index in ((self.a_combo, 0), (self.b_combo, 1)):
            keep = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(people)
            at = combo.findText(keep)
            combo.setCurrentIndex(at if at >= 0 else min(index, len(people) - 1))
            combo.blockSignals(False)


class ReviewMode(QObject):
    message = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.panel = ReviewPanel()
        self.dock = QDockWidget("Review", window)
        self.dock.setObjectName("review")
        self.dock.setWidget(self.panel)
        self.dock.hide()
        self.conflicts: list[Conflict] = []
        self._starts: list[int] = []  # the conflicts' starts, for bisection
        self._decided_rows: list[bool] = []  # per conflict
        self.gold = SpanStore("")  # gold's spans on the open document
        self._settled: set[tuple[int, int, int]] = set()  # (doc, start, end) decided as "neither"
        self._gold_started: tuple[object, set[int]] = (None, set())  # per session: gold past to do there
        self._gold_stale = False  # a decision landed while the layers were being read
        self._finding: TaskHandle | None = None  # conflicts being found on a worker (a long article)
        window.team.layers_shown.connect(self._layers_shown)
        self.panel.a_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.panel.b_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.panel.table.itemSelectionChanged.connect(self._row_chosen)
        window.documents.opened.connect(lambda _doc: self.refresh() if self.active else None)
        self.dock.visibilityChanged.connect(self._visibility)

    def handlers(self) -> dict[str, Handler]:
        return {"review.mode": self.toggle, "review.take_a": lambda: self.take("a"),
                "review.take_b": lambda: self.take("b"), "review.take_both": lambda: self.take("both"),
                "review.take_neither": lambda: self.take("neither"), "review.next": lambda: self.step(1),
                "review.previous": lambda: self.step(-1)}

    @property
    def active(self) -> bool:
        return self.dock.isVisible()

    def toggle(self) -> None:
        self.dock.setVisible(not self.dock.isVisible())
        if self.dock.isVisible():
            self.dock.raise_()
            self.refresh()
            if not self.finding:  # else the first conflict is chosen when they are found
                self.step(1)

    def _visibility(self, visible: bool) -> None:
        if "review.mode" in self.window.registry:
            self.window.registry.action("review.mode").setChecked(visible)

    def reviewers(self) -> tuple[str, str] | None:
        a, b = self.panel.a_combo.currentText(), self.panel.b_combo.currentText()
        return (a, b) if a and b and a != b else None

    # -- reading ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the open document's reviewers, conflicts and gold; show A, B and gold over the text."""
        w = self.window
        session, doc_id, team, store = w.session, w.documents.current_id, w.team, w.view.store
        if session is None or doc_id is None or store is None:
            return
        from annotator.services import adjudication

        repo = session.project.repo
        people = [r.name for r in repo.document_reviewers(doc_id) if team.kind_of(r.name) == PERSON]
        self.panel.set_people(people)
        pair = self.reviewers()
        self.gold = SpanStore(store.text, repo.span_rows(doc_id, GOLD_ANNOTATOR), utf16=store.utf16)
        for name in (*(pair or ()), GOLD_ANNOTATOR):
            if name in team.panel.names() and not team.panel.is_shown(name):
                team.set_shown(name, True)
        if self._finding is not None:
            self._finding.cancel()
            self._finding = None
        if pair is None or len(store.text) <= PROGRESSIVE_CHARS:
            found = adjudication.conflicts(repo, doc_id, reviewers=list(pair)) if pair else []
            self._show_conflicts(doc_id, pair, found)
            return
        from annotator.ui.workers import start_task  # a long article: find its conflicts on a worker

        self._show_conflicts(doc_id, pair, [])
        self.panel.progress.setText(f"Finding the conflicts between {pair[0]} and {pair[1]}…")
        handle = start_task(self, lambda _ctx: adjudication.conflicts(repo, doc_id, reviewers=list(pair)),
                            title="find conflicts")
        handle.finished.connect(lambda found, h=handle: self._conflicts_found(h, doc_id, pair, found))
        handle.failed.connect(lambda message: self.message.emit(f"Could not find the conflicts: {message}"))
        self._finding = handle

    @property
    def finding(self) -> bool:
        """Whether the open document's conflicts are still being found (a long article)."""
        return self._finding is not None

    def _conflicts_found(self, handle: TaskHandle, doc_id: int, pair: tuple[str, str],
                         found: list[Conflict]) -> None:
        if handle is not self._finding:
            return  # superseded by another document or pair
        self._finding = None
        if doc_id == self.window.documents.current_id and pair == self.reviewers():
            self._show_conflicts(doc_id, pair, found)
            if self.active and self.panel.table.currentRow() < 0:
                self.step(1)

    def _show_conflicts(self, doc_id: int, pair: tuple[str, str] | None, found: list[Conflict]) -> None:
        self.conflicts = found
        self._starts = [c.start for c in found]
        self._decided_rows = [self._is_decided(doc_id, c) for c in found]
        self._fill(pair)

    def _gold_in(self, start: int, end: int) -> list[Mark]:
        m = self.gold.utf16
        return [(e.start, e.end, e.label) for e in self.gold.overlapping16(m.to_utf16(start), m.to_utf16(end))]

    def _is_decided(self, doc_id: int, conflict: Conflict) -> bool:
        agreed = set(conflict.agreed)
        return ((doc_id, conflict.start, conflict.end) in self._settled
                or any(m not in agreed for m in self._gold_in(conflict.start, conflict.end)))

    def is_decided(self, row: int) -> bool:
        return self._decided_rows[row]

    def _fill(self, pair: tuple[str, str] | None) -> None:
        table, text = self.panel.table, self.gold.text
        current = table.currentRow()
        table.blockSignals(True)
        table.setRowCount(len(self.conflicts))
        for row, c in enumerate(self.conflicts):
            cells = [text[c.start:c.end], _marks_text(text, c.spans.get(pair[0], ())) if pair else "",
                     _marks_text(text, c.spans.get(pair[1], ())) if pair else "", self._gold_text(row)]
            for column, value in enumerate(cells):
                table.setItem(row, column, QTableWidgetItem(value.replace("\n", " ")))
        if 0 <= current < len(self.conflicts):
            table.selectRow(current)
        table.blockSignals(False)
        self._show_progress(pair)

    def _gold_text(self, row: int) -> str:
        c = self.conflicts[row]
        return _marks_text(self.gold.text, tuple(self._gold_in(c.start, c.end))) if self._decided_rows[row] else "undecided"

    def _show_progress(self, pair: tuple[str, str] | None) -> None:
        who = f"{pair[0]} and {pair[1]}" if pair else "two reviewers (pick them above)"
        self.panel.progress.setText(f"{sum(self._decided_rows)} of {len(self.conflicts)} conflicts between {who} decided")

    # -- moving ------------------------------------------------------------------------------------
    def current(self) -> Conflict | None:
        row = self.panel.table.currentRow()
        return self.conflicts[row] if 0 <= row < len(self.conflicts) else None

    def step(self, direction: int) -> None:
        """Go to the next (1) or previous (-1) undecided conflict, else any next one."""
        if not self.active or not self.conflicts:
            self.message.emit("Still finding the conflicts on this document…" if self.active and self.finding else
                              "No conflicts to review on this document" if self.active else "Open Review mode first")
            return
        n, row = len(self.conflicts), self.panel.table.currentRow()
        order = ((row + direction * k) % n for k in range(1, n + 1)) if row >= 0 else iter(range(n))
        first = next(order)
        target = first if not self._decided_rows[first] else next(
            (r for r in order if not self._decided_rows[r]), first)
        self.panel.table.selectRow(target)

    def _row_chosen(self) -> None:
        conflict = self.current()
        if conflict is not None:
            self.window.view.select_cp(conflict.start, conflict.end)

    # -- deciding -----------------------------------------------------------------------------------
    def take(self, which: str) -> None:
        conflict, pair, doc_id = self.current(), self.reviewers(), self.window.documents.current_id
        session = self.window.session
        if not self.active or conflict is None or pair is None or doc_id is None or session is None:
            self.message.emit("Open Review mode (Ctrl+Alt+R) and pick a conflict first")
            return
        take = {"a": [pair[0]], "b": [pair[1]], "both": list(pair), "neither": []}[which]
        take = [who for who in take if conflict.spans.get(who)]  # one who marked nothing here: gold gets nothing
        if self._gold_started[0] is not session:
            self._gold_started = (session, set())
        command = DecideConflictCommand(session.project.repo, conflict, take, self._apply_decision,
                                        self._gold_started[1])
        if self.window.editing.push(command):
            self.step(1)

    def _apply_decision(self, applied: DecisionApplied) -> None:
        doc_id = applied.doc_id
        (self._settled.add if applied.done else self._settled.discard)((doc_id, *applied.region))
        if doc_id != self.window.documents.current_id:
            self.window.documents.open(doc_id)  # an undo from elsewhere: show where it acted
        elif self.active:
            self._gold_changed(applied)

    def _layers_shown(self) -> None:
        if self._gold_stale:
            self._gold_stale = False
            self.window.team.reload_layers(GOLD_ANNOTATOR)  # gold alone, read at once: a few spans

    def _gold_changed(self, applied: DecisionApplied) -> None:
        """Only gold changed, around one region: update its spans, its layer and the rows it meets."""
        team = self.window.team
        for span in applied.gone:
            self.gold.remove(span.id)
        for span in applied.came:
            self.gold.add(span.id, span.label, span.start, span.end, span.note)
        layer = team.overlay.layer(GOLD_ANNOTATOR)
        if layer is None and team.panel.is_shown(GOLD_ANNOTATOR):
            self._gold_stale = True  # its layer is still being read: read gold again once it shows
        elif layer is None:  # gold's first spans here: list it and show it
            team.refresh_panel()
            team.set_shown(GOLD_ANNOTATOR, True)
        else:
            for span in applied.gone:
                layer.store.remove(span.id)
            for span in applied.came:
                layer.store.add(span.id, span.label, span.start, span.end, span.note)
            team.repaint()
        spans = [*applied.gone, *applied.came]
        lo = min([applied.region[0], *(s.start for s in spans)])
        hi = max([applied.region[1], *(s.end for s in spans)])
        row = max(0, bisect_right(self._starts, lo) - 1)
        table = self.panel.table
        while row < len(self.conflicts) and self.conflicts[row].start < hi:
            self._decided_rows[row] = self._is_decided(applied.doc_id, self.conflicts[row])
            table.setItem(row, 3, QTableWidgetItem(self._gold_text(row).replace("\n", " ")))
            row += 1
        self._show_progress(self.reviewers())
