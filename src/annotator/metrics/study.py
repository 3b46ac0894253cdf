"""Reading a project into the plain data :mod:`annotator.metrics.agreement` measures.

A reviewer *annotated* a document when they have spans on it or a status other than todo and
skipped (a reviewer who marked a document done with no spans says "nothing here", which
counts). ``statuses`` keeps only documents whose status for that reviewer is one of them.
By default every person is compared; ``gold`` and ``model`` only when named.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


from annotator.metrics.agreement import StudyDocument, against_reference, agreement
from annotator.storage.repository import Repository
from annotator.services.team import is_person
from annotator.text import token_bounds

UNANNOTATED = frozenset({"todo", "skipped"})


class StudyError(ValueError):
    """Agreement cannot be measured as asked (too few reviewers, unknown names)."""


def load_study(repo: Repository, annotators: Sequence[str] = (), labels: Sequence[str] = (),
               statuses: Sequence[str] = (), *, shared_only: bool = False
               ) -> tuple[dict[int, StudyDocument], list[str], list[str]]:
    """(documents, annotators, labels) for :func:`agreement`.

    ``shared_only`` leaves out the documents only one of them annotated, before their texts are
    read and tokenized: every figure of :func:`agreement` comes from shared documents alone, so a
    large project annotated by one reviewer per document costs no tokenizing at all.
    """
    project_labels = [lr.name for lr in repo.labels()]
    unknown = [label for label in labels if label not in project_labels]
    if unknown:
        raise StudyError(f"unknown label {', '.join(unknown)}; this project has {', '.join(project_labels)}")
    chosen_labels = [label for label in project_labels if not labels or label in labels]
    known = repo.annotators()
    missing = [a for a in annotators if a not in known]
    if missing:
        raise StudyError(f"no annotator named {', '.join(missing)} in this project (it has {', '.join(known)})")
    spans, marks = repo.team_rows(list(annotators) or None)
    wanted = set(chosen_labels)
    status_of = {(d, who): st for d, who, st in marks}
    work: dict[int, dict[str, list[tuple[int, int, str]]]] = {}
    for d, who, label, start, end in spans:
        if label in wanted:
            work.setdefault(d, {}).setdefault(who, []).append((start, end, label))
        else:
            work.setdefault(d, {}).setdefault(who, [])
    for (d, who), st in status_of.items():
        if st not in UNANNOTATED:
            work.setdefault(d, {}).setdefault(who, [])
    names = list(annotators) or sorted({who for per in work.values() for who in per if is_person(who)})
    for d in list(work):
        per = {who: s for who, s in work[d].items() if who in names
               and (not statuses or status_of.get((d, who), "in_progress" if s else "todo") in statuses)}
        if len(per) >= (2 if shared_only else 1):
            work[d] = per
        else:
            del work[d]
    lengths = repo.document_lengths(work)
    texts = repo.document_texts(work)
    docs = {}
    for d, per in work.items():
        starts, ends = token_bounds(texts[d])
        docs[d] = StudyDocument(lengths[d], starts, ends, per)
    return docs, names, chosen_labels


def project_agreement(repo: Repository, annotators: Sequence[str] = (), labels: Sequence[str] = (),
                      statuses: Sequence[str] = (), *, against: str | None = None, seed: int = 0,
                      samples: int = 1000) -> dict[str, Any]:
    """The agreement of the project's reviewers (or each against ``against``, e.g. gold)."""
    if against is not None:
        known = repo.annotators()
        if against not in known:
            raise StudyError(f"no annotations by {against} yet (run `annotator adjudicate --auto` for gold)")
        names = list(annotators) or [n for n in known if is_person(n)]
        docs, names, chosen = load_study(repo, [*names, against], labels, statuses, shared_only=True)
        return against_reference(docs, [n for n in names if n != against], against, chosen)
    docs, names, chosen = load_study(repo, annotators, labels, statuses, shared_only=True)
    if len(names) < 2:
        raise StudyError(f"agreement needs two or more reviewers; found {', '.join(names) or 'none'}")
    return agreement(docs, names, chosen, seed=seed, samples=samples)


__all__ = ["StudyError", "load_study", "project_agreement"]
