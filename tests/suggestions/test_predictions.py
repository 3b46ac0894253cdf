"""External predictions (JSONL spans with a score) become suggestions, never a person's spans."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from annotator.project import Project
from annotator.suggestions.store import (PredictionError, import_predictions, scored_spans,
                                         store_imported_suggestions)


def _write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")
    return path


def test_a_predictions_file_becomes_suggestions_matched_by_text(generated: Project, tmp_path: Path) -> None:
    repo = generated.repo
    people = repo.spans(2)
    one, two = repo.document(1).text, repo.document(2).text
    path = _write(tmp_path / "pred.jsonl", [
        {"text": one, "spans": [{"start": 0, "end": 7, "label": "claim", "score": 0.75}]},
        {"text": two, "spans": [{"start": 3, "end": 9, "label": "citation", "score": 0.5, "text": "ignored"}],
         "meta": {"model": "someone's"}},
        {"text": "A text this project does not hold.", "spans": [{"start": 0, "end": 1, "label": "claim",
                                                                   "score": 0.9}]},
    ])
    report = import_predictions(repo, path)
    assert (report.documents, report.suggestions, report.not_in_project) == (2, 2, 1)
    assert report.summary() == ("2 suggestions on 2 documents; skipped 1 record whose text is not in "
                                "this project")
    (s1,) = repo.suggestions(1)
    assert (s1.start, s1.end, s1.label, s1.score, s1.model_id) == (0, 7, "claim", 0.75, None)
    assert [(s.start, s.end, s.label) for s in repo.suggestions(2)] == [(3, 9, "citation")]
    assert repo.spans(2) == people and repo.spans(1) == []
    again = import_predictions(repo, path)  # importing twice replaces, adds nothing
    assert again.suggestions == 2 and repo.suggestion_count() == 2


@pytest.mark.parametrize("bad, message", [
    ({"start": 0, "end": 7, "label": "claim", "score": 1.5}, "line 2: span 1: score must be a number between 0 and 1"),
    ({"start": 0, "end": 7, "label": "claim"}, "line 2: span 1: score must be"),
    ({"start": 5, "end": 5, "label": "claim", "score": 0.5}, "line 2: span 1: .5, 5. is empty"),
    ({"start": 0, "end": 7, "label": "rumour", "score": 0.5}, "line 2: span 1: unknown label 'rumour'"),
])
def test_one_bad_span_refuses_the_whole_file(generated: Project, tmp_path: Path, bad: dict[str, object],
                                            message: str) -> None:
    repo = generated.repo
    path = _write(tmp_path / "pred.jsonl", [
        {"text": repo.document(1).text, "spans": [{"start": 0, "end": 7, "label": "claim", "score": 0.75}]},
        {"text": repo.document(2).text, "spans": [bad]},
    ])
    with pytest.raises(PredictionError, match=message.replace("[", r"\[")):
        import_predictions(repo, path)
    assert repo.suggestion_count() == 0


def test_not_json_is_refused_with_its_line(generated: Project, tmp_path: Path) -> None:
    path = tmp_path / "pred.jsonl"
    path.write_text('{"text": "x", "spans": []}\n{oops\n', encoding="utf-8")
    with pytest.raises(PredictionError, match="line 2: not JSON"):
        import_predictions(generated.repo, path)


def test_the_importers_entry_points(generated: Project) -> None:
    """What the JSONL importer calls: tell predictions from a person's spans, then store them."""
    record = {"text": "x", "spans": [{"start": 0, "end": 4, "label": "claim", "score": 0.6},
                                     {"start": 5, "end": 9, "label": "citation", "score": 1}]}
    assert scored_spans(record) == [(0, 4, "claim", 0.6), (5, 9, "citation", 1)]
    assert scored_spans({"text": "x", "spans": [{"start": 0, "end": 4, "label": "claim"}]}) is None
    assert scored_spans({"text": "x", "spans": []}) is None
    assert store_imported_suggestions(generated.repo, 3, scored_spans(record) or []) == 2
    assert [(s.label, s.score) for s in generated.repo.suggestions(3)] == [("claim", 0.6), ("citation", 1.0)]
    with pytest.raises(PredictionError, match="no document 999"):
        store_imported_suggestions(generated.repo, 999, [])
