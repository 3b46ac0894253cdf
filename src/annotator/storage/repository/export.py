"""Statistics and the export's reads: (document, annotator) groups in order, and the split plan's index."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, NamedTuple

import orjson
from sqlalchemy import and_, func, literal, select, union

from annotator.storage import db
from annotator.storage.repository.base import _A, _D, _L, _S, _ST, RepositoryBase


@dataclass(frozen=True, slots=True)
class ExportFilter:
    annotators: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


class ExportDocument(NamedTuple):
    """A document as exports read it: attributes like a result row, built once per document."""

    id: int
    title: str
    source: str
    format: str
    sha256: str
    text: str
    meta_json: str


@dataclass(frozen=True, slots=True)
class ExportGroup:
    """One document as seen by one annotator: what one canonical JSONL line holds."""

    document: ExportDocument
    annotator: str
    status: str
    spans: list[tuple[str, int, int, str, str | None]]  # id, start, end, label, note
    reason: str | None = None  # why a flagged document was flagged


_SPAN_ORDER = itemgetter(1, 2, 3, 0)  # start, end, label, id: the export's span order
_LABEL_NAMES = select(_L.c.id, _L.c.name)
_NO_GROUP: tuple[None, None] = (None, None)


@functools.lru_cache(maxsize=64)
def _group_reads(annotator_ids: tuple[int, ...] | None) -> tuple[Any, Any, Any]:
    """The three ordered reads of :meth:`ExportQueries.iter_export_groups`: spans (one JSON
    row per pair), statuses, documents; limited to ``annotator_ids`` unless None."""
    # Label ids, not names: no join per span, and every span's label is then one of a few
    # str objects (hashed once, compared by identity) instead of a new string per span.
    spans = (select(_S.c.document_id, _S.c.annotator_id,
                    db.json_rows(_S.c.id, _S.c.start, _S.c.end, _S.c.label_id, _S.c.note))
             .group_by(_S.c.document_id, _S.c.annotator_id)
             .order_by(_S.c.document_id, _S.c.annotator_id))
    marks = (select(_ST.c.document_id, _ST.c.annotator_id, _ST.c.status, _ST.c.reason)
             .order_by(_ST.c.document_id, _ST.c.annotator_id))
    if annotator_ids is not None:
        spans = spans.where(_S.c.annotator_id.in_(annotator_ids))
        marks = marks.where(_ST.c.annotator_id.in_(annotator_ids))
    docs = select(_D.c.id, _D.c.title, _D.c.source, _D.c.format, _D.c.sha256, _D.c.text,
                  _D.c.meta_json).order_by(_D.c.id)
    return spans, marks, docs


class ExportQueries(RepositoryBase):
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
        # GROUP BY, not DISTINCT: SQLite folds a DISTINCT into the UNION and then puts every
        # span through the union's B-tree (0.4 s at a million spans instead of 0.06 s).
        pair_src = union(select(_ST.c.document_id, _ST.c.annotator_id),
                         select(_S.c.document_id, _S.c.annotator_id)
                         .group_by(_S.c.document_id, _S.c.annotator_id)).subquery()
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

        The groups are the pairs :meth:`_export_pairs` selects, but found by merging three
        ordered reads in Python (spans, statuses, documents), in one read transaction, so
        memory holds one document at a time. Rows come from the driver as plain tuples
        (:func:`db.stream_rows`), and a pair's spans as one: a JSON array the database makes
        (:func:`db.json_rows`, grouped along the span index), which orjson parses. At a
        million spans a result row and a Python step per span cost more than the queries
        (a row per span, grouped by ``groupby`` in C, cost a two-worker canonical export
        4-8% more worker CPU in interleaved runs), and the pairs query would put every span
        through a B-tree. A sort here
        puts each pair's spans in (start, end, label, id) order (code point order, as
        SQLite's BINARY collation): they come nearly sorted, in index order, which costs a
        fifth of the temporary B-tree SQLite would need. A label filter drops spans here,
        not in SQL, so a pair whose spans all go still gives its (empty) group.
        """
        names = dict(self._annotator_rows())
        wanted = set(names) if not flt.annotators else {i for i, n in names.items() if n in flt.annotators}
        statuses, labels = set(flt.statuses), set(flt.labels)
        spans, marks, docs = _group_reads(tuple(sorted(wanted)) if flt.annotators else None)
        with self.engine.connect() as c, c.begin():
            with db.stream_rows(c, _LABEL_NAMES) as label_rows:
                label_of = dict(label_rows)
            # Texts, and a pair's spans (one row), can be megabytes: a few per fetch, not a thousand.
            with db.stream_rows(c, spans, 16) as span_rows, \
                    db.stream_rows(c, marks, 256) as mark_rows, db.stream_rows(c, docs, 16) as doc_rows:
                groups = ((row[:2], row[2]) for row in span_rows)  # ((document, annotator), spans JSON)
                key, members = next(groups, _NO_GROUP)
                mark = next(mark_rows, None)
                doc_row = next(doc_rows, None)
                document: ExportDocument | None = None
                while key is not None or mark is not None:
                    found: list[tuple[str, int, int, str, str | None]] = []
                    if mark is None or (key is not None and key < (mark[0], mark[1])):
                        pair, status, reason = key, "todo", None
                    else:
                        pair, status, reason = (mark[0], mark[1]), mark[2], mark[3]
                        mark = next(mark_rows, None)
                    if key == pair:
                        found = [(i, a, b, label_of[n], note) for i, a, b, n, note in orjson.loads(members)]
                        key, members = next(groups, _NO_GROUP)
                    if (statuses and status not in statuses) or pair[1] not in wanted:
                        continue
                    while doc_row is not None and doc_row[0] < pair[0]:
                        doc_row, document = next(doc_rows, None), None
                    if doc_row is None or doc_row[0] != pair[0]:
                        continue
                    if labels:
                        found = [s for s in found if s[3] in labels]
                    found.sort(key=_SPAN_ORDER)
                    if document is None:
                        document = ExportDocument._make(doc_row)
                    yield ExportGroup(document, names[pair[1]], status, found,
                                      reason if status == "flagged" else None)

    def iter_document_texts(self) -> Iterator[tuple[int, str]]:
        """(document id, text) for every document, in id order, a few texts at a time."""
        with self.engine.connect() as c, c.begin(), db.stream_rows(c, select(_D.c.id, _D.c.text).order_by(_D.c.id),
                                                                 16) as rows:
            for row in rows:
                yield row[0], row[1]

    def iter_export_index(self, flt: ExportFilter = ExportFilter()) -> Iterator[tuple[int, str, str, str, str,
                                                                                      tuple[str, ...]]]:
        """(document id, sha256, title, source, annotator, labels) for each group :meth:`iter_export_groups`
        yields, in the same order; ``labels`` are the group's distinct (filtered) labels, sorted.

        No texts are read, so a dataset split can be planned over a large corpus before
        anything is written. Three ordered reads merged here, as in :meth:`iter_export_groups`:
        each pair's distinct label ids (one aggregate per pair with spans, along the span
        index), the statuses, and the documents' keys. The spans are read once: the pairs
        query (:meth:`_export_pairs`) would be a second pass over them.
        """
        names = dict(self._annotator_rows())
        wanted = set(names) if not flt.annotators else {i for i, n in names.items() if n in flt.annotators}
        statuses, labels_wanted = set(flt.statuses), set(flt.labels)
        labels = (select(_S.c.document_id, _S.c.annotator_id, db.distinct_values(_S.c.label_id))
                  .group_by(_S.c.document_id, _S.c.annotator_id).order_by(_S.c.document_id, _S.c.annotator_id))
        marks = (select(_ST.c.document_id, _ST.c.annotator_id, _ST.c.status)
                 .order_by(_ST.c.document_id, _ST.c.annotator_id))
        if flt.annotators:
            labels = labels.where(_S.c.annotator_id.in_(wanted))
            marks = marks.where(_ST.c.annotator_id.in_(wanted))
        docs = select(_D.c.id, _D.c.sha256, _D.c.title, _D.c.source).order_by(_D.c.id)
        with self.engine.connect() as c, c.begin():
            label_names = {i: n for i, n in c.execute(select(_L.c.id, _L.c.name))}
            with db.stream_rows(c, labels, 4096) as label_rows, db.stream_rows(c, marks, 4096) as mark_rows, \
                    db.stream_rows(c, docs, 4096) as doc_rows:
                found = next(label_rows, None)
                mark = next(mark_rows, None)
                doc = next(doc_rows, None)
                while found is not None or mark is not None:
                    ids: str | None = None
                    if mark is None or (found is not None and (found[0], found[1]) < (mark[0], mark[1])):
                        doc_id, annotator_id, status = found[0], found[1], "todo"
                    else:
                        doc_id, annotator_id, status = mark
                        mark = next(mark_rows, None)
                    if found is not None and found[0] == doc_id and found[1] == annotator_id:
                        ids = found[2]
                        found = next(label_rows, None)
                    if (statuses and status not in statuses) or annotator_id not in wanted:
                        continue
                    group: tuple[str, ...] = ()
                    if ids:
                        group_names = {label_names[int(i)] for i in ids.split(",")}
                        group = tuple(sorted(group_names & labels_wanted if labels_wanted else group_names))
                    while doc is not None and doc[0] < doc_id:
                        doc = next(doc_rows, None)
                    if doc is not None and doc[0] == doc_id:
                        yield doc_id, doc[1], doc[2], doc[3], names[annotator_id], group
