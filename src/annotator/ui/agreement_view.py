"""The Agreement view: how far the project's reviewers agree, per pair and per label.

A dock (objectName ``agreement``, View → Agreement) with a table of every reviewer pair per
label — span F1 with exact and with overlap match, Cohen's κ on tokens, Krippendorff's αu
and the number of co-annotated documents, with each pair's micro average first — and a bar
chart (QPainter, :class:`~annotator.ui.charts.BarChart`) of overlap F1 per label over all
reviewers together. The figures are those of ``annotator agreement``
(:func:`annotator.metrics.study.project_agreement`), computed on a worker when the dock or the
statistics dock is shown and again after edits; the statistics dock's agreement line comes
from the same result. Names and labels are user text: they go into items and ``drawText``,
which show plain text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDockWidget, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from annotator.ui.charts import BarChart, BarRow, Segment

if TYPE_CHECKING:
    from annotator.ui.session import AnnotationSession
    from annotator.ui.statistics import StatisticsDock
    from annotator.ui.workers import TaskHandle

COLUMNS = ("Reviewers", "Label", "F1 exact", "F1 overlap", "κ", "αu", "Documents")
FIGURES = ("f1_exact", "f1_overlap", "kappa", "alpha_u")
OVERALL = "all labels (micro)"
BOOTSTRAP_SAMPLES = 200  # the view shows point figures; the intervals are the command's
_BAR_COLOUR = "#4c78a8"
_REFRESH_DELAY_MS = 1500


def figure_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def summary_text(result: dict[str, Any]) -> str:
    """One line for the statistics dock: all reviewers together, micro over labels."""
    overall = result["overall"]
    kind = "Cohen's κ" if overall.get("kappa_kind") == "cohen" else "Fleiss' κ"
    return (f"{', '.join(result['annotators'])} on {overall['n_docs']:,} shared documents: span F1 "
            f"{figure_text(overall['f1_overlap'])} (overlap), {figure_text(overall['f1_exact'])} (exact); "
            f"{kind} {figure_text(overall['kappa'])}; αu {figure_text(overall['alpha_u'])}")


def _compute(repo: Any) -> dict[str, Any]:
    from annotator.metrics.study import project_agreement

    return project_agreement(repo, samples=BOOTSTRAP_SAMPLES)


class AgreementDock(QDockWidget):
    updated = Signal()  # new figures (or why there are none) are on screen

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Agreement", parent)
        self.setObjectName("agreement")
        self.status = QLabel("No project open")
        self.status.setObjectName("agreementStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("agreementTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.chart = BarChart("agreementChart")
        chart_heading = QLabel("Span F1 (overlap) per label, all reviewers")
        chart_heading.setStyleSheet("font-weight: bold;")
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(chart_heading)
        layout.addWidget(self.chart)
        self.setWidget(body)
        self.session: AnnotationSession | None = None
        self.statistics: StatisticsDock | None = None
        self.result: dict[str, Any] | None = None
        self._task: TaskHandle | None = None
        self._stale = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(_REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.visibilityChanged.connect(lambda visible: visible and self._stale and self.refresh())

    def follow_statistics(self, statistics: StatisticsDock) -> None:
        """Fill the statistics dock's agreement line too, computing when it is shown."""
        self.statistics = statistics
        statistics.visibilityChanged.connect(lambda visible: visible and self._stale and self.refresh())

    def _wanted(self) -> bool:
        return self.isVisible() or (self.statistics is not None and self.statistics.isVisible())

    def set_session(self, session: AnnotationSession | None) -> None:
        self.session = session
        self.result = None
        self._stale = True
        self.table.setRowCount(0)
        self.chart.set_rows([])
        self.status.setText("Measuring…" if session is not None else "No project open")
        if session is not None:
            session.changed.connect(lambda _change: self.note_change())
            if self._wanted():
                self.refresh()

    def note_change(self) -> None:
        self._stale = True
        if self._wanted():
            self._timer.start()

    def refresh(self) -> TaskHandle | None:
        """Measure again on a worker (once more afterwards if asked while measuring)."""
        session = self.session
        if session is None:
            return None
        self._stale = False
        if self._task is not None and self._task.is_running():
            self._stale = True
            return self._task
        from annotator.ui.workers import start_task

        repo = session.project.repo
        task = start_task(self, lambda _ctx: _compute(repo), title="agreement")
        self._task = task
        task.finished.connect(lambda result: self._show(session, result))
        task.failed.connect(lambda message: self._show_error(session, message))
        return task

    @property
    def measuring(self) -> bool:
        return self._task is not None and self._task.is_running()

    def _show_error(self, session: AnnotationSession, message: str) -> None:
        if session is not self.session:
            return
        self.result = None
        self.table.setRowCount(0)
        self.chart.set_rows([])
        self.status.setText(f"No agreement to show: {message}")
        self._set_summary("")
        self.updated.emit()
        if self._stale and self._wanted():
            self.refresh()

    def _show(self, session: AnnotationSession, result: dict[str, Any]) -> None:
        if session is not self.session:
            return  # measured for a project closed since
        self.result = result
        rows = []
        for pair in result["pairs"]:
            who = f"{pair['a']} – {pair['b']}"
            rows.append((who, OVERALL, pair["overall"]))
            rows += [(who, label, figures) for label, figures in pair["labels"].items()]
        self.table.setRowCount(len(rows))
        for r, (who, label, figures) in enumerate(rows):
            cells = [who, label, *(figure_text(figures.get(name)) for name in FIGURES), f"{figures['n_docs']:,}"]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        overall = result["overall"]
        self.chart.set_rows([BarRow(label, (Segment(label, round((f["f1_overlap"] or 0.0) * 100), _BAR_COLOUR),),
                                    caption=f"{figure_text(f['f1_overlap'])} · κ {figure_text(f['kappa'])}")
                             for label, f in overall["labels"].items()], scale=100)
        n = len(result["pairs"])
        self.status.setText(f"{len(result['annotators'])} reviewers, {n} pair{'s' if n != 1 else ''}; "
                            f"{overall['n_docs']:,} documents annotated by all of them")
        self._set_summary(summary_text(result))
        self.updated.emit()
        if self._stale and self._wanted():
            self.refresh()

    def _set_summary(self, text: str) -> None:
        if self.statistics is not None:
            self.statistics.panel.set_agreement_summary(text)
