"""Who worked on a document (no Qt)."""

from __future__ import annotations

from pathlib import Path

from annotator.importers.base import ImportedDocument
from annotator.importing import sha256_text
from annotator.services import AnnotationService
from annotator.storage.repository import DocumentReviewer, Repository

TEXT = "Probiotics reduce nerve pain in most adults. This is not medical advice."


def make_repo(tmp_path: Path) -> tuple[Repository, int, int]:
    from annotator.labels import default_labels

    repo, _ = Repository.open(tmp_path / "p.annotator")
    repo.store_labels(default_labels())
    first = ImportedDocument(TEXT, "gut", "txt", "gut.txt")
    second = ImportedDocument("Sleep hygiene lowers migraine frequency.", "sleep", "txt", "sleep.txt")
    a, b = repo.add_documents([(first, sha256_text(first.text)), (second, sha256_text(second.text))])
    return repo, a, b


def test_document_reviewers_counts_spans_and_statuses_per_annotator(tmp_path: Path) -> None:
    repo, doc, other = make_repo(tmp_path)
    alice, bob, carol = (AnnotationService(repo, n) for n in ("alice", "bob", "carol"))
    alice.add_span(doc, 0, 10, "claim")
    alice.add_span(doc, 11, 17, "mechanism")
    alice.set_status(doc, "done")
    bob.add_span(doc, 0, 10, "claim")
    carol.set_status(doc, "skipped")  # a status without spans still counts as having looked
    carol.add_span(other, 0, 5, "claim")  # another document: not listed for doc
    assert repo.document_reviewers(doc) == [DocumentReviewer("alice", 2, "done"),
                                             DocumentReviewer("bob", 1, "in_progress"),
                                             DocumentReviewer("carol", 0, "skipped")]
    assert repo.document_reviewers(other) == [DocumentReviewer("carol", 1, "in_progress")]
    repo.close()


def test_document_suggestion_count_counts_one_documents_suggestions(tmp_path: Path) -> None:
    from annotator.suggestions.store import store_imported_suggestions

    repo, doc, other = make_repo(tmp_path)
    assert repo.document_suggestion_count(doc) == 0
    store_imported_suggestions(repo, doc, [(0, 10, "claim", 0.9), (45, 72, "disclaimer", 0.4)])
    store_imported_suggestions(repo, other, [(0, 5, "claim", 0.5)])
    assert repo.document_suggestion_count(doc) == 2 and repo.document_suggestion_count(other) == 1
    repo.close()


def test_span_keys_starting_reads_one_reviewers_spans_starting_in_a_range(tmp_path: Path) -> None:
    repo, doc, other = make_repo(tmp_path)
    alice = AnnotationService(repo, "alice")
    alice.add_span(doc, 0, 10, "claim")
    alice.add_span(doc, 11, 17, "mechanism")
    alice.add_span(doc, 45, 72, "disclaimer")
    AnnotationService(repo, "bob").add_span(doc, 11, 17, "claim")
    assert repo.span_keys_starting(doc, "alice", 5, 46) == {("mechanism", 11, 17), ("disclaimer", 45, 72)}
    assert repo.span_keys_starting(doc, "alice", 1, 11) == set()  # [0, 10) starts before; 11 is the end
    assert repo.span_keys_starting(other, "alice", 0, 100) == set()
    assert repo.span_keys_starting(doc, "nobody", 0, 100) == set()
    repo.close()
