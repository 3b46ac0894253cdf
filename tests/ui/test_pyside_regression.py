"""The PySide6 trap: 6.12.0 on CPython 3.11 aborts ("Fatal Python error: none_dealloc") after a
few thousand calls of Qt methods that return None. pyproject.toml pins <6.12 on 3.11; these
tests catch the pin being lost or the bug reappearing in another build.

The hammering runs in a subprocess, so an abort fails one test instead of killing pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

CALLS = 100_000

HAMMER = textwrap.dedent(
    f"""
    import sys
    from PySide6.QtGui import QColor, QGuiApplication, QTextCharFormat, QTextCursor, QTextDocument

    app = QGuiApplication([])
    doc = QTextDocument()
    doc.setPlainText("Probiotics 🦠 calm the gut. " * 40)
    length = doc.characterCount() - 1
    cursor = QTextCursor(doc)
    fmt = QTextCharFormat()
    colours = [QColor("#0072B2"), QColor("#E69F00"), QColor("#009E73")]
    calls = 0
    i = 0
    while calls < {CALLS}:
        start = (i * 7) % (length - 4)
        cursor.setPosition(start)                                     # returns None
        cursor.setPosition(start + 3, QTextCursor.MoveMode.KeepAnchor)  # returns None
        fmt.setBackground(colours[i % 3])                             # returns None
        cursor.mergeCharFormat(fmt)                                   # returns None
        calls += 4
        i += 1
    print("calls", calls)
    sys.stdout.flush()
    """
)


def test_many_none_returning_qt_calls_do_not_abort(tmp_path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ANNOTATOR_HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", HAMMER], env=env, capture_output=True, text=True, timeout=240)
    detail = f"exit code {proc.returncode}\nstdout: {proc.stdout[-2000:]}\nstderr: {proc.stderr[-2000:]}"
    assert proc.returncode == 0, detail
    assert f"calls {CALLS}" in proc.stdout, detail
    assert "none_dealloc" not in proc.stderr, detail


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the abort only affects CPython 3.11")
def test_pyside6_is_not_the_aborting_6_12_on_python_3_11() -> None:
    import PySide6

    assert not PySide6.__version__.startswith("6.12."), (
        f"PySide6 {PySide6.__version__} on Python {sys.version.split()[0]} aborts with "
        "'Fatal Python error: none_dealloc'; install PySide6-Essentials>=6.11.3,<6.12"
    )
