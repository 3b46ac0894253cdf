"""Ask why a document is being flagged; the reason is stored with the "flagged" status."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget


class FlagReasonDialog(QDialog):
    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("flagReasonDialog")
        self.setWindowTitle("Flag document")
        explanation = QLabel(
            "Say what is wrong so whoever picks this document up next can act on it "
            "(garbled text, wrong article, unclear guideline…).",
            self,
        )
        explanation.setWordWrap(True)
        self.reason_edit = QPlainTextEdit(self)
        self.reason_edit.setObjectName("flagReason")
        self.reason_edit.setPlaceholderText("Reason (required)")
        self.reason_edit.setTabChangesFocus(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Flag")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(self.reason_edit, 1)
        layout.addWidget(self.buttons)

        # Enter makes new lines in the reason, so confirming needs Ctrl+Enter.
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.accept)
        self.reason_edit.textChanged.connect(self._update_ok)
        self._update_ok()
        self.reason_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.resize(440, 260)

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.reason()))

    def accept(self) -> None:
        if self.reason():
            super().accept()


def ask_flag_reason(parent: QWidget | None) -> str | None:
    """The trimmed reason, or None if the reviewer cancelled."""
    dialog = FlagReasonDialog(parent)
    try:
        return dialog.reason() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
