"""The statistics dock: charts of progress, labels and lengths, counted off the GUI thread, kept current."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt

from annotator.ui.statistics import length_ranges

from .conftest import doc_id_for, make_window, press, select_phrase

K, M = Qt.Key, Qt.KeyboardModifier


def _open_statistics(qtbot, window):  # type: ignore[no-untyped-def]
    dock = window.findChild(type(window.statistics), "statistics")
    assert dock is window.statistics and not dock.isVisible()
    # Progress and labels first, then the lengths (a scan of every span).
    with qtbot.waitSignals([dock.first_figures, dock.updated], order="strict", timeout=5000):
        window.registry.action("view.statistics").trigger()
    assert dock.isVisible() and window.registry.action("view.statistics").isChecked()
    return dock


def _rows(chart) -> dict[str, dict[str, int]]:  # type: ignore[no-untyped-def]
    return {row.label: {seg.name: seg.value for seg in row.segments} for row in chart.rows}


def test_length_ranges_cover_every_length_once() -> None:
    ranges = length_ranges({1: 2, 10: 1, 11: 4, 500: 1, 501: 3, 9000: 1})
    assert ranges == [("1–10", 3), ("11–25", 4), ("26–50", 0), ("51–100", 0), ("101–200", 0), ("201–500", 1),
                      ("over 500", 4)]


def test_statistics_show_progress_labels_and_lengths_and_follow_edits(qtbot, window, monkeypatch) -> None:
    threads: list[threading.Thread] = []
    repo = window.session.project.repo
    counted = repo.progress_overview
    monkeypatch.setattr(repo, "progress_overview", lambda: threads.append(threading.current_thread()) or counted())
    dock = _open_statistics(qtbot, window)
    assert threads and all(t is not threading.main_thread() for t in threads)  # counted on a worker
    panel = dock.panel
    assert _rows(panel.progress_chart) == {} and panel.summary.text() == "3 documents · 0 spans · 0 reviewers"

    window.documents.open(doc_id_for(window, "Probiotics"))
    select_phrase(window, "Probiotics reduce nerve pain")
    with qtbot.waitSignal(dock.updated, timeout=5000):
        press(qtbot, window, K.Key_1)  # claim, 28 characters
    assert _rows(panel.progress_chart) == {"tester": {"done": 0, "in progress": 1, "skipped": 0, "flagged": 0}}
    assert panel.progress_chart.scale == 3  # a full bar is every document
    assert _rows(panel.label_chart)["claim"] == {"claim": 1}
    assert dict((label, sum(v.values())) for label, v in _rows(panel.length_chart).items())["26–50"] == 1
    assert panel.summary.text() == "3 documents · 1 span · 1 reviewer"

    with qtbot.waitSignal(dock.updated, timeout=5000):
        press(qtbot, window, K.Key_Return, M.ControlModifier)  # done
    assert _rows(panel.progress_chart)["tester"]["done"] == 1
    assert not panel.agreement.isVisibleTo(panel)  # one reviewer: nothing to agree on


def test_a_hidden_dock_does_not_count_until_shown(qtbot, window, monkeypatch) -> None:
    calls: list[int] = []
    repo = window.session.project.repo
    counted = repo.progress_overview
    monkeypatch.setattr(repo, "progress_overview", lambda: calls.append(1) or counted())
    window.documents.open(doc_id_for(window, "Probiotics"))
    select_phrase(window, "nerve pain")
    press(qtbot, window, K.Key_2)
    qtbot.wait(600)
    assert calls == []
    _open_statistics(qtbot, window)
    assert calls == [1] and _rows(window.statistics.panel.label_chart)["mechanism"] == {"mechanism": 1}


def test_documents_shared_by_reviewers_open_the_agreement_section(qtbot, project_path: Path) -> None:
    from annotator.services import AnnotationService
    from annotator.storage.repository import Repository

    repo, _ = Repository.open(project_path, create=False)
    doc_id = repo.document_summaries("x")[0].id
    AnnotationService(repo, "ana").add_span(doc_id, 0, 5, "claim")
    AnnotationService(repo, "<b>ben</b>").add_span(doc_id, 0, 6, "claim")
    repo.close()
    window = make_window(qtbot, project_path)
    panel = _open_statistics(qtbot, window).panel
    assert panel.agreement.isVisibleTo(panel)
    assert panel.agreement.text().startswith("1 document annotated by more than one reviewer")
    assert "<b>ben</b>" in _rows(panel.progress_chart)  # names are drawn as given, never as markup
