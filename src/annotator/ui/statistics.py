"""Statistics at a glance: progress per reviewer, spans per label, span lengths, shared documents.

A dock (object name ``statistics``) of painted bar charts (:mod:`annotator.ui.charts`). The
counts come from the repository in two calls on a worker thread, never on the GUI thread:
progress and labels first (shown at once), then span lengths and shared documents, which
read every span. They run when the dock is shown, and again shortly after edits while it is open.
Edits made while it is hidden only mark it stale, so a hidden dock costs nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QLabel, QScrollArea, QVBoxLayout, QWidget

from annotator.ui.charts import BarChart, BarRow, Segment
from annotator.ui.wording import count

if TYPE_CHECKING:
    from annotator.storage.repository.progress import ProgressOverview
    from annotator.ui.session import AnnotationSession
    from annotator.ui.workers import TaskHandle

# Status colours as the document list shows them; "to do" is the bar's faint remainder.
STATUS_SEGMENTS = (("done", "done", "#1a7f37"), ("in_progress", "in progress", "#bf8700"),
                   ("skipped", "skipped", "#8c959f"), ("flagged", "flagged", "#cf222e"))
TODO_COLOUR = ""  # the legend draws it as the bars' faint empty part
LENGTH_EDGES = (10, 25, 50, 100, 200, 500)  # upper bounds (characters) of the length ranges
_LENGTH_COLOUR = "#6e7bd9"
REFRESH_DELAY_MS = 400  # edits in a burst (tagging quickly) cost one recount


def length_ranges(lengths: dict[int, int], edges: tuple[int, ...] = LENGTH_EDGES) -> list[tuple[str, int]]:
    """Span counts per length range ("1–10", "11–25", …, "over 500"), every range listed."""
    counts = [0] * (len(edges) + 1)
    for length, n in lengths.items():
        i = next((k for k, edge in enumerate(edges) if length <= edge), len(edges))
        counts[i] += n
    names = [f"{lo + 1}–{hi}" for lo, hi in zip((0, *edges[:-1]), edges)] + [f"over {edges[-1]}"]
    return list(zip(names, counts))


class StatisticsPanel(QWidget):
    """The charts and their headings; :meth:`show_overview` fills them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statisticsPanel")
        self.summary = self._text("statisticsSummary")
        self.progress_chart = BarChart("progressChart", self)
        self.label_chart = BarChart("labelChart", self)
        self.length_chart = BarChart("lengthChart", self)
        # Agreement between reviewers: shown when documents were annotated by more than one;
        # the Agreement view (ui.agreement_view) supplies the figures through set_agreement_summary().
        self.agreement = self._text("agreementSummary")
        self.agreement_summary = ""
        self._shared_text = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.summary)
        for title, chart in (("Progress per reviewer", self.progress_chart), ("Spans per label", self.label_chart),
                             ("Span length (characters)", self.length_chart)):
            heading = QLabel(title, self)
            heading.setStyleSheet("font-weight: bold; margin-top: 8px;")
            layout.addWidget(heading)
            layout.addWidget(chart)
        self.length_heading = heading
        agreement_heading = QLabel("Agreement", self)
        agreement_heading.setObjectName("agreementHeading")
        agreement_heading.setStyleSheet("font-weight: bold; margin-top: 8px;")
        layout.addWidget(agreement_heading)
        layout.addWidget(self.agreement)
        layout.addStretch(1)
        self._agreement_widgets = (agreement_heading, self.agreement)

    def _text(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        return label

    def show_overview(self, overview: ProgressOverview, label_colours: dict[str, str]) -> None:
        reviewers = count(len(overview.statuses), "reviewer")
        self.summary.setText(f"{count(overview.documents, 'document')} · {count(overview.spans, 'span')} · "
                             f"{reviewers}")
        self.progress_chart.set_rows(
            [BarRow(name, tuple(Segment(text, counts.get(status, 0), colour)
                                for status, text, colour in STATUS_SEGMENTS),
                    caption=f"{counts.get('done', 0):,} of {overview.documents:,} done")
             for name, counts in overview.statuses.items()],
            legend=[*((text, colour) for _status, text, colour in STATUS_SEGMENTS), ("to do", TODO_COLOUR)],
            scale=overview.documents)
        self.label_chart.set_rows([BarRow(name, (Segment(name, n, label_colours.get(name, "#888888")),))
                                   for name, n in overview.spans_per_label.items()])
        self.length_heading.setText("Span length (characters)" if overview.complete
                                    else "Span length (characters): counting…")
        if not overview.complete:
            return  # lengths and shared documents come with the second, slower count
        self.length_chart.set_rows([BarRow(name, (Segment(name, n, _LENGTH_COLOUR),))
                                    for name, n in length_ranges(overview.span_lengths)])
        shared = overview.shared_documents
        for widget in self._agreement_widgets:
            widget.setVisible(shared > 0)
        if shared:
            self._shared_text = f"{count(shared, 'document')} annotated by more than one reviewer."
            self._show_agreement()

    def set_agreement_summary(self, text: str) -> None:
        """The agreement figures (span F1, kappa…) to show under the shared-document count."""
        self.agreement_summary = text
        self._show_agreement()

    def _show_agreement(self) -> None:
        text, figures = self._shared_text, self.agreement_summary
        self.agreement.setText(f"{text}\n{figures}" if text and figures else text or figures)


class StatisticsDock(QDockWidget):
    first_figures = Signal()  # progress and labels are on screen (the lengths may still be counting)
    updated = Signal()  # every figure is on screen

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Statistics", parent)
        self.setObjectName("statistics")
        self.panel = StatisticsPanel()
        self.status = QLabel("No project open")
        self.status.setObjectName("statisticsStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.panel)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        self.setWidget(body)
        self.session: AnnotationSession | None = None
        self.overview: ProgressOverview | None = None
        self.compute_ms: float | None = None  # how long the last count took on its worker
        self._task: TaskHandle | None = None
        self._stale = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.visibilityChanged.connect(lambda visible: visible and self._stale and self.refresh())

    def set_session(self, session: AnnotationSession | None) -> None:
        self.session = session
        self.overview = None
        if session is not None:
            session.changed.connect(lambda _change: self.note_change())
        self.status.setText("Counting…" if session is not None else "No project open")
        self._stale = True
        if session is not None and self.isVisible():
            self.refresh()

    def note_change(self) -> None:
        """An edit happened: recount soon if on screen, else when next shown."""
        self._stale = True
        if self.isVisible():
            self._timer.start()

    def refresh(self) -> None:
        """Count again on a worker; a request while counting runs once more afterwards."""
        session = self.session
        if session is None:
            return
        self._stale = False
        if self._task is not None and self._task.is_running():
            self._stale = True
            return
        from annotator.ui.workers import start_task

        repo = session.project.repo
        started = time.perf_counter()

        def first(_ctx: object) -> ProgressOverview:
            return repo.progress_overview()

        def second(overview: ProgressOverview) -> TaskHandle:
            return start_task(self, lambda _ctx: repo.span_shapes(overview), title="statistics")  # type: ignore[arg-type]

        self.status.setText("Counting…" if self.overview is None else self.status.text())
        self._run(start_task(self, first, title="statistics"), session, started, then=second)  # type: ignore[arg-type]

    def _run(self, task: TaskHandle, session: AnnotationSession, started: float,
             then: Callable[[ProgressOverview], TaskHandle] | None = None) -> None:
        self._task = task
        task.finished.connect(lambda overview: self._show(session, overview, started, then))
        task.failed.connect(lambda message: self.status.setText(f"Cannot count: {message}"))

    def _show(self, session: AnnotationSession, overview: ProgressOverview, started: float,
              then: Callable[[ProgressOverview], TaskHandle] | None) -> None:
        if session is not self.session:
            return  # counted for a project closed since
        previous = self.overview
        if not overview.complete and previous is not None and previous.complete:
            # Keep the lengths shown until their recount arrives, rather than blanking them.
            overview = replace(overview, span_lengths=previous.span_lengths,
                               shared_documents=previous.shared_documents, complete=True)
        self.overview = overview
        self.panel.show_overview(overview, {s.name: s.colour for s in session.label_specs})
        if then is not None:
            self.first_figures.emit()
            self._run(then(overview), session, started)
            return
        self.compute_ms = 1000 * (time.perf_counter() - started)
        self.status.setText(f"Updated {time.strftime('%H:%M:%S')}")
        self.updated.emit()
        if self._stale and self.isVisible():
            self._timer.start()
