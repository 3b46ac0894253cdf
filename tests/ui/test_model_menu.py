"""Model → Train and Model → Suggest in the real window: training in a child process and
suggesting on a worker, with progress and cancel, while the reviewer keeps tagging;
suggestions then show for the labels that beat the baseline."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from tests.ui.conftest import make_window

pytest.importorskip("sklearn")
pytest.importorskip("skops")

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def corpus_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 generated documents, four in five marked done with their spans by a careful reviewer."""
    sys.path.insert(0, str(BENCH))
    import suggest_corpus

    folder = tmp_path_factory.mktemp("model-menu")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANNOTATOR_HOME", str(folder / "home"))
        return suggest_corpus.write_project(folder / "corpus.annotator", 40, 1200)


@pytest.fixture
def corpus(corpus_template: Path, tmp_path: Path) -> Path:
    return Path(shutil.copyfile(corpus_template, tmp_path / "corpus.annotator"))


def open_document(repo) -> int:  # type: ignore[no-untyped-def]
    return repo.documents_not_done()[0]


def test_train_from_the_menu_runs_in_another_process_while_tagging_goes_on(qtbot, corpus: Path) -> None:
    from annotator.storage.repository import Repository
    from annotator.suggestions.review import labels_beating_baseline

    repo, _ = Repository.open(corpus, create=False)
    try:
        doc = open_document(repo)
        window = make_window(qtbot, corpus)
        window.documents.open(doc)
        window.registry.action("model.train").trigger()
        task, dialog = window.model.task, window.model.progress
        assert task is not None and task.is_running()
        assert dialog is not None and dialog.isVisible()
        assert dialog.windowModality() == Qt.WindowModality.NonModal
        # The window answers meanwhile: a span tagged now is stored at once.
        label = window.session.label_specs[0].name
        window.view.select_cp(0, 12)
        window.registry.action(f"label.{label}").trigger()
        assert task.is_running()  # tagged while training ran
        assert [(s.start, s.label) for s in repo.spans(doc, "tester")] == [(0, label)]  # snapped to words
        qtbot.waitUntil(lambda: window.model.task is None, timeout=180_000)
        assert repo.latest_model() is not None
        assert window.statusBar().currentMessage().startswith("Model trained on")
        assert window.model.progress is None
        # The process that ran the training is the child, not this one.
        assert task.outcome is not None and task.outcome.kind == "finished"
        assert task.outcome.pid == task.pid and task.pid != os.getpid()

        window.registry.action("model.suggest_document").trigger()
        qtbot.waitUntil(lambda: window.model.task is None, timeout=60_000)
        stored = repo.suggestions(doc)
        assert stored, window.statusBar().currentMessage()
        team = window.team
        qtbot.waitUntil(lambda: team.overlay.layer("model") is not None, timeout=10_000)
        shown = {e.label for e in team.overlay.entries(team.overlay.layer("model"))}
        beating = labels_beating_baseline(repo)
        assert shown == {s.label for s in stored} & beating  # only labels that beat the keyword baseline
        names = [spec.name for spec in window.session.label_specs]
        assert all(team.overlay.label_shown(name) == (name in beating) for name in names)
        assert "model" in team.panel.names()
    finally:
        repo.close()


def test_training_can_be_cancelled_and_stores_nothing(qtbot, corpus: Path) -> None:
    from annotator.storage.repository import Repository

    window = make_window(qtbot, corpus)
    window.registry.action("model.train").trigger()
    dialog = window.model.progress
    assert dialog is not None
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.task is None, timeout=180_000)
    repo, _ = Repository.open(corpus, create=False)
    try:
        assert repo.latest_model() is None
    finally:
        repo.close()
    assert "cancel" in window.statusBar().currentMessage().casefold()


def test_closing_the_window_ends_the_training_process(qtbot, corpus: Path) -> None:
    from annotator.storage.repository import Repository

    window = make_window(qtbot, corpus)
    window.registry.action("model.train").trigger()
    training = window.model.task
    assert training is not None and training.is_running()
    window.close()
    assert window.model.task is None
    with pytest.raises(ProcessLookupError):  # ended and reaped
        os.kill(training.pid, 0)
    repo, _ = Repository.open(corpus, create=False)
    try:
        assert repo.latest_model() is None
    finally:
        repo.close()


def test_suggest_without_a_model_says_to_train_first(qtbot, corpus: Path) -> None:
    window = make_window(qtbot, corpus)
    window.registry.action("model.suggest_all").trigger()
    qtbot.waitUntil(lambda: window.model.task is None, timeout=30_000)
    assert "Train model first" in window.statusBar().currentMessage()
