"""Original files stored in the project (PDFs), content-addressed and compressed where it helps."""

from __future__ import annotations

import hashlib
import zlib

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from annotator.storage import db
from annotator.storage.models import DocumentSource, Source
from annotator.storage.originals import NEEDS_ORIGINAL, packed, unpacked
from annotator.storage.repository.base import RepositoryBase

_SRC = Source.__table__
_DS = DocumentSource.__table__
def store_source(c: Connection, doc_id: int, data: bytes) -> str:
    """Store ``data`` once (by its sha256) and link the document to it; returns the sha256."""
    sha = hashlib.sha256(data).hexdigest()
    if c.execute(select(_SRC.c.sha256).where(_SRC.c.sha256 == sha)).first() is None:
        compression, blob = packed(data)
        c.execute(insert(_SRC).values(sha256=sha, size=len(data), compression=compression, data=blob))
    c.execute(insert(_DS).values(document_id=doc_id, sha256=sha))
    return sha


class SourceQueries(RepositoryBase):
    def source_sha256(self, doc_id: int) -> str | None:
        """The sha256 of the original file stored for a document (None: none stored)."""
        with self.engine.connect() as c:
            return c.execute(select(_DS.c.sha256).where(_DS.c.document_id == doc_id)).scalar()

    def source_bytes(self, sha256: str) -> bytes | None:
        """A stored original's bytes, checked against its sha256 (None when absent or not whole)."""
        with self.engine.connect() as c:
            row = c.execute(select(_SRC.c.compression, _SRC.c.data).where(_SRC.c.sha256 == sha256)).first()
        if row is None:
            return None
        try:
            data = unpacked(row[0], row[1])
        except (ValueError, zlib.error):
            return None
        return data if hashlib.sha256(data).hexdigest() == sha256 else None

    @db.writes
    def attach_source(self, doc_id: int, data: bytes) -> str:
        """Store a document's original file after the fact (a migration, a re-found file)."""
        with self.engine.begin() as c:
            return store_source(c, doc_id, data)

    def missing_sources(self) -> list[tuple[int, str, str]]:
        """(id, title, source path) of documents whose original the project needs but lacks."""
        from annotator.storage.models import Document

        d = Document.__table__
        q = (select(d.c.id, d.c.title, d.c.source).where(d.c.format.in_(sorted(NEEDS_ORIGINAL)))
             .where(~d.c.id.in_(select(_DS.c.document_id))).order_by(d.c.id))
        with self.engine.connect() as c:
            return [(r[0], r[1], r[2]) for r in c.execute(q)]
