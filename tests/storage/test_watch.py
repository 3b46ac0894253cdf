"""The Qt-free change watcher: another connection's commit is noticed on both backends."""

from __future__ import annotations

import time

from annotator.importers.base import ImportedDocument
from annotator.importing import sha256_text
from annotator.project import open_project
from annotator.services import AnnotationService
from annotator.storage.db.watch import ChangeWatcher
from annotator.storage.repository import Repository

TEXT = "Probiotics reduce nerve pain. Ask your doctor first."


def _eventually(check, timeout: float = 2.0) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.02)
    return False


def test_another_programs_edit_is_noticed_once(project_url: str) -> None:
    p = open_project(project_url)
    (doc_id,) = p.repo.add_documents([(ImportedDocument(TEXT, "t", "txt", "t.txt"), sha256_text(TEXT))])
    watcher = ChangeWatcher(p.repo.engine)
    other, _ = Repository.open(project_url, create=False)  # another reviewer's program
    try:
        assert not watcher.changed()
        AnnotationService(other, "bob").add_span(doc_id, 0, 10, "claim")
        assert _eventually(watcher.changed)
        assert not watcher.changed()  # reported once
        AnnotationService(other, "bob").set_status(doc_id, "done")
        assert _eventually(watcher.changed)
    finally:
        watcher.close()
        other.close()
        p.close()


def test_on_postgresql_the_watched_engines_own_edits_are_not_reported(pg_url: str) -> None:
    p = open_project(pg_url)
    (doc_id,) = p.repo.add_documents([(ImportedDocument(TEXT, "t", "txt", "t.txt"), sha256_text(TEXT))])
    watcher = ChangeWatcher(p.repo.engine)
    try:
        AnnotationService(p.repo, "ann").add_span(doc_id, 0, 10, "claim")  # this window's own edit
        time.sleep(0.3)
        assert not watcher.changed()
        other, _ = Repository.open(pg_url, create=False)
        AnnotationService(other, "bob").add_span(doc_id, 0, 10, "claim")
        other.close()
        assert _eventually(watcher.changed)
    finally:
        watcher.close()
        p.close()


def test_a_project_in_a_folder_with_url_characters_is_watched(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "Q&A? 100% #1" / "p.annotator"
    path.parent.mkdir()
    p = open_project(path)
    (doc_id,) = p.repo.add_documents([(ImportedDocument(TEXT, "t", "txt", "t.txt"), sha256_text(TEXT))])
    watcher = ChangeWatcher(p.repo.engine)
    other, _ = Repository.open(path, create=False)
    try:
        AnnotationService(other, "bob").add_span(doc_id, 0, 10, "claim")
        assert _eventually(watcher.changed)
    finally:
        watcher.close()
        other.close()
        p.close()
    assert sorted(x.name for x in path.parent.iterdir() if not x.name.endswith(("-wal", "-shm"))) == ["p.annotator"]


def test_an_own_edit_marked_as_seen_is_not_reported_back(project_url: str) -> None:
    p = open_project(project_url)
    (doc_id,) = p.repo.add_documents([(ImportedDocument(TEXT, "t", "txt", "t.txt"), sha256_text(TEXT))])
    watcher = ChangeWatcher(p.repo.engine)
    try:
        AnnotationService(p.repo, "ann").add_span(doc_id, 0, 10, "claim")
        watcher.seen_own_change()
        time.sleep(0.3)
        assert not watcher.changed()
    finally:
        watcher.close()
        p.close()
