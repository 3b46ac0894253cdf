"""Reviewers as a team: attaching others' annotations to documents already in the project,
reading every reviewer's spans for agreement and adjudication, and merging another project.

"Attaching" is the one rule both the import and the merge follow, so they agree: a span
whose (start, end, label) the annotator already has on the document is not added again
(which makes every attach idempotent); a status is stored only where the annotator has
none (or ``todo``), and a different one already there is reported as a conflict and kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select, union_all, update
from sqlalchemy.engine import Connection

from annotator.importers.base import ImportedDocument
from annotator.storage import db
from annotator.storage.models import utc_now
from annotator.storage.models import DocumentSource, Source
from annotator.storage.repository.base import _A, _D, _L, _P, _S, _ST, RepositoryBase, new_span_id
from annotator.storage.repository.sources import NEEDS_ORIGINAL, store_source


@dataclass(frozen=True, slots=True)
class IncomingSpan:
    """A span arriving from a file or another project, its label already a name of this project."""

    start: int
    end: int
    label: str
    note: str | None = None
    id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


@dataclass(slots=True)
class AttachOutcome:
    """What attaching one annotator's work to one existing document did."""

    document_id: int
    annotator: str
    spans_added: int = 0
    status_set: bool = False
    # (status already stored, status that arrived) when they differ; the stored one is kept.
    status_conflict: tuple[str, str] | None = None


@dataclass(slots=True)
class StoreOutcome:
    """Per incoming document: its id, whether it was new, and what was attached to it if not."""

    document_id: int
    created: bool
    attached: list[AttachOutcome] = field(default_factory=list)


class TeamQueries(RepositoryBase):
    # -- attaching ----------------------------------------------------------------------
    def _attach(self, c: Connection, doc_id: int, annotator: str, status: str | None, reason: str | None,
                spans: Sequence[IncomingSpan], now: str, added_annotators: list[str]) -> AttachOutcome:
        """Add one annotator's spans and status to an existing document, inside ``c``'s transaction."""
        return self._attach_many(c, [(doc_id, annotator, status, reason, spans)], now, added_annotators)[0]

    def _attach_many(self, c: Connection, work: Sequence[tuple[int, str, str | None, str | None, Sequence[IncomingSpan]]],
                     now: str, added_annotators: list[str]) -> list[AttachOutcome]:
        """Attach (document id, annotator, status, reason, spans) items inside ``c``'s transaction,
        reading what is already there for all of them at once and writing in bulk."""
        outcomes = [AttachOutcome(d, who) for d, who, *_ in work]
        ids: dict[str, int] = {}
        for _d, who, status, _r, spans in work:
            if (spans or status) and who not in ids:
                if who not in self._annotator_ids:
                    added_annotators.append(who)
                ids[who] = self.annotator_id(who, c)
        docs = sorted({d for d, who, *_ in work if who in ids})
        have: dict[tuple[int, int], set[tuple[int, int, int]]] = {}
        current: dict[tuple[int, int], str] = {}
        aids = list(ids.values())
        for i in range(0, len(docs), 500):  # far below SQLite's bound-parameter limit
            chunk = docs[i:i + 500]
            for d, a, start, end, label in c.execute(
                    select(_S.c.document_id, _S.c.annotator_id, _S.c.start, _S.c.end, _S.c.label_id)
                    .where(_S.c.document_id.in_(chunk), _S.c.annotator_id.in_(aids))):
                have.setdefault((d, a), set()).add((start, end, label))
            for d, a, st in c.execute(select(_ST.c.document_id, _ST.c.annotator_id, _ST.c.status)
                                      .where(_ST.c.document_id.in_(chunk), _ST.c.annotator_id.in_(aids))):
                current[(d, a)] = st
        span_rows: list[dict[str, object]] = []
        new_statuses: list[dict[str, object]] = []
        for out, (d, who, status, reason, spans) in zip(outcomes, work):
            if who not in ids:
                continue
            aid = ids[who]
            keys = have.setdefault((d, aid), set())
            for s in spans:
                key = (s.start, s.end, self.label_id(s.label))
                if key in keys:
                    continue
                keys.add(key)
                span_rows.append({"id": s.id, "document_id": d, "annotator_id": aid, "label_id": key[2],
                                  "start": s.start, "end": s.end, "note": s.note, "created_at": s.created_at or now,
                                  "updated_at": s.updated_at or now, "source": "import"})
                out.spans_added += 1
            if not status:
                continue
            existing = current.get((d, aid))
            if existing is None:
                new_statuses.append({"document_id": d, "annotator_id": aid, "status": status, "reason": reason,
                                     "updated_at": now})
                current[(d, aid)] = status
                out.status_set = True
            elif existing == "todo" and status != "todo":
                c.execute(update(_ST).where(_ST.c.document_id == d, _ST.c.annotator_id == aid)
                          .values(status=status, reason=reason, updated_at=now))
                out.status_set = True
            elif existing != status:
                out.status_conflict = (existing, status)
        if span_rows:
            taken = self._span_ids_in_use(c, [r["id"] for r in span_rows if r["id"]])  # type: ignore[misc]
            for r in span_rows:
                if not r["id"] or r["id"] in taken:
                    r["id"] = new_span_id()
            c.execute(insert(_S), span_rows)
        if new_statuses:
            c.execute(insert(_ST), new_statuses)
        return outcomes

    @staticmethod
    def _span_ids_in_use(c: Connection, ids: list[str]) -> set[str]:
        taken: set[str] = set()
        for i in range(0, len(ids), 500):  # far below SQLite's bound-parameter limit
            taken.update(r[0] for r in c.execute(select(_S.c.id).where(_S.c.id.in_(ids[i:i + 500]))))
        return taken

    @db.writes
    def add_or_attach_documents(self, docs: Sequence[tuple[ImportedDocument, str]], original: bytes | None = None
                                ) -> list[StoreOutcome]:
        """Store (document, sha256) pairs from one file in one transaction (all or nothing).

        A text new to the project becomes a document with its annotations; a text already
        here (same sha256) gets its annotations attached to the existing document.
        ``original`` is the file's bytes, stored once per content for the new documents whose
        format needs them (PDFs: the page view and the annotated-PDF export).
        """
        outcomes: list[StoreOutcome] = []
        added: list[str] = []
        now = utc_now()
        try:
            with self.engine.begin() as c:
                first_of: dict[str, int] = {}
                for doc, sha in docs:
                    existing = first_of.get(sha)
                    if existing is None:
                        existing = c.execute(select(_D.c.id).where(_D.c.sha256 == sha)).scalar()
                    if existing is None:
                        doc_id = self._insert_document(c, doc, sha, added)  # type: ignore[attr-defined]
                        if original is not None and doc.format in NEEDS_ORIGINAL:
                            store_source(c, doc_id, original)
                        first_of[sha] = doc_id
                        outcomes.append(StoreOutcome(doc_id, True))
                        continue
                    outcome = StoreOutcome(existing, False)
                    for annotator, status, spans in doc.annotations():
                        if not annotator:
                            continue
                        incoming = [IncomingSpan(s.start, s.end, s.label, s.note, s.id) for s in spans]
                        outcome.attached.append(self._attach(c, existing, annotator, status,
                                                             doc.reasons.get(annotator), incoming, now, added))
                    outcomes.append(outcome)
        except BaseException:
            for name in added:  # their rows were rolled back with the rest
                self._annotator_ids.pop(name, None)
            raise
        return outcomes

    # -- reading every reviewer's work --------------------------------------------------
    def annotated_together(self, annotators: Iterable[str]) -> bool:
        """Whether two or more of these annotators have spans or statuses on one same document:
        one grouped query, so a caller can skip reading every span when nobody overlaps."""
        wanted = set(annotators)
        ids = [i for i, name in self._annotator_rows() if name in wanted]  # type: ignore[attr-defined]
        if len(ids) < 2:
            return False
        marks = union_all(select(_S.c.document_id, _S.c.annotator_id).where(_S.c.annotator_id.in_(ids)),
                          select(_ST.c.document_id, _ST.c.annotator_id).where(_ST.c.annotator_id.in_(ids))
                          .where(_ST.c.status.notin_(("todo", "skipped")))).subquery()
        query = (select(marks.c.document_id).group_by(marks.c.document_id)
                 .having(func.count(func.distinct(marks.c.annotator_id)) >= 2).limit(1))
        with self.engine.connect() as c:
            return c.execute(query).first() is not None

    def team_rows(self, annotators: Iterable[str] | None = None, document_id: int | None = None
                  ) -> tuple[list[tuple[int, str, str, int, int]], list[tuple[int, str, str]]]:
        """Spans as (document id, annotator, label, start, end) and statuses as
        (document id, annotator, status), of these annotators (all when None), in document order;
        of one document when ``document_id`` is given."""
        span_q = (select(_S.c.document_id, _A.c.name, _L.c.name, _S.c.start, _S.c.end)
                  .join(_A, _A.c.id == _S.c.annotator_id).join(_L, _L.c.id == _S.c.label_id))
        status_q = select(_ST.c.document_id, _A.c.name, _ST.c.status).join(_A, _A.c.id == _ST.c.annotator_id)
        if annotators is not None:
            names = list(annotators)
            span_q = span_q.where(_A.c.name.in_(names))
            status_q = status_q.where(_A.c.name.in_(names))
        if document_id is not None:
            span_q = span_q.where(_S.c.document_id == document_id)
            status_q = status_q.where(_ST.c.document_id == document_id)
        with self.engine.connect() as c, c.begin():
            with db.stream_rows(c, span_q.order_by(_S.c.document_id, _S.c.start, _S.c.end), 4096) as rows:
                spans = list(rows)
            with db.stream_rows(c, status_q.order_by(_ST.c.document_id), 4096) as rows:
                statuses = list(rows)
        return spans, statuses  # type: ignore[return-value]

    def document_lengths(self, doc_ids: Iterable[int]) -> dict[int, int]:
        ids = list(doc_ids)
        out: dict[int, int] = {}
        with self.engine.connect() as c:
            for i in range(0, len(ids), 500):
                out.update((r[0], r[1]) for r in c.execute(
                    select(_D.c.id, _D.c.char_count).where(_D.c.id.in_(ids[i:i + 500]))))
        return out

    def document_texts(self, doc_ids: Iterable[int]) -> dict[int, str]:
        ids = list(doc_ids)
        out: dict[int, str] = {}
        with self.engine.connect() as c:
            for i in range(0, len(ids), 500):
                out.update((r[0], r[1]) for r in c.execute(
                    select(_D.c.id, _D.c.text).where(_D.c.id.in_(ids[i:i + 500]))))
        return out

    # -- gold and copies ------------------------------------------------------------------
    @db.writes
    def insert_spans(self, records: Sequence[object]) -> None:
        """Insert span records (``annotator.records.SpanRecord``) in one transaction."""
        if not records:
            return
        ids = {name: self.annotator_id(name) for name in {s.annotator for s in records}}  # type: ignore[attr-defined]
        with self.engine.begin() as c:
            c.execute(insert(_S), self._span_rows(records, ids))

    def _span_rows(self, records: Sequence[object], ids: dict[str, int]) -> list[dict[str, object]]:
        """Span records (``annotator.records.SpanRecord``) as rows of the span table."""
        return [{"id": s.id, "document_id": s.document_id, "annotator_id": ids[s.annotator],  # type: ignore[attr-defined]
                 "label_id": self.label_id(s.label), "start": s.start, "end": s.end, "note": s.note,  # type: ignore[attr-defined]
                 "created_at": s.created_at, "updated_at": s.updated_at, "source": s.source}  # type: ignore[attr-defined]
                for s in records]

    @db.writes
    def store_gold(self, records: Sequence[object], statuses: Sequence[object]) -> None:
        """Insert span records and set (document, annotator) statuses, all in one transaction."""
        now = utc_now()
        names = {s.annotator for s in records} | {st.annotator for st in statuses}  # type: ignore[attr-defined]
        ids = {name: self.annotator_id(name) for name in names}
        with self.engine.begin() as c:
            if records:
                c.execute(insert(_S), self._span_rows(records, ids))
            for st in statuses:
                aid = ids[st.annotator]  # type: ignore[attr-defined]
                where = (_ST.c.document_id == st.document_id, _ST.c.annotator_id == aid)  # type: ignore[attr-defined]
                if not c.execute(update(_ST).where(*where).values(status=st.status, reason=st.reason,  # type: ignore[attr-defined]
                                                                   updated_at=now)).rowcount:
                    c.execute(insert(_ST).values(document_id=st.document_id, annotator_id=aid,  # type: ignore[attr-defined]
                                                 status=st.status, reason=st.reason, updated_at=now))  # type: ignore[attr-defined]

    @db.writes
    def delete_spans(self, span_ids: Sequence[str]) -> None:
        """Delete these spans in one transaction; every one must exist."""
        with self.engine.begin() as c:
            for i in range(0, len(span_ids), 500):
                chunk = list(span_ids[i:i + 500])
                if c.execute(delete(_S).where(_S.c.id.in_(chunk))).rowcount != len(chunk):
                    raise KeyError("some of these spans no longer exist")

    # -- merging another project ------------------------------------------------------------
    def project_documents(self) -> list[tuple[int, str]]:
        """(id, sha256) of every document."""
        with self.engine.connect() as c:
            return [(r[0], r[1]) for r in c.execute(select(_D.c.id, _D.c.sha256).order_by(_D.c.id))]

    def merge_payload(self) -> dict[str, object]:
        """Everything another project needs to merge this one: documents (with their pages and
        stored original files), and per (document, annotator) spans and statuses. Read in one transaction."""
        with self.engine.connect() as c, c.begin():
            documents = [r._asdict() for r in c.execute(select(_D).order_by(_D.c.id))]
            pages = [r._asdict() for r in c.execute(select(_P))]
            originals = [r._asdict() for r in c.execute(select(_DS))]
            sources = [r._asdict() for r in c.execute(select(_SRC))]
            spans = [tuple(r) for r in c.execute(
                select(_S.c.document_id, _A.c.name, _L.c.name, _S.c.start, _S.c.end, _S.c.note, _S.c.id,
                       _S.c.created_at, _S.c.updated_at)
                .join(_A, _A.c.id == _S.c.annotator_id).join(_L, _L.c.id == _S.c.label_id))]
            statuses = [tuple(r) for r in c.execute(
                select(_ST.c.document_id, _A.c.name, _ST.c.status, _ST.c.reason)
                .join(_A, _A.c.id == _ST.c.annotator_id))]
            annotators = [r[0] for r in c.execute(select(_A.c.name))]
        return {"documents": documents, "pages": pages, "originals": originals, "sources": sources,
                "spans": spans, "statuses": statuses, "annotators": annotators}

    @db.writes
    def merge_in(self, payload: dict[str, object], label_map: dict[str, str]) -> list[StoreOutcome]:
        """Bring another project's :meth:`merge_payload` into this one, in one transaction.

        Documents are matched by the sha256 of their text; a new one comes with its pages and
        stored original file; every annotator's work is attached (see the module docstring).
        """
        now = utc_now()
        added: list[str] = []
        outcomes: list[StoreOutcome] = []
        spans_of: dict[int, dict[str, list[IncomingSpan]]] = {}
        for d, who, label, start, end, note, sid, created, updated in payload["spans"]:  # type: ignore[attr-defined]
            spans_of.setdefault(d, {}).setdefault(who, []).append(
                IncomingSpan(start, end, label_map.get(label, label), note, sid, created, updated))
        status_of: dict[int, dict[str, tuple[str, str | None]]] = {}
        for d, who, status, reason in payload["statuses"]:  # type: ignore[attr-defined]
            status_of.setdefault(d, {})[who] = (status, reason)
        by_doc = {name: _group(payload[name], "document_id") for name in ("pages", "originals")}
        tables = {"pages": _P, "originals": _DS}
        sources = {r["sha256"]: r for r in payload["sources"]}  # type: ignore[attr-defined]
        try:
            with self.engine.begin() as c:
                here = {r[0]: r[1] for r in c.execute(select(_D.c.sha256, _D.c.id))}
                extra_rows: dict[str, list[dict[str, object]]] = {name: [] for name in tables}
                work: list[tuple[int, str, str | None, str | None, Sequence[IncomingSpan]]] = []
                for row in payload["documents"]:  # type: ignore[attr-defined]
                    other_id = row["id"]
                    doc_id = here.get(row["sha256"])
                    created = doc_id is None
                    if created:
                        values = {k: v for k, v in row.items() if k != "id"}
                        doc_id = c.execute(insert(_D).values(**values)).inserted_primary_key[0]
                        here[row["sha256"]] = doc_id
                        for name in tables:
                            extra_rows[name] += [{**r, "document_id": doc_id} for r in by_doc[name].get(other_id, ())]
                    outcomes.append(StoreOutcome(doc_id, created))
                    marks = status_of.get(other_id, {})
                    spans_here = spans_of.get(other_id, {})
                    for who in sorted(set(spans_here) | set(marks)):
                        status, reason = marks.get(who, (None, None))
                        work.append((doc_id, who, status, reason, spans_here.get(who, [])))
                needed = {r["sha256"] for r in extra_rows["originals"]}
                have = {r[0] for r in c.execute(select(_SRC.c.sha256).where(_SRC.c.sha256.in_(sorted(needed))))}
                if needed - have:
                    c.execute(insert(_SRC), [sources[sha] for sha in sorted(needed - have)])
                for name, table in tables.items():
                    if extra_rows[name]:
                        c.execute(insert(table), extra_rows[name])
                by_id = {o.document_id: o for o in outcomes}
                for attached in self._attach_many(c, work, now, added):
                    by_id[attached.document_id].attached.append(attached)
        except BaseException:
            for name in added:
                self._annotator_ids.pop(name, None)
            raise
        return outcomes


_DS = DocumentSource.__table__
_SRC = Source.__table__


def _group(rows: object, key: str) -> dict[int, list[dict[str, object]]]:
    out: dict[int, list[dict[str, object]]] = {}
    for r in rows:  # type: ignore[attr-defined]
        out.setdefault(r[key], []).append(r)
    return out
