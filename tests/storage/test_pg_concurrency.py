"""Several reviewers' processes writing to one PostgreSQL project at once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from annotator.importers.base import ImportedDocument
from annotator.importing import sha256_text
from annotator.project import open_project

WRITER = Path(__file__).with_name("pg_writer.py")
TEXT = "Probiotics reduce nerve pain in adults, a small trial suggests. Ask your doctor first."


def run_writers(url: str, annotators: list[str], n: int, doc_id: int) -> list[dict]:
    """Start one writer per annotator, release them together, and collect their reports."""
    procs = [subprocess.Popen([sys.executable, str(WRITER), url, name, str(n), f"w{i}", str(doc_id)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i, name in enumerate(annotators)]
    for p in procs:
        p.stdin.write("go\n")  # type: ignore[union-attr]
        p.stdin.flush()  # type: ignore[union-attr]
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
        reports.append(json.loads(out.splitlines()[-1]))
    return reports


def test_four_processes_add_250_spans_each_without_loss_or_duplicates(pg_url: str) -> None:
    p = open_project(pg_url)
    (doc_id,) = p.repo.add_documents([(ImportedDocument(TEXT, "t", "txt", "t.txt"), sha256_text(TEXT))])
    p.close()
    # Two pairs share an annotator: both race to create it and to start the document's status.
    reports = run_writers(pg_url, ["ann", "bob", "ann", "bob"], 250, doc_id)
    assert [r["errors"] for r in reports] == [0, 0, 0, 0], [r["messages"] for r in reports]
    again = open_project(pg_url, create=False)
    try:
        spans = again.repo.spans(doc_id)
        notes = [s.note for s in spans]
        assert len(spans) == 1000
        assert len(set(notes)) == 1000 and len({s.id for s in spans}) == 1000
        assert {f"w{i}-{k}" for i in range(4) for k in range(250)} == set(notes)
        assert sorted(again.repo.annotators()) == ["ann", "bob"]
        assert again.repo.status(doc_id, "ann").status == "in_progress"
    finally:
        again.close()


def test_a_writer_that_loses_a_race_retries_instead_of_failing(pg_url: str) -> None:
    import threading
    import time

    from sqlalchemy import text

    from annotator.storage.models import utc_now
    from annotator.storage.repository import Repository

    first = open_project(pg_url)
    second, _ = Repository.open(pg_url, create=False)
    results: list[object] = []
    try:
        with first.repo.engine.connect() as c:
            tx = c.begin()
            c.execute(text("INSERT INTO annotator (name, created_at) VALUES ('carol', :t)"), {"t": utc_now()})
            # The other writer's insert of the same name waits on this transaction, then hits
            # the unique index when it commits: its method must run again and find the row.
            worker = threading.Thread(target=lambda: results.append(_attempt(second, "carol")))
            worker.start()
            time.sleep(0.5)
            tx.commit()
        worker.join(30)
        assert len(results) == 1 and isinstance(results[0], int), results
        assert first.repo.annotators() == ["carol"]
    finally:
        second.close()
        first.close()


def _attempt(repo, name: str) -> object:  # type: ignore[no-untyped-def]
    try:
        return repo.annotator_id(name)
    except Exception as exc:
        return exc


def test_an_edit_on_a_connection_the_server_closed_runs_again_on_a_fresh_one(pg_url: str) -> None:
    from sqlalchemy import text

    from annotator.services import AnnotationService
    from annotator.storage.db import postgres

    p = open_project(pg_url)
    try:
        (doc_id,) = p.repo.add_documents([(ImportedDocument(TEXT, "t", "txt", "t.txt"), sha256_text(TEXT))])
        svc = AnnotationService(p.repo, "ann")
        svc.add_span(doc_id, 0, 5, "claim")
        pooled = set(postgres.own_pids(p.repo.engine))
        admin = open_project(pg_url, create=False)  # another program, as a server restart would
        with admin.repo.engine.connect() as c:
            for pid in pooled:
                c.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.close()
        svc.add_span(doc_id, 6, 10, "claim")
        assert len(p.repo.spans(doc_id)) == 2
    finally:
        p.close()


def test_a_read_after_the_server_closed_an_idle_connection_gets_a_fresh_one(
        pg_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from annotator.storage.db import postgres

    monkeypatch.setattr(postgres, "IDLE_PING_SECONDS", 0.0)
    p = open_project(pg_url)
    try:
        (doc_id,) = p.repo.add_documents([(ImportedDocument(TEXT, "t", "txt", "t.txt"), sha256_text(TEXT))])
        admin = open_project(pg_url, create=False)
        with admin.repo.engine.connect() as c:
            for pid in set(postgres.own_pids(p.repo.engine)):
                c.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.close()
        assert p.repo.document(doc_id).text == TEXT
    finally:
        p.close()
