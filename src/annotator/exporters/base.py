"""What every exporter shares: atomic output files, throttled progress and cancel, the result.

An export writes to a hidden temporary file in the target's folder and renames it over the
target only when every record is written, so a failed or cancelled export never leaves half
a file (and never clobbers a previous good export).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

from annotator.exporters import digest
from annotator.storage.repository import ExportFilter, Repository

Progress = Callable[[int, int, str], None]  # (done, total, message)
Cancelled = Callable[[], bool]

_BUFFER = 1 << 20
_PROGRESS_EVERY_S = 0.1
_WRITE_BEHIND = 64 << 20


def _read_umask() -> int:
    # os.umask can only be read by setting it; do it once, at import, not in a worker thread.
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask() if os.name == "posix" else 0


class ExportError(Exception):
    """An export that cannot run (bad target, unknown format or filter value); nothing written."""


class ExportCancelled(Exception):
    """Raised inside an exporter when the user cancels; the temporary file is removed."""


@dataclass
class ExportResult:
    files: list[Path] = field(default_factory=list)
    records: int = 0
    spans: int = 0
    cancelled: bool = False
    manifest: list[Path] = field(default_factory=list)  # the dataset card (JSON, Markdown), when written

    def summary(self) -> str:
        if self.cancelled:
            return "export cancelled; no file written"
        where = ", ".join(str(f) for f in self.files)
        return f"{self.records} records, {self.spans} spans written to {where}"


class Exporter(Protocol):
    """Writes one format. ``out`` is a file or, for multi-file formats, a folder."""

    def export(self, repo: Repository, out: Path, flt: ExportFilter, ticker: Ticker) -> ExportResult: ...


class Ticker:
    """Progress and cancel callbacks, throttled so a fast loop does not flood a UI thread."""

    def __init__(self, total: int, progress: Progress | None = None, cancelled: Cancelled | None = None) -> None:
        self.total = total
        self._progress = progress
        self._cancelled = cancelled
        self._next_report = 0.0

    def tick(self, done: int, message: str = "") -> None:
        """Report ``done`` items (at most every 0.1 s); raise ExportCancelled if asked to stop."""
        if self._cancelled is not None and self._cancelled():
            raise ExportCancelled
        if self._progress is not None:
            now = time.monotonic()
            if now >= self._next_report:
                self._next_report = now + _PROGRESS_EVERY_S
                self._progress(done, self.total, message)

    def finish(self, done: int, message: str = "") -> None:
        if self._progress is not None:
            self._progress(done, max(self.total, done), message)


class _WriteBehind:
    """A file wrapper that has the system start writing the file to disk as it grows.

    The fsync before the rename otherwise waits for the whole file at the end: half a second
    for a 1.2 GB export on this project's test machine, after every record was done. Every
    :data:`_WRITE_BEHIND` bytes, ``POSIX_FADV_DONTNEED`` (Linux) starts the write-back of the
    pages written so far without waiting for it, and lets the page cache drop the ones
    already on disk (an export is not read back), so the fsync waits for the last stretch only.
    """

    works = sys.platform.startswith("linux") and hasattr(os, "posix_fadvise")

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self._due = _WRITE_BEHIND

    def write(self, data: bytes | bytearray | memoryview) -> int:
        n = self._fh.write(data)
        self._due -= n
        if self._due <= 0:
            self._due = _WRITE_BEHIND
            with suppress(OSError):  # a hint: a file system that refuses it loses nothing
                os.posix_fadvise(self._fh.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        return n

    def __getattr__(self, name: str) -> object:
        return getattr(self._fh, name)


@contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A binary file that appears at ``path`` only if the block completes without error."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise ExportError(f"cannot write in {folder}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    hasher: digest.HashingWriter | None = None
    try:
        with os.fdopen(fd, "wb", buffering=_BUFFER) as fh:
            out: BinaryIO = _WriteBehind(fh) if _WriteBehind.works else fh  # type: ignore[assignment]
            if digest.wanted():  # a manifest will list this file's SHA-256
                hasher = digest.HashingWriter(out)
                yield hasher  # type: ignore[misc]
            else:
                yield out
            fh.flush()
            os.fsync(fh.fileno())  # the rename must not land before the data does
        sha = hasher.hexdigest() if hasher is not None else None
        if os.name == "posix":
            os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; exports are ordinary files
        os.replace(tmp, path)
        if hasher is not None and sha is not None:
            digest.record(path, sha, hasher.size)
    except BaseException:
        if hasher is not None:
            hasher.close_pool()
        with suppress(OSError):
            tmp.unlink()
        raise
