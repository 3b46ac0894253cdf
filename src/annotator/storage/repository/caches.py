"""The per-document caches an export reads: tokens (schema 4), sentence bounds (schema 5) and
spaCy words (schema 6).

A document's text never changes after import, so neither do its tokens, its sentences nor
its spaCy words; the import stores all three (``documents.py``), stamped with the version
of the code that made them. An export reads them by document id through one :class:`TokenCache`.
"""

from __future__ import annotations

import functools
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from annotator.exporters import tokens as token_cache
from annotator.exporters.spacy_words import SPACY_WORDS_VERSION
from annotator.sentences import SENTENCES_VERSION
from annotator.storage import db
from annotator.storage.errors import StorageError
from annotator.storage.repository.base import _SE, _SW, _T

if TYPE_CHECKING:
    from annotator.storage.repository.export import ExportQueries

TOKENS, SENTENCES, SPACY_WORDS = "tokens", "sentences", "spacy_words"
# What each kind of read selects: its table, the stamp its rows must carry, its columns.
_READS: dict[str, tuple[Any, int, tuple[Any, ...]]] = {
    TOKENS: (_T, token_cache.TOKENS_VERSION, (_T.c.tokens_json, _T.c.starts, _T.c.ends)),
    "bounds": (_T, token_cache.TOKENS_VERSION, (_T.c.starts, _T.c.ends)),
    "texts": (_T, token_cache.TOKENS_VERSION, (_T.c.starts, _T.c.ends, _T.c.texts_json)),
    SENTENCES: (_SE, SENTENCES_VERSION, (_SE.c.starts, _SE.c.ends)),
    SPACY_WORDS: (_SW, SPACY_WORDS_VERSION, (_SW.c.orth, _SW.c.spaces, _SW.c.heads, _SW.c.strings_json)),
}
_STORES = {TOKENS: "store_tokens", SENTENCES: "store_sentences", SPACY_WORDS: "store_spacy_words"}
# Where each kind's packed starts and ends are in its row (spaCy words check themselves: WordRow).
_BOUNDS = {TOKENS: 1, "bounds": 0, "texts": 0, SENTENCES: 0}


def _whole(name: str, row: tuple[bytes, ...]) -> tuple[bytes, ...] | None:
    """``row``, or None if it cannot be what the code stamped on it made: bounds that are not
    whole int32s or do not pair up, or a tokens JSON that is not an array. Exports splice the
    tokens JSON into their lines as it is, so a damaged row (a disk's bit flip, a hand edit)
    must be made again, not written out or stopping every export. Costs nanoseconds a row.
    """
    at = _BOUNDS.get(name)
    if at is None:
        return row
    starts, ends = row[at], row[at + 1]
    if len(starts) != len(ends) or len(starts) % 4:
        return None
    if name == TOKENS:
        tokens_json = row[0]
        if tokens_json[:1] != b"[" or tokens_json[-1:] != b"]" or (not starts) != (tokens_json == b"[]"):
            return None
    return row


def _select(name: str) -> tuple[Any, Any]:
    """The rows of one kind with the current stamp, and their table."""
    table, version, columns = _READS[name]
    return select(table.c.document_id, *columns).where(table.c.version == version), table


@functools.cache
def _ranged_read(name: str) -> Any:
    """One kind's rows for the documents between the bind parameters ``lo`` and ``hi``, in id
    order: made once, so each batch of a parallel export does not compile it again."""
    stmt, table = _select(name)
    return stmt.where(table.c.document_id.between(bindparam("lo", 0), bindparam("hi", 0))).order_by(table.c.document_id)


class TokenCache:
    """Cached rows of documents for one export, by document id.

    Tokens are ``tokens.cache_row``'s bytes, sentences ``tokens.sentence_row``'s, spaCy words
    ``spacy_words.words_row``'s. Rows made by other code (another ``version`` stamp) count as
    missing. Rows an export had to make are handed to :meth:`put` / :meth:`put_sentences` /
    :meth:`put_spacy_words` and stored a few megabytes at a time, in short transactions of
    their own; a database that refuses (read-only file, busy) only means they are made again
    next time, so the first refusal ends the storing.
    """

    _BATCH_BYTES = 4 << 20
    _BATCH_ROWS = 500  # the store's IN (...) lists stay far below any bound-parameter limit

    def __init__(self, repo: ExportQueries, conn: Connection, documents: tuple[int, int] | None = None) -> None:
        """``documents`` = (first id, last id): the export asks for documents of that range in
        id order (a parallel export's batch), so each kind of row is read by one ordered
        query instead of one query per document."""
        self._repo = repo
        self._conn = conn
        self._range = documents
        self._queries: dict[str, db.PointQuery] = {}
        self._streams: dict[str, _Ahead] = {}
        self._pending: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _STORES}
        self._pending_bytes = 0
        # The export caches are being removed; their version stamps do not fit PostgreSQL's
        # INTEGER, so a server project never stores them (exports make the rows as they go).
        self.storing = conn.dialect.name == "sqlite"

    def _first(self, name: str, doc_id: int) -> Any:
        """The row's columns (as bytes) for ``doc_id``, or None when it has none with the current
        stamp, or a damaged one (see :func:`_whole`): the caller makes it again and stores it."""
        if self._range is not None:
            stream = self._streams.get(name)
            if stream is None:
                lo, hi = self._range
                stream = self._streams[name] = _Ahead(self._conn, _ranged_read(name), {"lo": lo, "hi": hi})
            found = stream.row_of(doc_id)
            if found is not _BEHIND:
                return None if found is None else _whole(name, tuple(map(bytes, found)))
        query = self._queries.get(name)
        if query is None:
            stmt, table = _select(name)
            query = self._queries[name] = db.PointQuery(self._conn, stmt.where(table.c.document_id == bindparam("doc_id")))
        row = query.first(doc_id=doc_id)
        return None if row is None else _whole(name, tuple(map(bytes, row[1:])))

    def get(self, doc_id: int) -> tuple[bytes, bytes, bytes] | None:
        """(tokens JSON, packed starts, packed ends), or None when not cached."""
        return self._first(TOKENS, doc_id)

    def bounds(self, doc_id: int) -> tuple[bytes, bytes] | None:
        """Packed token starts and ends only (for formats that slice the text themselves)."""
        return self._first("bounds", doc_id)

    def bounds_and_texts(self, doc_id: int) -> tuple[bytes, bytes, bytes] | None:
        """Packed token starts and ends, and the token strings as a JSON array."""
        return self._first("texts", doc_id)

    def sentences(self, doc_id: int) -> tuple[bytes, bytes] | None:
        """Packed sentence starts and ends, or None when not cached."""
        return self._first(SENTENCES, doc_id)

    def spacy_words(self, doc_id: int) -> tuple[bytes, bytes, bytes, bytes] | None:
        """(ORTH ids, trailing spaces, word starts, distinct words JSON), or None when not cached."""
        return self._first(SPACY_WORDS, doc_id)

    def put(self, doc_id: int, row: tuple[bytes, bytes, bytes, bytes]) -> None:
        self._keep(TOKENS, doc_id, row)

    def put_sentences(self, doc_id: int, row: tuple[bytes, bytes]) -> None:
        self._keep(SENTENCES, doc_id, row)

    def put_spacy_words(self, doc_id: int, row: tuple[bytes, bytes, bytes, bytes]) -> None:
        self._keep(SPACY_WORDS, doc_id, row)

    def _keep(self, name: str, doc_id: int, row: tuple[bytes, ...]) -> None:
        if not self.storing:
            return
        pending = self._pending[name]
        pending.append((doc_id, *row))
        self._pending_bytes += sum(map(len, row))
        if self._pending_bytes >= self._BATCH_BYTES or len(pending) >= self._BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        pending, self._pending_bytes = self._pending, 0
        self._pending = {name: [] for name in _STORES}
        if not self.storing:
            return
        try:
            for name, rows in pending.items():
                if rows:
                    getattr(self._repo, _STORES[name])(rows)
        except (StorageError, IntegrityError):
            self.storing = False

    def close(self) -> None:
        for query in self._queries.values():
            query.close()
        for stream in self._streams.values():
            stream.close()


_BEHIND = object()  # asked for a document before the stream's position: ask the database directly


class _Ahead:
    """One ordered read of (document id, columns...) rows, advanced as documents are asked for."""

    def __init__(self, conn: Connection, stmt: Any, params: dict[str, Any]) -> None:
        self._stack = ExitStack()
        self._rows = self._stack.enter_context(db.stream_rows(conn, stmt, 8, params))  # rows of tokens are large
        self._row = next(self._rows, None)
        self._asked = -1

    def row_of(self, doc_id: int) -> Any:
        """The columns of ``doc_id``'s row, None when it has none, or _BEHIND."""
        if doc_id < self._asked:
            return _BEHIND
        self._asked = doc_id
        while self._row is not None and self._row[0] < doc_id:
            self._row = next(self._rows, None)
        return self._row[1:] if self._row is not None and self._row[0] == doc_id else None

    def close(self) -> None:
        self._stack.close()
