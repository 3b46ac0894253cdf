"""A read-only file, a full disk or a busy project give a clear error and lose nothing."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from annotator.services import AnnotationService
from annotator.storage import db
from annotator.storage.errors import StorageError
from annotator.storage.repository import Repository

from .helpers import make_project, reopen

NOBODY = 65534


def spans_of(path: Path) -> list[tuple[int, int, str, str | None]]:
    repo = reopen(path)
    try:
        return [(s.start, s.end, s.label, s.note) for s in repo.spans(1)]
    finally:
        repo.close()


@pytest.fixture()
def world_dir() -> Iterator[Path]:
    """A folder another user can reach (pytest's own tmp folders are private to root)."""
    d = Path(tempfile.mkdtemp(prefix="annotator-ro-"))
    d.chmod(0o777)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_a_read_only_file_gives_a_clear_error_and_keeps_its_data(world_dir: Path) -> None:
    path = world_dir / "p.annotator"
    make_project(path)
    repo = reopen(path)
    AnnotationService(repo, "alice").add_span(1, 0, 10, "claim", "kept")
    repo.close()
    before = spans_of(path)
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    probe = textwrap.dedent(f"""
        import _strptime, os, sys  # _strptime: imported lazily, after the drop it is out of reach
        from annotator.project import open_project
        from annotator.services import AnnotationService
        from annotator.storage import migrations
        from annotator.storage.errors import StorageError
        if sys.argv[1:] == ["drop"]:  # root ignores chmod: become 'nobody', for whom it counts
            os.setgroups([]); os.setgid({NOBODY}); os.setuid({NOBODY})
        svc = AnnotationService(open_project({str(path)!r}, create=False).repo, "alice")
        try:
            svc.add_span(1, 20, 30, "claim", "lost?")
        except StorageError as exc:
            print(exc.reason, "|", exc)
    """)
    env = dict(os.environ, ANNOTATOR_HOME=str(world_dir / "home"))
    as_root = os.geteuid() == 0
    if as_root:
        (world_dir / "home").mkdir()
        (world_dir / "home").chmod(0o777)
    out = subprocess.run([sys.executable, "-c", probe, *(["drop"] if as_root else [])], capture_output=True,
                         text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("read_only | the project file"), out.stdout + out.stderr
    assert f"{path} is read-only" in out.stdout and "Traceback" not in out.stdout
    path.chmod(0o644)
    assert spans_of(path) == before


def test_a_read_only_connection_is_explained_too(tmp_path: Path) -> None:
    """The same translation for a database opened read-only by URI (no permission tricks)."""
    path = tmp_path / "p.annotator"
    make_project(path)
    repo = Repository(db.make_engine(f"sqlite:///file:{path}?mode=ro&uri=true"))
    with pytest.raises(StorageError, match="read-only") as info:
        AnnotationService(repo, "alice").add_span(1, 0, 10, "claim")
    assert info.value.reason == "read_only"
    repo.close()
    assert spans_of(path) == []


def test_a_full_disk_gives_a_clear_error_and_earlier_edits_survive(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    make_project(path)
    repo = reopen(path)
    svc = AnnotationService(repo, "alice")
    for i in range(5):
        svc.add_span(1, i, i + 10, "mechanism", f"early {i}")
    before = spans_of(path)

    def no_room(dbapi_conn: Any, _record: Any) -> None:
        # The file may not grow by a single page: SQLite answers SQLITE_FULL, as on a full disk.
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    repo.engine.dispose()
    event.listen(repo.engine, "connect", no_room)
    with pytest.raises(StorageError, match="disk holding .* is full.*Everything saved before is safe") as info:
        svc.add_span(1, 0, 20, "claim", "big note " * 5000)
    assert info.value.reason == "disk_full"
    assert spans_of(path) == before and db.quick_check(path) == []

    repo.engine.dispose()  # space freed: the same service saves again
    event.remove(repo.engine, "connect", no_room)
    svc.add_span(1, 0, 20, "claim", "after")
    assert len(spans_of(path)) == len(before) + 1
    repo.close()


def test_a_project_locked_too_long_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.annotator"
    make_project(path)
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    repo = reopen(path)
    svc = AnnotationService(repo, "alice")
    svc.add_span(1, 0, 5, "claim")
    holder = reopen(path)
    with holder.engine.connect() as c:
        c.execute(text("DELETE FROM project_meta WHERE key = 'nothing'"))  # takes the write lock
        with pytest.raises(StorageError, match="busy in another window") as info:
            svc.add_span(1, 5, 9, "claim")
        assert info.value.reason == "busy"
        c.rollback()
    svc.add_span(1, 5, 9, "claim")  # lock gone: works again
    assert len(spans_of(path)) == 2
    holder.close()
    repo.close()


def test_bugs_are_not_disguised_as_storage_errors(tmp_path: Path) -> None:
    """A constraint violation is a programming error: it must stay loud, not become 'disk full'."""
    from sqlalchemy.exc import IntegrityError

    path = tmp_path / "p.annotator"
    make_project(path)
    repo = reopen(path)
    svc = AnnotationService(repo, "alice")
    span = svc.add_span(1, 0, 5, "claim").after
    with pytest.raises(IntegrityError):
        svc.restore_span(span)  # type: ignore[arg-type]  # already there
    repo.close()
