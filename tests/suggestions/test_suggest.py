"""Suggesting: open documents only, sentences with scores, replaced on re-runs, people's spans untouched."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from annotator.project import Project
from annotator.records import RejectionRecord
from annotator.sentences import split_sentences
from annotator.suggestions.store import load, suggest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import suggest_corpus  # noqa: E402

OPEN = list(range(1, 61, 5))  # generated documents 0, 5, 10, ... were left untouched


def _people_spans(p: Project) -> list[object]:
    return [s for d in range(1, 61) for s in p.repo.spans(d)]


def test_suggestions_are_scored_sentences_on_documents_nobody_finished(trained: Project) -> None:
    repo = trained.repo
    before = _people_spans(trained)
    model = load(repo)
    assert model is not None
    report = suggest(repo, model)
    assert report.documents == len(OPEN) and report.suggestions > 0 and report.skipped_done == []
    assert sum(report.per_label.values()) == report.suggestions == repo.suggestion_count()
    assert _people_spans(trained) == before
    for doc_id in range(1, 61):
        found = repo.suggestions(doc_id)
        assert bool(found) == (doc_id in OPEN)
        sentences = set(split_sentences(repo.document(doc_id).text))
        assert all((s.start, s.end) in sentences and 0.5 <= s.score <= 1 and s.model_id == model.record.id
                   for s in found)


def test_suggestions_match_what_a_careful_reviewer_would_mark(trained: Project) -> None:
    """Scored against the generator's own labels for the open documents (which nobody saw)."""
    repo = trained.repo
    model = load(repo)
    assert model is not None
    suggest(repo, model)
    truth = set()
    pool = suggest_corpus.corpus_text.sentence_pool(0)
    for doc_id in OPEN:
        _, text, _ = suggest_corpus.document(doc_id - 1, 1500, 0, pool)
        assert text == repo.document(doc_id).text
        for s, e in split_sentences(text):
            truth |= {(doc_id, s, e, label) for label in {lb for _, _, lb in suggest_corpus.sentence_spans(text[s:e])}}
    made = {(s.document_id, s.start, s.end, s.label) for d in OPEN for s in repo.suggestions(d)}
    precision, recall = len(made & truth) / len(made), len(made & truth) / len(truth)
    assert precision > 0.9 and recall > 0.9


def test_re_running_replaces_and_min_score_and_documents_narrow_it(trained: Project) -> None:
    repo = trained.repo
    model = load(repo)
    assert model is not None
    first = suggest(repo, model)
    ids_before = {s.id for d in OPEN for s in repo.suggestions(d)}
    again = suggest(repo, model)
    assert again.suggestions == first.suggestions == repo.suggestion_count()
    assert not ids_before & {s.id for d in OPEN for s in repo.suggestions(d)}
    confident = {(s.start, s.end, s.label) for s in repo.suggestions(1) if s.score >= 0.95}
    report = suggest(repo, model, documents=[1, 2], min_score=0.95)
    assert report.skipped_done == [2] and report.documents == 1
    assert {(s.start, s.end, s.label) for s in repo.suggestions(1)} == confident
    assert len(repo.suggestions(6)) > 0  # other documents keep theirs
    with pytest.raises(KeyError, match="no document 999"):
        suggest(repo, model, documents=[999])
    with pytest.raises(ValueError, match="between 0 and 1"):
        suggest(repo, model, min_score=1.5)


def test_a_rejected_suggestion_is_never_made_again(trained: Project) -> None:
    repo = trained.repo
    model = load(repo)
    assert model is not None
    suggest(repo, model, documents=[1])
    target = repo.suggestions(1)[0]
    repo.decide_suggestions(remove=[target], add_rejections=[
        RejectionRecord(1, target.label, target.start, target.end, "ann")])
    suggest(repo, model, documents=[1])
    assert (target.start, target.end, target.label) not in {(s.start, s.end, s.label) for s in repo.suggestions(1)}
    assert len(repo.suggestions(1)) > 0
