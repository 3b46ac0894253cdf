"""Export worker processes: started, spoken to (length-prefixed pickles on two pipes), stopped.

Two ways to start one (:func:`start_method`):

- **spawn**: a plain child interpreter, ``python -c "...parallel import serve; serve()"``,
  talking on its stdin and stdout. Not ``multiprocessing``: its spawn would import the
  caller's main module again in every worker (running a script without a ``__main__``
  guard twice). It costs the child about half a second of imports (SQLAlchemy, SQLModel).
- **fork** (Linux, when it is safe): a copy of this process, which has those modules
  loaded already, so a worker is ready in milliseconds. Safe means this process has one
  thread (``/proc/self/task``: Qt's and BLAS's native threads count, not only Python's, so
  the app's GUI process never forks) and no open database connection (the engine's pool is
  emptied first; a SQLite connection must never cross a fork). The child closes the
  parent's ends of every worker's pipes, never touches inherited objects (it opens its own
  engine) and leaves with ``os._exit``, so no inherited buffer or handler runs twice.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import traceback
from contextlib import suppress
from typing import Any, BinaryIO, NoReturn

from annotator.exporters.base import ExportError

START: str | None = None  # "fork" or "spawn" to force one (tests); None: fork when safe
_PIPE_BYTES = 1 << 20


def _iov_max() -> int:
    """Pieces per ``writev`` call: the system's IOV_MAX (1024 on Linux and macOS)."""
    try:
        return max(16, min(os.sysconf("SC_IOV_MAX"), 1024))
    except (AttributeError, ValueError, OSError):
        return 16  # the POSIX minimum


_IOV_MAX = _iov_max()
WORKER_MAIN = "from annotator.exporters.parallel import serve; serve()"


def start_method(engine: Any) -> str:
    """"fork" when this process may fork a worker now (see the module docstring), else "spawn".

    Before a fork, the engine's pool is emptied: its idle connections are closed, and one
    in use (which the pool cannot close) means "spawn".
    """
    method = START or ("fork" if _one_thread() else "spawn")
    if method == "fork":
        checked_out = getattr(engine.pool, "checkedout", None)  # asked first: dispose() makes a new pool
        if START is None and (checked_out is None or checked_out() != 0):
            return "spawn"
        engine.dispose()
    return method


def _one_thread() -> bool:
    """Whether this is Linux and this process has exactly one thread, native ones included."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


class Worker:
    """One worker process and its two pipes."""

    def __init__(self, method: str, siblings: list[int]) -> None:
        """``siblings``: this process's ends of earlier workers' pipes (a forked child closes them)."""
        self.forked = method == "fork"
        try:
            if self.forked:
                self.proc: Any = _Forked(siblings)
            else:
                # No console window per worker when the app runs on Windows.
                flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
                self.proc = subprocess.Popen([sys.executable, "-c", WORKER_MAIN], stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, creationflags=flags)
        except OSError as exc:
            raise ExportError(f"cannot start an export worker process: {exc}; try --workers 1") from exc
        _widen(self.proc.stdout)

    def fds(self) -> list[int]:
        return [self.proc.stdin.fileno(), self.proc.stdout.fileno()]

    def send(self, message: Any) -> None:
        try:
            write_frame(self.proc.stdin, pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
            self.proc.stdin.flush()
        except OSError:
            self.died()

    def read(self) -> bytes:
        data = read_frame(self.proc.stdout)
        if data is None:
            self.died()
        return data

    def died(self) -> NoReturn:
        try:
            code: int | None = self.proc.wait(timeout=2)  # its pipe closed: it is gone or going
        except subprocess.TimeoutExpired:
            code = None
        raise ExportError("an export worker process stopped unexpectedly"
                          f"{'' if code is None else f' (exit code {code})'}; nothing was written. "
                          "Try again in one process: annotator export --workers 1")

    def stop(self, completed: bool) -> None:
        """End the process: politely after a complete export, at once otherwise."""
        if not completed:
            self.proc.kill()
        for pipe in (self.proc.stdin, self.proc.stdout):
            with suppress(OSError):
                pipe.close()
        # It exits on the closed stdin; reaping it must not hold the export's result back.
        threading.Thread(target=self._reap, name="export-worker-reaper", daemon=True).start()

    def _reap(self) -> None:
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class _Forked:
    """A forked worker, with the part of ``subprocess.Popen``'s interface :class:`Worker` uses."""

    def __init__(self, siblings: list[int]) -> None:
        to_child, from_child = os.pipe(), os.pipe()
        # Ctrl-C held back across the fork: a KeyboardInterrupt raised in the child before it
        # reaches _child() would unwind this process's stack (and its clean-up) over there.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            try:
                pid = os.fork()
            except OSError:
                for fd in (*to_child, *from_child):
                    os.close(fd)
                raise
            if pid == 0:  # the child: never returns
                _child(to_child[0], from_child[1], [to_child[1], from_child[0], *siblings])
            os.close(to_child[0])
            os.close(from_child[1])
            self.pid = pid
            self.returncode: int | None = None
            self.stdin: BinaryIO = os.fdopen(to_child[1], "wb")
            self.stdout: BinaryIO = os.fdopen(from_child[0], "rb")
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def poll(self) -> int | None:
        if self.returncode is None:
            with suppress(ChildProcessError):
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"export worker {self.pid}", timeout or 0)
            time.sleep(0.005)
        assert self.returncode is not None
        return self.returncode

    def kill(self) -> None:
        if self.poll() is None:
            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)


def _child(read_fd: int, write_fd: int, close: list[int]) -> NoReturn:
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops us
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        for fd in close:
            with suppress(OSError):
                os.close(fd)
        from annotator.exporters.parallel import serve

        serve(os.fdopen(read_fd, "rb"), os.fdopen(write_fd, "wb"))
        code = 0
    except BaseException:  # noqa: BLE001 - the parent sees the closed pipe and reports it
        with suppress(Exception):
            traceback.print_exc()
    finally:
        os._exit(code)


def _widen(pipe: Any) -> None:
    """A megabyte of pipe instead of 64 KB (Linux): a batch crosses in a few system calls, not hundreds."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
    except (ImportError, OSError):  # another system, or a lower limit: the default pipe works too
        pass


def write_frame(stream: Any, data: bytes) -> None:
    """One message on a pipe: its length (8 bytes, little-endian), then its bytes."""
    stream.write(len(data).to_bytes(8, "little"))
    stream.write(data)


def write_pieces(stream: Any, pieces: list[bytes | memoryview], size: int) -> None:
    """One :func:`write_frame` message made of ``pieces`` (``size`` bytes in all), written
    from them by ``writev`` on the stream's descriptor: no joined copy."""
    stream.write(size.to_bytes(8, "little"))
    if not hasattr(os, "writev"):  # Windows
        stream.write(b"".join(pieces))
        stream.flush()
        return
    stream.flush()
    fd = stream.fileno()
    todo = [p for p in pieces if len(p)]
    while todo:
        sent = os.writev(fd, todo[:_IOV_MAX])
        done = 0
        while done < len(todo) and sent >= len(todo[done]):
            sent -= len(todo[done])
            done += 1
        todo = todo[done:]
        if sent:  # part of the next piece went
            todo[0] = memoryview(todo[0])[sent:]


def read_frame(stream: Any) -> bytes | None:
    """The next :func:`write_frame` message, or None when the other end has gone."""
    head = stream.read(8)
    if len(head) < 8:
        return None
    size = int.from_bytes(head, "little")
    data = stream.read(size)
    return data if len(data) == size else None
