"""Copying another reviewer's spans to mine: one span, or all of theirs on a document."""

from __future__ import annotations

from annotator.records import SpanRecord
from annotator.storage.models import utc_now
from annotator.storage.repository import Repository, new_span_id
from annotator.services.changes import SpansChange, apply


class CopyError(ValueError):
    """A copy that cannot be made (unknown span, copying to oneself); nothing changed."""


def _copy_of(span: SpanRecord, to: str, now: str) -> SpanRecord:
    return SpanRecord(new_span_id(), span.document_id, to, span.label, span.start, span.end, span.note, now, now,
                      "manual")


def copy_span(repo: Repository, span_id: str, to: str) -> SpansChange:
    """Copy one span to reviewer ``to`` (nothing if ``to`` already has the same start, end and label)."""
    try:
        span = repo.span(span_id)
    except KeyError as exc:
        raise CopyError(str(exc)) from None
    if span.annotator == to:
        raise CopyError(f"span {span_id} is already {to}'s")
    have = {(s.start, s.end, s.label) for s in repo.spans(span.document_id, to)}
    if (span.start, span.end, span.label) in have:
        return SpansChange(span.document_id, to)
    return apply(repo, SpansChange(span.document_id, to, (_copy_of(span, to, utc_now()),)))


def copy_all(repo: Repository, doc_id: int, source: str, to: str) -> SpansChange:
    """Copy every span ``source`` has on a document to ``to``, except those ``to`` already has."""
    if source == to:
        raise CopyError(f"cannot copy {to}'s spans to {to}")
    have = {(s.start, s.end, s.label) for s in repo.spans(doc_id, to)}
    now = utc_now()
    added = []
    for span in repo.spans(doc_id, source):
        key = (span.start, span.end, span.label)
        if key not in have:
            have.add(key)
            added.append(_copy_of(span, to, now))
    return apply(repo, SpansChange(doc_id, to, tuple(added)))
