"""How far the project has come: counts for the statistics view and the reasons of flags.

Each count is one GROUP BY. Statuses and spans per label or annotator read small tables
or covering indexes; span lengths need every span row, so they are a second call the
statistics view makes after showing the first figures. The UI runs both on a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import func, select

from annotator.storage.repository.base import _A, _D, _L, _S, _ST, RepositoryBase

# Statuses a reviewer sets; "todo" is every document without one of these.
PROGRESS_STATUSES = ("done", "in_progress", "skipped", "flagged")


@dataclass(frozen=True, slots=True)
class ProgressOverview:
    """Counts for the statistics view; every mapping is in a stable display order."""

    documents: int = 0
    # reviewer -> status -> documents ("todo" included: documents the reviewer has not touched).
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)
    spans_per_label: dict[str, int] = field(default_factory=dict)  # in the project's label order
    spans_per_reviewer: dict[str, int] = field(default_factory=dict)
    span_lengths: dict[int, int] = field(default_factory=dict)  # length in characters -> spans
    # Documents where more than one annotator made spans: where agreement can be measured.
    shared_documents: int = 0
    complete: bool = False  # span lengths and shared documents counted (see span_shapes)

    @property
    def spans(self) -> int:
        return sum(self.spans_per_label.values())


class ProgressQueries(RepositoryBase):
    def flag_reasons(self, annotator: str) -> dict[int, str]:
        """document id -> the reason ``annotator`` gave for flagging it (flagged documents only)."""
        q = (select(_ST.c.document_id, _ST.c.reason).join(_A, _A.c.id == _ST.c.annotator_id)
             .where(_A.c.name == annotator, _ST.c.status == "flagged"))
        with self.engine.connect() as c:
            return {doc_id: reason or "" for doc_id, reason in c.execute(q)}

    def progress_overview(self) -> ProgressOverview:
        with self.engine.connect() as c:
            documents = c.execute(select(func.count()).select_from(_D)).scalar_one()
            statuses: dict[str, dict[str, int]] = {}
            for name, status, n in c.execute(
                    select(_A.c.name, _ST.c.status, func.count()).select_from(_ST)
                    .join(_A, _A.c.id == _ST.c.annotator_id).group_by(_A.c.name, _ST.c.status)):
                statuses.setdefault(name, {})[status] = n
            per_label_id = dict(c.execute(select(_S.c.label_id, func.count()).group_by(_S.c.label_id)).all())
            labels = c.execute(select(_L.c.id, _L.c.name).order_by(_L.c.position, _L.c.id)).all()
            per_annotator_id = dict(c.execute(select(_S.c.annotator_id, func.count())
                                              .group_by(_S.c.annotator_id)).all())
            names = dict(c.execute(select(_A.c.id, _A.c.name)).all())
        reviewers = sorted(set(statuses) | {names[a] for a in per_annotator_id})
        progress = {}
        for name in reviewers:
            counts = {s: statuses.get(name, {}).get(s, 0) for s in PROGRESS_STATUSES}
            progress[name] = {**counts, "todo": max(0, documents - sum(counts.values()))}
        return ProgressOverview(
            documents=documents, statuses=progress,
            spans_per_label={name: per_label_id.get(label_id, 0) for label_id, name in labels},
            spans_per_reviewer={name: sum(n for a, n in per_annotator_id.items() if names[a] == name)
                                for name in reviewers})

    def span_shapes(self, overview: ProgressOverview) -> ProgressOverview:
        """``overview`` with the span lengths and the shared documents counted.

        Apart from :meth:`progress_overview` because these read every span (a table scan, the
        slowest part), so the statistics view can show progress and labels before them.
        """
        length = (_S.c.end - _S.c.start).label("length")
        pairs = (select(_S.c.document_id).group_by(_S.c.document_id)
                 .having(func.count(func.distinct(_S.c.annotator_id)) > 1).subquery())
        with self.engine.connect() as c:
            lengths = dict(c.execute(select(length, func.count()).group_by(length)).all())
            shared = c.execute(select(func.count()).select_from(pairs)).scalar_one()
        return replace(overview, span_lengths=lengths, shared_documents=shared, complete=True)
