"""Who worked on a document: what the Reviewers panel lists beside the text."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from annotator.storage.models import Suggestion
from annotator.storage.repository.base import _A, _L, _S, _ST, RepositoryBase

_SG = Suggestion.__table__


@dataclass(frozen=True, slots=True)
class DocumentReviewer:
    """One annotator's work on one document: how many spans, and the status they set."""

    name: str
    span_count: int
    status: str  # "todo" when they never set one


class TeamViewQueries(RepositoryBase):
    def document_reviewers(self, doc_id: int) -> list[DocumentReviewer]:
        """Every annotator with a span or a status on ``doc_id``, by name.

        Two grouped reads on indexed columns: the panel refreshes on every document opened,
        and a large article holds tens of thousands of spans.
        """
        counts = (select(_S.c.annotator_id, func.count()).where(_S.c.document_id == doc_id)
                  .group_by(_S.c.annotator_id))
        statuses = select(_ST.c.annotator_id, _ST.c.status).where(_ST.c.document_id == doc_id)
        with self.engine.connect() as c:
            span_counts = dict(c.execute(counts).all())
            status_of = dict(c.execute(statuses).all())
            ids = set(span_counts) | set(status_of)
            names = dict(c.execute(select(_A.c.id, _A.c.name).where(_A.c.id.in_(ids))).all()) if ids else {}
        return sorted((DocumentReviewer(names[a], int(span_counts.get(a, 0)), status_of.get(a) or "todo")
                       for a in ids if a in names), key=lambda r: r.name)

    def document_suggestion_count(self, doc_id: int) -> int:
        """How many suggestions the document holds (one indexed count, for the Reviewers panel)."""
        with self.engine.connect() as c:
            return int(c.execute(select(func.count()).select_from(_SG).where(_SG.c.document_id == doc_id)).scalar()
                       or 0)

    def span_keys_starting(self, doc_id: int, annotator: str, start: int, end: int) -> set[tuple[str, int, int]]:
        """(label, start, end) of ``annotator``'s spans on a document starting in [start, end).

        A bounded range of the (document, annotator, start) index: what an exact duplicate of a
        span inside [start, end) must be among, on an article of tens of thousands of spans.
        """
        with self.engine.connect() as c:
            aid = c.execute(select(_A.c.id).where(_A.c.name == annotator)).scalar()
            if aid is None:
                return set()
            rows = c.execute(select(_L.c.name, _S.c.start, _S.c.end).join(_L, _L.c.id == _S.c.label_id)
                             .where(_S.c.document_id == doc_id, _S.c.annotator_id == aid, _S.c.start >= start,
                                    _S.c.start < end)).all()
        return {(r[0], r[1], r[2]) for r in rows}
