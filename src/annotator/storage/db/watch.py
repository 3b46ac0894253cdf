"""Noticing that another program changed the project, without blocking and without Qt.

SQLite: ``PRAGMA data_version`` on a connection of the watcher's own, which changes whenever
another connection (another process, or this one's pool) commits. PostgreSQL: LISTEN on the
channel the project's triggers NOTIFY (see ``postgres.install_notify_triggers``), ignoring what
the watched engine's own connections did. Callers poll
:meth:`ChangeWatcher.changed` on a timer and refresh what they show when it says so.
"""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import quote

from sqlalchemy.engine import Engine

from annotator.storage.db import postgres


class ChangeWatcher:
    """Whether the project changed since the last call of :meth:`changed` (cheap, never blocks)."""

    def __init__(self, engine: Engine) -> None:
        from annotator.storage.db import engine_path

        self._sqlite: sqlite3.Connection | None = None
        self._listener: Any = None
        self._version: int | None = None
        self._own: set[int] = set()
        path = engine_path(engine)
        if path is not None:
            uri = f"file:{quote(str(path), safe='/')}?mode=ro"  # "?", "#" and "%" in a folder name stay literal
            self._sqlite = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            self._version = self._data_version()
        elif engine.dialect.name == "postgresql":
            self._listener = postgres.NotificationListener(engine.url.render_as_string(hide_password=False))
            self._own = postgres.own_pids(engine)

    def _data_version(self) -> int | None:
        assert self._sqlite is not None
        try:
            return int(self._sqlite.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error:
            return self._version  # busy or gone for a moment: look again next time

    def changed(self) -> bool:
        if self._sqlite is not None:
            version = self._data_version()
            seen, self._version = version != self._version, version
            return seen
        if self._listener is not None:
            try:
                return bool(self._listener.changed(self._own))
            except Exception:  # the server went away: nothing to report until it is back
                return False
        return False

    def seen_own_change(self) -> None:
        """Call right after an edit of this program's own has committed (and been shown): on
        SQLite its new data_version is taken as seen, so the edit is not reported back. (On
        PostgreSQL the engine's own server processes are told apart exactly: nothing to do.)"""
        if self._sqlite is not None:
            self._version = self._data_version()

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
