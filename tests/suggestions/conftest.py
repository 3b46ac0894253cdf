"""Projects to train on: a generated corpus a model can learn, and the sample corpus with rule-made labels.

Built once per session (training takes seconds) and copied for each test that changes them.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.importing import import_paths
from annotator.project import Project, open_project, sample_corpus_dir
from annotator.sentences import split_sentences
from annotator.services import AnnotationService
from annotator.suggestions.store import train

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import suggest_corpus  # noqa: E402

GENERATED_DOCS, GENERATED_CHARS = 60, 1500
SAMPLE_REVIEWER = "sample-reviewer"
SAMPLE_OPEN = 2  # the last documents of the sample corpus stay open, to suggest for

# A rule-following reviewer for the sample corpus: whole sentences for claims, mechanisms and
# disclaimers, the matched words for interventions and citations.
SENTENCE_CUES = {
    "disclaimer": re.compile(r"\b(doctor|GP|medical advice|pharmacist|clinician|consult)\b", re.I),
    "mechanism": re.compile(r"\b(because|works by|which (?:quiet|reduce|lower|raise|help)s?|pathway|release)\b", re.I),
    "claim": re.compile(r"\b(may|might|can|reduces?|improves?|lowers?|linked|associated)\b", re.I),
}
PHRASE_CUES = {
    "intervention": re.compile(r"\b(supplements?|exercise|walking|tai chi|yoga|diet|omega-3|vitamin [a-z0-9]+|"
                               r"magnesium|probiotics?|green tea|melatonin)\b", re.I),
    "citation": re.compile(r"\((?:[^()]*?)(?:19|20)\d\d[a-z]?\)|\[\d+(?:[,–-]\s*\d+)*\]|\b(?:19|20)\d\d "
                           r"(?:trial|study|review|meta-analysis)"),
}


def rule_spans(text: str) -> list[tuple[int, int, str]]:
    spans = []
    for s, e in split_sentences(text):
        sentence = text[s:e]
        spans += [(s, e, label) for label, cue in SENTENCE_CUES.items() if cue.search(sentence)]
        spans += [(s + m.start(), s + m.end(), label) for label, cue in PHRASE_CUES.items()
                  for m in cue.finditer(sentence)]
    return spans


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    folder = tmp_path_factory.mktemp("suggestion-templates")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANNOTATOR_HOME", str(tmp_path_factory.mktemp("templates-home")))
        generated = suggest_corpus.write_project(folder / "generated.annotator", GENERATED_DOCS, GENERATED_CHARS)
        sample = folder / "sample.annotator"
        p = open_project(sample)
        try:
            corpus = sample_corpus_dir()
            assert corpus is not None
            import_paths(p.repo, [corpus])
            svc = AnnotationService(p.repo, SAMPLE_REVIEWER)
            ids = [d.id for d in p.repo.document_summaries(SAMPLE_REVIEWER)]
            for doc_id in ids[:-SAMPLE_OPEN]:
                for s, e, label in rule_spans(p.repo.document(doc_id).text):
                    svc.add_span(doc_id, s, e, label)
                svc.set_status(doc_id, "done")
        finally:
            p.close()
        trained = folder / "trained.annotator"
        shutil.copyfile(generated, trained)
        p = open_project(trained)
        try:
            train(p.repo, seed=0)
        finally:
            p.close()
        yield {"generated": generated, "sample": sample, "trained": trained}


def copy_of(template: Path, tmp_path: Path) -> Path:
    target = tmp_path / template.name
    shutil.copyfile(template, target)
    return target


@pytest.fixture()
def generated_path(_templates: dict[str, Path], tmp_path: Path) -> Path:
    return copy_of(_templates["generated"], tmp_path)


@pytest.fixture()
def sample_path(_templates: dict[str, Path], tmp_path: Path) -> Path:
    return copy_of(_templates["sample"], tmp_path)


@pytest.fixture()
def generated(generated_path: Path) -> Iterator[Project]:
    p = open_project(generated_path)
    yield p
    p.close()


@pytest.fixture()
def trained(_templates: dict[str, Path], tmp_path: Path) -> Iterator[Project]:
    """The generated project with a model trained on it (seed 0), not yet suggesting."""
    p = open_project(copy_of(_templates["trained"], tmp_path))
    yield p
    p.close()
