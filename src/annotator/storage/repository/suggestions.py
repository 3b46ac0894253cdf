"""Trained models, the model's suggestions and rejected suggestions; the training data reads.

Suggestions live in their own table, apart from people's spans: exports, agreement and the
document list read ``span`` and never see them. Accepting one moves it into ``span`` as the
reviewer's own (source "model"); rejecting one records it in ``rejected_suggestion``, so it is
never proposed again and serves as a negative example in the next training.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection

from annotator.records import RejectionRecord, SpanRecord, SuggestionRecord, TrainedModelRecord
from annotator.storage import db
from annotator.storage.models import RejectedSuggestion, Suggestion, TrainedModel, utc_now
from annotator.storage.repository.base import _A, _D, _L, _S, _ST, RepositoryBase

_M = TrainedModel.__table__
_SG = Suggestion.__table__
_RJ = RejectedSuggestion.__table__
_CHUNK = 500  # ids per IN (...): far below SQLite's bound-parameter limit


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield list(ids[i:i + _CHUNK])


class SuggestionQueries(RepositoryBase):
    # -- training data --------------------------------------------------------------------
    def done_counts(self) -> dict[str, int]:
        """Annotator name -> how many documents they marked done (annotators with none left out)."""
        q = (select(_A.c.name, func.count()).join(_ST, _ST.c.annotator_id == _A.c.id)
             .where(_ST.c.status == "done").group_by(_A.c.name).order_by(_A.c.name))
        with self.engine.connect() as c:
            return {r[0]: r[1] for r in c.execute(q)}

    def done_documents(self, annotators: Sequence[str]) -> list[tuple[int, str]]:
        """(document id, annotator) of every document these annotators marked done, in id order."""
        q = (select(_ST.c.document_id, _A.c.name).join(_A, _A.c.id == _ST.c.annotator_id)
             .where(_ST.c.status == "done", _A.c.name.in_(list(annotators)))
             .order_by(_ST.c.document_id, _A.c.name))
        with self.engine.connect() as c:
            return [(r[0], r[1]) for r in c.execute(q)]

    def documents_not_done(self, excluded_annotators: Sequence[str] = ()) -> list[int]:
        """Ids of documents nobody (apart from ``excluded_annotators``) marked done, in id order."""
        done = (select(_ST.c.document_id).join(_A, _A.c.id == _ST.c.annotator_id)
                .where(_ST.c.status == "done", _A.c.name.not_in(list(excluded_annotators))))
        q = select(_D.c.id).where(_D.c.id.not_in(done)).order_by(_D.c.id)
        with self.engine.connect() as c:
            return [r[0] for r in c.execute(q)]

    def texts(self, doc_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """Document id -> (canonical text, sha256) for these documents (unknown ids left out)."""
        out: dict[int, tuple[str, str]] = {}
        with self.engine.connect() as c:
            for chunk in _chunks(doc_ids):
                for r in c.execute(select(_D.c.id, _D.c.text, _D.c.sha256).where(_D.c.id.in_(chunk))):
                    out[r[0]] = (r[1], r[2])
        return out

    def document_ids_by_sha256(self, shas: Iterable[str]) -> dict[str, int]:
        wanted = sorted(set(shas))
        out: dict[str, int] = {}
        with self.engine.connect() as c:
            for i in range(0, len(wanted), _CHUNK):
                q = select(_D.c.sha256, _D.c.id).where(_D.c.sha256.in_(wanted[i:i + _CHUNK]))
                out.update((r[0], r[1]) for r in c.execute(q))
        return out

    def labelled_spans(self, pairs: Sequence[tuple[int, str]]) -> dict[tuple[int, str], list[tuple[int, int, str]]]:
        """(document id, annotator) -> that annotator's (start, end, label) spans, sorted."""
        out: dict[tuple[int, str], list[tuple[int, int, str]]] = {p: [] for p in pairs}
        by_annotator: dict[str, list[int]] = {}
        for doc_id, name in pairs:
            by_annotator.setdefault(name, []).append(doc_id)
        with self.engine.connect() as c:
            for name, doc_ids in by_annotator.items():
                aid = c.execute(select(_A.c.id).where(_A.c.name == name)).scalar()
                if aid is None:
                    continue
                for chunk in _chunks(doc_ids):
                    q = (select(_S.c.document_id, _S.c.start, _S.c.end, _L.c.name).join(_L, _L.c.id == _S.c.label_id)
                         .where(_S.c.annotator_id == aid, _S.c.document_id.in_(chunk)))
                    for d, s, e, label in c.execute(q):
                        out[(d, name)].append((s, e, label))
        for spans in out.values():
            spans.sort()
        return out

    # -- trained models -------------------------------------------------------------------
    @db.writes
    def store_model(self, *, trained_on: str, seed: int, data_hash: str, versions: dict[str, str],
                    metrics: dict[str, Any], blob: bytes) -> TrainedModelRecord:
        """Store a model and drop the ones before it (one model per project); returns its record."""
        now = utc_now()
        with self.engine.begin() as c:
            c.execute(delete(_M))
            model_id = c.execute(insert(_M).values(
                created_at=now, trained_on=trained_on, seed=seed, data_hash=data_hash,
                versions_json=json.dumps(versions, sort_keys=True), metrics_json=json.dumps(metrics),
                blob=blob)).inserted_primary_key[0]
        # As read back: JSON round-trips the metrics (tuples become lists).
        return TrainedModelRecord(model_id, now, trained_on, seed, data_hash, json.loads(json.dumps(versions)),
                                  json.loads(json.dumps(metrics)))

    def latest_model(self) -> TrainedModelRecord | None:
        cols = (_M.c.id, _M.c.created_at, _M.c.trained_on, _M.c.seed, _M.c.data_hash, _M.c.versions_json,
                _M.c.metrics_json)
        with self.engine.connect() as c:
            r = c.execute(select(*cols).order_by(_M.c.id.desc()).limit(1)).first()
        if r is None:
            return None
        return TrainedModelRecord(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), json.loads(r[6]))

    def model_blob(self, model_id: int) -> bytes:
        with self.engine.connect() as c:
            blob = c.execute(select(_M.c.blob).where(_M.c.id == model_id)).scalar()
        if blob is None:
            raise KeyError(f"no model {model_id}")
        return bytes(blob)

    # -- suggestions ----------------------------------------------------------------------
    _SUGGESTION_COLS = (_SG.c.id, _SG.c.document_id, _L.c.name, _SG.c.start, _SG.c.end, _SG.c.score,
                        _SG.c.model_id, _SG.c.created_at)

    def _suggestion_select(self):  # type: ignore[no-untyped-def]
        return select(*self._SUGGESTION_COLS).join(_L, _L.c.id == _SG.c.label_id)

    def suggestions(self, doc_id: int, min_score: float | None = None) -> list[SuggestionRecord]:
        """A document's suggestions in text order (only those scoring at least ``min_score``)."""
        q = self._suggestion_select().where(_SG.c.document_id == doc_id)
        if min_score is not None:
            q = q.where(_SG.c.score >= min_score)
        with self.engine.connect() as c:
            return [SuggestionRecord(*r) for r in c.execute(q.order_by(_SG.c.start, _SG.c.end, _SG.c.id))]

    def suggestion(self, suggestion_id: str) -> SuggestionRecord:
        with self.engine.connect() as c:
            r = c.execute(self._suggestion_select().where(_SG.c.id == suggestion_id)).first()
        if r is None:
            raise KeyError(f"no suggestion {suggestion_id}")
        return SuggestionRecord(*r)

    def suggestion_count(self) -> int:
        with self.engine.connect() as c:
            return c.execute(select(func.count()).select_from(_SG)).scalar_one()

    @db.writes
    def replace_suggestions(self, doc_ids: Sequence[int], suggestions: Sequence[SuggestionRecord]
                            ) -> list[SuggestionRecord]:
        """Put ``suggestions`` in place of these documents' earlier ones, in one transaction.

        Suggestions matching a rejection (same document, label and offsets) are dropped.
        Returns the ones stored.
        """
        rejected = {(r.document_id, r.label, r.start, r.end) for r in self.rejections(doc_ids)}
        keep = [s for s in suggestions if (s.document_id, s.label, s.start, s.end) not in rejected]
        rows = [{"id": s.id, "document_id": s.document_id, "label_id": self.label_id(s.label), "start": s.start,
                 "end": s.end, "score": s.score, "model_id": s.model_id, "created_at": s.created_at} for s in keep]
        with self.engine.begin() as c:
            for chunk in _chunks(list(doc_ids)):
                c.execute(delete(_SG).where(_SG.c.document_id.in_(chunk)))
            if rows:
                c.execute(insert(_SG), rows)
        return keep

    def rejections(self, doc_ids: Sequence[int] | None = None) -> list[RejectionRecord]:
        """Rejected suggestions (of these documents, or all), in document and text order."""
        q = (select(_RJ.c.document_id, _L.c.name, _RJ.c.start, _RJ.c.end, _A.c.name)
             .join(_L, _L.c.id == _RJ.c.label_id).join(_A, _A.c.id == _RJ.c.annotator_id)
             .order_by(_RJ.c.document_id, _RJ.c.start, _RJ.c.end, _L.c.name))
        with self.engine.connect() as c:
            if doc_ids is None:
                return [RejectionRecord(*r) for r in c.execute(q)]
            out: list[RejectionRecord] = []
            for chunk in _chunks(list(doc_ids)):
                out.extend(RejectionRecord(*r) for r in c.execute(q.where(_RJ.c.document_id.in_(chunk))))
            return out

    @db.writes
    def decide_suggestions(self, *, remove: Sequence[SuggestionRecord] = (), restore: Sequence[SuggestionRecord] = (),
                           add_spans: Sequence[SpanRecord] = (), remove_span_ids: Sequence[str] = (),
                           add_rejections: Sequence[RejectionRecord] = (),
                           remove_rejections: Sequence[RejectionRecord] = ()) -> list[RejectionRecord]:
        """One reviewer decision on suggestions (or its inverse), in one transaction.

        Removes and restores suggestions, adds and removes spans, adds and removes rejections.
        Returns the rejections that were new (one already recorded is left as it is). A
        suggestion or span that is not there raises KeyError, and nothing is changed.
        """
        now = utc_now()
        added: list[RejectionRecord] = []
        # Resolved before the transaction: a new reviewer's row then stays even if this fails.
        annotator_ids = {n: self.annotator_id(n) for n in {s.annotator for s in add_spans}
                         | {r.annotator for r in add_rejections}}
        with self.engine.begin() as c:
            for s in remove:
                if c.execute(delete(_SG).where(_SG.c.id == s.id)).rowcount != 1:
                    raise KeyError(f"no suggestion {s.id}")
            if restore:
                c.execute(insert(_SG), [
                    {"id": s.id, "document_id": s.document_id, "label_id": self.label_id(s.label), "start": s.start,
                     "end": s.end, "score": s.score, "model_id": s.model_id, "created_at": s.created_at}
                    for s in restore])
            for span_id in remove_span_ids:
                if c.execute(delete(_S).where(_S.c.id == span_id)).rowcount != 1:
                    raise KeyError(f"no span {span_id}")
            if add_spans:
                c.execute(insert(_S), [
                    {"id": s.id, "document_id": s.document_id, "annotator_id": annotator_ids[s.annotator],
                     "label_id": self.label_id(s.label), "start": s.start, "end": s.end, "note": s.note,
                     "created_at": s.created_at, "updated_at": s.updated_at, "source": s.source} for s in add_spans])
            for r in add_rejections:
                if self._rejection_exists(c, r):
                    continue
                c.execute(insert(_RJ).values(document_id=r.document_id, label_id=self.label_id(r.label),
                                             start=r.start, end=r.end,
                                             annotator_id=annotator_ids[r.annotator], created_at=now))
                added.append(r)
            for r in remove_rejections:
                c.execute(delete(_RJ).where(*self._rejection_key(r)))
        return added

    def _rejection_key(self, r: RejectionRecord) -> tuple[Any, ...]:
        return (_RJ.c.document_id == r.document_id, _RJ.c.label_id == self.label_id(r.label),
                _RJ.c.start == r.start, _RJ.c.end == r.end)

    def _rejection_exists(self, c: Connection, r: RejectionRecord) -> bool:
        return c.execute(select(_RJ.c.start).where(*self._rejection_key(r))).first() is not None
