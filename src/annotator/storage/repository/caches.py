"""The per-document caches an export reads: tokens (schema 4) and sentence bounds (schema 5).

A document's text never changes after import, so neither do its tokens nor its sentences;
the import stores both (``documents.py``), stamped with the version of the code that made
them. An export reads them by document id through one :class:`TokenCache`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from annotator.exporters import tokens as token_cache
from annotator.sentences import SENTENCES_VERSION
from annotator.storage import db
from annotator.storage.errors import StorageError
from annotator.storage.repository.base import _SE, _T

if TYPE_CHECKING:
    from annotator.storage.repository.export import ExportQueries

TOKENS, SENTENCES = "tokens", "sentences"
_TOKEN_COLUMNS = {TOKENS: (_T.c.tokens_json, _T.c.starts, _T.c.ends), "bounds": (_T.c.starts, _T.c.ends),
                  "texts": (_T.c.starts, _T.c.ends, _T.c.texts_json)}


class TokenCache:
    """Cached rows of documents for one export, by document id.

    Tokens are ``tokens.cache_row``'s bytes, sentences ``tokens.sentence_row``'s. Rows made
    by other code (another ``version`` stamp) count as missing. Rows an export had to make
    are handed to :meth:`put` / :meth:`put_sentences` and stored a few megabytes at a time,
    in short transactions of their own; a database that refuses (read-only file, busy)
    only means they are made again next time, so the first refusal ends the storing.
    """

    _BATCH_BYTES = 4 << 20
    _BATCH_ROWS = 500  # the store's IN (...) lists stay far below any bound-parameter limit

    def __init__(self, repo: ExportQueries, conn: Connection) -> None:
        self._repo = repo
        self._conn = conn
        self._queries: dict[str, db.PointQuery] = {}
        self._pending: dict[str, list[tuple[Any, ...]]] = {TOKENS: [], SENTENCES: []}
        self._pending_bytes = 0
        self.storing = True

    def _first(self, name: str, doc_id: int) -> Any:
        query = self._queries.get(name)
        if query is None:
            if name == SENTENCES:
                stmt = select(_SE.c.starts, _SE.c.ends).where(_SE.c.document_id == bindparam("doc_id"),
                                                              _SE.c.version == SENTENCES_VERSION)
            else:
                stmt = select(*_TOKEN_COLUMNS[name]).where(_T.c.document_id == bindparam("doc_id"),
                                                           _T.c.version == token_cache.TOKENS_VERSION)
            query = self._queries[name] = db.PointQuery(self._conn, stmt)
        return query.first(doc_id=doc_id)

    def get(self, doc_id: int) -> tuple[bytes, bytes, bytes] | None:
        """(tokens JSON, packed starts, packed ends), or None when not cached."""
        row = self._first(TOKENS, doc_id)
        return None if row is None else (bytes(row[0]), bytes(row[1]), bytes(row[2]))

    def bounds(self, doc_id: int) -> tuple[bytes, bytes] | None:
        """Packed token starts and ends only (for formats that slice the text themselves)."""
        row = self._first("bounds", doc_id)
        return None if row is None else (bytes(row[0]), bytes(row[1]))

    def bounds_and_texts(self, doc_id: int) -> tuple[bytes, bytes, bytes] | None:
        """Packed token starts and ends, and the token strings as a JSON array."""
        row = self._first("texts", doc_id)
        return None if row is None else (bytes(row[0]), bytes(row[1]), bytes(row[2]))

    def sentences(self, doc_id: int) -> tuple[bytes, bytes] | None:
        """Packed sentence starts and ends, or None when not cached."""
        row = self._first(SENTENCES, doc_id)
        return None if row is None else (bytes(row[0]), bytes(row[1]))

    def put(self, doc_id: int, row: tuple[bytes, bytes, bytes, bytes]) -> None:
        self._keep(TOKENS, doc_id, row)

    def put_sentences(self, doc_id: int, row: tuple[bytes, bytes]) -> None:
        self._keep(SENTENCES, doc_id, row)

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
        self._pending = {TOKENS: [], SENTENCES: []}
        if not self.storing:
            return
        try:
            if pending[TOKENS]:
                self._repo.store_tokens(pending[TOKENS])
            if pending[SENTENCES]:
                self._repo.store_sentences(pending[SENTENCES])
        except (StorageError, IntegrityError):
            self.storing = False

    def close(self) -> None:
        for query in self._queries.values():
            query.close()
