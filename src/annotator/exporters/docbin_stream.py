"""A spaCy DocBin written as it grows, so a large corpus never sits in memory.

``DocBin.to_bytes`` is ``zlib.compress(msgpack({"version", "attrs", "tokens", "spaces",
"lengths", "strings", "cats", "flags", "span_groups", "user_data"}))`` over every Doc at
once, and ``DocBin.add`` keeps each Doc's arrays until then (hundreds of megabytes for a
20,000-article corpus). This writer takes the same parts of each document as it comes and
deflates each part into a temporary file next to the output as it grows; at the end
:meth:`StreamingDocBin.write` streams the one msgpack map: only the string table and four
bytes per Doc stay in memory. ``DocBin().from_disk`` reads the result like its own (tests
compare the decoded message with DocBin's for the same Docs).

Compression runs while the Docs come, on a thread of its own (zlib lets go of the GIL, so
it takes another core): each part's bytes go to it 32 KiB at a time (a few pieces may wait
for it; then the writer waits), each part has a compressor of its own, and
:meth:`StreamingDocBin.write` joins the pieces the way pigz does, each ended on a byte
boundary (``Z_SYNC_FLUSH``) and none referring back past its own start, so they read as
one deflate stream; the zlib checksum is the parts' Adler-32s combined. No flush happens
inside a part, so the bytes do not depend on where its input was cut (a parallel export
writes the same file as one process). The level is :data:`LEVEL`, 1: on the benchmark
corpus about a quarter of the default level's CPU for a file about 30% larger (DocBin's
reader only inflates, so any level reads the same).

The parts come either from a ``spacy.tokens.Doc`` (:meth:`StreamingDocBin.add`, the slow,
obvious way) or already made (:meth:`StreamingDocBin.add_parts`) by a caller that knows
the words and spans, without a Doc: :meth:`~StreamingDocBin.row` and
:meth:`~StreamingDocBin.ids` give the 64-bit string ids spaCy's ``StringStore`` would (its
hashes, or a symbol's id: see :mod:`spacy_parts`, which also packs the msgpack, so no
spaCy import is needed) and :meth:`span_groups` packs ``doc.spans`` as
``SpanGroups.to_bytes`` does in spaCy 3.x (a dict from each ``SpanGroup.to_bytes()`` to its
keys; a group is ``{"name", "attrs", "spans"}``, one big-endian ``>QQQllll`` record per
span: id, kb_id, label, start, end, start_char, end_char).

Only the strings the stored attributes need are kept (token texts, span and entity
labels): DocBin also adds every token's tag, lemma, norm and morph, which these Docs leave
empty. That string table is the one thing that grows with the corpus (with its distinct
words).
"""

from __future__ import annotations

import queue
import shutil
import struct
import tempfile
import threading
import zlib
from array import array
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from pathlib import Path
from typing import IO, Any, BinaryIO

from annotator.exporters.spacy_parts import (ATTRS, DOCBIN_VERSION, ORTH, SPACY, array_header, bin_header, orth_row,
                                             packb, string_id, string_ids)

_PARTS = ("tokens", "spaces", "cats", "flags", "span_groups", "user_data")
_COPY = 1 << 20
_CHUNK = 1 << 15  # a part's bytes go to the compressor thread 32 KiB (or one batch's part) at a time
_BACKLOG = 4  # pieces waiting for the compressor thread at most
_SPAN = struct.Struct(">QQQllll")  # SpanGroup.to_bytes: id, kb_id, label, start, end, start_char, end_char
_SPAN_TAIL = struct.Struct(">26sllll")  # a record as msgpack bin: the head (below), start, end, start_char, end_char


class _SpanHeads(dict):  # type: ignore[type-arg]
    """label -> the first 26 bytes of its spans' records as msgpack bin: 0xc4, size, id 0, kb_id 0, label id."""

    def __missing__(self, label: str) -> bytes:
        head = self[label] = bytes((0xC4, _SPAN.size)) + _SPAN.pack(0, 0, string_id(label), 0, 0, 0, 0)[:24]
        return head


_SPAN_HEADS = _SpanHeads()
LEVEL = 1  # zlib's compression level (see the module docstring)
_BASE = 65521  # Adler-32's modulus


def adler32_combine(adler1: int, adler2: int, len2: int) -> int:
    """The Adler-32 of ``a + b`` from those of ``a`` and ``b`` (zlib's ``adler32_combine``)."""
    rem = len2 % _BASE
    a1, b1 = adler1 & 0xFFFF, adler1 >> 16
    a2, b2 = adler2 & 0xFFFF, adler2 >> 16
    return ((a1 + a2 - 1) % _BASE) | (((b1 + b2 + rem * (a1 - 1)) % _BASE) << 16)


def _deflated(data: bytes) -> bytes:
    """``data`` as a piece of raw deflate stream that stands on its own (byte-aligned, not final)."""
    squeeze = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return squeeze.compress(data) + squeeze.flush(zlib.Z_SYNC_FLUSH)


def _bin(data: bytes) -> bytes:
    """``packb(data)``: msgpack bin."""
    return bin_header(len(data)) + data


def _zlib_header(level: int) -> bytes:
    """The two bytes zlib starts a stream with (deflate, 32 KiB window, the level's FLEVEL)."""
    return zlib.compress(b"", level)[:2]


class _Part:
    """One part: its bytes not yet handed to the compressor thread, and the file it deflates them into."""

    __slots__ = ("adler", "chunks", "handed", "packed", "size", "squeeze")

    def __init__(self, path: Path) -> None:
        self.chunks: list[bytes] = []
        self.packed: IO[bytes] = open(path, "w+b")
        self.squeeze = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        self.size = 0  # bytes added (this thread)
        self.handed = 0  # of which handed to the compressor
        self.adler = 1  # Adler-32 of those deflated (the compressor thread)

    def take(self, data: bytes) -> None:
        """Deflate ``data``, the part's next bytes, onto the packed file."""
        self.adler = zlib.adler32(data, self.adler)
        self.packed.write(self.squeeze.compress(data))

    def close(self) -> None:
        self.chunks = []
        self.packed.close()


class _MemoryPart:
    """A part of an in-memory DocBin (see :meth:`StreamingDocBin.take`)."""

    __slots__ = ("chunks", "handed", "size")

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = self.handed = 0

    def close(self) -> None:
        self.chunks = []


class _Compressor:
    """A thread that deflates the parts' bytes, in order; errors surface in :meth:`hand`/:meth:`finish`.

    At most :data:`_BACKLOG` pieces wait for it: a writer that gets that far ahead waits."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[_Part, bytes] | None] = queue.Queue(_BACKLOG)
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
        """Have the part's bytes added so far deflated."""
        self._check()
        data = b"".join(part.chunks)
        part.chunks = []
        part.handed = part.size
        self._jobs.put((part, data))

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

    def __init__(self, attrs: list[str], folder: Path | None, words: dict[str, bytes] | None = None,
                 sent: set[str] | None = None) -> None:
        """``folder`` holds the temporary files; None keeps the parts in memory, uncompressed:
        one batch of a parallel export, handed over by :meth:`take` to the main process's
        :meth:`absorb`.

        ``words`` maps the words :meth:`row` has met to their packed ids, and ``sent`` holds
        the strings handed over so far: a worker passes the same two to each of its batches
        of one output, so :meth:`take` hands over only the strings earlier batches did not.
        Without them the bin keeps its own."""
        # As DocBin(attrs=attrs) orders them: ORTH first, then the others by id, SPACY apart.
        ids = sorted(ATTRS[a.upper()] if isinstance(a, str) else int(a) for a in attrs)
        self.attrs: list[int] = [ORTH, *(a for a in ids if a not in (ORTH, SPACY))]
        self.version = DOCBIN_VERSION
        self.pack = packb
        self._cats = packb({})
        self._flags = packb({"has_unknown_spaces": False})
        self._dir: Path | None = None
        self._compressor: _Compressor | None = None
        if folder is None:
            self._parts: dict[str, Any] = {p: _MemoryPart() for p in _PARTS}
        else:
            self._dir = Path(tempfile.mkdtemp(prefix=".docbin-", dir=folder))
            self._parts = {p: _Part(self._dir / f"{p}.z") for p in _PARTS}
            self._compressor = _Compressor()
        self._order = tuple(self._parts.values())  # _PARTS order, as _write takes them
        self.lengths = array("i")
        self.table: set[str] = set()  # the strings stored so far, but for the words of row()
        self.words: dict[str, bytes] = {} if words is None else words
        self._words_from = len(self.words)  # the words this bin added come after these
        self._sent: set[str] = set() if sent is None else sent

    @property
    def strings(self) -> set[str]:
        """The string table: every string the Docs added so far use (with a ``words`` dict
        shared by a worker's batches, also the words of its earlier batches)."""
        return self.table.union(self.words)

    def ids(self, strings: Sequence[str]) -> list[int]:
        """The string ids of ``strings`` (``StringStore.add``'s), which also join the string table."""
        self.table.update(strings)
        return string_ids(strings)

    def add_strings(self, strings: Iterable[str]) -> None:
        """Strings the Docs use whose ids the caller made (a cached ORTH column's words)."""
        self.table.update(strings)

    def row(self, words: Sequence[str]) -> bytes:
        """The ORTH column of ``words``: their ids as native uint64s; the words join the string table."""
        return orth_row(words, self.words)

    def span_groups(self, key: str, labels: Sequence[str], starts: Sequence[int], ends: Sequence[int],
                    start_chars: Sequence[int], end_chars: Sequence[int]) -> bytes:
        """``doc.spans.to_bytes()`` for one group under ``key`` (labels, token and char bounds):
        ``packb({packb({"name": key, "attrs": {}, "spans": [record, ...]}): [key]})``. The labels
        join the string table."""
        self.table.update(labels)
        heads = map(_SPAN_HEADS.__getitem__, labels)
        spans = b"".join(map(_SPAN_TAIL.pack, heads, starts, ends, start_chars, end_chars))
        name = packb(key)
        group = b"\x83\xa4name" + name + b"\xa5attrs\x80\xa5spans" + array_header(len(labels)) + spans
        return b"\x81" + bin_header(len(group)) + group + b"\x91" + name

    def add(self, doc: Any, words: list[str]) -> None:
        """Add one Doc; ``words`` are its token texts (what the string table must hold)."""
        import numpy

        tokens = doc.to_array(self.attrs)
        if len(tokens.shape) == 1:
            tokens = tokens.reshape((tokens.shape[0], 1))
        data = numpy.ascontiguousarray(tokens, dtype="uint64").tobytes("C")
        spaces = numpy.asarray(doc.to_array(SPACY), dtype=bool).tobytes("C")
        self.ids(words)
        for group in doc.spans.values():
            self.ids([span.label_ for span in group])
        self.ids([ent.label_ for ent in doc.ents])
        pack = self.pack
        self._write(data, spaces, len(doc), pack(doc.spans.to_bytes()), pack(pack(doc.user_data)),
                    pack(doc.cats), pack({"has_unknown_spaces": doc.has_unknown_spaces}))

    def add_parts(self, tokens: bytes, spaces: bytes, length: int, span_groups: bytes,
                  user_data: dict[str, Any] | bytes) -> None:
        """Add one Doc from its parts: the attribute rows (native uint64, ``attrs`` order), one
        byte per token for its trailing space, ``doc.spans.to_bytes()`` and ``doc.user_data``
        (or it packed). The strings they use must have gone through :meth:`ids` or :meth:`row`."""
        if not isinstance(user_data, bytes):
            user_data = packb(user_data)
        self._write(tokens, spaces, length, _bin(span_groups), _bin(user_data), self._cats, self._flags)

    def _write(self, tokens: bytes, spaces: bytes, length: int, span_groups: bytes, user_data: bytes, cats: bytes,
               flags: bytes) -> None:
        # user_data comes packed twice: DocBin keeps each Doc's user data as msgpack bytes.
        compressor = self._compressor
        for part, data in zip(self._order, (tokens, spaces, cats, flags, span_groups, user_data)):
            part.chunks.append(data)
            part.size += len(data)
            if part.size - part.handed >= _CHUNK and compressor is not None:
                compressor.hand(part)
        self.lengths.append(length)

    def take(self) -> dict[str, Any]:
        """What an in-memory DocBin (``folder=None``) holds, for another's :meth:`absorb`."""
        fresh = self.table.union(islice(self.words, self._words_from, None))
        fresh -= self._sent
        self._sent |= fresh
        return {"parts": {name: b"".join(part.chunks) for name, part in self._parts.items()},
                "lengths": self.lengths.tobytes(), "strings": list(fresh)}

    def absorb(self, batch: dict[str, Any]) -> None:
        """Append the Docs of a :meth:`take`, after those added so far."""
        compressor = self._compressor
        for name, data in batch["parts"].items():
            part = self._parts[name]
            part.chunks.append(data)
            part.size += len(data)
            if part.size - part.handed >= _CHUNK and compressor is not None:
                compressor.hand(part)
        self.lengths.frombytes(batch["lengths"])
        self.table.update(batch["strings"])

    def write(self, fh: BinaryIO) -> None:
        """The whole DocBin, compressed, as ``DocBin.to_bytes`` would give it (same message)."""
        assert self._compressor is not None, "an in-memory DocBin is taken, not written"
        for part in self._parts.values():
            if part.size > part.handed:
                self._compressor.hand(part)
        self._compressor.finish()
        pack, parts = self.pack, self._parts
        adler = 1
        fh.write(_zlib_header(LEVEL))

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
             + pack("tokens") + bin_header(parts["tokens"].size))
        copy("tokens")
        emit(pack("spaces") + bin_header(parts["spaces"].size))
        copy("spaces")
        lengths = self.lengths.tobytes()
        emit(pack("lengths") + bin_header(len(lengths)) + lengths + pack("strings") + pack(sorted(self.strings)))
        for name in ("cats", "flags", "span_groups", "user_data"):
            emit(pack(name) + array_header(len(self.lengths)))
            copy(name)
        fh.write(zlib.compressobj(LEVEL, zlib.DEFLATED, -15).flush())  # the final (empty) block
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
