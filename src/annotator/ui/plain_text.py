"""The one way user-supplied strings reach Qt: always as plain text.

Qt guesses whether a tooltip, a QLabel or a message box holds rich text
(``Qt::mightBeRichText``). A title such as ``<img src="/dev/zero">`` taken from an HTML
``<h1>``, PDF metadata or a JSONL record would then be rendered as HTML: Qt would read that
file on hover, and nested tables freeze the GUI. Titles, source paths, span text, notes,
label definitions, reasons and error messages all go through these functions.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QMessageBox, QWidget


def plain_tooltip(text: str | None) -> str:
    """Tooltip markup that shows ``text`` literally (escaped; line breaks kept; long lines wrap)."""
    if not text:
        return ""
    return GuiQt.convertFromPlainText(str(text), Qt.WhiteSpaceMode.WhiteSpaceNormal)


def set_plain_text(label: QLabel, text: str) -> None:
    """``label.setText(text)`` with the text never read as markup."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A QLabel that shows its text, now and later, as plain text."""
    label = QLabel(parent)
    set_plain_text(label, text)
    return label


def plain_message_box(icon: QMessageBox.Icon, title: str, text: str,
                      buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
                      parent: QWidget | None = None) -> QMessageBox:
    """A QMessageBox whose text (a path, an error, a reason) is shown as plain text."""
    box = QMessageBox(icon, title, "", buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    return box


def show_critical(parent: QWidget | None, title: str, text: str) -> None:
    """``QMessageBox.critical`` with the text as plain text (modal, waits for the click)."""
    plain_message_box(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, parent).exec()


def make_labels_plain(widget: QWidget) -> None:
    """Every QLabel inside a stock dialog (QProgressDialog, QInputDialog) shows plain text from now on."""
    for label in widget.findChildren(QLabel):
        label.setTextFormat(Qt.TextFormat.PlainText)


def ask_text(parent: QWidget | None, title: str, prompt: str, *, text: str = "",
             echo: QLineEdit.EchoMode = QLineEdit.EchoMode.Normal) -> tuple[str, bool]:
    """``QInputDialog.getText`` with the prompt (which may name a file or a label) as plain text."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(prompt)
    dialog.setTextEchoMode(echo)
    dialog.setTextValue(text)
    make_labels_plain(dialog)
    accepted = dialog.exec() == QInputDialog.DialogCode.Accepted
    value = dialog.textValue()
    dialog.deleteLater()
    return value, accepted
