"""Accepting and rejecting suggestions: one transaction each, exact inverses for undo and redo."""

from __future__ import annotations

import pytest

from annotator.project import Project
from annotator.records import RejectionRecord
from annotator.services import AnnotationService, Change
from annotator.suggestions.review import SuggestionError, SuggestionService, label_scores, labels_beating_baseline
from annotator.suggestions.store import load, suggest

DOC = 1  # an open document of the generated project


@pytest.fixture()
def suggested(trained: Project) -> Project:
    model = load(trained.repo)
    assert model is not None
    suggest(trained.repo, model, documents=[DOC, 6])
    return trained


def test_accept_makes_the_reviewers_span_and_undo_redo_are_exact(suggested: Project) -> None:
    repo = suggested.repo
    svc = SuggestionService(repo, "alice")
    before = repo.suggestions(DOC)
    target = before[0]
    change = svc.accept(target.id)
    (span,) = repo.spans(DOC, "alice")
    assert (span.start, span.end, span.label, span.source, span.annotator) == (
        target.start, target.end, target.label, "model", "alice")
    assert change.spans == (span,) and change.suggestions == (target,)
    assert change.span_changes() == [Change("span_added", DOC, None, span)]
    assert target not in repo.suggestions(DOC)
    svc.revert(change)
    assert repo.spans(DOC, "alice") == [] and repo.suggestions(DOC) == before
    svc.apply(change)
    assert repo.spans(DOC, "alice") == [span] and target not in repo.suggestions(DOC)
    with pytest.raises(SuggestionError, match="no suggestion.*nothing was changed"):
        svc.accept(target.id)
    with pytest.raises(SuggestionError, match="nothing was changed"):
        svc.apply(change)  # the suggestion is gone: the span insert after it is rolled back too
    assert repo.spans(DOC, "alice") == [span]


def test_accepting_what_the_reviewer_already_marked_adds_no_second_span(suggested: Project) -> None:
    repo = suggested.repo
    target = repo.suggestions(DOC)[0]
    AnnotationService(repo, "alice").add_span(DOC, target.start, target.end, target.label)
    change = SuggestionService(repo, "alice").accept(target.id)
    assert change.spans == () and len(repo.spans(DOC, "alice")) == 1
    assert target not in repo.suggestions(DOC)


def test_reject_is_remembered_and_undo_forgets_it(suggested: Project) -> None:
    repo = suggested.repo
    svc = SuggestionService(repo, "alice")
    target = repo.suggestions(DOC)[0]
    change = svc.reject(target.id)
    rejection = RejectionRecord(DOC, target.label, target.start, target.end, "alice")
    assert change.rejections == (rejection,) and repo.rejections([DOC]) == [rejection]
    assert target not in repo.suggestions(DOC) and repo.spans(DOC, "alice") == []
    svc.revert(change)
    assert repo.rejections() == [] and target in repo.suggestions(DOC)
    svc.apply(change)
    assert repo.rejections() == [rejection] and target not in repo.suggestions(DOC)


def test_accept_all_above_a_score_takes_only_those_and_undoes_as_one(suggested: Project) -> None:
    repo = suggested.repo
    svc = SuggestionService(repo, "bob")
    before = repo.suggestions(DOC)
    high = [s for s in before if s.score >= 0.9]
    low = [s for s in before if s.score < 0.9]
    assert high and low, "the generated corpus gives both kinds"
    change = svc.accept_all(DOC, 0.9)
    assert {(s.start, s.end, s.label) for s in repo.spans(DOC, "bob")} == {(s.start, s.end, s.label) for s in high}
    assert repo.suggestions(DOC) == low
    assert len(repo.suggestions(6)) > 0  # another document's suggestions are left alone
    svc.revert(change)
    assert repo.spans(DOC, "bob") == [] and repo.suggestions(DOC) == before
    only_claims = svc.accept_all(DOC, 0.0, labels={"claim"})
    assert {s.label for s in only_claims.suggestions} == {"claim"}
    assert svc.accept_all(DOC, 0.0, labels={"nothing"}).suggestions == ()


def test_labels_show_only_where_the_model_beats_the_keyword_baseline(generated: Project) -> None:
    repo = generated.repo
    assert labels_beating_baseline(repo) == set() and label_scores(repo) == {}
    repo.store_model(trained_on="people", seed=0, data_hash="0" * 64, versions={}, blob=b"",
                     metrics={"labels": {"claim": {"f1": 0.8}, "citation": {"f1": 0.5}, "mechanism": {"f1": 0.7}},
                              "baseline": {"labels": {"claim": {"f1": 0.6}, "citation": {"f1": 0.7},
                                                      "mechanism": {"f1": 0.7}}}})
    assert label_scores(repo) == {"claim": (0.8, 0.6), "citation": (0.5, 0.7), "mechanism": (0.7, 0.7)}
    assert labels_beating_baseline(repo) == {"claim"}
