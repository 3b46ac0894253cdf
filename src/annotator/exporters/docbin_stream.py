"""A spaCy DocBin written as it grows, so a large corpus never sits in memory.

``DocBin.to_bytes`` is ``zlib.compress(msgpack({"version", "attrs", "tokens", "spaces",
"lengths", "strings", "cats", "flags", "span_groups", "user_data"}))`` over every Doc at
once, and ``DocBin.add`` keeps each Doc's arrays until then (hundreds of megabytes for a
20,000-article corpus). This writer takes the same parts from each Doc as it comes, appends
the big ones to temporary files next to the output, and at the end streams the one msgpack
map through a zlib compressor: only the string table and four bytes per Doc stay in
memory. ``DocBin().from_disk`` reads the result like its own (a test compares the decoded
message with DocBin's for the same Docs).

Only the strings the stored attributes need are kept (token texts, span and entity
labels, span ids): DocBin also adds every token's tag, lemma, norm and morph, which these
Docs leave empty.
"""

from __future__ import annotations

import shutil
import tempfile
import zlib
from array import array
from pathlib import Path
from typing import IO, Any, BinaryIO

_PARTS = ("tokens", "spaces", "cats", "flags", "span_groups", "user_data")
_COPY = 1 << 20


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


class StreamingDocBin:
    """``add(doc)`` per Doc, then ``write(fh)`` once; ``close()`` removes the temporary files."""

    def __init__(self, attrs: list[str], folder: Path) -> None:
        import numpy
        import srsly.msgpack
        from spacy.attrs import SPACY
        from spacy.tokens import DocBin

        proto = DocBin(attrs=attrs, store_user_data=True)
        self.attrs: list[int] = list(proto.attrs)
        self.version = proto.version
        self._numpy = numpy
        self._spacy_attr = SPACY
        # One packer for the whole file: srsly builds its encoder chain per Packer, which
        # costs about a millisecond, and msgpack_dumps makes a new one per call.
        self._pack = srsly.msgpack.Packer(use_bin_type=True).pack
        self._dir = Path(tempfile.mkdtemp(prefix=".docbin-", dir=folder))
        self._files: dict[str, IO[bytes]] = {p: open(self._dir / p, "w+b") for p in _PARTS}
        self._sizes = dict.fromkeys(("tokens", "spaces"), 0)
        self.lengths = array("i")
        self.strings: set[str] = set()

    def add(self, doc: Any, words: list[str]) -> None:
        """Add one Doc; ``words`` are its token texts (what the string table must hold)."""
        numpy = self._numpy
        tokens = doc.to_array(self.attrs)
        if len(tokens.shape) == 1:
            tokens = tokens.reshape((tokens.shape[0], 1))
        data = numpy.ascontiguousarray(tokens, dtype="uint64").tobytes("C")
        spaces = numpy.asarray(doc.to_array(self._spacy_attr), dtype=bool).tobytes("C")
        self._put("tokens", data)
        self._put("spaces", spaces)
        self.lengths.append(len(doc))
        self.strings.update(words)
        for group in doc.spans.values():
            self.strings.update(span.label_ for span in group)
        self.strings.update(ent.label_ for ent in doc.ents)
        pack, files = self._pack, self._files
        files["cats"].write(pack(doc.cats))
        files["flags"].write(pack({"has_unknown_spaces": doc.has_unknown_spaces}))
        files["span_groups"].write(pack(doc.spans.to_bytes()))
        files["user_data"].write(pack(pack(doc.user_data)))  # DocBin keeps each Doc's user data packed

    def _put(self, part: str, data: bytes) -> None:
        self._files[part].write(data)
        self._sizes[part] += len(data)

    def write(self, fh: BinaryIO) -> None:
        """The whole DocBin, compressed, as ``DocBin.to_bytes`` would give it."""
        squeeze = zlib.compressobj()
        pack = self._pack

        def emit(data: bytes) -> None:
            fh.write(squeeze.compress(data))

        emit(bytes([0x80 | 10]))  # a map of ten entries
        emit(pack("version") + pack(self.version) + pack("attrs") + pack(self.attrs))
        for part in ("tokens", "spaces"):
            emit(pack(part) + _bin_header(self._sizes[part]))
            self._copy(part, emit)
        lengths = self.lengths.tobytes()
        emit(pack("lengths") + _bin_header(len(lengths)) + lengths)
        emit(pack("strings") + pack(sorted(self.strings)))
        for part in ("cats", "flags", "span_groups", "user_data"):
            emit(pack(part) + _array_header(len(self.lengths)))
            self._copy(part, emit)
        fh.write(squeeze.flush())

    def _copy(self, part: str, emit: Any) -> None:
        source = self._files[part]
        source.flush()
        source.seek(0)
        while chunk := source.read(_COPY):
            emit(chunk)

    def close(self) -> None:
        for f in self._files.values():
            f.close()
        shutil.rmtree(self._dir, ignore_errors=True)
