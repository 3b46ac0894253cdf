"""A generated corpus a model can learn: the benchmark prose, labelled by the kind of each sentence.

``corpus_text`` picks span labels at random, which no model can learn. Here every sentence
of the pooled prose is labelled the way a careful reviewer would: disclaimers as
``disclaimer``, "This is thought to happen because ..." as ``mechanism``, "Researchers gave
..." as ``intervention``, other statements as ``claim``, and each citation in them as
``citation``. A reviewer misses one label in ten (seeded), so scores are high but not perfect.
Used by the suggestion tests and ``bench_suggest.py``; same arguments, same corpus.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus_text  # noqa: E402  (bench/ is not a package)

REVIEWER = "reviewer-1"
MISSED = 0.1


def sentence_spans(sentence: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of the spans a careful reviewer marks in one pooled sentence."""
    if sentence.startswith("This is thought to happen because"):
        return [(0, len(sentence), "mechanism")]
    if any(sentence.startswith(d[:-1]) for d in corpus_text._DISCLAIMERS):
        return [(0, len(sentence), "disclaimer")]
    out = [(0, len(sentence), "intervention" if sentence.startswith("Researchers gave") else "claim")]
    for citation in corpus_text._CITATIONS:
        at = sentence.find(citation)
        if at >= 0:
            out.append((at, at + len(citation), "citation"))
    return out


def document(index: int, chars: int, seed: int, pool: list[str]) -> tuple[str, str, list[tuple[int, int, str]]]:
    """(title, text, spans) of one labelled document."""
    rng = random.Random(f"suggest-{seed}-{index}")
    title = f"Article {index + 1}: notes on {rng.choice(corpus_text._SUBJECTS).lower()}"
    text, sentences = corpus_text.compose(rng, pool, title, chars)
    spans = []
    for a, b in sentences:
        for s, e, label in sentence_spans(text[a:b]):
            if rng.random() >= MISSED:
                spans.append((a + s, a + e, label))
    return title, text, sorted(spans)


def write_project(path: Path, docs: int, chars: int = 4000, *, seed: int = 0, open_every: int = 5) -> Path:
    """A project of ``docs`` documents; every ``open_every``-th is left untouched (to suggest for),
    the others are marked done by ``REVIEWER`` with their spans."""
    from annotator.importers.base import ImportedDocument, ImportedSpan
    from annotator.importing import sha256_text
    from annotator.project import open_project

    pool = corpus_text.sentence_pool(seed)
    project = open_project(path)
    try:
        batch = []
        for i in range(docs):
            title, text, spans = document(i, chars, seed, pool)
            done = i % open_every != 0
            doc = ImportedDocument(text, title, "txt", f"generated/suggest-{i + 1:05d}.txt", {},
                                   spans=[ImportedSpan(s, e, label) for s, e, label in spans] if done else [],
                                   annotator=REVIEWER if done else None, status="done" if done else None)
            batch.append((doc, sha256_text(text)))
        project.repo.add_documents(batch)
    finally:
        project.close()
    return path
