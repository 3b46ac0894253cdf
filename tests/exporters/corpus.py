"""Small annotated projects for the dataset format tests, and readers for what the formats write."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path
from typing import Any

import orjson

from annotator.importers.base import ImportedDocument, ImportedSpan
from annotator.importing import sha256_text
from annotator.project import Project, open_project
from annotator.services import AnnotationService

LABELS = ["claim", "mechanism", "intervention", "citation", "disclaimer"]
GUT = ("Probiotics 🦠 reduce nerve pain.\n\nAsk your \"doctor\" first — it's well-known. Dr. Lee et al. found "
       "a 2.5-fold drop (e.g. in 40 people).\nNot medical advice.")
VITD = "Vitamin D may help (n=120). Take 1,000 IU daily 😀 with food.\nSee Smith, 2021."


def add(project: Project, text: str, title: str, source: str | None = None) -> int:
    doc = ImportedDocument(text, title, "txt", source or f"articles/{title}.txt")
    (doc_id,) = project.repo.add_documents([(doc, sha256_text(text))])
    assert doc_id is not None
    return doc_id


def at(text: str, piece: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    return start, start + len(piece)


def small_project(path: Path) -> Project:
    """Two documents, alice and bob, overlaps, a span across a line break, notes, emoji."""
    p = open_project(path)
    gut, vitd = add(p, GUT, "gut"), add(p, VITD, "vitamin-d", "articles/vitd.md")
    alice, bob = AnnotationService(p.repo, "alice"), AnnotationService(p.repo, "bob")
    alice.add_span(gut, *at(GUT, "Probiotics"), "intervention", note="which strains?")
    alice.add_span(gut, *at(GUT, "Probiotics 🦠 reduce nerve pain."), "claim")
    alice.add_span(gut, *at(GUT, "reduce nerve pain"), "mechanism")  # inside the claim: BIO drops it
    alice.add_span(gut, *at(GUT, "nerve pain.\n\nAsk"), "disclaimer")  # crosses the claim's end and a blank line
    alice.add_span(gut, *at(GUT, "Dr. Lee et al."), "citation", note="line 1\nline 2")
    alice.add_span(gut, *at(GUT, "Not medical advice."), "disclaimer")
    alice.add_span(gut, 3, 8, "citation")  # starts and ends inside a token: "bioti"
    alice.set_status(gut, "done")
    alice.add_span(vitd, *at(VITD, "Take 1,000 IU daily 😀"), "intervention")
    alice.set_status(vitd, "in_progress")
    bob.add_span(gut, *at(GUT, "reduce nerve pain"), "claim")
    bob.set_status(gut, "flagged")
    bob.add_span(vitd, *at(VITD, "Smith, 2021"), "citation")
    return p


def bulk_project(path: Path, docs: int, seed: int = 1, annotators: tuple[str, ...] = ("ann-a", "ann-b")) -> Project:
    """``docs`` generated documents with a varied mix of labels; some by two annotators."""
    rng = random.Random(seed)
    words = "probiotics fibre vitamin trial sleep omega nerve pain gut brain study dose".split()
    batch = []
    for i in range(docs):
        sentences = [" ".join(rng.choice(words) for _ in range(rng.randint(3, 9))).capitalize() + "."
                     for _ in range(rng.randint(2, 6))]
        text = f"Article {i} 🧠. " + " ".join(sentences)
        chosen = [lb for lb in LABELS if rng.random() < 0.4]
        spans = []
        for label in chosen:
            start = rng.randrange(0, len(text) - 10)
            spans.append(ImportedSpan(start, start + rng.randint(1, 10), label))
        doc = ImportedDocument(text, f"doc-{i}", "txt", f"bulk/{i}.txt", spans=spans, annotator=annotators[0],
                               status="done")
        if i % 3 == 0 and len(annotators) > 1:
            doc.extra_annotations.append((annotators[1], "done", spans[:1]))
        batch.append((doc, sha256_text(text)))
    p = open_project(path)
    p.repo.add_documents(batch)
    return p


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def doc_ids(project: Project) -> range:
    """Every document id of a test project (made fresh, so ids run 1..n)."""
    return range(1, project.repo.document_count() + 1)


def texts_by_key(project: Project) -> dict[str, str]:
    """document_id -> text for every document of a project."""
    out = {}
    for doc_id in doc_ids(project):
        text = project.repo.document(doc_id).text
        out[hashlib.sha256(text.encode()).hexdigest()[:16]] = text
    return out


def spans_by_annotator(project: Project) -> set[tuple[str, str, int, int, str, str | None]]:
    """(document_id, annotator, start, end, label, note) of every span in a project."""
    keys = {v: k for k, v in texts_by_key(project).items()}
    out = set()
    for doc_id in doc_ids(project):
        doc = project.repo.document(doc_id)
        for s in project.repo.spans(doc_id):
            out.add((keys[doc.text], s.annotator, s.start, s.end, s.label, s.note))
    return out


def decode_bio(tags: list[int], names: list[str]) -> list[tuple[int, int, str]]:
    """(first token, end token, label) of each entity in a BIO tag sequence."""
    found: list[tuple[int, int, str]] = []
    for i, tag in enumerate(tags):
        name = names[tag]
        if name.startswith("B-"):
            found.append((i, i + 1, name[2:]))
        elif name.startswith("I-"):
            assert found and found[-1][1] == i and found[-1][2] == name[2:], (i, name)
            found[-1] = (found[-1][0], i + 1, found[-1][2])
    return found
