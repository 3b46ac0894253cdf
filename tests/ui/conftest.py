"""GUI test fixtures: an isolated home and QSettings, a small project, the real main window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

# Canonical texts are what the .txt importer keeps for these files (no trailing spaces,
# single blank lines), so tests can find phrases in them directly.
ARTICLES = {
    "gut.txt": "Probiotics reduce nerve pain in most adults.\n\n"
               "Butyrate calms immune cells, a 2021 trial in the Journal of Pain found.\n\n"
               "This is not medical advice.",
    "emoji.txt": "Smile 😀 and the math letter 𝑝 come first. Then vitamin D helps sleep 😴 a lot.",
    "sleep.txt": "Sleep hygiene lowers migraine frequency.\n\nTake magnesium with dinner.",
}


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("ANNOTATOR_HOME", str(home))
    # window_state writes under ANNOTATOR_HOME already; this keeps any other QSettings use
    # (Qt's own, or a future default-constructed QSettings) away from the real user files.
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    return home


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    from annotator.importing import import_paths
    from annotator.project import open_project

    folder = tmp_path / "articles"
    folder.mkdir()
    files = []
    for name, text in ARTICLES.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
        files.append(folder / name)
    path = tmp_path / "test.annotator"
    project = open_project(path)
    report = import_paths(project.repo, files)
    assert len(report.imported) == len(ARTICLES), report.summary()
    project.close()
    return path


def make_window(qtbot, path: Path):  # type: ignore[no-untyped-def]
    from annotator.ui import open_main_window

    window = open_main_window(path, reviewer="tester")
    qtbot.addWidget(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    return window


@pytest.fixture
def window(qtbot, project_path: Path) -> Iterator:  # type: ignore[no-untyped-def]
    yield make_window(qtbot, project_path)


@pytest.fixture
def fresh_repo(project_path: Path) -> Iterator:  # type: ignore[no-untyped-def]
    """A second connection on the same file: what is committed, not what the window caches."""
    from annotator.storage.repository import Repository

    repo, _ = Repository.open(project_path, create=False)
    yield repo
    repo.close()


def doc_id_for(window, needle: str) -> int:  # type: ignore[no-untyped-def]
    for row in range(window.doc_model.rowCount()):
        summary = window.doc_model.summary(row)
        if needle in window.session.document(summary.id).text:
            return summary.id
    raise AssertionError(f"no document holds {needle!r}")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def select_phrase(window, phrase: str, occurrence: int = 0) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Select ``phrase`` in the view with UTF-16 cursor positions; returns its code point range."""
    text = window.view.store.text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    end = start + len(phrase)
    select_utf16(window.view, utf16_len(text[:start]), utf16_len(text[:end]))
    return start, end


def select_utf16(view, start16: int, end16: int) -> None:  # type: ignore[no-untyped-def]
    cursor = view.textCursor()
    cursor.setPosition(start16)
    cursor.setPosition(end16, QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    view.setFocus()


def press(qtbot, window, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
          widget=None) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(widget or window.view, key, modifier)
