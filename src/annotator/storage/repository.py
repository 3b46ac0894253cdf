"""Every query the application runs. Nothing else opens a session or writes SQL.

Methods take and return plain records (``annotator.records``); each write runs in its own
transaction and is committed before the method returns.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Row, and_, bindparam, delete, func, insert, literal, or_, select, union, update
from sqlalchemy.engine import Connection, Engine

from annotator.importers.base import ImportedDocument
from annotator.labels import LabelSpec
from annotator.records import (DocumentColumns, DocumentInfo, DocumentSummary, LabelRecord, SearchHit, SpanRecord,
                               StatusRecord)
from annotator.storage import db
from annotator.storage.models import Annotator, Document, DocumentPage, DocumentStatus, Label, Span, utc_now

_D = Document.__table__
_P = DocumentPage.__table__
_S = Span.__table__
_L = Label.__table__
_A = Annotator.__table__
_ST = DocumentStatus.__table__


def new_span_id() -> str:
    return uuid.uuid4().hex


@functools.cache
def _document_list_query():  # type: ignore[no-untyped-def]
    # Built once: SQLAlchemy then finds its compiled form in its cache by identity.
    aid = bindparam("aid")
    counts = (select(_S.c.document_id, func.count().label("n")).where(_S.c.annotator_id == aid)
              .group_by(_S.c.document_id).subquery())
    return (select(_D.c.id, _D.c.title, _D.c.format, _D.c.source, _D.c.char_count,
                   func.coalesce(_ST.c.status, "todo"), func.coalesce(counts.c.n, 0))
            .outerjoin(_ST, and_(_ST.c.document_id == _D.c.id, _ST.c.annotator_id == aid))
            .outerjoin(counts, counts.c.document_id == _D.c.id)
            .order_by(_D.c.id))


@dataclass(frozen=True, slots=True)
class ExportFilter:
    annotators: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExportGroup:
    """One document as seen by one annotator: what one canonical JSONL line holds."""

    document: Row
    annotator: str
    status: str
    spans: list[tuple[str, int, int, str, str | None]]  # id, start, end, label, note


class Repository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._annotator_ids: dict[str, int] = {}
        self._label_ids: dict[str, int] = {}
        self._label_names: dict[int, str] = {}

    @classmethod
    def open(cls, project: str | Path, *, create: bool = True) -> tuple[Repository, bool]:
        engine, created = db.open_engine(project, create=create)
        return cls(engine), created

    def close(self) -> None:
        self.engine.dispose()

    # -- project metadata and labels -------------------------------------------------
    def labels(self) -> list[LabelRecord]:
        with self.engine.connect() as c:
            rows = c.execute(select(_L).order_by(_L.c.position, _L.c.id)).all()
        return [
            LabelRecord(r.id, LabelSpec(r.name, r.colour, r.shortcut, r.definition, r.example)) for r in rows
        ]

    @db.writes
    def store_labels(self, specs: Sequence[LabelSpec]) -> None:
        """Add labels missing by name (existing ones keep their colour and definition)."""
        existing = {lr.name for lr in self.labels()}
        with self.engine.begin() as c:
            for pos, s in enumerate(specs):
                if s.name not in existing:
                    c.execute(insert(_L).values(name=s.name, colour=s.colour, shortcut=s.shortcut,
                                                definition=s.definition, example=s.example, position=pos))

    def label_id(self, name: str, conn: Connection | None = None) -> int:
        if name not in self._label_ids:
            self._label_ids = {lr.name: lr.id for lr in self.labels()}
        try:
            return self._label_ids[name]
        except KeyError:
            raise KeyError(f"unknown label {name!r}") from None

    @db.writes
    def annotator_id(self, name: str, conn: Connection | None = None) -> int:
        if name in self._annotator_ids:
            return self._annotator_ids[name]
        if conn is None:
            with self.engine.begin() as c:
                return self.annotator_id(name, c)
        row = conn.execute(select(_A.c.id).where(_A.c.name == name)).first()
        if row is None:
            aid = conn.execute(insert(_A).values(name=name, created_at=utc_now())).inserted_primary_key[0]
        else:
            aid = row[0]
        self._annotator_ids[name] = aid
        return aid

    def annotators(self) -> list[str]:
        with self.engine.connect() as c:
            return [r[0] for r in c.execute(select(_A.c.name).order_by(_A.c.name))]

    # -- documents --------------------------------------------------------------------
    def has_sha256(self, sha: str) -> bool:
        with self.engine.connect() as c:
            return c.execute(select(_D.c.id).where(_D.c.sha256 == sha)).first() is not None

    @db.writes
    def add_documents(self, docs: Sequence[tuple[ImportedDocument, str]]) -> list[int | None]:
        """Store (document, sha256) pairs from one file in one transaction (all or nothing).

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
                                             updated_at=now))
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
        aid = self.annotator_id(annotator)
        counts = (select(_S.c.document_id, func.count().label("n")).where(_S.c.annotator_id == aid)
                  .group_by(_S.c.document_id).subquery())
        q = (select(_D.c.id, _D.c.title, _D.c.format, _D.c.source, _D.c.char_count,
                    func.coalesce(_ST.c.status, "todo"), func.coalesce(counts.c.n, 0))
             .outerjoin(_ST, and_(_ST.c.document_id == _D.c.id, _ST.c.annotator_id == aid))
             .outerjoin(counts, counts.c.document_id == _D.c.id)
             .order_by(_D.c.id))
        with self.engine.connect() as c:
            return [DocumentSummary(*r) for r in c.execute(q)]

    def document_list(self, annotator: str) -> DocumentColumns:
        """What :meth:`document_summaries` returns, as columns: the document list's read.

        Plain row tuples into one list per field, no record per row: at 100,000 documents
        the records and SQLAlchemy's row-at-a-time iteration cost several times the query.
        ``list_snapshot`` reads the same at start-up without SQLAlchemy; keep them equal.
        """
        aid = self.annotator_id(annotator)
        with self.engine.connect() as c:
            rows = c.execute(_document_list_query(), {"aid": aid}).all()
        return DocumentColumns.from_rows(rows)  # type: ignore[arg-type]

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

    # -- spans ------------------------------------------------------------------------
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

    # -- statistics and export ----------------------------------------------------------
    def stats(self) -> dict[str, object]:
        with self.engine.connect() as c:
            docs = c.execute(select(func.count()).select_from(_D)).scalar_one()
            per_label = dict(c.execute(select(_L.c.name, func.count(_S.c.id)).outerjoin(_S, _S.c.label_id == _L.c.id)
                                       .group_by(_L.c.name).order_by(_L.c.name)).all())
            per_ann = {}
            for name, label, n in c.execute(select(_A.c.name, _L.c.name, func.count())
                                            .select_from(_S).join(_A, _A.c.id == _S.c.annotator_id)
                                            .join(_L, _L.c.id == _S.c.label_id)
                                            .group_by(_A.c.name, _L.c.name).order_by(_A.c.name, _L.c.name)):
                per_ann.setdefault(name, {})[label] = n
            statuses: dict[str, dict[str, int]] = {}
            for name, st, n in c.execute(select(_A.c.name, _ST.c.status, func.count()).select_from(_ST)
                                         .join(_A, _A.c.id == _ST.c.annotator_id)
                                         .group_by(_A.c.name, _ST.c.status).order_by(_A.c.name, _ST.c.status)):
                statuses.setdefault(name, {})[st] = n
        return {"documents": docs, "spans": sum(per_label.values()), "spans_per_label": per_label,
                "spans_per_annotator": per_ann, "statuses": statuses}

    @staticmethod
    def _export_pairs(flt: ExportFilter):  # type: ignore[no-untyped-def]
        """(document id, annotator id, annotator, status) for every pair with a status or a span."""
        pair_src = union(select(_ST.c.document_id, _ST.c.annotator_id),
                         select(_S.c.document_id, _S.c.annotator_id).distinct()).subquery()
        pairs = (select(pair_src.c.document_id, pair_src.c.annotator_id, _A.c.name,
                        func.coalesce(_ST.c.status, literal("todo")))
                 .join(_A, _A.c.id == pair_src.c.annotator_id)
                 .outerjoin(_ST, and_(_ST.c.document_id == pair_src.c.document_id,
                                      _ST.c.annotator_id == pair_src.c.annotator_id))
                 .order_by(pair_src.c.document_id, pair_src.c.annotator_id))
        if flt.annotators:
            pairs = pairs.where(_A.c.name.in_(flt.annotators))
        if flt.statuses:
            pairs = pairs.where(func.coalesce(_ST.c.status, literal("todo")).in_(flt.statuses))
        return pairs

    def count_export_groups(self, flt: ExportFilter = ExportFilter()) -> int:
        """How many groups :meth:`iter_export_groups` yields (the total for a progress bar)."""
        sub = self._export_pairs(flt).order_by(None).subquery()
        with self.engine.connect() as c:
            return c.execute(select(func.count()).select_from(sub)).scalar_one()

    def iter_export_groups(self, flt: ExportFilter = ExportFilter()) -> Iterator[ExportGroup]:
        """Stream (document, annotator) groups in (document id, annotator id) order.

        Three ordered cursors merged in Python, so memory holds one document at a time.
        """
        pairs = self._export_pairs(flt)
        spans = (select(_S.c.document_id, _S.c.annotator_id, _S.c.id, _S.c.start, _S.c.end, _L.c.name, _S.c.note)
                 .join(_L, _L.c.id == _S.c.label_id)
                 .order_by(_S.c.document_id, _S.c.annotator_id, _S.c.start, _S.c.end, _L.c.name, _S.c.id))
        if flt.labels:
            spans = spans.where(_L.c.name.in_(flt.labels))
        docs = select(_D.c.id, _D.c.title, _D.c.source, _D.c.format, _D.c.sha256, _D.c.text,
                      _D.c.meta_json).order_by(_D.c.id)
        with self.engine.connect() as cp, self.engine.connect() as cs, self.engine.connect() as cd:
            span_res = cs.execution_options(stream_results=True).execute(spans)
            # Texts can be megabytes: buffer a few dozen documents, not the default thousand.
            doc_res = cd.execution_options(stream_results=True, max_row_buffer=32).execute(docs)
            pair_res = cp.execution_options(stream_results=True).execute(pairs)
            # Closed before the connections go back to the pool: an unfinished SQLite cursor keeps
            # a read transaction open, and a writer handed that connection fails at once ("locked").
            with span_res, doc_res, pair_res:
                span_iter, doc_iter = iter(span_res), iter(doc_res)
                span_row = next(span_iter, None)
                doc_row = next(doc_iter, None)
                for doc_id, ann_id, ann_name, status in pair_res:
                    while doc_row is not None and doc_row[0] < doc_id:
                        doc_row = next(doc_iter, None)
                    while span_row is not None and (span_row[0], span_row[1]) < (doc_id, ann_id):
                        span_row = next(span_iter, None)
                    group: list[tuple[str, int, int, str, str | None]] = []
                    while span_row is not None and span_row[0] == doc_id and span_row[1] == ann_id:
                        group.append((span_row[2], span_row[3], span_row[4], span_row[5], span_row[6]))
                        span_row = next(span_iter, None)
                    if doc_row is not None and doc_row[0] == doc_id:
                        yield ExportGroup(doc_row, ann_name, status, group)

    def page_ranges(self, doc_ids: Iterable[int]) -> dict[int, list[tuple[int, int]]]:
        out: dict[int, list[tuple[int, int]]] = {}
        with self.engine.connect() as c:
            for d, s, e in c.execute(select(_P.c.document_id, _P.c.start, _P.c.end)
                                     .where(_P.c.document_id.in_(list(doc_ids))).order_by(_P.c.document_id, _P.c.number)):
                out.setdefault(d, []).append((s, e))
        return out

    def iter_export_index(self, flt: ExportFilter = ExportFilter()) -> Iterator[tuple[int, str, str, str, str, str | None]]:
        """(document id, sha256, title, source, annotator, label) for each label of each exported group.

        The groups are those :meth:`iter_export_groups` yields, in the same order; a group
        without (filtered) spans gives one row with label None. No texts are read, so a
        dataset split can be planned over a large corpus before anything is written.
        """
        pairs = self._export_pairs(flt).order_by(None).subquery()
        labels = (select(_S.c.document_id, _S.c.annotator_id, _L.c.name.label("label"))
                  .join(_L, _L.c.id == _S.c.label_id).distinct())
        if flt.labels:
            labels = labels.where(_L.c.name.in_(flt.labels))
        found = labels.subquery()
        q = (select(_D.c.id, _D.c.sha256, _D.c.title, _D.c.source, pairs.c.name, found.c.label)
             .select_from(pairs.join(_D, _D.c.id == pairs.c.document_id)
                          .outerjoin(found, and_(found.c.document_id == pairs.c.document_id,
                                                 found.c.annotator_id == pairs.c.annotator_id)))
             .order_by(_D.c.id, pairs.c.annotator_id, found.c.label))
        with self.engine.connect() as c:
            res = c.execution_options(stream_results=True).execute(q)
            with res:
                for row in res:
                    yield row[0], row[1], row[2], row[3], row[4], row[5]
