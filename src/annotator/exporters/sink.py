"""What every format sees: one document (text, tokens and sentences found once), the export's
context, and the writer base classes a format module builds on.

A format module defines ``Writer`` (opened once per output, i.e. per split, on a binary file
or, for a folder format, a staging folder), ``details(ctx)`` for the manifest, and
nothing else; :mod:`registry` lists the formats as data.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from annotator.canonical_record import document_key
from annotator.exporters.base import ExportError
from annotator.exporters.options import ExportOptions
from annotator.labels import LabelSpec
from annotator.sentences import sentence_bounds
from annotator.storage.repository import ExportGroup
from annotator.text import token_columns, word_columns


class Document:
    """One exported document; its tokens and sentences are found on first use, once.

    Its text is checked against the SHA-256 stored at import, so a damaged project never
    exports a changed text under the original's id.
    """

    __slots__ = ("_sentences", "_tokens", "_words", "id", "key", "row", "text")

    def __init__(self, row: Any) -> None:
        self.row = row
        self.id: int = row.id
        self.text: str = row.text
        self.key = document_key(row.sha256)
        if hashlib.sha256(self.text.encode("utf-8")).hexdigest() != row.sha256:
            raise ExportError(f"document {row.id} ({row.title!r}): its text no longer matches the SHA-256 stored "
                              "at import; the project may be damaged (see `annotator backups`); nothing was written")
        self._sentences: tuple[list[int], list[int]] | None = None
        self._tokens: tuple[list[str], list[int], list[int], list[bool]] | None = None
        self._words: tuple[list[str], list[int], list[int]] | None = None

    def sentences(self) -> tuple[list[int], list[int]]:
        """Sentence starts and ends (:func:`annotator.sentences.sentence_bounds`)."""
        if self._sentences is None:
            self._sentences = sentence_bounds(self.text)
        return self._sentences

    def tokens(self) -> tuple[list[str], list[int], list[int], list[bool]]:
        """Texts, starts, ends and ws flags of :func:`annotator.text.tokenize`'s tokens; do not change them."""
        if self._tokens is None:
            self._tokens = token_columns(self.text)
        return self._tokens

    def words(self) -> tuple[list[str], list[int], list[int]]:
        """Texts, starts and ends of the non-whitespace tokens (:func:`annotator.text.word_columns`)."""
        if self._words is None:
            self._words = word_columns(self.text)
        return self._words


@dataclass
class Context:
    """What every writer of one export knows: the label set (project order) and the options."""

    labels: list[LabelSpec]
    options: ExportOptions = field(default_factory=ExportOptions)
    repo: Any = None  # the Repository, for a format that reads more than the groups (canonical pages)

    @property
    def label_names(self) -> list[str]:
        return [s.name for s in self.labels]

    def label_order(self) -> dict[str, int]:
        return {s.name: i for i, s in enumerate(self.labels)}


class Writer:
    """Receives the groups of one output. ``counts`` holds numbers or per-label Counters.

    A folder writer lists what it made in ``files`` as (path inside the folder, sha256, size).
    """

    def __init__(self, out: BinaryIO | Path, ctx: Context) -> None:
        self.out = out
        self.ctx = ctx
        self.counts: dict[str, Any] = {"records": 0}
        self.files: list[tuple[str, str, int]] = []

    def write(self, group: ExportGroup, doc: Document) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Called once every group is written, before the output is put in place."""

    def count(self, key: str, labels: Iterable[str]) -> None:
        """Add to a per-label count, ``counts[key]``."""
        self.counts.setdefault(key, Counter()).update(labels)


class JsonlWriter(Writer):
    """One JSON object per line from :meth:`records`, key order as built (so bytes are stable)."""

    def records(self, group: ExportGroup, doc: Document) -> Iterable[dict[str, Any]]:
        raise NotImplementedError

    def write(self, group: ExportGroup, doc: Document) -> None:
        dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
        try:
            lines = [dumps(record, option=newline) for record in self.records(group, doc)]
        except (orjson.JSONEncodeError, UnicodeEncodeError) as exc:
            raise ExportError(f"document {doc.id} ({doc.row.title!r}) cannot be written as JSON: {exc}") from exc
        self.out.write(b"".join(lines))  # type: ignore[union-attr]
        self.counts["records"] += len(lines)


def relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()
