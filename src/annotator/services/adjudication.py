"""Adjudication into gold: spans the reviewers agree on go to gold, the rest are conflicts
that a person decides (take one reviewer's spans, both, or neither), each decision undoable.

A document's reviewers are the people (not gold, not a model) with spans on it or a status
other than todo and skipped. A span is *agreed* when all of them (or at least ``min_votes``)
marked exactly the same start, end and label. The other spans, grouped where they overlap,
are the document's conflicts.

Re-running :func:`auto_adjudicate` keeps every decision already made: it only adds agreed
spans gold lacks, never removes a gold span, and leaves alone documents whose gold status
is done, skipped or flagged.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from annotator.records import SpanRecord, StatusRecord
from annotator.storage.models import utc_now
from annotator.storage.repository import Repository, new_span_id
from annotator.services.team import GOLD, is_person
from annotator.services.changes import SpansChange, apply

Key = tuple[int, int, str]  # start, end, label
UNANNOTATED = frozenset({"todo", "skipped"})
SETTLED_GOLD = frozenset({"done", "skipped", "flagged"})


@dataclass(frozen=True)
class Conflict:
    """Overlapping spans the reviewers do not agree on, in [start, end) of one document."""

    document_id: int
    start: int
    end: int
    spans: dict[str, tuple[Key, ...]]  # reviewer -> their spans here
    gold: tuple[Key, ...] = ()  # gold's spans here now, other than agreed ones
    agreed: tuple[Key, ...] = ()  # agreed spans meeting this stretch: a decision leaves them alone

    @property
    def decided(self) -> bool:
        return bool(self.gold)


@dataclass
class AutoReport:
    documents: int = 0  # documents with two or more reviewers
    spans_added: int = 0
    conflicts: int = 0
    done: int = 0  # documents whose gold is now complete (no conflict)
    kept: int = 0  # documents left alone: their gold status is settled
    per_document: dict[int, int] = field(default_factory=dict)  # conflicts left, by document

    def summary(self) -> str:
        return (f"{self.spans_added} agreed spans copied into gold on {self.documents} documents with two or more "
                f"reviewers; {self.conflicts} conflicts left on {sum(1 for n in self.per_document.values() if n)} "
                f"documents; {self.done} documents complete; {self.kept} already settled, kept")


def _reviewers_by_document(repo: Repository, reviewers: Sequence[str] | None, document_id: int | None = None
                           ) -> tuple[dict[int, dict[str, list[Key]]], dict[int, list[Key]], dict[int, str]]:
    spans, statuses = repo.team_rows(document_id=document_id)
    work: dict[int, dict[str, list[Key]]] = defaultdict(dict)
    gold: dict[int, list[Key]] = defaultdict(list)
    gold_status: dict[int, str] = {}
    wanted = set(reviewers) if reviewers else None

    def counts(name: str) -> bool:
        return is_person(name) and (wanted is None or name in wanted)

    for d, who, label, start, end in spans:
        if who == GOLD:
            gold[d].append((start, end, label))
        elif counts(who):
            work[d].setdefault(who, []).append((start, end, label))
    for d, who, status in statuses:
        if who == GOLD:
            gold_status[d] = status
        elif counts(who) and status not in UNANNOTATED:
            work[d].setdefault(who, [])
    return work, gold, gold_status


def _split(work: dict[str, list[Key]], min_votes: int | None) -> tuple[list[Key], list[Key]]:
    """(agreed keys, the others) of one document."""
    needed = len(work) if min_votes is None else min_votes
    votes = Counter(k for keys in work.values() for k in set(keys))
    agreed = sorted(k for k, n in votes.items() if n >= needed)
    return agreed, sorted(k for k, n in votes.items() if n < needed)


def _clusters(keys: list[Key]) -> list[tuple[int, int]]:
    """[start, end) of each run of overlapping spans."""
    out: list[list[int]] = []
    for start, end, _ in sorted(keys):
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def _document_conflicts(doc_id: int, work: dict[str, list[Key]], gold: list[Key], min_votes: int | None
                        ) -> list[Conflict]:
    if len(work) < 2:
        return []
    agreed, disputed = _split(work, min_votes)
    agreed_set = set(agreed)
    clusters = _clusters(disputed)
    starts = [start for start, _ in clusters]
    ends = [end for _, end in clusters]
    names = sorted(work)
    # Every disputed span lies in exactly one cluster: the last one starting at or before it.
    inside: list[dict[str, list[Key]]] = [{who: [] for who in names} for _ in clusters]
    disputed_set = set(disputed)
    for who in names:
        for k in sorted(set(work[who])):
            if k in disputed_set:
                inside[bisect_right(starts, k[0]) - 1][who].append(k)

    def meeting(keys: list[Key]) -> list[list[Key]]:
        """Per cluster, the ``keys`` overlapping it (a key may meet several), in the keys' order."""
        out: list[list[Key]] = [[] for _ in clusters]
        for k in keys:
            i = bisect_right(ends, k[0])  # the first cluster ending after the key starts
            while i < len(clusters) and starts[i] < k[1]:
                out[i].append(k)
                i += 1
        return out

    gold_in = meeting([k for k in sorted(gold) if k not in agreed_set])
    agreed_in = meeting(agreed)
    return [Conflict(doc_id, start, end, {who: tuple(keys) for who, keys in inside[i].items()}, tuple(gold_in[i]),
                     tuple(agreed_in[i]))
            for i, (start, end) in enumerate(clusters)]


def conflicts(repo: Repository, doc_id: int, *, min_votes: int | None = None,
              reviewers: Sequence[str] | None = None) -> list[Conflict]:
    """The document's conflicts in text order, with who marked what and gold's current spans."""
    work, gold, _ = _reviewers_by_document(repo, reviewers, doc_id)
    return _document_conflicts(doc_id, work.get(doc_id, {}), gold.get(doc_id, []), min_votes)


def all_conflicts(repo: Repository, *, min_votes: int | None = None, reviewers: Sequence[str] | None = None
                  ) -> dict[int, list[Conflict]]:
    """Every document's conflicts (documents without any left out), in one read."""
    work, gold, _ = _reviewers_by_document(repo, reviewers)
    found = {d: _document_conflicts(d, work[d], gold.get(d, []), min_votes) for d in sorted(work)}
    return {d: c for d, c in found.items() if c}


def decide(repo: Repository, conflict: Conflict, take: Sequence[str]) -> SpansChange:
    """Settle a conflict: gold's spans there become those of the reviewers in ``take``
    (one: "take A"; two: "both"; none: "neither"). Returns the change; ``revert`` undoes it."""
    unknown = [who for who in take if who not in conflict.spans]
    if unknown:
        raise ValueError(f"{', '.join(unknown)} marked nothing in this conflict")
    agreed = set(conflict.agreed)
    current = [s for s in repo.spans(conflict.document_id, GOLD) if s.start < conflict.end and conflict.start < s.end
               and (s.start, s.end, s.label) not in agreed]
    chosen = sorted({k for who in take for k in conflict.spans[who]})
    keep = {(s.start, s.end, s.label) for s in current} & set(chosen)
    removed = tuple(s for s in current if (s.start, s.end, s.label) not in keep)
    now = utc_now()
    added = tuple(SpanRecord(new_span_id(), conflict.document_id, GOLD, label, start, end, None, now, now, "manual")
                  for start, end, label in chosen if (start, end, label) not in keep)
    return apply(repo, SpansChange(conflict.document_id, GOLD, added, removed))


def auto_adjudicate(repo: Repository, *, min_votes: int | None = None,
                    reviewers: Sequence[str] | None = None) -> AutoReport:
    """Copy every agreed span into gold (see the module docstring); gold's status becomes done
    where no conflict is left, else in_progress."""
    if min_votes is not None and min_votes < 1:
        raise ValueError("--min-votes must be at least 1")
    work_all, gold_all, gold_status = _reviewers_by_document(repo, reviewers)
    report = AutoReport()
    now = utc_now()
    new: list[SpanRecord] = []
    statuses: list[StatusRecord] = []
    for d in sorted(work_all):
        work = work_all[d]
        if len(work) < 2:
            continue
        report.documents += 1
        if gold_status.get(d) in SETTLED_GOLD:
            report.kept += 1
            continue
        agreed, disputed = _split(work, min_votes)
        have = set(gold_all.get(d, ()))
        for start, end, label in agreed:
            if (start, end, label) not in have:
                new.append(SpanRecord(new_span_id(), d, GOLD, label, start, end, None, now, now, "manual"))
        left = len(_clusters(disputed))
        report.per_document[d] = left
        report.conflicts += left
        status = "in_progress" if left else "done"
        report.done += status == "done"
        if gold_status.get(d) != status:
            statuses.append(StatusRecord(d, GOLD, status))
    report.spans_added = len(new)
    repo.store_gold(new, statuses)
    return report
