"""SHA-256 of every file an export writes, computed while it is written, for the manifest.

:func:`recording` turns digests on for the exports run inside it (a context variable, so
exporters need no new parameter); :func:`base.atomic_output` then hands its file to
:class:`HashingWriter` and records the digest once the file is in place. Hashing runs on
a helper thread (``hashlib`` releases the GIL for large buffers), a quarter megabyte
behind the writer, so on a machine with a spare core the digest costs almost no wall time;
reading a gigabyte export back afterwards would cost a second or more.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, BinaryIO

_CHUNK = 1 << 18  # a quarter megabyte: a small, fixed amount in flight
_DIGESTS: ContextVar[dict[Path, tuple[str, int]] | None] = ContextVar("annotator_export_digests", default=None)


class HashingWriter:
    """A write-only file wrapper that feeds everything written to SHA-256 on a helper thread."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self._hash = hashlib.sha256()
        # Copied, not referenced: orjson's bytes keep spare capacity, so holding a megabyte of
        # short lines would hold many megabytes of memory.
        self._pending = bytearray()
        self.size = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-sha256")
        self._job: Future[None] | None = None

    def write(self, data: Any) -> int:
        n = self._fh.write(data)
        if type(data) is bytes and len(data) >= _CHUNK:
            # A large immutable block (a parallel export's batch): hashed as it is, not copied.
            self._hand_over()
            self._submit(data)
            return n
        self._pending += data
        if len(self._pending) >= _CHUNK:
            self._hand_over()
        return n

    def _hand_over(self) -> None:
        if self._pending:
            chunk = bytes(self._pending)
            self._pending.clear()
            self._submit(chunk)

    def _submit(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self._job is not None:
            self._job.result()  # chunks must reach the hash in order: one in flight at a time
        self._job = self._pool.submit(self._hash.update, chunk)

    def hexdigest(self) -> str:
        self._hand_over()
        if self._job is not None:
            self._job.result()
        self._pool.shutdown(wait=True)
        return self._hash.hexdigest()

    def close_pool(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)


@contextmanager
def recording() -> Iterator[dict[Path, tuple[str, int]]]:
    """Collect (sha256, size) of every file atomic_output completes inside this block."""
    found: dict[Path, tuple[str, int]] = {}
    token = _DIGESTS.set(found)
    try:
        yield found
    finally:
        _DIGESTS.reset(token)


def wanted() -> bool:
    return _DIGESTS.get() is not None


def record(path: Path, sha256: str, size: int) -> None:
    found = _DIGESTS.get()
    if found is not None:
        found[Path(path)] = (sha256, size)


def file_sha256(path: Path) -> tuple[str, int]:
    """Digest and size of a file written some other way (PDFs saved by PyMuPDF)."""
    with open(path, "rb") as fh:
        h = hashlib.file_digest(fh, "sha256")
    return h.hexdigest(), Path(path).stat().st_size
