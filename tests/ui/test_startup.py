"""The window paints before the database layer loads, and the documented entry points work."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from PySide6.QtWidgets import QApplication

from .app_process import run_app_script

_SCRIPT = textwrap.dedent("""
    import json, sys, time
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication
    from annotator.ui.app import launch

    heavy = ("sqlmodel", "sqlalchemy", "fitz", "pymupdf")
    seen = {}

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and "heavy_at_paint" not in seen:
                seen["heavy_at_paint"] = [m for m in heavy if m in sys.modules]
            return False

    app, window = launch(sys.argv[1])
    watcher = FirstPaint()
    window.installEventFilter(watcher)
    seen.update(shown=window.isVisible(), heavy_at_show=[m for m in heavy if m in sys.modules])
    deadline = time.monotonic() + 30
    while window.session is None and time.monotonic() < deadline:  # the project opens behind the window
        app.processEvents()
        time.sleep(0.005)
    seen["opened"] = window.session is not None and window.documents.current_id is not None
    seen["sqlmodel_after"] = "sqlmodel" in sys.modules
    seen["rows"] = window.doc_model.rowCount()
    window.close()
    print(json.dumps(seen))
""")


def test_window_paints_before_sqlmodel_is_imported(project_path: Path, isolated_home: Path) -> None:
    out = run_app_script(_SCRIPT, project_path, isolated_home)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen == {"shown": True, "heavy_at_show": [], "heavy_at_paint": [], "opened": True,
                    "sqlmodel_after": True, "rows": 3}


def test_reviewer_is_asked_once_and_stored(qtbot, project_path: Path, monkeypatch) -> None:
    from annotator.config import Preferences
    from annotator.ui import open_main_window
    from annotator.ui.dialogs import reviewer

    asked: list[str] = []
    monkeypatch.setattr(reviewer, "ask_reviewer_name", lambda parent, default: asked.append(default) or "Dr Ada")
    window = open_main_window(project_path)
    qtbot.addWidget(window)
    assert window.session.reviewer == "Dr Ada"
    assert "Dr Ada" in window.reviewer_label.text()
    assert Preferences.load().reviewer == "Dr Ada"
    window.close()
    second = open_main_window(project_path)
    qtbot.addWidget(second)
    assert second.session.reviewer == "Dr Ada" and len(asked) == 1
    assert isinstance(QApplication.instance(), QApplication)
