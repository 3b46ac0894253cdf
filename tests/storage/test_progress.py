"""The statistics view's counts and the reasons of flags, read back from what reviewers did."""

from __future__ import annotations

from pathlib import Path

from annotator.services import AnnotationService

from .helpers import make_project, reopen


def test_the_overview_counts_statuses_labels_lengths_and_shared_documents(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    a, b, c, d = make_project(path, 4)
    repo = reopen(path)
    alice, bob = AnnotationService(repo, "alice"), AnnotationService(repo, "bob")
    alice.add_span(a, 0, 10, "claim")  # starts document a: in progress
    alice.add_span(a, 20, 25, "mechanism")
    alice.add_span(b, 0, 10, "claim")
    alice.set_status(b, "done")
    alice.set_status(c, "flagged", "the text is cut off")
    bob.add_span(a, 0, 10, "claim")  # a second annotator on document a
    bob.set_status(d, "skipped")
    first = repo.progress_overview()
    overview = repo.span_shapes(first)
    repo.close()

    assert not first.complete and first.span_lengths == {} and overview.complete
    assert (first.statuses, first.spans_per_label) == (overview.statuses, overview.spans_per_label)

    assert overview.documents == 4
    assert overview.statuses == {
        "alice": {"done": 1, "in_progress": 1, "skipped": 0, "flagged": 1, "todo": 1},
        "bob": {"done": 0, "in_progress": 1, "skipped": 1, "flagged": 0, "todo": 2},
    }
    assert list(overview.spans_per_label) == ["claim", "mechanism", "intervention", "citation", "disclaimer"]
    assert overview.spans_per_label["claim"] == 3 and overview.spans_per_label["mechanism"] == 1
    assert overview.spans == 4 and overview.spans_per_reviewer == {"alice": 3, "bob": 1}
    assert overview.span_lengths == {10: 3, 5: 1}
    assert overview.shared_documents == 1


def test_flag_reasons_are_per_reviewer_and_only_for_flagged_documents(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    a, b, _c = make_project(path, 3)
    repo = reopen(path)
    alice = AnnotationService(repo, "alice")
    alice.set_status(a, "flagged", "<b>not</b> an article")
    alice.set_status(b, "flagged", "duplicate")
    alice.set_status(b, "done")
    AnnotationService(repo, "bob").set_status(b, "flagged", "bob's reason")
    assert repo.flag_reasons("alice") == {a: "<b>not</b> an article"}
    assert repo.flag_reasons("bob") == {b: "bob's reason"}
    assert repo.flag_reasons("nobody") == {}
    repo.close()
