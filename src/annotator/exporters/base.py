"""What every export shares: errors, the result, throttled progress and cancel, safe output files.

An export writes to a hidden temporary file in the target's folder and renames it over the
target only when every record is written, so a failed or cancelled export never leaves half
a file. It never writes over the project (or its ``-wal``/``-shm``/``-journal`` files) nor
over a file an earlier export did not write (:func:`check_target`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from glob import escape as glob_escape
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import orjson

Progress = Callable[[int, int, str], None]  # (done, total, message)
Cancelled = Callable[[], bool]

_BUFFER = 1 << 20
_PROGRESS_EVERY_S = 0.1
_PROJECT_COMPANIONS = ("", "-wal", "-shm", "-journal")
STALE_PART_S = 24 * 3600  # a temporary file this old was left by an export that died


def _read_umask() -> int:
    mask = os.umask(0)  # os.umask can only be read by setting it
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
    warnings: list[str] = field(default_factory=list)  # also in the card; the CLI prints them

    def summary(self) -> str:
        if self.cancelled:
            return "export cancelled; no file written"
        where = ", ".join(str(f) for f in self.files)
        return f"{self.records} records, {self.spans} spans written to {where}"


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


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or os.path.samefile(a, b)
    except OSError:
        return False


def protected_paths(project: str | None) -> list[Path]:
    """The project file and its SQLite companions: never an export's target."""
    if not project or project == ":memory:":
        return []
    return [Path(project + suffix) for suffix in _PROJECT_COMPANIONS]


def earlier_export(path: Path) -> bool:
    """Whether a manifest in ``path``'s folder lists it, or ``path`` is such a manifest or its card."""
    target = path.resolve()
    for manifest in path.parent.glob("*.manifest.json"):
        try:
            data = orjson.loads(manifest.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            continue
        if not isinstance(data, dict) or "manifest_version" not in data:
            continue
        stem = manifest.name[: -len(".manifest.json")]
        if path.name in (manifest.name, f"{stem}.card.md"):
            return True
        files = data.get("files")
        if isinstance(files, list) and any(isinstance(f, dict) and isinstance(f.get("path"), str)
                                           and (path.parent / f["path"]).resolve() == target for f in files):
            return True
    return False


def check_target(path: Path, protected: list[Path], *, folder: bool = False) -> None:
    """Refuse a target that is the project (or a companion), or an existing file no export wrote.

    A ``folder`` target (brat, pdf, spaCy shards) may not be a file at all."""
    for p in protected:
        if _same_file(path, p) or path.resolve() == p.resolve():
            raise ExportError(f"refusing to write {path}: it is the project file {p.name} (or one of its own files)")
    if folder and path.is_file():
        raise ExportError(f"cannot write into {path}: it is a file (this export writes a folder)")
    if path.is_file() and path.stat().st_size and not earlier_export(path):
        raise ExportError(f"refusing to write over {path}: it exists and no earlier export wrote it "
                          "(choose another name, or remove it first)")


class HashingWriter:
    """A file wrapper that keeps the SHA-256 and size of what passes through it (for the manifest)."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self.hash.update(data)
        self.size += len(data)
        return self._fh.write(data)


def _remove_stale_parts(folder: Path, name: str) -> None:
    """Remove this target's temporary files left by an export that was killed a day or more ago."""
    now = time.time()
    for part in folder.glob(f".{glob_escape(name)}.*.part"):
        with suppress(OSError):
            if now - part.stat().st_mtime > STALE_PART_S:
                part.unlink()


@contextmanager
def atomic_output(path: Path, digests: dict[Path, tuple[str, int]] | None = None) -> Iterator[BinaryIO]:
    """A binary file that appears at ``path`` only if the block completes without error.

    With ``digests``, the file's (sha256, size) is recorded there under ``path``.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder")
    _remove_stale_parts(folder, path.name)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise ExportError(f"cannot write in {folder}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb", buffering=_BUFFER) as fh:
            out = HashingWriter(fh)
            yield out  # type: ignore[misc]
            fh.flush()
            os.fsync(fh.fileno())  # the rename must not land before the data does
        if os.name == "posix":
            os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; exports are ordinary files
        os.replace(tmp, path)
        if digests is not None:
            digests[path] = (out.hash.hexdigest(), out.size)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise
