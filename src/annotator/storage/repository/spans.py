"""Spans and statuses: what the annotation window reads and writes, one edit per transaction."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from annotator.records import SpanRecord, StatusRecord
from annotator.storage import db
from annotator.storage.models import utc_now
from annotator.storage.repository.base import _A, _L, _S, _ST, RepositoryBase


class SpanQueries(RepositoryBase):
    _SPAN_COLS = (_S.c.id, _S.c.document_id, _A.c.name, _L.c.name, _S.c.start, _S.c.end, _S.c.note,
                  _S.c.created_at, _S.c.updated_at, _S.c.source)

    def _span_select(self):  # type: ignore[no-untyped-def]
        return select(*self._SPAN_COLS).join(_A, _A.c.id == _S.c.annotator_id).join(_L, _L.c.id == _S.c.label_id)

    def spans(self, doc_id: int, annotator: str | None = None) -> list[SpanRecord]:
        q = self._span_select().where(_S.c.document_id == doc_id)
        if annotator is not None:
            q = q.where(_S.c.annotator_id == self.annotator_id(annotator))
        q = q.order_by(_S.c.start, _S.c.end, _S.c.id)
        with self.engine.connect() as c:
            return [SpanRecord(*r) for r in c.execute(q)]

    def span_rows(self, doc_id: int, annotator: str) -> list[tuple[str, str, int, int, str | None]]:
        """(id, label, start, end, note) of one annotator's spans in text order.

        The lean read the UI uses to open a document: no joins and no records, because a
        large article holds tens of thousands of spans and opening it has a 100 ms budget.
        """
        aid = self.annotator_id(annotator)
        if not self._label_names:
            self._label_names = {lr.id: lr.name for lr in self.labels()}
        q = (select(_S.c.id, _S.c.label_id, _S.c.start, _S.c.end, _S.c.note)
             .where(_S.c.document_id == doc_id, _S.c.annotator_id == aid)
             .order_by(_S.c.start, _S.c.end, _S.c.id))
        with self.engine.connect() as c:
            rows = c.execute(q).all()
        names = self._label_names
        if any(r[1] not in names for r in rows):
            self._label_names = names = {lr.id: lr.name for lr in self.labels()}
        return [(r[0], names[r[1]], r[2], r[3], r[4]) for r in rows]

    def span_rows_between(self, doc_id: int, annotator: str, start: int, end: int
                          ) -> list[tuple[str, str, int, int, str | None]]:
        """Like :meth:`span_rows`, only the spans meeting [start, end): a first screenful."""
        aid = self.annotator_id(annotator)
        if not self._label_names:
            self._label_names = {lr.id: lr.name for lr in self.labels()}
        q = (select(_S.c.id, _S.c.label_id, _S.c.start, _S.c.end, _S.c.note)
             .where(_S.c.document_id == doc_id, _S.c.annotator_id == aid, _S.c.start < end, _S.c.end > start)
             .order_by(_S.c.start, _S.c.end, _S.c.id))
        with self.engine.connect() as c:
            rows = c.execute(q).all()
        names = self._label_names
        if any(r[1] not in names for r in rows):
            self._label_names = names = {lr.id: lr.name for lr in self.labels()}
        return [(r[0], names[r[1]], r[2], r[3], r[4]) for r in rows]

    def documents_with_label(self, annotator: str, label: str) -> set[int]:
        """Ids of documents where this annotator has at least one span of ``label``."""
        aid = self.annotator_id(annotator)
        q = (select(_S.c.document_id).distinct().join(_L, _L.c.id == _S.c.label_id)
             .where(_S.c.annotator_id == aid, _L.c.name == label))
        with self.engine.connect() as c:
            return {r[0] for r in c.execute(q)}

    def span(self, span_id: str) -> SpanRecord:
        with self.engine.connect() as c:
            r = c.execute(self._span_select().where(_S.c.id == span_id)).first()
        if r is None:
            raise KeyError(f"no span {span_id}")
        return SpanRecord(*r)

    @db.writes
    def insert_span(self, s: SpanRecord, *, start_document: bool = False) -> None:
        """Insert a span; ``start_document`` also moves a 'todo' document to 'in_progress'.

        Both in one transaction, so a crash never leaves the span without its bookkeeping.
        """
        aid, lid = self.annotator_id(s.annotator), self.label_id(s.label)
        with self.engine.begin() as c:
            c.execute(insert(_S).values(id=s.id, document_id=s.document_id, annotator_id=aid, label_id=lid,
                                        start=s.start, end=s.end, note=s.note, created_at=s.created_at,
                                        updated_at=s.updated_at, source=s.source))
            if start_document:
                where = (_ST.c.document_id == s.document_id, _ST.c.annotator_id == aid)
                current = c.execute(select(_ST.c.status).where(*where)).scalar()
                if current is None:
                    c.execute(insert(_ST).values(document_id=s.document_id, annotator_id=aid,
                                                 status="in_progress", updated_at=s.updated_at))
                elif current == "todo":
                    c.execute(update(_ST).where(*where).values(status="in_progress", reason=None,
                                                               updated_at=s.updated_at))

    @db.writes
    def delete_span(self, span_id: str) -> None:
        with self.engine.begin() as c:
            if c.execute(delete(_S).where(_S.c.id == span_id)).rowcount != 1:
                raise KeyError(f"no span {span_id}")

    @db.writes
    def update_span(self, span_id: str, *, label: str | None = None, note: str | None = None,
                    set_note: bool = False, updated_at: str) -> None:
        values: dict[str, object] = {"updated_at": updated_at}
        if label is not None:
            values["label_id"] = self.label_id(label)
        if set_note:
            values["note"] = note
        with self.engine.begin() as c:
            if c.execute(update(_S).where(_S.c.id == span_id).values(**values)).rowcount != 1:
                raise KeyError(f"no span {span_id}")

    # -- statuses ---------------------------------------------------------------------
    def status(self, doc_id: int, annotator: str) -> StatusRecord:
        aid = self.annotator_id(annotator)
        with self.engine.connect() as c:
            r = c.execute(select(_ST.c.status, _ST.c.reason)
                          .where(_ST.c.document_id == doc_id, _ST.c.annotator_id == aid)).first()
        return StatusRecord(doc_id, annotator, r[0] if r else "todo", r[1] if r else None)

    @db.writes
    def set_status(self, rec: StatusRecord) -> None:
        aid = self.annotator_id(rec.annotator)
        now = utc_now()
        with self.engine.begin() as c:
            changed = c.execute(update(_ST).where(_ST.c.document_id == rec.document_id, _ST.c.annotator_id == aid)
                                .values(status=rec.status, reason=rec.reason, updated_at=now)).rowcount
            if not changed:
                c.execute(insert(_ST).values(document_id=rec.document_id, annotator_id=aid, status=rec.status,
                                             reason=rec.reason, updated_at=now))

