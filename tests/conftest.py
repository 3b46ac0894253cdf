from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# GUI tests run headless everywhere (CI sets this too); core tests never start Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep preferences, default project and backups out of the real user directories."""
    home = tmp_path_factory.mktemp("annotator-home")
    monkeypatch.setenv("ANNOTATOR_HOME", str(home))
    monkeypatch.delenv("ANNOTATOR_PROJECT", raising=False)
    return home


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (skipped when no server can be had; see tests/pg.py)."""
    from tests import pg

    if not pg.server_url():
        pytest.skip(pg.UNAVAILABLE)
    url = pg.fresh_database()
    try:
        yield url
    finally:
        pg.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def project_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A project location on each backend: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "project.annotator")
    return request.getfixturevalue("pg_url")
