"""Quitting while the project is still opening on its worker: a clean exit, no Qt thread abort."""

from __future__ import annotations

import textwrap
from pathlib import Path

from .app_process import run_app_script

# run_app as `annotator gui` runs it, with the open slowed down so the window closes mid-open.
_SCRIPT = textwrap.dedent("""
    import sys, threading, time
    from PySide6.QtCore import QTimer
    import annotator.ui.app as app_module
    import annotator.ui.main_window.opening as opening

    real_load = opening.load_project
    started = threading.Event()

    def slow_load(*args, **kwargs):
        started.set()
        time.sleep(1.0)  # well inside run_app's wait for workers, well past the close
        return real_load(*args, **kwargs)

    opening.load_project = slow_load
    real_launch = app_module.launch
    seen = {}

    def launch(path):
        app, window = real_launch(path)

        def close_when_opening():
            if started.is_set():
                seen["opening_at_close"] = window.opening
                window.close()  # the last window: the event loop ends
            else:
                QTimer.singleShot(5, close_when_opening)

        QTimer.singleShot(0, close_when_opening)
        return app, window

    app_module.launch = launch
    code = app_module.run_app(sys.argv[1])
    print("RESULT", seen.get("opening_at_close"), code, flush=True)
    sys.exit(code)
""")


def test_quitting_while_the_project_opens_exits_cleanly(project_path: Path, isolated_home: Path) -> None:
    out = run_app_script(_SCRIPT, project_path, isolated_home)
    assert out.returncode == 0, out.stderr
    assert "RESULT True 0" in out.stdout, (out.stdout, out.stderr)  # it really was still opening
    assert "QThread: Destroyed while thread is still running" not in out.stderr
    assert "Traceback" not in out.stderr, out.stderr
