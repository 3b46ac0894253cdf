"""A PostgreSQL server for the tests: the one CI started, or a throwaway one started here.

``ANNOTATOR_TEST_PG`` (set by ``.ci/run``) names a server URL whose user may create databases.
Without it, and when the machine has PostgreSQL's binaries (``initdb``, ``pg_ctl``; the Debian
packages put them in ``/usr/lib/postgresql/<version>/bin``), :func:`server_url` starts one in a
temporary folder, listening on a Unix socket only, and stops it when the test session ends.
Otherwise the PostgreSQL tests skip with :data:`UNAVAILABLE` as their reason.

Each test gets its own database (:func:`fresh_database`), dropped afterwards.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

ENV = "ANNOTATOR_TEST_PG"
_started: dict[str, str] = {}
UNAVAILABLE = ""


def _binaries() -> Path | None:
    for cand in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(cand, "initdb").exists() and Path(cand, "pg_ctl").exists():
            return Path(cand)
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("pg_ctl") else None


def _as_server_user(args: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as ``postgres`` then."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _start_local() -> str:
    global UNAVAILABLE
    bindir = _binaries()
    if bindir is None:
        UNAVAILABLE = f"no PostgreSQL server: set {ENV} or install PostgreSQL (initdb, pg_ctl)"
        return ""
    folder = Path(tempfile.mkdtemp(prefix="annotator-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    try:
        subprocess.run(_as_server_user([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                        "-E", "UTF8", "--no-sync"]), check=True, capture_output=True)
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w",
                                        "-o", f"-c listen_addresses='' -k {folder} -c fsync=off "
                                              "-c max_connections=200", "start"]),
                       check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        UNAVAILABLE = f"could not start a local PostgreSQL server: {getattr(exc, 'stderr', b'') or exc}"
        shutil.rmtree(folder, ignore_errors=True)
        return ""

    def stop() -> None:
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql+psycopg://postgres@/postgres?host={folder}"


def server_url() -> str:
    """The URL of a server database whose user may create databases ('' when there is none)."""
    if "url" not in _started:
        _started["url"] = os.environ.get(ENV) or _start_local()
    return _started["url"]


def _admin(sql: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server_url()).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(sql)


def fresh_database() -> str:
    """A new empty database on the server; returns its SQLAlchemy URL."""
    from sqlalchemy.engine import make_url

    name = f"t_{uuid.uuid4().hex[:16]}"
    _admin(f'CREATE DATABASE "{name}"')
    return make_url(server_url()).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
