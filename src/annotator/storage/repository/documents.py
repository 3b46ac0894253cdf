"""Documents: importing them (with their pages), reading and listing them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from sqlalchemy import Row, func, insert, or_, select, text
from sqlalchemy.engine import Connection

from annotator.importers.base import ImportedDocument
from annotator.records import DocumentColumns, DocumentInfo, DocumentSummary, SearchHit
from annotator.storage import db, document_list
from annotator.storage.models import utc_now
from annotator.storage.repository.base import _D, _P, _S, _ST, RepositoryBase, new_span_id
from annotator.storage.repository.sources import NEEDS_ORIGINAL, store_source


class DocumentQueries(RepositoryBase):
    def has_sha256(self, sha: str) -> bool:
        with self.engine.connect() as c:
            return c.execute(select(_D.c.id).where(_D.c.sha256 == sha)).first() is not None

    @db.writes
    def add_documents(self, docs: Sequence[tuple[ImportedDocument, str]], original: bytes | None = None
                      ) -> list[int | None]:
        """Store (document, sha256) pairs from one file in one transaction (all or nothing).

        ``original`` is the file's bytes, stored (once per content) for the documents whose
        format needs them (PDFs: the page view and the annotated-PDF export).
        Returns each new document id, or None where the sha256 was already present.
        """
        ids: list[int | None] = []
        added_annotators: list[str] = []
        try:
            with self.engine.begin() as c:
                seen: set[str] = set()
                for doc, sha in docs:
                    dup = sha in seen or c.execute(select(_D.c.id).where(_D.c.sha256 == sha)).first()
                    seen.add(sha)
                    if dup:
                        ids.append(None)
                        continue
                    ids.append(self._insert_document(c, doc, sha, added_annotators))
                    if original is not None and doc.format in NEEDS_ORIGINAL:
                        store_source(c, ids[-1], original)
        except BaseException:
            for name in added_annotators:  # their rows were rolled back with the rest
                self._annotator_ids.pop(name, None)
            raise
        return ids

    def _insert_document(self, c: Connection, doc: ImportedDocument, sha: str, added: list[str]) -> int:
        now = utc_now()
        doc_id = c.execute(insert(_D).values(
            title=doc.title, source=doc.source, format=doc.format, sha256=sha, text=doc.text,
            char_count=len(doc.text), meta_json=json.dumps(doc.meta, sort_keys=True, ensure_ascii=False),
            imported_at=now)).inserted_primary_key[0]
        if doc.pages:
            from annotator.pdf_geometry import pack_boxes

            c.execute(insert(_P), [
                {"document_id": doc_id, "number": p.number, "start": p.start, "end": p.end, "width": p.width,
                 "height": p.height, "rotation": p.rotation, "boxes": pack_boxes(p.boxes)} for p in doc.pages])
        for annotator, status, spans in doc.annotations():
            if not annotator or not (spans or status):
                continue
            if annotator not in self._annotator_ids:
                added.append(annotator)
            aid = self.annotator_id(annotator, c)
            if spans:
                taken = self._taken_span_ids(c, [s.id for s in spans if s.id])
                c.execute(insert(_S), [
                    {"id": s.id if s.id and s.id not in taken else new_span_id(), "document_id": doc_id,
                     "annotator_id": aid, "label_id": self.label_id(s.label), "start": s.start, "end": s.end,
                     "note": s.note, "created_at": now, "updated_at": now, "source": "import"} for s in spans])
            if status:
                c.execute(insert(_ST).values(document_id=doc_id, annotator_id=aid, status=status,
                                             reason=doc.reasons.get(annotator), updated_at=now))
        return doc_id

    @staticmethod
    def _taken_span_ids(c: Connection, ids: list[str]) -> set[str]:
        """Which of these span ids the project already uses (re-importing an export into its own project)."""
        taken: set[str] = set()
        for i in range(0, len(ids), 500):  # stay far below SQLite's bound-parameter limit
            taken.update(r[0] for r in c.execute(select(_S.c.id).where(_S.c.id.in_(ids[i:i + 500]))))
        return taken

    def document(self, doc_id: int) -> DocumentInfo:
        with self.engine.connect() as c:
            r = c.execute(select(_D).where(_D.c.id == doc_id)).first()
            if r is None:
                raise KeyError(f"no document {doc_id}")
            pages = c.execute(select(_P.c.start, _P.c.end).where(_P.c.document_id == doc_id)
                              .order_by(_P.c.number)).all()
        return DocumentInfo(r.id, r.title, r.source, r.format, r.sha256, r.text, json.loads(r.meta_json),
                            r.imported_at, [(p.start, p.end) for p in pages])

    def pages(self, doc_id: int) -> list[Row]:
        with self.engine.connect() as c:
            return c.execute(select(_P).where(_P.c.document_id == doc_id).order_by(_P.c.number)).all()

    def document_summaries(self, annotator: str) -> list[DocumentSummary]:
        """Every document with this annotator's status and span count, in import order."""
        columns = self.document_list(annotator)
        return [columns.summary(i) for i in range(len(columns))]

    def document_list(self, annotator: str) -> DocumentColumns:
        """What :meth:`document_summaries` returns, as columns: the document list's one read
        (``storage.document_list``, which the app also runs at launch before SQLAlchemy loads)."""
        aid = self.annotator_id(annotator)
        with self.engine.connect() as c:
            return document_list.read_columns(lambda sql: c.execute(text(sql), {"aid": aid}).one(), c.dialect.name)

    def document_count(self) -> int:
        with self.engine.connect() as c:
            return c.execute(select(func.count()).select_from(_D)).scalar_one()

    def search(self, query: str, limit: int = 200) -> list[SearchHit]:
        """Case-insensitive substring search over titles and texts, first hit per document."""
        if not query:
            return []
        needle = query.casefold()
        hits: list[SearchHit] = []
        q = (select(_D.c.id, _D.c.title, _D.c.text)
             .where(or_(func.lower(_D.c.text).contains(query.lower()), func.lower(_D.c.title).contains(query.lower())))
             .order_by(_D.c.id).limit(limit))
        with self.engine.connect() as c:
            for r in c.execute(q):
                pos = r.text.casefold().find(needle)
                start = max(pos, 0)
                end = start + (len(query) if pos >= 0 else 0)
                ctx = " ".join(r.text[max(0, start - 40): end + 60].split())
                hits.append(SearchHit(r.id, r.title, start, end, ctx))
        return hits

    def page_ranges(self, doc_ids: Iterable[int]) -> dict[int, list[tuple[int, int]]]:
        out: dict[int, list[tuple[int, int]]] = {}
        with self.engine.connect() as c:
            for d, s, e in c.execute(select(_P.c.document_id, _P.c.start, _P.c.end)
                                     .where(_P.c.document_id.in_(list(doc_ids))).order_by(_P.c.document_id, _P.c.number)):
                out.setdefault(d, []).append((s, e))
        return out

