"""Help → Guide and Help → About: the workflow, the keys, where the data lives; nothing read as markup."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from annotator import __version__
from annotator.config import backup_dir
from annotator.ui.dialogs.help import guide_html


def _run_modal(qtbot, trigger) -> QDialog:  # type: ignore[no-untyped-def]
    """Trigger an action that runs a modal dialog; return the dialog after closing it."""
    seen: list[QDialog] = []

    def close() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog)
        seen.append(dialog)
        dialog.reject()

    QTimer.singleShot(50, close)
    trigger()
    assert seen
    return seen[0]


def test_the_guide_gives_workflow_keys_and_places(qtbot, window) -> None:
    dialog = _run_modal(qtbot, window.registry.action("help.guide").trigger)
    text = dialog.findChild(type(dialog.browser), "guideText").toPlainText()
    assert "Annotating, step by step" in text and "no Save" in text
    assert "tag as claim" in text and "Ctrl+Return" in text  # label keys and commands, from the registry
    assert window.session.path in text and str(backup_dir()) in text


def test_guide_paths_and_labels_are_text_not_markup(qtbot) -> None:
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(guide_html("/home/a/<i>study</i>.annotator", [("<b>x</b>", "7")], [("Undo", "Ctrl+Z")]))
    text = doc.toPlainText()
    assert "/home/a/<i>study</i>.annotator" in text and "tag as <b>x</b>" in text


def test_about_names_version_project_and_database(qtbot, window) -> None:
    dialog = _run_modal(qtbot, window.registry.action("help.about").trigger)
    label = dialog.text
    assert label.textFormat() == Qt.TextFormat.PlainText
    text = label.text()
    assert f"annotator {__version__}" in text and f"Project: {window.session.path}" in text
    assert "Database: SQLite file" in text and "Reviewer: tester" in text
