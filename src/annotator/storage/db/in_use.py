"""The "in use" lock every open project holds, which `annotator recover` must get alone.

flock locks, not SQLite's own (POSIX) ones: they belong to one open file description, so
they never interfere with SQLite's. The descriptor stays open until :func:`close_engine`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.engine import Engine

from annotator.storage.errors import ProjectOpenError, StorageError

try:
    import fcntl
except ImportError:  # Windows: no in-use lock
    fcntl = None  # type: ignore[assignment]

_in_use_locks: dict[int, BinaryIO] = {}


def hold_in_use_lock(engine: Engine, path: Path) -> None:
    if fcntl is None:
        return
    handle = open(path, "rb")  # noqa: SIM115 - held until close_engine
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise ProjectOpenError(f"{path} is being restored from a backup right now; open it again in a moment") from None
    _in_use_locks[id(engine)] = handle


def close_engine(engine: Engine) -> None:
    """Dispose of ``engine``'s connections and let go of its project's in-use lock."""
    engine.dispose()
    from annotator.storage import db  # db imports this module

    db._write_vetoes.pop(id(engine), None)
    handle = _in_use_locks.pop(id(engine), None)
    if handle is not None:
        handle.close()


@contextmanager
def used_alone(path: Path) -> Iterator[None]:
    """Hold ``path`` so that no one opens it meanwhile; StorageError if someone has it open now."""
    if fcntl is None or not path.exists():
        yield
        return
    with open(path, "rb") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StorageError(f"{path} is open in annotator (a window or a command); close it first",
                               "in_use") from None
        yield
