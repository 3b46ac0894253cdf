"""Ask who is reviewing: every span and status is stored under this name."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

# The annotator table allows 200 characters; a name is far shorter in practice.
MAX_NAME_LENGTH = 200


class ReviewerNameDialog(QDialog):
    def __init__(self, parent: QWidget | None, default: str) -> None:
        super().__init__(parent)
        self.setObjectName("reviewerNameDialog")
        self.setWindowTitle("Reviewer name")
        explanation = QLabel(
            "Spans you add and the statuses you set are recorded under this name, so that "
            "several reviewers can annotate the same articles and be compared. Use the same "
            "name every time you review this project.",
            self,
        )
        explanation.setWordWrap(True)
        self.name_edit = QLineEdit(default.strip(), self)
        self.name_edit.setObjectName("reviewerName")
        self.name_edit.setMaxLength(MAX_NAME_LENGTH)
        self.name_edit.setPlaceholderText("e.g. reviewer-1 or your initials")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(QLabel("Your name:", self))
        layout.addWidget(self.name_edit)
        layout.addWidget(self.buttons)

        self.name_edit.textChanged.connect(self._update_ok)
        self._update_ok()
        self.name_edit.selectAll()
        self.resize(420, self.sizeHint().height())

    def name(self) -> str:
        return self.name_edit.text().strip()

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.name()))

    def accept(self) -> None:
        if self.name():  # Enter in the line edit bypasses the disabled OK button
            super().accept()


def ask_reviewer_name(parent: QWidget | None, default: str) -> str | None:
    """The trimmed, non-empty name, or None if the reviewer cancelled."""
    dialog = ReviewerNameDialog(parent, default)
    try:
        return dialog.name() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
