"""Live updates: what other reviewers and programs change shows in this window within 2 s.

A :class:`~annotator.storage.db.watch.ChangeWatcher` (``PRAGMA data_version`` on SQLite,
LISTEN/NOTIFY on PostgreSQL) is polled on a timer; when it reports a change, the document
list and the open document's spans are read again without moving the reviewer's place
(``DocumentController.refresh_from_elsewhere``). View → Refresh (F5) does the same at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:
    from annotator.ui.main_window.documents import DocumentController
    from annotator.ui.session import AnnotationSession

POLL_MS = 500


class LiveUpdates(QObject):
    refreshed = Signal()

    def __init__(self, documents: DocumentController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.documents = documents
        self._watcher: Any = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    def set_session(self, session: AnnotationSession | None) -> None:
        self._timer.stop()
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None
        if session is None:
            return
        from annotator.storage.db.watch import ChangeWatcher

        try:
            self._watcher = ChangeWatcher(session.project.repo.engine)
        except Exception as exc:  # no live updates (F5 still works); the project itself is fine
            self.documents.message.emit(f"Changes made elsewhere show on Refresh (F5) only: {exc}")
            return
        # The window shows its own edits as it makes them: they need no refresh.
        session.changed.connect(lambda _change, w=self._watcher: w.seen_own_change())
        self._timer.start()

    def _poll(self) -> None:
        if self._watcher is not None and self._watcher.changed():
            self.refresh()

    def refresh(self) -> None:
        if self._watcher is not None:
            self._watcher.changed()  # what is read now is shown now: no second refresh for it
        self.documents.refresh_from_elsewhere()
        self.refreshed.emit()


def project_label(path: str) -> str:
    from annotator.storage import db

    return db.project_label(path)


def is_team_project(path: str) -> bool:
    from annotator.storage.db import postgres

    return postgres.is_url(path)


def remembered_location(path: str) -> str:
    from annotator.storage import db

    return db.remembered_location(path)


def choose_team_project(window: Any) -> None:
    """File → Open team project: a PostgreSQL URL. The password belongs in ~/.pgpass (or
    PGPASSWORD), not in the URL: preferences keep the URL without it."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    url, ok = QInputDialog.getText(
        window, "Open team project",
        "PostgreSQL database of the team project, for example\n"
        "postgresql+psycopg://reviewer@db.example.org/annotations\n\n"
        "Put the password in your ~/.pgpass file (or PGPASSWORD), not here.",
        QLineEdit.EchoMode.Normal, "postgresql+psycopg://")
    url = url.strip()
    if not ok or not url or url == "postgresql+psycopg://":
        return
    if not is_team_project(url):
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(window, "Open team project", "That is not a database URL (postgresql+psycopg://…).")
        return
    window.open_project_in_background(url)


def masked(location: str, message: str) -> str:
    """``message`` with the password of a database URL ``location`` masked."""
    if not is_team_project(location):
        return message
    from annotator.storage.db import postgres

    return postgres.mask_secrets(message, location)
