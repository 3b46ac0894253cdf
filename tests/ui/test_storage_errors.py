"""The file refusing a change (read-only, full, busy) and the late health check, through the real window."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from annotator.storage.backup import HealthReport
from annotator.storage.errors import StorageError
from tests.ui.conftest import doc_id_for, make_window, press, select_phrase

K = Qt.Key
M = Qt.KeyboardModifier
READ_ONLY = "the project file is read-only (test.annotator); this change was not saved."


def _refuse(*_args: object, **_kwargs: object) -> None:
    raise StorageError(READ_ONLY, "read_only")


def _box(window, name: str) -> QMessageBox | None:  # type: ignore[no-untyped-def]
    box = window.findChild(QMessageBox, name)
    return box if box is not None and box.isVisible() else None


def _open_doc(window) -> int:  # type: ignore[no-untyped-def]
    doc_id = doc_id_for(window, "Probiotics")
    window.documents.open(doc_id)
    return doc_id


def test_a_refused_tag_adds_nothing_anywhere_and_says_why(qtbot, window, fresh_repo, monkeypatch) -> None:
    doc_id = _open_doc(window)
    monkeypatch.setattr(window.session.service, "add_span", _refuse)
    stack = window.editing.undo_stack
    count, index = stack.count(), stack.index()
    select_phrase(window, "nerve pain")
    press(qtbot, window, K.Key_1)
    assert window.span_model.rowCount() == 0 and len(window.view.store) == 0
    assert fresh_repo.spans(doc_id, "tester") == []
    assert (stack.count(), stack.index()) == (count, index)
    assert not stack.canUndo()
    box = _box(window, "storageError")
    assert box is not None and "read-only" in box.text() and not box.isModal()
    assert "read-only" in window.statusBar().currentMessage()
    assert window.doc_model.summary_for(doc_id).span_count == 0
    # Once the file takes writes again, the same key works.
    monkeypatch.undo()
    press(qtbot, window, K.Key_1)
    assert len(fresh_repo.spans(doc_id, "tester")) == 1 and stack.count() == count + 1


def test_a_refused_undo_keeps_the_step_and_the_span(qtbot, window, fresh_repo, monkeypatch) -> None:
    doc_id = _open_doc(window)
    select_phrase(window, "nerve pain")
    press(qtbot, window, K.Key_1)
    stack = window.editing.undo_stack
    assert (stack.count(), stack.index()) == (1, 1)
    monkeypatch.setattr(window.session.service, "remove_span", _refuse)
    press(qtbot, window, K.Key_Z, M.ControlModifier)
    assert (stack.count(), stack.index()) == (1, 1)  # the stack still matches the file
    assert len(fresh_repo.spans(doc_id, "tester")) == 1 and window.span_model.rowCount() == 1
    assert _box(window, "storageError") is not None
    monkeypatch.undo()
    press(qtbot, window, K.Key_Z, M.ControlModifier)  # retried, and now it works
    assert stack.index() == 0 and fresh_repo.spans(doc_id, "tester") == [] and window.span_model.rowCount() == 0


def test_a_refused_redo_stays_redoable(qtbot, window, fresh_repo, monkeypatch) -> None:
    doc_id = _open_doc(window)
    select_phrase(window, "nerve pain")
    press(qtbot, window, K.Key_1)
    press(qtbot, window, K.Key_Z, M.ControlModifier)
    stack = window.editing.undo_stack
    monkeypatch.setattr(window.session.service, "restore_span", _refuse)
    press(qtbot, window, K.Key_Z, M.ControlModifier | M.ShiftModifier)
    assert (stack.count(), stack.index()) == (1, 0) and stack.canRedo()
    assert fresh_repo.spans(doc_id, "tester") == [] and window.span_model.rowCount() == 0
    monkeypatch.undo()
    press(qtbot, window, K.Key_Z, M.ControlModifier | M.ShiftModifier)
    assert stack.index() == 1 and len(fresh_repo.spans(doc_id, "tester")) == 1


def test_a_refused_status_change_keeps_the_document_open(qtbot, window, fresh_repo, monkeypatch) -> None:
    doc_id = _open_doc(window)
    monkeypatch.setattr(window.session.service, "set_status", _refuse)
    window.finish_document("done")
    assert window.documents.current_id == doc_id  # not moved on as if it were done
    assert window.doc_model.summary_for(doc_id).status == "todo"
    assert window.editing.undo_stack.count() == 0
    assert _box(window, "storageError") is not None


@pytest.mark.parametrize("report, words", [
    (HealthReport(["*** in database main *** Page 7: btreeInitPage() returns error code 11"], None,
                  'x.annotator is damaged: Page 7. To restore it, close annotator and run:\n'
                  '    annotator recover "x.annotator"'),
     ["annotator recover", "Page 7"]),
    (HealthReport([], None, None, "could not back up x.annotator: No space left on device"),
     ["No space left on device"]),
])
def test_the_late_health_check_is_told_when_it_finishes(qtbot, project_path: Path, monkeypatch,
                                                        report: HealthReport, words: list[str]) -> None:
    pending: Future[HealthReport] = Future()
    monkeypatch.setattr("annotator.project.open_time_care", lambda _path: pending)
    window = make_window(qtbot, project_path)
    assert window.session.project.health is pending
    qtbot.wait(300)
    assert _box(window, "projectHealth") is None  # nothing to tell while the check runs
    with qtbot.waitSignal(window.health.reported, timeout=3000):
        threading.Timer(0.05, pending.set_result, (report,)).start()  # the checking thread finishing
    box = _box(window, "projectHealth")
    assert box is not None and not box.isModal()
    assert all(w in box.text() for w in words)
    assert window.statusBar().currentMessage()


def test_a_healthy_check_says_nothing(qtbot, project_path: Path, monkeypatch) -> None:
    done: Future[HealthReport] = Future()
    done.set_result(HealthReport([], None, None))
    monkeypatch.setattr("annotator.project.open_time_care", lambda _path: done)
    window = make_window(qtbot, project_path)
    qtbot.wait(300)
    assert _box(window, "projectHealth") is None
