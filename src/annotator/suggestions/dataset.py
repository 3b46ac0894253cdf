"""Training examples from the project: the sentences of documents marked done, with their labels.

A sentence (``annotator.sentences``) is an example for every label. It is **positive** for a
label when a span of that label overlaps it by at least half of the span or at least half of
the sentence: a short span (an intervention, a citation) marks the sentence it sits in, a long
one (a claim over two sentences) marks each sentence it mostly covers, and a span that only
spills a few characters into the next sentence does not mark that one.

Where the examples come from (:func:`choose_source`): ``--gold`` takes gold's done documents,
``--annotator A`` A's; with neither, gold's when gold has any, else every person's (a document
done by two people gives its sentences twice, labelled by each; the split keeps them together).
Rejected suggestions on documents outside that set are added as negative examples for their
label only: the reviewer said "not this label here", nothing about the others.

Near-duplicates: documents whose words are the same once case, punctuation and spacing are
set aside (one article imported as HTML and as PDF, a reposted copy) form one group, which
the held-out split keeps on one side, so a copy of a training document never scores the model.

Nothing here needs scikit-learn.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from annotator.sentences import split_sentences
from annotator.storage.repository import Repository

MODEL_ANNOTATOR = "model"  # reserved: the suggestions' annotator
GOLD_ANNOTATOR = "gold"  # reserved: adjudicated annotations
RESERVED_ANNOTATORS = (GOLD_ANNOTATOR, MODEL_ANNOTATOR)


class TrainingDataError(ValueError):
    """No usable training data (nothing done, one document only, an unknown annotator...)."""


@dataclass(frozen=True, slots=True)
class Example:
    """One sentence: its document (the split's group), its text and the labels it is positive for.

    ``only_label`` marks a rejected suggestion: a negative example for that label and no other.
    """

    group: int
    text: str
    positives: frozenset[str]
    only_label: str | None = None


@dataclass(frozen=True)
class TrainingSet:
    trained_on: str  # "gold", an annotator's name, or "people"
    labels: tuple[str, ...]  # project labels (in project order) with at least one positive example
    examples: list[Example]  # sentences of done documents, in document order
    rejected: list[Example] = field(default_factory=list)  # rejected suggestions elsewhere
    data_hash: str = ""
    # Document id -> the id standing for its near-duplicate group (see the module docstring).
    duplicate_of: dict[int, int] = field(default_factory=dict)

    @property
    def documents(self) -> int:
        return len({e.group for e in self.examples})

    def split_group(self, document_id: int) -> int:
        return self.duplicate_of.get(document_id, document_id)


_WORDS = re.compile(r"\w+")


def near_duplicate_groups(texts: dict[int, str]) -> dict[int, int]:
    """Document id -> the smallest id among the documents with the same words (case-folded)."""
    first: dict[str, int] = {}
    out: dict[int, int] = {}
    for doc_id in sorted(texts):
        key = hashlib.sha256(" ".join(_WORDS.findall(texts[doc_id].casefold())).encode()).hexdigest()
        out[doc_id] = first.setdefault(key, doc_id)
    return out


def is_positive(sentence: tuple[int, int], span: tuple[int, int]) -> bool:
    """Whether a span marks a sentence: it overlaps half of the span or half of the sentence."""
    overlap = min(sentence[1], span[1]) - max(sentence[0], span[0])
    return overlap > 0 and (2 * overlap >= span[1] - span[0] or 2 * overlap >= sentence[1] - sentence[0])


def sentence_examples(group: int, text: str, spans: Sequence[tuple[int, int, str]]) -> list[Example]:
    """Every sentence of ``text`` as an example, positive for the labels its spans mark."""
    sentences = split_sentences(text)
    starts = [s for s, _ in sentences]
    ends = [e for _, e in sentences]
    positives: list[set[str]] = [set() for _ in sentences]
    for start, end, label in spans:
        # Sentences meeting [start, end): ends after start, starts before end.
        for i in range(bisect.bisect_right(ends, start), bisect.bisect_left(starts, end)):
            if is_positive(sentences[i], (start, end)):
                positives[i].add(label)
    return [Example(group, text[s:e], frozenset(p)) for (s, e), p in zip(sentences, positives)]


def choose_source(repo: Repository, annotator: str | None = None, gold: bool = False) -> tuple[str, list[str]]:
    """(what the model is trained on, whose done documents): see the module docstring."""
    counts = repo.done_counts()
    if gold and annotator:
        raise TrainingDataError("choose --gold or --annotator, not both")
    if gold or (annotator is None and counts.get(GOLD_ANNOTATOR)):
        if not counts.get(GOLD_ANNOTATOR):
            raise TrainingDataError("gold has no document marked done yet; adjudicate first, or train on "
                                    "--annotator NAME")
        return GOLD_ANNOTATOR, [GOLD_ANNOTATOR]
    if annotator is not None:
        if annotator == MODEL_ANNOTATOR:
            raise TrainingDataError("the model cannot be trained on its own suggestions; name a reviewer")
        if not counts.get(annotator):
            raise TrainingDataError(f"{annotator} has no document marked done; {_who_has_done(counts)}")
        return annotator, [annotator]
    people = [name for name in counts if name not in RESERVED_ANNOTATORS]
    if not people:
        raise TrainingDataError("no document is marked done yet: mark the documents you finished as done, "
                                "then train")
    return "people", people


def _who_has_done(counts: dict[str, int]) -> str:
    if not counts:
        return "no document is marked done by anyone yet"
    return "done documents per annotator: " + ", ".join(f"{n} {c}" for n, c in counts.items())


def build_training_set(repo: Repository, annotator: str | None = None, gold: bool = False) -> TrainingSet:
    """The examples :func:`choose_source` picks, with the project's rejections, and their hash.

    The hash covers what the model learns from: each document's text (by sha256), whose spans
    and which, the rejections and the label set, so the same data always hashes the same.
    """
    trained_on, annotators = choose_source(repo, annotator, gold)
    pairs = repo.done_documents(annotators)
    texts = repo.texts(sorted({d for d, _ in pairs}))
    spans = repo.labelled_spans(pairs)
    examples: list[Example] = []
    hashed: list[object] = []
    for doc_id, name in pairs:
        text, sha = texts[doc_id]
        examples.extend(sentence_examples(doc_id, text, spans[(doc_id, name)]))
        hashed.append([sha, name, spans[(doc_id, name)]])
    done = {d for d, _ in pairs}
    rejections = [r for r in repo.rejections() if r.document_id not in done]
    other_texts = repo.texts(sorted({r.document_id for r in rejections}))
    rejected = [Example(r.document_id, other_texts[r.document_id][0][r.start:r.end], frozenset(), r.label)
                for r in rejections]
    hashed_rejections = [[other_texts[r.document_id][1], r.label, r.start, r.end] for r in rejections]
    project_labels = [lr.name for lr in repo.labels()]
    used = set().union(*(e.positives for e in examples)) if examples else set()
    labels = tuple(name for name in project_labels if name in used)
    digest = hashlib.sha256(json.dumps({"labels": project_labels, "documents": hashed,
                                        "rejections": hashed_rejections}, separators=(",", ":")).encode())
    groups = near_duplicate_groups({d: texts[d][0] for d in done})
    return TrainingSet(trained_on, labels, examples, rejected, digest.hexdigest(), groups)


def examples_for(repo: Repository, pairs: Sequence[tuple[int, str]]) -> list[Example]:
    """The sentence examples of these (document, annotator) pairs, whatever their status."""
    texts = repo.texts(sorted({d for d, _ in pairs}))
    spans = repo.labelled_spans(pairs)
    out: list[Example] = []
    for doc_id, name in pairs:
        if doc_id in texts:
            out.extend(sentence_examples(doc_id, texts[doc_id][0], spans[(doc_id, name)]))
    return out
