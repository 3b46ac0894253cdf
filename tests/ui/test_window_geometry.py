"""The window fits the screen it opens on; a saved geometry comes back only when it still fits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication

from annotator.ui.window_state import PREFERRED_SIZE, fitted_geometry

from .conftest import make_window


def _available() -> QRect:
    return QApplication.primaryScreen().availableGeometry()


def test_a_small_or_scaled_screen_shrinks_the_first_size_and_a_large_one_keeps_it() -> None:
    scaled = QRect(0, 0, round(1600 / 1.5), round(1000 / 1.5) - 32)  # 1600x1000 at 150 %, a taskbar
    rect = fitted_geometry(scaled)
    assert scaled.contains(rect) and rect.height() < scaled.height() - 30  # room for the title bar
    large = QRect(0, 0, 2560, 1400)
    assert fitted_geometry(large).size() == PREFERRED_SIZE
    assert large.contains(fitted_geometry(large))


def test_the_first_window_fits_the_offscreen_screen(qtbot, project_path: Path) -> None:
    window = make_window(qtbot, project_path)
    assert _available().width() < PREFERRED_SIZE.width()  # the 800x800 offscreen screen
    assert _available().contains(window.geometry())
    for dock in (window.docks["spans"], window.statusBar()):
        corner = dock.mapTo(window, dock.rect().bottomRight())
        assert window.rect().contains(corner)


def test_a_saved_geometry_that_fits_comes_back_with_its_panel_widths(qtbot, project_path: Path) -> None:
    window = make_window(qtbot, project_path)
    window.setGeometry(40, 50, 700, 560)
    window.resizeDocks([window.docks["documents"], window.docks["spans"]], [210, 190], Qt.Orientation.Horizontal)
    qtbot.wait(10)
    widths = (window.docks["documents"].width(), window.docks["spans"].width())
    window.close()
    again = make_window(qtbot, project_path)
    qtbot.wait(10)
    assert again.geometry() == QRect(40, 50, 700, 560)
    assert (again.docks["documents"].width(), again.docks["spans"].width()) == widths


def test_a_saved_geometry_larger_than_the_screen_is_not_restored(qtbot, project_path: Path) -> None:
    window = make_window(qtbot, project_path)
    window.setGeometry(0, 0, 1600, 1200)  # saved on a large monitor
    window.close()
    again = make_window(qtbot, project_path)
    assert _available().contains(again.geometry())


_SCALED = textwrap.dedent("""
    import json, sys
    from annotator.ui import open_main_window
    window = open_main_window(sys.argv[1], reviewer="tester")
    screen = window.screen().availableGeometry()
    g = window.geometry()
    print(json.dumps({"screen": [screen.width(), screen.height()], "window": [g.x(), g.y(), g.width(), g.height()],
                      "inside": screen.contains(g)}))
    window.close()
""")


def test_a_window_on_a_screen_scaled_to_200_percent_fits(project_path: Path, isolated_home: Path) -> None:
    (isolated_home / "config").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": "2", "ANNOTATOR_HOME": str(isolated_home)}
    out = subprocess.run([sys.executable, "-c", _SCALED, str(project_path)], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["screen"] == [400, 400] and seen["inside"], seen
