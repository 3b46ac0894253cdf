"""brat standoff: a folder with ``<annotator>/<document_id>.txt`` and ``.ann`` per document and annotator.

The ``.txt`` is the canonical text in UTF-8, byte for byte, and ``.ann`` offsets are
**character offsets, counted in Unicode code points** (what brat's Python server and
Python's ``str`` count), not bytes and not UTF-16 units: ``text[start:end]`` in Python gives
the span. Lines::

    T1<TAB>claim 13 30<TAB>reduce nerve pain
    #1<TAB>AnnotatorNotes T1<TAB>overstated

brat's text bound annotations cannot contain a line break, so a span crossing one is
written as brat writes it: a discontinuous span whose fragments stop at each ``\\n``
(``T2<TAB>claim 0 10;11 20<TAB>first line second``); the fragments' texts are joined by
a space. Newlines at either end of a span are dropped from its fragments (brat would show
nothing there), and a span made only of newlines is left out; the manifest counts both.
Note line breaks become spaces. ``annotation.conf`` at the top lists the labels as entity
types, so brat opens the folder as it is.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Any

from annotator.exporters import sink
from annotator.exporters.sink import Context, Document
from annotator.storage.repository import ExportGroup

_UNSAFE = re.compile(r"[^\w.\-]+")
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The pieces of [start, end) between newlines (none for a span of newlines only)."""
    pieces: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        if stop > pos:
            pieces.append((pos, stop))
        pos = stop + 1
    return pieces


def folder_name(annotator: str) -> str:
    """A file-system-safe folder for an annotator (their name when it is already safe)."""
    safe = _UNSAFE.sub("_", annotator).strip("._") or "annotator"
    if safe != annotator:
        safe += "-" + hashlib.sha256(annotator.encode("utf-8")).hexdigest()[:8]
    return safe


def details(ctx: Context) -> dict[str, Any]:
    return {"rules": [
        "<annotator>/<document_id>.txt holds the canonical text (UTF-8); .ann holds T lines (and "
        "AnnotatorNotes); annotation.conf lists the labels.",
        ".ann offsets are character offsets in Unicode code points (Python str indices), end exclusive.",
        "A span crossing a line break is written as fragments split at each \\n (brat cannot hold "
        "a line break in a text bound); newline-only spans are left out. Both are counted.",
    ]}


class Writer(sink.Writer):
    def __init__(self, out: Any, ctx: Context) -> None:
        super().__init__(out, ctx)
        self._root = str(out)
        self.counts.update(split_at_newlines=0, left_out_newlines_only=0, spans_written=0)
        self._made: set[str] = set()
        conf = ["[entities]", *ctx.label_names, "", "[relations]", "", "[events]", "", "[attributes]", ""]
        self._put("annotation.conf", ("\n".join(conf) + "\n").encode("utf-8"))

    def _put(self, rel: str, data: bytes) -> None:
        fd = os.open(os.path.join(self._root, rel), _NEW_FILE, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        self.files.append((rel, hashlib.sha256(data).hexdigest(), len(data)))

    def write(self, group: ExportGroup, doc: Document) -> None:
        sub = folder_name(group.annotator)
        if sub not in self._made:
            os.mkdir(os.path.join(self._root, sub))
            self._made.add(sub)
        text = doc.text
        lines: list[str] = []
        n_t = n_note = 0
        for _id, start, end, label, note in group.spans:
            quoted = text[start:end]
            if "\n" in quoted:  # rare: cut at the line breaks
                pieces = fragments(text, start, end)
                if not pieces:
                    self.counts["left_out_newlines_only"] += 1
                    continue
                if len(pieces) > 1 or pieces[0] != (start, end):
                    self.counts["split_at_newlines"] += 1
                where = ";".join(f"{a} {b}" for a, b in pieces)
                quoted = " ".join(text[a:b] for a, b in pieces)
            else:
                where = f"{start} {end}"
            n_t += 1
            lines.append(f"T{n_t}\t{label} {where}\t{quoted}")
            if note is not None:
                n_note += 1
                lines.append(f"#{n_note}\tAnnotatorNotes T{n_t}\t{' '.join(note.splitlines())}")
        stem = f"{sub}/{doc.key}"
        self._put(f"{stem}.txt", text.encode("utf-8"))
        self._put(f"{stem}.ann", "".join(line + "\n" for line in lines).encode("utf-8"))
        self.counts["records"] += 1
        self.counts["spans_written"] += n_t
