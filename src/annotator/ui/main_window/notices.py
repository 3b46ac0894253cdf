"""Problems with the project file itself, told without stopping the reviewer's work.

Two sources: an edit the file refused (read-only, disk full, busy: a StorageError caught by
the undo commands) and the open-time health check, which for large projects finishes on a
thread after the window is in use (``Project.health``). Both show a line in the status bar
and a non-modal message box, so nothing waits on a click and nothing blocks the GUI thread.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox
from annotator.ui.plain_text import plain_message_box

if TYPE_CHECKING:
    from annotator.storage.backup import HealthReport

STATUS_MS = 15000
# The future is polled rather than given a done-callback: the callback would run on the
# checking thread, and a poll this slow costs nothing next to a check of many seconds.
POLL_MS = 250


def show_notice(window: QMainWindow, name: str, title: str, text: str,
                icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> QMessageBox:
    """A non-modal message box named ``name``; one per name, updated rather than stacked."""
    box = window.findChild(QMessageBox, name)
    if box is None:
        box = plain_message_box(icon, title, text, QMessageBox.StandardButton.Ok, window)
        box.setObjectName(name)
        box.setModal(False)
    else:
        box.setIcon(icon)
        box.setWindowTitle(title)
        box.setText(text)
    box.show()
    box.raise_()
    return box


def show_storage_error(window: QMainWindow, error: str) -> None:
    """An edit was not saved because of the file: what happened and that nothing was lost."""
    window.statusBar().showMessage(f"Not saved: {error}", STATUS_MS)
    show_notice(window, "storageError", "Change not saved",
                f"This change was not saved:\n\n{error}\n\nEverything saved before it is intact. "
                "Fix the cause (free disk space, make the file writable, close the other program "
                "using it) and try again.")


def health_text(report: HealthReport) -> tuple[str, str, str] | None:
    """(status line, dialog title, dialog text) for a report worth telling, else None."""
    if not report.ok:
        return ("The project file is damaged; see the message for how to restore its backup.",
                "Project file damaged",
                (report.message or "The project file failed its integrity check.")
                + "\n\nAvoid further edits until it is restored: they may not be saved.")
    if report.backup_error:
        return (f"Backup failed: {report.backup_error}", "Backup failed",
                f"Today's backup of this project could not be made:\n\n{report.backup_error}\n\n"
                "The project itself is fine and open; the backup is tried again next time it opens.")
    return None


class HealthWatcher(QObject):
    """Waits (by polling, on the GUI thread) for a project's health future, then reports it."""

    reported = Signal(str)  # the status line, once shown (tests and logs)

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._future: Future[HealthReport] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    def watch(self, future: Future[HealthReport] | None) -> None:
        """Report ``future`` when done; a newer project's future replaces an older one's."""
        self._future = future
        if future is None:
            self._timer.stop()
        elif future.done():
            self._poll()
        else:
            self._timer.start()

    def _poll(self) -> None:
        future = self._future
        if future is None or not future.done():
            return
        self._timer.stop()
        self._future = None
        try:
            report = future.result()
        except Exception as exc:  # the check itself failed to run: worth a line, not a dialog
            line = f"The project's health check could not run: {exc}"
            self._window.statusBar().showMessage(line, STATUS_MS)
            self.reported.emit(line)
            return
        told = health_text(report)
        if told is None:
            return
        line, title, text = told
        self._window.statusBar().showMessage(line, STATUS_MS)
        show_notice(self._window, "projectHealth", title, text,
                    QMessageBox.Icon.Critical if not report.ok else QMessageBox.Icon.Warning)
        self.reported.emit(line)
