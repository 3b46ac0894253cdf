"""Training the suggestion model in a separate process, so the caller's interpreter stays free.

Fitting is Python-heavy and holds the GIL; run on a thread of the app, it stalls the GUI
thread. :class:`BackgroundTraining` starts a ``spawn`` child that opens the project itself,
runs :func:`annotator.suggestions.store.train` (which stores the model only at its end) and
sends progress and its outcome through a one-way pipe; it runs at a lower scheduling
priority, so the caller wins a contended core. The caller polls it (the app from a timer);
cancelling sets a shared event that training checks between its steps, so nothing is
stored once it is set.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Literal

_PROGRESS_INTERVAL_S = 0.05  # a few dozen updates a second at most; the caller polls slower anyway
_STOP_WAIT_S = 5.0
_NICENESS = 10  # where there is no idle scheduling class


@dataclass(frozen=True)
class TrainingProgress:
    done: int
    total: int
    step: str


@dataclass(frozen=True)
class TrainingOutcome:
    """How the child ended: ``finished`` (``text`` summarises the model), ``failed`` (``text`` says
    why) or ``cancelled``. ``pid`` is the process that ran the training."""

    kind: Literal["finished", "failed", "cancelled"]
    text: str
    pid: int | None = None


def _error_text(exc: BaseException) -> str:
    text = str(exc).strip()
    if text and type(exc).__module__.split(".")[0] == "annotator":
        return text  # our own exceptions are written for users already
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def summary(metrics: dict[str, Any]) -> str:
    micro, baseline = metrics["micro"]["f1"], metrics["baseline"]["micro"]["f1"]
    return (f"Model trained on {metrics['documents']['train']} documents: micro F1 {micro:.2f} "
            f"(keyword baseline {baseline:.2f})")


def _throttled(conn: Connection) -> Callable[[int, int, str], None]:
    last = [0.0]

    def progress(done: int, total: int, step: str) -> None:
        now = time.monotonic()
        if (total <= 0 or done < total) and now - last[0] < _PROGRESS_INTERVAL_S:
            return
        last[0] = now
        conn.send(TrainingProgress(int(done), int(total), str(step)))

    return progress


def _lower_priority() -> None:
    """Background work: the reviewer's window gets a core at once when both want one.

    Linux's idle class yields to any normal process immediately; a positive nice value
    elsewhere on POSIX only weighs the shares; on Windows the child keeps the normal priority.
    """
    try:
        if hasattr(os, "SCHED_IDLE"):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        elif hasattr(os, "nice"):
            os.nice(_NICENESS)
    except OSError:
        pass  # a sandbox may forbid it; training then runs at the normal priority


def _train_in_child(project: str, options: dict[str, Any], conn: Connection, cancel: Any) -> None:
    """The child's body: open, train and store, and always send one outcome."""
    outcome: TrainingOutcome
    _lower_priority()
    try:
        from annotator.storage.repository import Repository
        from annotator.suggestions.evaluate import TrainingCancelled
        from annotator.suggestions.store import train

        repo, _ = Repository.open(project, create=False)
        try:
            trained = train(repo, progress=_throttled(conn), cancelled=cancel.is_set, **options)
            outcome = TrainingOutcome("finished", summary(trained.record.metrics), os.getpid())
        except TrainingCancelled:
            outcome = TrainingOutcome("cancelled", "training was cancelled; nothing was stored", os.getpid())
        finally:
            repo.close()
    except BaseException as exc:  # noqa: BLE001 - the parent must always hear how it ended
        outcome = TrainingOutcome("failed", _error_text(exc), os.getpid())
    conn.send(outcome)
    conn.close()


class BackgroundTraining:
    """One training run in a child process. Not thread-safe: poll and cancel from one thread."""

    def __init__(self, project: str | Path, *, annotator: str | None = None, gold: bool = False,
                 seed: int = 0) -> None:
        context = multiprocessing.get_context("spawn")  # a fork of a GUI process is unsafe
        self._cancel = context.Event()
        receiver, sender = context.Pipe(duplex=False)
        options = {"annotator": annotator, "gold": gold, "seed": seed}
        self._process = context.Process(target=_train_in_child, args=(str(project), options, sender, self._cancel),
                                        name="annotator-training", daemon=True)
        self._process.start()
        sender.close()  # only the child writes; its end closing tells us it is gone
        self._receiver = receiver
        self.outcome: TrainingOutcome | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def is_running(self) -> bool:
        return self.outcome is None

    def cancel(self) -> None:
        """Ask the training to stop at its next step; nothing is stored then."""
        self._cancel.set()

    def poll(self) -> list[TrainingProgress | TrainingOutcome]:
        """What the child sent since the last call, without waiting; the outcome comes last, once."""
        if self.outcome is not None:
            return []
        out: list[TrainingProgress | TrainingOutcome] = []
        try:
            while self._receiver.poll():
                message = self._receiver.recv()
                out.append(message)
                if isinstance(message, TrainingOutcome):
                    self._finish(message)
                    return out
        except (EOFError, OSError):  # the child died without a word (killed, out of memory)
            self._process.join(_STOP_WAIT_S)
            code = self._process.exitcode
            outcome = TrainingOutcome("failed", f"the training process stopped unexpectedly (exit code {code})")
            self._finish(outcome)
            out.append(outcome)
        return out

    def stop(self) -> None:
        """Cancel and wait briefly for the child, then end it (when the window closes)."""
        if self._process.is_alive():
            self._cancel.set()
            self._process.join(_STOP_WAIT_S)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(_STOP_WAIT_S)
        if self.outcome is None:
            self._finish(TrainingOutcome("cancelled", "training was cancelled; nothing was stored"))

    def _finish(self, outcome: TrainingOutcome) -> None:
        self.outcome = outcome
        self._receiver.close()
        self._process.join(_STOP_WAIT_S)
