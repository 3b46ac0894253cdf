"""Reviewer-name and flag-reason dialogs: required, trimmed input; modal runs never block."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLabel

from annotator.ui.dialogs.flag import FlagReasonDialog, ask_flag_reason
from annotator.ui.dialogs.reviewer import ReviewerNameDialog, ask_reviewer_name


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path))


def drive_modal(act: Callable[[QDialog], None], timeout_s: float = 5.0) -> QTimer:
    """Poll for the modal dialog exec() opens, then act on it; reject it if acting never happens."""
    deadline = time.monotonic() + timeout_s
    timer = QTimer()
    timer.setInterval(20)

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QDialog):
            timer.stop()
            act(dialog)
            if dialog.isVisible():  # act() failed to close it: never leave exec() hanging
                dialog.reject()
        elif time.monotonic() > deadline:
            timer.stop()

    timer.timeout.connect(poll)
    timer.start()
    return timer


def ok_button(dialog: QDialog) -> object:
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)


# -- reviewer name ---------------------------------------------------------------------
def test_reviewer_name_is_trimmed_and_required(qtbot) -> None:
    dialog = ReviewerNameDialog(None, "  ada  ")
    qtbot.addWidget(dialog)
    assert dialog.name() == "ada"
    assert ok_button(dialog).isEnabled()
    dialog.name_edit.setText("   ")
    assert not ok_button(dialog).isEnabled()
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    dialog.name_edit.setText(" reviewer-2 ")
    assert ok_button(dialog).isEnabled()


def test_reviewer_dialog_explains_what_the_name_is_for(qtbot) -> None:
    dialog = ReviewerNameDialog(None, "")
    qtbot.addWidget(dialog)
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel)).lower()
    assert "spans" in texts and "status" in texts


def test_ask_reviewer_name_returns_the_typed_name(qtbot) -> None:
    def type_and_accept(dialog: QDialog) -> None:
        assert isinstance(dialog, ReviewerNameDialog)
        dialog.name_edit.setText("  grace hopper ")
        ok_button(dialog).click()

    timer = drive_modal(type_and_accept)
    assert ask_reviewer_name(None, "default-name") == "grace hopper"
    timer.stop()


def test_ask_reviewer_name_cancel_returns_none(qtbot) -> None:
    timer = drive_modal(lambda d: d.reject())
    assert ask_reviewer_name(None, "someone") is None
    timer.stop()


def test_enter_on_an_empty_name_does_not_accept(qtbot) -> None:
    dialog = ReviewerNameDialog(None, "")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.name_edit, "lin")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Accepted


# -- flag reason -----------------------------------------------------------------------
def test_flag_reason_is_required_multiline_and_trimmed(qtbot) -> None:
    dialog = FlagReasonDialog(None)
    qtbot.addWidget(dialog)
    assert not ok_button(dialog).isEnabled()
    dialog.reason_edit.setPlainText("  \n ")
    assert not ok_button(dialog).isEnabled()
    dialog.reason_edit.setPlainText("\nText is garbled\nafter page 2.  \n")
    assert ok_button(dialog).isEnabled()
    assert dialog.reason() == "Text is garbled\nafter page 2."


def test_ask_flag_reason_returns_the_reason(qtbot) -> None:
    def write_and_accept(dialog: QDialog) -> None:
        assert isinstance(dialog, FlagReasonDialog)
        dialog.reason_edit.setPlainText("Wrong article imported")
        ok_button(dialog).click()

    timer = drive_modal(write_and_accept)
    assert ask_flag_reason(None) == "Wrong article imported"
    timer.stop()


def test_ask_flag_reason_without_text_cannot_be_accepted(qtbot) -> None:
    def try_to_accept_empty(dialog: QDialog) -> None:
        dialog.accept()  # refused: no reason; drive_modal then rejects it

    timer = drive_modal(try_to_accept_empty)
    assert ask_flag_reason(None) is None
    timer.stop()
