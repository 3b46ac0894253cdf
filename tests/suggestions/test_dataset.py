"""Training examples: which sentences a span marks, whose documents count, what the hash covers."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.project import Project, open_project
from annotator.records import RejectionRecord, SuggestionRecord
from annotator.services import AnnotationService
from annotator.suggestions.dataset import (TrainingDataError, build_training_set, choose_source, is_positive,
                                           sentence_examples)

TEXT = "Fibre feeds gut bacteria. They make butyrate, a fatty acid. Ask your doctor first."
#       0         1         2         3         4         5         6         7
#       0123456789012345678901234567890123456789012345678901234567890123456789012345678901


def test_a_short_span_marks_its_sentence_and_a_spill_over_does_not() -> None:
    assert is_positive((0, 25), (6, 11))  # "feeds" inside the first sentence
    assert is_positive((26, 59), (0, 50))  # covers 24 of the second sentence's 33 characters
    assert not is_positive((26, 59), (0, 40))  # 14 of 33, and 14 of a 40-character span
    assert not is_positive((26, 59), (0, 30))  # 4 characters of a 25-character span, of a 33-character sentence
    assert not is_positive((0, 25), (25, 30))  # touching is not overlapping


def test_sentence_examples_label_each_sentence() -> None:
    examples = sentence_examples(7, TEXT, [(0, 25, "claim"), (36, 44, "mechanism"), (60, 82, "disclaimer"),
                                           (20, 30, "citation")])
    assert [e.text for e in examples] == ["Fibre feeds gut bacteria.", "They make butyrate, a fatty acid.",
                                          "Ask your doctor first."]
    assert [set(e.positives) for e in examples] == [{"claim", "citation"}, {"mechanism"}, {"disclaimer"}]
    assert {e.group for e in examples} == {7} and all(e.only_label is None for e in examples)


def _finish(p: Project, name: str, doc_id: int, spans: list[tuple[int, int, str]]) -> None:
    svc = AnnotationService(p.repo, name)
    for s, e, label in spans:
        svc.add_span(doc_id, s, e, label)
    svc.set_status(doc_id, "done")


def test_the_source_is_gold_first_then_people_and_never_the_model(generated: Project) -> None:
    assert choose_source(generated.repo) == ("people", ["reviewer-1"])
    assert choose_source(generated.repo, "reviewer-1") == ("reviewer-1", ["reviewer-1"])
    with pytest.raises(TrainingDataError, match="nobody has no document marked done; done documents per "
                                                "annotator: reviewer-1 48"):
        choose_source(generated.repo, "nobody")
    with pytest.raises(TrainingDataError, match="gold has no document marked done"):
        choose_source(generated.repo, gold=True)
    with pytest.raises(TrainingDataError, match="own suggestions"):
        choose_source(generated.repo, "model")
    _finish(generated, "gold", 2, [(0, 10, "claim")])
    assert choose_source(generated.repo) == ("gold", ["gold"])
    assert choose_source(generated.repo, "reviewer-1") == ("reviewer-1", ["reviewer-1"])


def test_an_empty_project_has_nothing_to_train_on(tmp_path: Path) -> None:
    p = open_project(tmp_path / "empty.annotator")
    with pytest.raises(TrainingDataError, match="no document is marked done yet"):
        build_training_set(p.repo)
    p.close()


def test_the_training_set_holds_done_documents_and_rejections_elsewhere(generated: Project) -> None:
    repo = generated.repo
    data = build_training_set(repo)
    assert data.trained_on == "people" and data.documents == 48  # every fifth of the 60 is open
    assert set(data.labels) == {"claim", "mechanism", "intervention", "citation", "disclaimer"}
    assert data.rejected == []
    open_doc = 1  # generated documents 0, 5, 10, ... (ids 1, 6, 11, ...) are open
    text = repo.document(open_doc).text
    sentence = next(iter(sentence_examples(open_doc, text, [])))
    start = text.index(sentence.text)
    s = SuggestionRecord("x1", open_doc, "claim", start, start + len(sentence.text), 0.8, None,
                         "2026-01-01T00:00:00+00:00")
    repo.replace_suggestions([open_doc], [s])
    repo.decide_suggestions(remove=[s], add_rejections=[RejectionRecord(open_doc, "claim", s.start, s.end, "ann")])
    again = build_training_set(repo)
    assert [(e.text, e.only_label, set(e.positives)) for e in again.rejected] == [(sentence.text, "claim", set())]
    assert again.examples == data.examples
    assert again.data_hash != data.data_hash


def test_the_data_hash_is_stable_and_follows_the_spans(generated: Project) -> None:
    first = build_training_set(generated.repo).data_hash
    assert build_training_set(generated.repo).data_hash == first
    svc = AnnotationService(generated.repo, "reviewer-1")
    change = svc.add_span(2, 0, 5, "claim")
    assert build_training_set(generated.repo).data_hash != first
    svc.remove_span(change.after.id)  # type: ignore[union-attr]
    assert build_training_set(generated.repo).data_hash == first


def test_near_duplicates_form_one_group_for_the_split(generated: Project) -> None:
    from annotator.importers.base import ImportedDocument, ImportedSpan
    from annotator.importing import sha256_text
    from annotator.suggestions.dataset import near_duplicate_groups
    from annotator.suggestions.evaluate import split_rows, train_and_evaluate

    assert near_duplicate_groups({5: "Fibre feeds gut bacteria.", 3: "FIBRE  feeds gut-bacteria!", 4: "Fibre."}) == {
        3: 3, 4: 4, 5: 3}
    repo = generated.repo
    original = repo.document(2).text
    copy = original.upper().replace(". ", ".\n")  # the same article, shouted and reflowed
    (copy_id,) = repo.add_documents([(ImportedDocument(copy, "copy", "txt", "copy.txt", {},
                                                       spans=[ImportedSpan(0, 5, "claim")], annotator="reviewer-1",
                                                       status="done"), sha256_text(copy))])
    data = build_training_set(repo)
    assert copy_id is not None and data.split_group(copy_id) == data.split_group(2) == 2
    assert data.split_group(3) == 3
    # A seed whose split holds document 2 out, and would train on its copy were they not grouped.
    by_document = [e.group for e in data.examples]
    seed = next(s for s in range(100) if {by_document[i] for i in split_rows(by_document, s)[1]} & {2, copy_id} == {2})
    held_out = train_and_evaluate(data, seed)[1]["held_out_documents"]
    assert 2 in held_out and copy_id in held_out
