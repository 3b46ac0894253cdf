"""atomic_output: the file appears whole or not at all, hashed as written, flushed to disk as it grows."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from annotator.exporters import base, digest

CHUNKS = [bytes([i]) * 700 for i in range(40)]  # 28,000 bytes in writes of 700


def write_all(path: Path) -> dict[Path, tuple[str, int]]:
    with digest.recording() as found, base.atomic_output(path) as fh:
        for chunk in CHUNKS:
            fh.write(chunk)
    return found


def test_the_file_appears_whole_with_its_digest(tmp_path: Path) -> None:
    found = write_all(tmp_path / "out.jsonl")
    data = b"".join(CHUNKS)
    assert (tmp_path / "out.jsonl").read_bytes() == data
    assert found[tmp_path / "out.jsonl"] == (hashlib.sha256(data).hexdigest(), len(data))


def test_a_failed_block_leaves_nothing_behind(tmp_path: Path) -> None:
    (tmp_path / "out.jsonl").write_bytes(b"the previous export\n")
    with pytest.raises(RuntimeError), base.atomic_output(tmp_path / "out.jsonl") as fh:
        fh.write(b"half")
        raise RuntimeError("stop")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]
    assert (tmp_path / "out.jsonl").read_bytes() == b"the previous export\n"


@pytest.mark.skipif(not base._WriteBehind.works, reason="write-behind hints are for Linux")
@pytest.mark.parametrize("refused", [False, True])
def test_a_growing_file_is_sent_to_disk_as_it_goes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   refused: bool) -> None:
    """Every _WRITE_BEHIND bytes the system is asked to start writing the file out; a
    refused hint changes nothing in the file or its digest."""
    hints: list[tuple[int, int, int]] = []

    def fadvise(fd: int, offset: int, length: int, advice: int) -> None:
        hints.append((offset, length, advice))
        if refused:
            raise OSError(22, "not supported here")

    monkeypatch.setattr(base, "_WRITE_BEHIND", 5000)
    monkeypatch.setattr(base.os, "posix_fadvise", fadvise)
    found = write_all(tmp_path / "out.jsonl")
    data = b"".join(CHUNKS)
    assert (tmp_path / "out.jsonl").read_bytes() == data
    assert found[tmp_path / "out.jsonl"] == (hashlib.sha256(data).hexdigest(), len(data))
    assert len(hints) == len(data) // 5600  # every 8th write of 700 bytes crosses 5,000
    assert set(hints) == {(0, 0, os.POSIX_FADV_DONTNEED)}  # the whole file so far
