"""Opening a project without holding up the window: the slow part is Qt-free and runs anywhere.

Opening imports SQLAlchemy and SQLModel (about half a second), checks the schema (and may
migrate it), reads the labels and the whole document list. :func:`load_project` does all
of that without touching Qt, so the window runs it on a worker thread while it paints and
stays responsive, or inline for scripts and tests; :class:`LoadedProject` carries the
result back to the GUI thread. At launch a :class:`ListSnapshot` (read while Qt was still
loading) may stand in for the document list read.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from annotator.labels import LabelSpec
    from annotator.project import Project
    from annotator.records import DocumentColumns
    from annotator.services import AnnotationService
    from annotator.storage.document_list import ListSnapshot
    from annotator.ui.workers import TaskHandle


@dataclass
class LoadedProject:
    project: Project
    service: AnnotationService
    labels: list[LabelSpec]
    columns: DocumentColumns
    flag_reasons: dict[int, str]  # the reviewer's flagged documents and why


def load_project(path: str | None, reviewer: str, snapshot: Future[ListSnapshot | None] | None = None
                 ) -> LoadedProject:
    """Open (or create) a project for ``reviewer``: everything slow, nothing Qt."""
    from annotator.project import open_project
    from annotator.services import AnnotationService
    from annotator.storage import db

    project = open_project(path)
    try:
        service = AnnotationService(project.repo, reviewer)
        labels = [lr.spec for lr in project.repo.labels()]
        snap = _usable(snapshot, project.path, service.annotator, db.schema_version(project.repo.engine))
        columns = snap.columns if snap is not None else project.repo.document_list(service.annotator)
        reasons = project.repo.flag_reasons(service.annotator)
    except BaseException:
        project.close()
        raise
    return LoadedProject(project, service, labels, columns, reasons)


def _usable(snapshot: Future[ListSnapshot | None] | None, path: str, reviewer: str,
            version: int | None) -> ListSnapshot | None:
    """The snapshot, if it read this very file, for this reviewer, in the schema it has now.

    A migration since (other version) or any failure to read it means reading the list again.
    """
    if snapshot is None or "://" in path:
        return None
    try:
        snap = snapshot.result(timeout=10)
    except Exception:  # a snapshot is an optimisation; its failure is not the open's
        return None
    if snap is None or snap.reviewer != reviewer or snap.schema_version != version:
        return None
    return snap if snap.path == Path(path).expanduser().resolve() else None


class ProjectOpener(QObject):
    """Runs :func:`load_project` on a worker thread for the window; the newest request wins.

    A result that arrives for a superseded request (or after :meth:`abandon`) is closed,
    never delivered, so a slow open can't replace the project opened after it.
    """

    opened = Signal(object, str)  # LoadedProject, reviewer
    failed = Signal(str, str)  # what was being opened, why it could not be
    list_ready = Signal(object)  # DocumentColumns from the launch snapshot, before the project is open

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._current: TaskHandle | None = None

    @property
    def busy(self) -> bool:
        return self._current is not None

    def start(self, path: str | None, reviewer: str, snapshot: Future[ListSnapshot | None] | None = None
              ) -> TaskHandle:
        from annotator.ui.workers import start_task

        handle = start_task(self, lambda _ctx: load_project(path, reviewer, snapshot), title="open project")
        self._current = handle
        if snapshot is not None:
            waiting = start_task(self, lambda _ctx: snapshot.result(timeout=30), title="read document list")
            waiting.finished.connect(lambda snap: self._snapshot_read(handle, snap))
        handle.finished.connect(lambda loaded: self._finished(handle, loaded, reviewer))
        handle.failed.connect(lambda message: self._failed(handle, path, message))
        return handle

    def abandon(self) -> None:
        """Forget the open in progress: its project is closed when it arrives."""
        self._current = None

    def _snapshot_read(self, handle: TaskHandle, snap: ListSnapshot | None) -> None:
        if snap is not None and handle is self._current:
            self.list_ready.emit(snap.columns)

    def _finished(self, handle: TaskHandle, loaded: LoadedProject, reviewer: str) -> None:
        if handle is not self._current:
            loaded.project.close()
            return
        self._current = None
        self.opened.emit(loaded, reviewer)

    def _failed(self, handle: TaskHandle, path: str | None, message: str) -> None:
        if handle is self._current:
            self._current = None
            self.failed.emit(path or "the default project", message)


class _FirstPaint(QObject):
    """Calls ``then`` once, on the event loop's next turn after ``widget`` first painted.

    A fallback timer (started when the event loop first runs) covers a window that never
    paints, e.g. one minimised from the start: the project must open all the same.
    """

    _FALLBACK_MS = 1500

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._then: Callable[[], None] | None = then
        self._widget = widget
        widget.installEventFilter(self)
        QTimer.singleShot(0, self, lambda: QTimer.singleShot(self._FALLBACK_MS, self, self._fire))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._then is not None:
            # Queued, so it runs once this paint (and the flush of every child painted with
            # it) has completed: the window is on screen before the slow work starts.
            QTimer.singleShot(0, self, self._fire)
        return False

    def _fire(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            self._widget.removeEventFilter(self)
            then()


def after_first_paint(widget: QWidget, then: Callable[[], None]) -> None:
    _FirstPaint(widget, then)
