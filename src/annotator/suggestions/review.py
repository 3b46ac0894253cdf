"""A reviewer's decisions on suggestions: accept, reject, accept all above a score; each undoable.

Every decision is one transaction and returns a :class:`SuggestionChange`; ``revert(change)``
is its exact inverse and ``apply(change)`` does it again with the same span ids, so an undo
command calls the decision once, then ``revert`` / ``apply`` for undo / redo.

- **Accept**: the suggestion leaves the ``suggestion`` table and becomes the reviewer's span
  (same label and offsets, source "model"). If the reviewer already has that very span, no
  second one is made.
- **Reject**: the suggestion leaves, and a rejection is recorded (document, label, offsets):
  suggesting again never proposes it, and the next training uses its sentence as a negative
  example for that label.

:func:`labels_beating_baseline` tells the app which labels' suggestions to show: those whose
held-out F1 beats the keyword baseline's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from annotator.records import RejectionRecord, SpanRecord, SuggestionRecord
from annotator.services import Change
from annotator.storage.models import utc_now
from annotator.storage.repository import Repository, new_span_id

SuggestionChangeKind = Literal["suggestions_accepted", "suggestion_rejected"]


class SuggestionError(ValueError):
    """A decision that cannot be made (the suggestion is gone, no reviewer); nothing changed."""


@dataclass(frozen=True, slots=True)
class SuggestionChange:
    """What one decision did: suggestions taken away, spans given to the reviewer, rejections recorded."""

    kind: SuggestionChangeKind
    document_id: int
    suggestions: tuple[SuggestionRecord, ...]
    spans: tuple[SpanRecord, ...] = ()
    rejections: tuple[RejectionRecord, ...] = ()

    def span_changes(self) -> list[Change]:
        """The reviewer's spans this decision added, as the edit service's change records."""
        return [Change("span_added", s.document_id, None, s) for s in self.spans]


class SuggestionService:
    """Decisions on the model's suggestions by one reviewer."""

    def __init__(self, repo: Repository, annotator: str) -> None:
        if not annotator.strip():
            raise SuggestionError("the reviewer needs a name")
        self.repo = repo
        self.annotator = annotator.strip()

    def suggestions(self, doc_id: int, min_score: float | None = None) -> list[SuggestionRecord]:
        return self.repo.suggestions(doc_id, min_score)

    def accept(self, suggestion_id: str) -> SuggestionChange:
        return self._accept([self._suggestion(suggestion_id)])

    def accept_all(self, doc_id: int, min_score: float, labels: set[str] | None = None) -> SuggestionChange:
        """Accept every suggestion of a document scoring at least ``min_score`` (of ``labels``, if given)."""
        chosen = [s for s in self.repo.suggestions(doc_id, min_score) if labels is None or s.label in labels]
        change = self._accept(chosen) if chosen else SuggestionChange("suggestions_accepted", doc_id, ())
        return change

    def reject(self, suggestion_id: str) -> SuggestionChange:
        s = self._suggestion(suggestion_id)
        rejection = RejectionRecord(s.document_id, s.label, s.start, s.end, self.annotator)
        added = self._decide(remove=[s], add_rejections=[rejection])
        return SuggestionChange("suggestion_rejected", s.document_id, (s,), (), tuple(added))

    def apply(self, change: SuggestionChange) -> SuggestionChange:
        """Do a decision again exactly (redo after an undo): same spans, same ids."""
        self._decide(remove=change.suggestions, add_spans=change.spans, add_rejections=change.rejections)
        return change

    def revert(self, change: SuggestionChange) -> SuggestionChange:
        """The exact inverse of a decision: suggestions back, its spans and rejections gone."""
        self._decide(restore=change.suggestions, remove_span_ids=[s.id for s in change.spans],
                     remove_rejections=change.rejections)
        return change

    def _accept(self, chosen: list[SuggestionRecord]) -> SuggestionChange:
        doc_id = chosen[0].document_id
        # Only the reviewer's spans starting within the chosen stretch can duplicate one (a bounded
        # read: a long article holds tens of thousands of spans, and an accept is one key press).
        lo, hi = min(s.start for s in chosen), max(s.start for s in chosen) + 1
        mine = self.repo.span_keys_starting(doc_id, self.annotator, lo, hi)
        now = utc_now()
        spans: list[SpanRecord] = []
        for s in chosen:
            if (s.label, s.start, s.end) in mine:
                continue
            mine.add((s.label, s.start, s.end))
            spans.append(SpanRecord(new_span_id(), s.document_id, self.annotator, s.label, s.start, s.end, None,
                                    now, now, "model"))
        self._decide(remove=chosen, add_spans=spans)
        return SuggestionChange("suggestions_accepted", doc_id, tuple(chosen), tuple(spans))

    def _suggestion(self, suggestion_id: str) -> SuggestionRecord:
        try:
            return self.repo.suggestion(suggestion_id)
        except KeyError as exc:
            raise SuggestionError(f"{exc.args[0]}; nothing was changed") from None

    def _decide(self, **kwargs: object) -> list[RejectionRecord]:
        try:
            return self.repo.decide_suggestions(**kwargs)  # type: ignore[arg-type]
        except KeyError as exc:
            raise SuggestionError(f"{exc.args[0]}; nothing was changed") from None


def label_scores(repo: Repository) -> dict[str, tuple[float, float]]:
    """Label -> (held-out F1 of the stored model, F1 of the keyword baseline); empty without a model."""
    record = repo.latest_model()
    if record is None:
        return {}
    metrics = record.metrics
    baseline = metrics.get("baseline", {}).get("labels", {})
    return {label: (row["f1"], baseline.get(label, {}).get("f1", 0.0)) for label, row in metrics["labels"].items()}


def labels_beating_baseline(repo: Repository) -> set[str]:
    """The labels whose suggestions are worth showing: held-out F1 above the keyword baseline's."""
    return {label for label, (f1, base) in label_scores(repo).items() if f1 > base}
