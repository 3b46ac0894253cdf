"""Two windows on one project: what one reviewer (or program) changes shows in the other.

Run on a SQLite file (PRAGMA data_version) and on PostgreSQL (LISTEN/NOTIFY).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import ARTICLES, doc_id_for, make_window, press, select_phrase

SECOND_ARTICLE = "Green tea may lower blood pressure slightly, a review says.\n"


@pytest.fixture
def shared_project(project_url: str, tmp_path: Path) -> str:
    from annotator.importing import import_paths
    from annotator.project import open_project

    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    project = open_project(project_url)
    assert len(import_paths(project.repo, sorted(folder.iterdir())).imported) == len(ARTICLES)
    project.close()
    return project_url


def _open_gut(qtbot, window) -> int:  # type: ignore[no-untyped-def]
    doc_id = doc_id_for(window, "Probiotics")
    window.documents.open(doc_id)
    return doc_id


def test_a_span_tagged_in_one_window_appears_in_the_other_within_2_s(qtbot, shared_project: str) -> None:
    other = make_window(qtbot, shared_project)
    mine = make_window(qtbot, shared_project)
    doc_id = _open_gut(qtbot, other)
    _open_gut(qtbot, mine)
    kept = select_phrase(other, "immune cells")  # the other reviewer's place must stay put
    scroll = other.view.verticalScrollBar().value()
    select_phrase(mine, "nerve pain")
    press(qtbot, mine, Qt.Key.Key_1)
    assert len(mine.span_model.store) == 1
    started = time.monotonic()
    qtbot.waitUntil(lambda: len(other.span_model.store) == 1, timeout=2000)
    assert time.monotonic() - started <= 2.0
    (entry,) = [other.span_model.store.get(i) for i in other.span_model.store.ids()]
    assert (entry.label, entry.start, entry.end) == ("claim", *select_phrase_range(ARTICLES["gut.txt"], "nerve pain"))
    assert other.documents.current_id == doc_id
    assert other.view.selection_cp() == kept and other.view.verticalScrollBar().value() == scroll
    assert other.span_model.rowCount() == 1


def select_phrase_range(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def test_a_document_imported_by_another_program_appears_in_the_list(qtbot, shared_project: str,
                                                                     tmp_path: Path) -> None:
    from annotator.importing import import_paths
    from annotator.storage.repository import Repository

    window = make_window(qtbot, shared_project)
    doc_id = _open_gut(qtbot, window)
    before = window.doc_model.rowCount()
    (tmp_path / "tea.txt").write_text(SECOND_ARTICLE, encoding="utf-8")
    repo, _ = Repository.open(shared_project, create=False)  # `annotator import` while the app is open
    try:
        assert len(import_paths(repo, [tmp_path / "tea.txt"]).imported) == 1
    finally:
        repo.close()
    qtbot.waitUntil(lambda: window.doc_model.rowCount() == before + 1, timeout=2000)
    assert window.documents.current_id == doc_id


def test_refresh_f5_shows_changes_at_once(qtbot, shared_project: str) -> None:
    from annotator.services import AnnotationService
    from annotator.storage.repository import Repository

    window = make_window(qtbot, shared_project)
    doc_id = _open_gut(qtbot, window)
    window.live._timer.stop()  # no polling: only the key may show it
    repo, _ = Repository.open(shared_project, create=False)
    try:
        AnnotationService(repo, "tester").add_span(doc_id, 0, 10, "intervention")
    finally:
        repo.close()
    assert len(window.span_model.store) == 0
    action = window.registry.action("view.refresh")
    assert action.shortcut().toString() == "F5"
    action.trigger()
    assert len(window.span_model.store) == 1


def test_a_team_project_names_its_server_and_keeps_no_password(qtbot, pg_url: str, isolated_home: Path) -> None:
    from sqlalchemy.engine import make_url

    from annotator.config import Preferences

    secret = "pw-not-to-keep"  # the test server trusts local connections, so any password opens it
    url = make_url(pg_url).set(password=secret).render_as_string(hide_password=False)
    window = make_window(qtbot, url)
    database = make_url(pg_url).database
    assert database in window.windowTitle() and secret not in window.windowTitle()
    assert database in window.reviewer_label.text()
    window.close_project()
    stored = Preferences.path().read_text(encoding="utf-8")
    assert database in stored and secret not in stored
    assert Preferences.load().last_project == make_url(pg_url).render_as_string(hide_password=False)
