"""A spaCy DocBin written as it grows, so a large corpus never sits in memory.

``DocBin.to_bytes`` is ``zlib.compress(msgpack({"version", "attrs", "tokens", "spaces",
"lengths", "strings", "cats", "flags", "span_groups", "user_data"}))`` over every Doc at
once, and ``DocBin.add`` keeps each Doc's arrays until then (hundreds of megabytes for a
20,000-article corpus). This writer takes the same parts of each document as it comes,
appends the big ones to temporary files next to the output, and at the end streams the one
msgpack map through a zlib compressor: only the string table and four bytes per Doc stay in
memory. ``DocBin().from_disk`` reads the result like its own (tests compare the decoded
message with DocBin's for the same Docs).

Compression runs while the Docs come, on a thread of its own (zlib lets go of the GIL, so
it takes another core instead of a quarter of the export's time at the end): each part's
file is deflated a megabyte at a time as it grows, by a compressor of its own, into a
second file, and :meth:`StreamingDocBin.write` joins the pieces the way pigz does, each
ended on a byte boundary (``Z_SYNC_FLUSH``) and none referring back past its own start, so
they read as one deflate stream; the zlib checksum is the parts' Adler-32s combined. The
thread reads what this one wrote from the file, so no data waits in memory for it. The
level is zlib's default, the one ``DocBin.to_bytes`` uses.

The parts come either from a ``spacy.tokens.Doc`` (:meth:`StreamingDocBin.add`, the slow,
obvious way) or already made (:meth:`StreamingDocBin.add_parts`) by a caller that knows
the words and spans, without a Doc: :meth:`~StreamingDocBin.ids` gives the 64-bit string
ids spaCy's ``StringStore`` would (its hashes, or a symbol's id) and :meth:`span_groups`
packs ``doc.spans`` as ``SpanGroups.to_bytes`` does in spaCy 3.x (a dict from each
``SpanGroup.to_bytes()`` to its keys; a group is ``{"name", "attrs", "spans"}``, one
big-endian ``>QQQllll`` record per span: id, kb_id, label, start, end, start_char,
end_char).

Only the strings the stored attributes need are kept (token texts, span and entity
labels): DocBin also adds every token's tag, lemma, norm and morph, which these Docs leave
empty. The table of ids doubles as that string table, so it is the one thing that grows
with the corpus (with its distinct words).
"""

from __future__ import annotations

import io
import os
import queue
import shutil
import struct
import tempfile
import threading
import zlib
from array import array
from collections.abc import Callable, Sequence
from itertools import compress, repeat
from operator import is_
from pathlib import Path
from typing import IO, Any, BinaryIO

_PARTS = ("tokens", "spaces", "cats", "flags", "span_groups", "user_data")
_COPY = 1 << 20
_CHUNK = 1 << 20  # a part's file is handed to the compressor thread a megabyte at a time
_SPAN = struct.Struct(">QQQllll")  # SpanGroup.to_bytes: id, kb_id, label, start, end, start_char, end_char
_ZLIB_HEADER = b"\x78\x9c"  # deflate, 32 KiB window, default level
_BASE = 65521  # Adler-32's modulus


def adler32_combine(adler1: int, adler2: int, len2: int) -> int:
    """The Adler-32 of ``a + b`` from those of ``a`` and ``b`` (zlib's ``adler32_combine``)."""
    rem = len2 % _BASE
    a1, b1 = adler1 & 0xFFFF, adler1 >> 16
    a2, b2 = adler2 & 0xFFFF, adler2 >> 16
    return ((a1 + a2 - 1) % _BASE) | (((b1 + b2 + rem * (a1 - 1)) % _BASE) << 16)


def _deflated(data: bytes) -> bytes:
    """``data`` as a piece of raw deflate stream that stands on its own (byte-aligned, not final)."""
    squeeze = zlib.compressobj(wbits=-15)
    return squeeze.compress(data) + squeeze.flush(zlib.Z_SYNC_FLUSH)


def _bin_header(size: int) -> bytes:
    if size < 1 << 8:
        return b"\xc4" + size.to_bytes(1, "big")
    if size < 1 << 16:
        return b"\xc5" + size.to_bytes(2, "big")
    return b"\xc6" + size.to_bytes(4, "big")


def _array_header(count: int) -> bytes:
    if count < 16:
        return bytes([0x90 | count])
    if count < 1 << 16:
        return b"\xdc" + count.to_bytes(2, "big")
    return b"\xdd" + count.to_bytes(4, "big")


class _Part:
    """One part: its bytes (a temporary file) and, deflated by the compressor thread, a second file."""

    __slots__ = ("adler", "done", "file", "handed", "packed", "size", "squeeze")

    def __init__(self, path: Path) -> None:
        self.file: IO[bytes] = open(path, "w+b")
        self.packed: IO[bytes] = open(path.with_suffix(".z"), "w+b")
        self.squeeze = zlib.compressobj(wbits=-15)
        self.size = 0  # bytes written (this thread)
        self.handed = 0  # of which handed to the compressor
        self.done = 0  # of which deflated (the compressor thread)
        self.adler = 1  # Adler-32 of those

    def take(self, end: int) -> None:
        """Deflate the file's bytes up to ``end`` (flushed by the writer) onto the packed file."""
        fd = self.file.fileno()
        while self.done < end:
            data = os.pread(fd, min(end - self.done, _CHUNK), self.done)
            if not data:
                raise OSError(f"{self.file.name}: {end - self.done} bytes missing")
            self.adler = zlib.adler32(data, self.adler)
            self.packed.write(self.squeeze.compress(data))
            self.done += len(data)

    def close(self) -> None:
        self.file.close()
        self.packed.close()


class _MemoryPart:
    """A part of an in-memory DocBin (see :meth:`StreamingDocBin.take`)."""

    __slots__ = ("file", "handed", "size")

    def __init__(self) -> None:
        self.file = io.BytesIO()
        self.size = self.handed = 0

    def close(self) -> None:
        self.file.close()


class _Compressor:
    """A thread that deflates the parts' new bytes, in order; errors surface in :meth:`hand`/:meth:`finish`."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[_Part, int] | None] = queue.SimpleQueue()
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="docbin-deflate", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self.error is None:  # after an error, only drain the queue
                try:
                    job[0].take(job[1])
                except Exception as exc:  # noqa: BLE001 - re-raised in the producer
                    self.error = exc

    def hand(self, part: _Part) -> None:
        """Have the part's bytes written so far deflated."""
        self._check()
        part.file.flush()
        part.handed = part.size
        self._jobs.put((part, part.size))

    def finish(self) -> None:
        """Wait for everything handed so far; the thread ends."""
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()
        self._check()

    def _check(self) -> None:
        if self.error is not None:
            raise self.error


class StreamingDocBin:
    """``add(doc)`` or ``add_parts(...)`` per Doc, then ``write(fh)`` once; ``close()`` removes the temporary files."""

    def __init__(self, attrs: list[str], folder: Path | None) -> None:
        """``folder`` holds the temporary files; None keeps the parts in memory, uncompressed:
        one batch of a parallel export, handed over by :meth:`take` to the main process's
        :meth:`absorb`."""
        import numpy
        import srsly.msgpack
        from spacy.attrs import SPACY
        from spacy.strings import get_string_id
        from spacy.tokens import DocBin

        proto = DocBin(attrs=attrs, store_user_data=True)
        self.attrs: list[int] = list(proto.attrs)
        self.version = proto.version
        self._numpy = numpy
        self._spacy_attr = SPACY
        self._string_id = get_string_id
        # One packer for the whole file: srsly builds its encoder chain per Packer, which
        # costs about a millisecond, and msgpack_dumps (so SpanGroups.to_bytes) makes one per call.
        self.pack = srsly.msgpack.Packer(use_bin_type=True).pack
        self._cats = self.pack({})
        self._flags = self.pack({"has_unknown_spaces": False})
        self._dir: Path | None = None
        self._compressor: _Compressor | None = None
        if folder is None:
            self._parts: dict[str, Any] = {p: _MemoryPart() for p in _PARTS}
        else:
            self._dir = Path(tempfile.mkdtemp(prefix=".docbin-", dir=folder))
            self._parts = {p: _Part(self._dir / p) for p in _PARTS}
            self._compressor = _Compressor()
        self.lengths = array("i")
        self.ids_of: dict[str, int] = {}  # every string stored so far -> its id: the string table

    @property
    def strings(self) -> set[str]:
        return set(self.ids_of)

    def ids(self, strings: Sequence[str]) -> list[int]:
        """The string ids of ``strings`` (``StringStore.add``'s), which also joins the string table."""
        ids_of = self.ids_of
        found = list(map(ids_of.get, strings))
        if None in found:
            string_id = self._string_id
            for i in compress(range(len(found)), map(is_, found, repeat(None))):
                value = ids_of.get(strings[i])  # seen earlier in this list
                if value is None:
                    value = ids_of[strings[i]] = string_id(strings[i])
                found[i] = value
        return found  # type: ignore[return-value]

    def span_groups(self, key: str, labels: Sequence[int], starts: Sequence[int], ends: Sequence[int],
                    start_chars: Sequence[int], end_chars: Sequence[int]) -> bytes:
        """``doc.spans.to_bytes()`` for one group under ``key`` (label ids, token and char bounds)."""
        spans = list(map(_SPAN.pack, repeat(0), repeat(0), labels, starts, ends, start_chars, end_chars))
        pack = self.pack
        return pack({pack({"name": key, "attrs": {}, "spans": spans}): [key]})

    def add(self, doc: Any, words: list[str]) -> None:
        """Add one Doc; ``words`` are its token texts (what the string table must hold)."""
        numpy = self._numpy
        tokens = doc.to_array(self.attrs)
        if len(tokens.shape) == 1:
            tokens = tokens.reshape((tokens.shape[0], 1))
        data = numpy.ascontiguousarray(tokens, dtype="uint64").tobytes("C")
        spaces = numpy.asarray(doc.to_array(self._spacy_attr), dtype=bool).tobytes("C")
        self.ids(words)
        for group in doc.spans.values():
            self.ids([span.label_ for span in group])
        self.ids([ent.label_ for ent in doc.ents])
        pack = self.pack
        self._write(data, spaces, len(doc), pack(doc.spans.to_bytes()), pack(pack(doc.user_data)),
                    pack(doc.cats), pack({"has_unknown_spaces": doc.has_unknown_spaces}))

    def add_parts(self, tokens: bytes, spaces: bytes, length: int, span_groups: bytes, user_data: dict[str, Any]
                  ) -> None:
        """Add one Doc from its parts: the attribute rows (native uint64, ``attrs`` order), one
        byte per token for its trailing space, ``doc.spans.to_bytes()`` and ``doc.user_data``.
        The strings they use must have gone through :meth:`ids`."""
        pack = self.pack
        self._write(tokens, spaces, length, pack(span_groups), pack(pack(user_data)), self._cats, self._flags)

    def _write(self, tokens: bytes, spaces: bytes, length: int, span_groups: bytes, user_data: bytes, cats: bytes,
               flags: bytes) -> None:
        put, parts = self._put, self._parts
        put(parts["tokens"], tokens)
        put(parts["spaces"], spaces)
        self.lengths.append(length)
        put(parts["cats"], cats)
        put(parts["flags"], flags)
        put(parts["span_groups"], span_groups)
        put(parts["user_data"], user_data)  # DocBin keeps each Doc's user data packed

    def _put(self, part: _Part, data: bytes) -> None:
        part.file.write(data)
        part.size += len(data)
        if part.size - part.handed >= _CHUNK and self._compressor is not None:
            self._compressor.hand(part)

    def take(self) -> dict[str, Any]:
        """What an in-memory DocBin (``folder=None``) holds, for another's :meth:`absorb`."""
        return {"parts": {name: part.file.getvalue() for name, part in self._parts.items()},
                "lengths": self.lengths.tobytes(), "strings": self.ids_of}

    def absorb(self, batch: dict[str, Any]) -> None:
        """Append the Docs of a :meth:`take`, after those added so far."""
        for name, data in batch["parts"].items():
            self._put(self._parts[name], data)
        self.lengths.frombytes(batch["lengths"])
        self.ids_of.update(batch["strings"])

    def write(self, fh: BinaryIO) -> None:
        """The whole DocBin, compressed, as ``DocBin.to_bytes`` would give it (same message)."""
        assert self._compressor is not None, "an in-memory DocBin is taken, not written"
        for part in self._parts.values():
            if part.size > part.handed:
                self._compressor.hand(part)
        self._compressor.finish()
        pack, parts = self.pack, self._parts
        adler = 1
        fh.write(_ZLIB_HEADER)

        def emit(data: bytes) -> None:
            nonlocal adler
            adler = zlib.adler32(data, adler)
            fh.write(_deflated(data))

        def copy(name: str) -> None:
            nonlocal adler
            part = parts[name]
            adler = adler32_combine(adler, part.adler, part.size)
            part.packed.write(part.squeeze.flush(zlib.Z_SYNC_FLUSH))
            self._copy(part.packed, fh.write)

        emit(bytes([0x80 | 10]) + pack("version") + pack(self.version) + pack("attrs") + pack(self.attrs)
             + pack("tokens") + _bin_header(parts["tokens"].size))
        copy("tokens")
        emit(pack("spaces") + _bin_header(parts["spaces"].size))
        copy("spaces")
        lengths = self.lengths.tobytes()
        emit(pack("lengths") + _bin_header(len(lengths)) + lengths + pack("strings") + pack(sorted(self.ids_of)))
        for name in ("cats", "flags", "span_groups", "user_data"):
            emit(pack(name) + _array_header(len(self.lengths)))
            copy(name)
        fh.write(zlib.compressobj(wbits=-15).flush())  # the final (empty) block
        fh.write(adler.to_bytes(4, "big"))

    @staticmethod
    def _copy(source: IO[bytes], write: Callable[[bytes], Any]) -> None:
        source.flush()
        source.seek(0)
        while chunk := source.read(_COPY):
            write(chunk)

    def close(self) -> None:
        try:
            if self._compressor is not None:
                self._compressor.finish()
        except Exception:  # noqa: BLE001 - closing after a failure: the first error was raised already
            pass
        for part in self._parts.values():
            part.close()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
