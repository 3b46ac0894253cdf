"""Before Qt starts: a missing X library or display gets a message naming what to install, not an abort."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.ui.platform_check import APT_LINE, XCB_LIBRARIES, missing_libraries, platform_problem, uses_xcb

DESKTOP = {"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}


def test_xcb_is_checked_only_where_qt_would_use_it() -> None:
    assert uses_xcb(DESKTOP, "linux")
    assert uses_xcb({**DESKTOP, "QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not uses_xcb({**DESKTOP, "QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not uses_xcb({**DESKTOP, "QT_QPA_PLATFORM": "wayland;xcb"}, "linux")
    assert not uses_xcb({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not uses_xcb(DESKTOP, "darwin") and not uses_xcb(DESKTOP, "win32")


def test_missing_libraries_are_named_with_their_packages_and_the_apt_line() -> None:
    absent = {"libxcb-cursor.so.0", "libxcb-keysyms.so.1"}
    message = platform_problem(DESKTOP, platform="linux", loads=lambda soname: soname not in absent)
    assert message is not None
    assert "libxcb-cursor.so.0, libxcb-keysyms.so.1" in message
    assert "sudo apt install libxcb-cursor0 libxcb-keysyms1\n" in message
    assert APT_LINE in message and APT_LINE.split()[3:] == list(XCB_LIBRARIES.values())


def test_no_display_and_a_complete_system() -> None:
    everything = {"loads": lambda _soname: True, "platform": "linux"}
    assert "DISPLAY is not set" in (platform_problem({}, **everything) or "")
    assert platform_problem(DESKTOP, **everything) is None
    assert platform_problem({"QT_QPA_PLATFORM": "offscreen"}, **everything) is None


def test_the_libraries_checked_are_the_ones_qts_xcb_plugin_links() -> None:
    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt" / "lib" / "libQt6XcbQpa.so.6"
    if not plugin.exists():
        pytest.skip("no xcb plugin in this Qt build")
    needed = plugin.read_bytes()
    for soname in XCB_LIBRARIES:
        if soname != "libEGL.so.1":  # Qt's GUI library links EGL, not the plugin
            assert soname.encode() in needed, soname


@pytest.mark.skipif(not sys.platform.startswith("linux") or not missing_libraries(),
                    reason="every library the xcb plugin needs is installed here")
def test_the_app_explains_missing_libraries_instead_of_aborting(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0", "ANNOTATOR_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "annotator", "gui", "--project", str(tmp_path / "p.annotator")],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "sudo apt install" in out.stderr, out.stderr
    assert not (tmp_path / "p.annotator").exists()
