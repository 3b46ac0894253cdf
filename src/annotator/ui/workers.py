"""The one way slow work leaves the GUI thread: progress, cancel, and outcomes back on the GUI thread.

``start_task(parent, fn, title=...)`` runs ``fn(ctx)`` on a worker thread and returns a
:class:`TaskHandle` whose signals always arrive on the GUI thread, so slots may touch
widgets freely. ``fn`` reports through ``ctx.progress`` and polls ``ctx.cancelled()``;
whatever it returns is delivered by ``finished``, whatever it raises by ``failed`` as a
readable message (the traceback goes to the log, never to the user).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

# A tight loop may report progress a million times; a few dozen repaints a second is plenty
# and keeps the GUI thread's event queue from flooding.
_PROGRESS_INTERVAL_S = 0.03

_FINISHED, _FAILED, _ABORTED = "finished", "failed", "aborted"


class TaskCancelled(Exception):
    """Raised inside a task (see :meth:`TaskContext.raise_if_cancelled`) to stop it early."""


class TaskContext:
    """What a running task sees: a progress sink and the cancel flag. Safe from any thread."""

    def __init__(self, report: Callable[[int, int, str], None] | None = None) -> None:
        self._cancel_requested = threading.Event()
        self._report = report
        self._lock = threading.Lock()
        self._last_report = 0.0

    def progress(self, done: int, total: int, message: str) -> None:
        if self._report is None:
            return
        now = time.monotonic()
        with self._lock:
            is_last = total > 0 and done >= total
            if not is_last and now - self._last_report < _PROGRESS_INTERVAL_S:
                return
            self._last_report = now
        self._report(int(done), int(total), str(message))

    def cancelled(self) -> bool:
        return self._cancel_requested.is_set()

    def request_cancel(self) -> None:
        self._cancel_requested.set()

    def raise_if_cancelled(self) -> None:
        if self._cancel_requested.is_set():
            raise TaskCancelled()


def describe_error(exc: BaseException) -> str:
    """A one-line message for a failed task, fit for a status bar or a message box."""
    text = str(exc).strip()
    if text and type(exc).__module__.split(".")[0] == "annotator":
        return text  # our own exceptions are written for users already
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


class TaskHandle(QObject):
    """A running task as the GUI sees it. Signals are emitted on the GUI thread only.

    ``aborted`` is emitted instead of ``finished`` when the task stopped by raising
    :class:`TaskCancelled`; tasks that return a partial result on cancel emit ``finished``.
    """

    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)
    aborted = Signal()

    # Posted from the worker thread; queued so their slots run on the handle's (GUI) thread.
    _progress_posted = Signal(int, int, str)
    _outcome_posted = Signal(str, object)

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = title
        self._running = True
        self.context = TaskContext(self._progress_posted.emit)
        self._progress_posted.connect(self._deliver_progress, Qt.ConnectionType.QueuedConnection)
        self._outcome_posted.connect(self._deliver_outcome, Qt.ConnectionType.QueuedConnection)

    def cancel(self) -> None:
        """Ask the task to stop; it does at its next ``ctx.cancelled()`` check."""
        self.context.request_cancel()

    def is_running(self) -> bool:
        return self._running

    def is_cancel_requested(self) -> bool:
        return self.context.cancelled()

    @Slot(int, int, str)
    def _deliver_progress(self, done: int, total: int, message: str) -> None:
        if self._running:
            self.progressed.emit(done, total, message)

    @Slot(str, object)
    def _deliver_outcome(self, kind: str, payload: object) -> None:
        self._running = False
        _live_handles.discard(self)
        if kind == _FINISHED:
            self.finished.emit(payload)
        elif kind == _FAILED:
            self.failed.emit(str(payload))
        else:
            self.aborted.emit()

    def _run(self, fn: Callable[[TaskContext], object]) -> None:
        """Body of the worker thread; never lets an exception escape into Qt."""
        try:
            result = fn(self.context)
        except TaskCancelled:
            self._outcome_posted.emit(_ABORTED, None)
        except BaseException as exc:  # noqa: BLE001 - a task must always report back
            log.error("task %r failed", self.title, exc_info=exc)
            self._outcome_posted.emit(_FAILED, describe_error(exc))
        else:
            self._outcome_posted.emit(_FINISHED, result)


# Handles stay referenced here until their outcome is delivered, so neither the caller
# forgetting the handle nor its parent being destroyed can free it mid-run.
_live_handles: set[TaskHandle] = set()
_pool: QThreadPool | None = None


def _thread_pool() -> QThreadPool:
    # A private pool: other code using the global pool can't starve our tasks or vice versa.
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(max(2, QThreadPool.globalInstance().maxThreadCount()))
    return _pool


def start_task(parent: QObject | None, fn: Callable[[TaskContext], object], *, title: str) -> TaskHandle:
    """Run ``fn(ctx)`` on a worker thread. Destroying ``parent`` cancels the task."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("start_task needs a QApplication")
    handle = TaskHandle(title)
    if handle.thread() is not app.thread():
        handle.moveToThread(app.thread())
    if parent is not None:
        parent.destroyed.connect(handle.cancel)
    _live_handles.add(handle)
    _thread_pool().start(lambda: handle._run(fn))
    return handle


def running_tasks() -> list[TaskHandle]:
    return [h for h in _live_handles if h.is_running()]


def cancel_all_tasks() -> None:
    for handle in list(_live_handles):
        handle.cancel()


def wait_for_tasks(timeout_ms: int = 5000) -> bool:
    """Block until every worker thread is idle (for application shutdown). True if they all are."""
    if _pool is None:
        return True
    return _pool.waitForDone(timeout_ms)
