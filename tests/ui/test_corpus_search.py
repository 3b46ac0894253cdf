"""Corpus search dock: off-thread search, debounce, stale results dropped, code point offsets."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.importing import import_paths
from annotator.project import Project, open_project
from annotator.records import SearchHit
from annotator.ui.corpus_search import CorpusSearchDock, context_html

EMOJI_TEXT = "Gut notes 🦠🧪\nBacteria 🦠 in the colon make butyrate, a short-chain fatty acid.\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Iterator[Project]:
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "home"))
    (tmp_path / "emoji.txt").write_text(EMOJI_TEXT, encoding="utf-8")
    (tmp_path / "plain.txt").write_text("Fibre\nFibre feeds the microbiome.\n", encoding="utf-8")
    proj = open_project(tmp_path / "p.annotator")
    report = import_paths(proj.repo, [tmp_path / "emoji.txt", tmp_path / "plain.txt"])
    assert len(report.imported) == 2, report.summary()
    yield proj
    proj.close()


def make_dock(qtbot, search_fn) -> CorpusSearchDock:
    dock = CorpusSearchDock(search_fn, None)
    qtbot.addWidget(dock)
    dock.show()
    return dock


def test_activating_a_hit_after_an_emoji_emits_code_point_offsets(qtbot, project: Project) -> None:
    dock = make_dock(qtbot, project.repo.search)
    assert dock.objectName() == "corpusSearch"
    with qtbot.waitSignal(dock.results_shown, timeout=5000) as shown:
        dock.query_edit.setText("BUTYRATE")
    assert shown.args == ["BUTYRATE", 1]
    doc_id = project.repo.search("butyrate")[0].document_id
    text = project.repo.document(doc_id).text
    with qtbot.waitSignal(dock.open_hit, timeout=2000) as opened:
        dock.results.setFocus()
        qtbot.keyClick(dock.results, Qt.Key.Key_Return)
    got_id, start, end = opened.args
    assert got_id == doc_id
    assert text[start:end] == "butyrate"
    assert start == text.index("butyrate")  # code points: three emoji precede it
    utf16_start = len(text[:start].encode("utf-16-le")) // 2
    assert utf16_start == start + 3, "the fixture must put astral characters before the hit"


def test_results_show_title_and_emphasised_context(qtbot, project: Project) -> None:
    dock = make_dock(qtbot, project.repo.search)
    with qtbot.waitSignal(dock.results_shown, timeout=5000):
        dock.query_edit.setText("fibre feeds")
    assert dock.results.count() == 1
    item = dock.results.item(0)
    html = item.data(Qt.ItemDataRole.UserRole + 1)
    assert "Fibre" in html and "<b>Fibre feeds</b>" in html
    assert dock.status_label.text() == "1 document"
    dock.resize(300, 400)
    assert not dock.grab().isNull()  # runs the delegate's paint and sizeHint
    assert dock.results.sizeHintForRow(0) > dock.results.fontMetrics().height()


def test_no_results_says_so(qtbot, project: Project) -> None:
    dock = make_dock(qtbot, project.repo.search)
    with qtbot.waitSignal(dock.results_shown, timeout=5000):
        dock.query_edit.setText("vaccine")
    assert dock.results.count() == 0
    assert "No document" in dock.status_label.text()


def test_search_runs_off_the_gui_thread_once_per_pause(qtbot) -> None:
    calls: list[tuple[str, int]] = []

    def search_fn(query: str) -> list[SearchHit]:
        calls.append((query, threading.get_ident()))
        return [SearchHit(1, "Doc", 0, len(query), query)]

    dock = make_dock(qtbot, search_fn)
    with qtbot.waitSignal(dock.results_shown, timeout=5000):
        qtbot.keyClicks(dock.query_edit, "probiotic")  # nine edits within the debounce window
    assert [q for q, _ in calls] == ["probiotic"]
    assert calls[0][1] != threading.get_ident()


def test_stale_results_are_discarded(qtbot) -> None:
    release_slow = threading.Event()

    def search_fn(query: str) -> list[SearchHit]:
        if query == "slow":
            release_slow.wait(5)
        return [SearchHit(7, f"title for {query}", 0, 1, query)]

    dock = make_dock(qtbot, search_fn)
    dock.query_edit.setText("slow")
    dock.search_now()
    dock.query_edit.setText("fast")
    with qtbot.waitSignal(dock.results_shown, timeout=5000) as shown:
        dock.search_now()
    assert shown.args == ["fast", 1]
    release_slow.set()
    qtbot.wait(300)  # let the slow search finish and (not) land
    assert dock.shown_query() == "fast"
    assert dock.results.count() == 1
    assert dock.results.item(0).data(Qt.ItemDataRole.UserRole).title == "title for fast"


def test_search_failure_is_shown_in_the_dock(qtbot) -> None:
    def search_fn(query: str) -> list[SearchHit]:
        raise RuntimeError("database is locked")

    dock = make_dock(qtbot, search_fn)
    dock.query_edit.setText("anything")
    dock.search_now()
    qtbot.waitUntil(lambda: "failed" in dock.status_label.text(), timeout=5000)
    assert "database is locked" in dock.status_label.text()


def test_clearing_the_query_clears_results(qtbot) -> None:
    dock = make_dock(qtbot, lambda q: [SearchHit(1, "T", 0, 1, q)])
    with qtbot.waitSignal(dock.results_shown, timeout=5000):
        dock.query_edit.setText("x")
    assert dock.results.count() == 1
    dock.query_edit.clear()
    dock.search_now()
    assert dock.results.count() == 0


def test_context_html_escapes_and_matches_across_collapsed_spaces() -> None:
    hit = SearchHit(1, "T", 10, 22, "before <gut>   flora after")
    out = context_html(hit, "GUT>  flora")
    assert out == "before &lt;<b>gut&gt;   flora</b> after"
