"""Two windows or processes on one project: every write lands, nobody sees 'database is locked'."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from annotator.importers.base import ImportedDocument
from annotator.importing import sha256_text
from annotator.services import AnnotationService
from annotator.storage import db

from .edit_child import LABELS
from .helpers import make_project, reopen

CHILD = Path(__file__).with_name("edit_child.py")


def test_two_processes_adding_spans_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.annotator"
    make_project(path)
    n = 150
    procs = [subprocess.Popen([sys.executable, str(CHILD), "spans", str(path), who, str(n), "1"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for who in ("alice", "bob")]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:  # release both together
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    results = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0 and "locked" not in err, err
        assert out.strip().endswith("done")
    repo = reopen(path)
    for who in ("alice", "bob"):
        notes = {s.note for s in repo.spans(1, who)}
        assert notes == {f"{who}-{i}" for i in range(n)}
    repo.close()


def test_two_repositories_in_threads_writing_and_reading_at_once(tmp_path: Path) -> None:
    """Separate engines, as two windows would have; imports read-then-write, the worst case."""
    path = tmp_path / "shared.annotator"
    make_project(path)
    repos = [reopen(path), reopen(path)]
    errors: list[BaseException] = []
    per_thread = 60

    def tag(k: int) -> None:
        svc = AnnotationService(repos[k % 2], f"t{k}")
        try:
            for i in range(per_thread):
                svc.add_span(1 + i % 3, i % 40, i % 40 + 3, LABELS[i % 5], f"t{k}-{i}")
                if i % 10 == 0:
                    svc.set_status(1 + i % 3, "flagged", f"t{k}-{i}")
        except BaseException as exc:
            errors.append(exc)

    def import_docs(k: int) -> None:
        try:
            for i in range(20):
                body = f"Imported article {k}-{i} about sleep and migraine."
                repos[k % 2].add_documents([(ImportedDocument(body, "t", "txt", "t.txt"), sha256_text(body))])
        except BaseException as exc:
            errors.append(exc)

    def read(stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                for group in repos[1].iter_export_groups():
                    assert group.document is not None
        except BaseException as exc:
            errors.append(exc)

    stop = threading.Event()
    reader = threading.Thread(target=read, args=(stop,))
    workers = [threading.Thread(target=tag, args=(k,)) for k in range(4)]
    workers += [threading.Thread(target=import_docs, args=(k,)) for k in range(2)]
    reader.start()
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
    stop.set()
    reader.join(timeout=60)
    assert errors == []
    check = reopen(path)
    assert check.document_count() == 3 + 40
    for k in range(4):
        assert len({s.note for d in (1, 2, 3) for s in check.spans(d, f"t{k}")}) == per_thread
    for r in [*repos, check]:
        r.close()


def test_writes_take_the_lock_up_front_and_reads_do_not(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE is what lets a read-then-write transaction wait instead of failing."""
    path = tmp_path / "p.annotator"
    make_project(path)
    repo = reopen(path)
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(repo.engine, "before_cursor_execute", record)
    svc = AnnotationService(repo, "alice")
    seen.clear()
    svc.add_span(1, 0, 5, "claim")
    assert seen and seen[-1] == "BEGIN IMMEDIATE"
    seen.clear()
    repo.spans(1, "alice")
    assert seen == ["BEGIN"]
    with repo.engine.connect() as c:
        assert c.execute(text("PRAGMA busy_timeout")).scalar() == db.BUSY_TIMEOUT_MS
    repo.close()
