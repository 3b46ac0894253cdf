"""The worker helper: off the GUI thread, progress on the GUI thread, cancel, failure."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QObject, QThread
from PySide6.QtWidgets import QApplication

from annotator.ui import workers
from annotator.ui.workers import TaskContext, TaskHandle, describe_error, start_task


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path))


def test_task_runs_off_the_gui_thread_and_result_arrives_on_it(qtbot) -> None:
    seen: dict[str, object] = {}

    def fn(ctx: TaskContext) -> int:
        seen["worker"] = threading.get_ident()
        return 42

    handle = start_task(None, fn, title="answer")
    with qtbot.waitSignal(handle.finished, timeout=5000) as blocker:
        pass
    assert blocker.args == [42]
    assert seen["worker"] != threading.get_ident()
    assert not handle.is_running()


def test_signals_are_delivered_on_the_gui_thread(qtbot) -> None:
    delivered_in: list[QThread] = []

    def fn(ctx: TaskContext) -> None:
        ctx.progress(1, 2, "half")
        time.sleep(0.05)
        ctx.progress(2, 2, "all")

    handle = start_task(None, fn, title="threads")
    handle.progressed.connect(lambda *_: delivered_in.append(QThread.currentThread()))
    handle.finished.connect(lambda _: delivered_in.append(QThread.currentThread()))
    qtbot.waitUntil(lambda: not handle.is_running(), timeout=5000)
    assert delivered_in, "no signal was delivered"
    gui = QApplication.instance().thread()
    assert all(t is gui for t in delivered_in)


def test_progress_reports_arrive_in_order_and_the_last_one_is_kept(qtbot) -> None:
    reports: list[tuple[int, int, str]] = []

    def fn(ctx: TaskContext) -> str:
        for i in range(1, 2001):  # far more than the throttle lets through
            ctx.progress(i, 2000, f"item {i}")
        return "ok"

    handle = start_task(None, fn, title="progress")
    handle.progressed.connect(lambda d, t, m: reports.append((d, t, m)))
    with qtbot.waitSignal(handle.finished, timeout=5000):
        pass
    assert reports, "no progress reached the GUI thread"
    assert reports[-1] == (2000, 2000, "item 2000")
    assert [d for d, _, _ in reports] == sorted(d for d, _, _ in reports)
    assert len(reports) < 2000  # throttled, so the event queue isn't flooded


def test_cancel_stops_a_long_task(qtbot) -> None:
    started = threading.Event()
    iterations: list[int] = []

    def fn(ctx: TaskContext) -> str:
        started.set()
        for i in range(10_000):  # ~100 s if never cancelled
            if ctx.cancelled():
                return f"stopped at {i}"
            iterations.append(i)
            time.sleep(0.01)
        return "ran to the end"

    handle = start_task(None, fn, title="long")
    assert started.wait(5)
    t0 = time.monotonic()
    handle.cancel()
    with qtbot.waitSignal(handle.finished, timeout=5000) as blocker:
        pass
    assert blocker.args[0].startswith("stopped at")
    assert time.monotonic() - t0 < 2
    assert len(iterations) < 10_000


def test_raise_if_cancelled_emits_aborted_not_finished(qtbot) -> None:
    started = threading.Event()
    finished: list[object] = []

    def fn(ctx: TaskContext) -> None:
        started.set()
        while True:
            ctx.raise_if_cancelled()
            time.sleep(0.005)

    handle = start_task(None, fn, title="abort")
    handle.finished.connect(finished.append)
    assert started.wait(5)
    with qtbot.waitSignal(handle.aborted, timeout=5000):
        handle.cancel()
    assert finished == []


def test_exception_becomes_failed_with_a_readable_message(qtbot) -> None:
    def fn(ctx: TaskContext) -> None:
        raise ValueError("the file is broken")

    handle = start_task(None, fn, title="fail")
    finished: list[object] = []
    handle.finished.connect(finished.append)
    with qtbot.waitSignal(handle.failed, timeout=5000) as blocker:
        pass
    assert blocker.args == ["ValueError: the file is broken"]
    assert "Traceback" not in blocker.args[0]
    assert finished == []


def test_describe_error_keeps_our_own_messages_verbatim() -> None:
    from annotator.importers.base import DocumentImportError

    assert describe_error(DocumentImportError("/x/a.txt", "file is empty")) == "a.txt: file is empty"
    assert describe_error(KeyError("doc")) == "KeyError: 'doc'"
    assert describe_error(FileNotFoundError(2, "No such file or directory", "/nope")) == (
        "/nope: No such file or directory"
    )


def test_destroying_the_parent_cancels_the_task(qtbot) -> None:
    parent = QObject()
    started = threading.Event()

    def fn(ctx: TaskContext) -> bool:
        started.set()
        deadline = time.monotonic() + 10
        while not ctx.cancelled() and time.monotonic() < deadline:
            time.sleep(0.005)
        return ctx.cancelled()

    handle = start_task(parent, fn, title="orphan")
    assert started.wait(5)
    with qtbot.waitSignal(handle.finished, timeout=5000) as blocker:
        parent.deleteLater()
    assert blocker.args == [True]


def test_unreferenced_handle_survives_until_its_outcome(qtbot) -> None:
    results: list[object] = []

    def fn(ctx: TaskContext) -> str:
        time.sleep(0.1)
        return "done"

    start_task(None, fn, title="forgotten").finished.connect(results.append)
    import gc

    gc.collect()
    qtbot.waitUntil(lambda: results == ["done"], timeout=5000)
    assert not any(h.title == "forgotten" for h in workers.running_tasks())


def test_handles_are_task_handles_and_pool_drains(qtbot) -> None:
    handle = start_task(None, lambda ctx: None, title="noop")
    assert isinstance(handle, TaskHandle)
    qtbot.waitUntil(lambda: not handle.is_running(), timeout=5000)
    assert workers.wait_for_tasks(5000)
