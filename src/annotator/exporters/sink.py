"""The shared shape of the dataset formats: a document's parts, a sink per output, a format.

A *format* opens one *sink* per output (one per split): a file sink gets the binary file
:func:`base.atomic_output` made, a folder sink a staging folder. The driver
(:mod:`dataset`) streams (document, annotator) groups into the sink of the document's
split; each sink counts what it wrote (``counts``), which the manifest reports and the
tests recompute from the files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import orjson

from annotator.exporters.base import ExportError
from annotator.exporters.options import ExportOptions
from annotator.exporters.record import document_key
from annotator.exporters.spacy_words import words_row
from annotator.exporters.tokens import cache_row, pack_offsets, sentences_from_row, unpack_offsets
from annotator.labels import LabelSpec
from annotator.sentences import sentence_bounds
from annotator.storage.repository import ExportGroup, TokenCache
from annotator.text import _TOKEN

Span = tuple[str, int, int, str, "str | None"]  # id, start, end, label, note (ExportGroup.spans)
# A span's start, end and label, for C loops over a group's spans (map, zip).
SPAN_START, SPAN_END, SPAN_LABEL = itemgetter(1), itemgetter(2), itemgetter(3)


# The tokenizer's pattern as one capturing group: split() alternates gap, token, gap, ...,
# which gives token texts and bounds from C loops instead of a Python call per token.
_SPLIT = re.compile(f"({_TOKEN.pattern})")


def split_tokens(text: str) -> tuple[list[str], list[int], list[int]]:
    """Token texts, starts and ends (:func:`annotator.text.tokenize`'s tokens, without objects)."""
    parts = _SPLIT.split(text)
    bounds = list(accumulate(map(len, parts)))
    return parts[1::2], bounds[0:-1:2], bounds[1::2]


def tokens_from_bounds(text: str, starts: bytes, ends: bytes) -> tuple[list[str], list[int], list[int]]:
    """:func:`split_tokens`'s result from cached bounds (packed int32): twice as fast as the regex."""
    first, last = unpack_offsets(starts).tolist(), unpack_offsets(ends).tolist()
    return list(map(text.__getitem__, map(slice, first, last))), first, last


class Document:
    """One document as every format sees it; sentences and tokens are found once, on demand.

    ``cache`` (the export's :class:`TokenCache`, if any) supplies token bounds and sentences
    made at import; sentences it lacks are made here and handed back to it to keep.
    """

    __slots__ = ("_cache", "_index", "_sentences", "_tokens", "id", "key", "row", "text")

    def __init__(self, row: Any, cache: TokenCache | None = None) -> None:
        self.row = row
        self._cache = cache
        self.id: int = row.id
        self.text: str = row.text
        self.key = document_key(row.sha256)
        self._sentences: tuple[list[int], list[int]] | None = None
        self._tokens: tuple[list[str], list[int], list[int]] | None = None
        self._index: tuple[Sequence[int], Sequence[int], bytes] | None = None

    def sentences(self) -> tuple[list[int], list[int]]:
        """Sentence starts and ends (:func:`sentence_bounds`), from the cache when it has them."""
        if self._sentences is None:
            cached = self._cache.sentences(self.id) if self._cache is not None else None
            if cached is not None:
                self._sentences = sentences_from_row(*cached)
            else:
                self._sentences = sentence_bounds(self.text)
                if self._cache is not None:
                    self._cache.put_sentences(self.id, tuple(map(pack_offsets, self._sentences)))
        return self._sentences

    def token_index(self) -> tuple[Sequence[int], Sequence[int], bytes]:
        """Token starts and ends, and the token strings as a JSON array, without slicing the text.

        From the cache; a document it lacks is tokenized and its row handed to the cache.
        """
        if self._index is None:
            cached = self._cache.bounds_and_texts(self.id) if self._cache is not None else None
            _tokens_json, starts, ends, texts_json = (None, *cached) if cached is not None else self._tokenized()
            self._index = unpack_offsets(starts), unpack_offsets(ends), texts_json
        return self._index

    def spacy_words(self, *, remake: bool = False) -> tuple[bytes, bytes, bytes, bytes]:
        """:func:`spacy_words.words_row` of the text (spaCy 3's ids), from the cache; a document
        it lacks (or whose row is damaged: ``remake``) is split here and its row handed to the cache."""
        cached = self._cache.spacy_words(self.id) if self._cache is not None and not remake else None
        if cached is None:
            cached = words_row(self.text)
            if self._cache is not None:
                self._cache.put_spacy_words(self.id, cached)
        return cached

    def token_row(self) -> tuple[bytes, bytes, bytes]:
        """(tokens JSON, packed starts, packed ends): the canonical record's tokens.

        From the cache; a document it lacks is tokenized and its row handed to the cache.
        """
        cached = self._cache.get(self.id) if self._cache is not None else None
        return cached if cached is not None else self._tokenized()[:3]

    def _tokenized(self) -> tuple[bytes, bytes, bytes, bytes]:
        """This document's token cache row, made here and handed to the cache to keep."""
        row = cache_row(self.text)
        if self._cache is not None:
            self._cache.put(self.id, row)
        return row

    def tokens(self) -> tuple[list[str], list[int], list[int]]:
        """Token texts, starts and ends; callers must not change the lists."""
        if self._tokens is None:
            cached = self._cache.bounds(self.id) if self._cache is not None else None
            self._tokens = split_tokens(self.text) if cached is None else tokens_from_bounds(self.text, *cached)
        return self._tokens


def write_groups(pairs: Iterable[tuple[str | None, ExportGroup]], cache: TokenCache | None, tally: Any,
                 sinks: dict[str | None, Sink], into: Any, each: Callable[[ExportGroup], None]) -> None:
    """Every (split, group) into its split's sink and the tally, counting records and spans
    on ``into``; ``each(group)`` runs first (progress, cancel). One document lives at a time."""
    doc: Document | None = None
    for split, group in pairs:
        each(group)
        if doc is None or doc.id != group.document.id:
            doc = None  # let the previous document go before the next is built
            doc = Document(group.document, cache)
        tally.add(split, group)
        sinks[split].write(group, doc)
        into.records += 1
        into.spans += len(group.spans)


@dataclass
class Context:
    """What every sink of one export knows: the label set (project order) and the options."""

    labels: list[LabelSpec]
    options: ExportOptions = field(default_factory=ExportOptions)
    folder: Path = Path(".")  # where the output goes: room for a format's temporary files
    repo: Any = None  # the Repository, for a format that reads more than the groups (canonical)
    worker: bool = False  # True in a parallel export's worker process: the sink writes one batch
    # In a worker: what the sinks of one output (split) keep from one batch to the next of
    # this process, e.g. the words whose ids are known; None where a sink sees the whole output.
    carry: dict[str, Any] | None = None

    @property
    def label_names(self) -> list[str]:
        return [s.name for s in self.labels]

    def label_order(self) -> dict[str, int]:
        return {s.name: i for i, s in enumerate(self.labels)}


class Sink:
    """Receives the groups of one output. ``counts`` holds plain numbers (or per-label dicts)."""

    def __init__(self) -> None:
        self.counts: dict[str, Any] = {"records": 0}

    def write(self, group: ExportGroup, doc: Document) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Called once every group is written, before the output is put in place."""

    def dispose(self) -> None:
        """Called last, whether the export succeeded or not: remove temporary files."""

    # A parallel export (parallel.py) runs a sink per batch in a worker process. By default
    # the batch is the bytes the sink wrote (and the files it made); a sink whose output
    # cannot be cut into batches hands over a value instead, which the main process's sink
    # of the same format appends.
    def batch(self) -> Any:
        """In a worker, once the batch's groups are written: a picklable value, or None for the bytes."""
        return None

    def absorb(self, batch: Any) -> None:
        """In the main process: append what :meth:`batch` gave in a worker."""
        raise NotImplementedError

    def bump(self, key: str, label: str, n: int = 1) -> None:
        """Add to a per-label count, ``counts[key][label]``."""
        per = self.counts.setdefault(key, {})
        per[label] = per.get(label, 0) + n


class JsonlSink(Sink):
    """One JSON object per line from :meth:`records`, key order as built (so bytes are stable)."""

    def __init__(self, fh: BinaryIO, ctx: Context) -> None:
        super().__init__()
        self._write = fh.write
        self.ctx = ctx

    def records(self, group: ExportGroup, doc: Document) -> Iterable[dict[str, Any]]:
        raise NotImplementedError

    def write(self, group: ExportGroup, doc: Document) -> None:
        dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
        try:
            lines = [dumps(record, option=newline) for record in self.records(group, doc)]
        except (orjson.JSONEncodeError, UnicodeEncodeError) as exc:
            raise ExportError(f"document {doc.id} ({doc.row.title!r}) cannot be written as JSON: {exc}") from exc
        self._write(b"".join(lines))  # one write per group: the file wrapper is a Python call
        self.counts["records"] += len(lines)


class DatasetFormat:
    """A format written by the dataset driver. Subclasses set the names and open sinks."""

    name: ClassVar[str]
    suffix: ClassVar[str]  # ".jsonl", ".csv", ".spacy"; "" for a folder of files
    jsonl: ClassVar[bool] = False  # whether `annotator validate` reads its lines
    # Whether worker processes may write batches of it (see parallel.py): a sink that writes
    # nothing on open but a header, nothing on close, and keeps only counts and ``files``.
    parallel: ClassVar[bool] = False

    def check(self, ctx: Context) -> None:
        """Refuse an export that cannot run (a missing optional package) before anything is written."""

    def open(self, out: BinaryIO | Path, ctx: Context) -> Sink:
        raise NotImplementedError

    def details(self, ctx: Context) -> dict[str, Any]:
        """What a reader of the manifest must know to use the files (rules, label ids)."""
        return {}


def relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()
