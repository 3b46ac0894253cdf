"""Before Qt starts: will its X11 (xcb) platform plugin load? If not, say what to install.

Qt aborts the process when no platform plugin loads, with a message that names one library
at best ("xcb-cursor0 … is needed") and ends in "Reinstalling the application may fix this
problem", which it won't. The xcb plugin needs a few X libraries that minimal and some fresh
desktop systems lack; this module tries to load each one (as Qt will) and, when any is
missing, returns a message naming the packages and the one command that installs them.
Qt-free, so it runs before the QApplication exists.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable, Mapping

# The libraries Qt's xcb plugin links that are not part of every X11 system, with the
# Debian/Ubuntu package of each (the plugin's other libraries come with any X desktop).
XCB_LIBRARIES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1",
}
APT_LINE = "sudo apt install " + " ".join(XCB_LIBRARIES.values())


class PlatformUnavailable(RuntimeError):
    """The desktop app cannot start here; the message says why and what to do."""


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def uses_xcb(env: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Whether Qt will pick its X11 plugin: Linux, no other platform asked for, not a Wayland session."""
    if not platform.startswith("linux"):
        return False
    requested = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if requested:
        return requested == "xcb"
    return env.get("XDG_SESSION_TYPE") != "wayland" or not env.get("WAYLAND_DISPLAY")


def missing_libraries(loads: Callable[[str], bool] = _loads) -> list[str]:
    """The xcb plugin's libraries that cannot be loaded, by shared-object name."""
    return [soname for soname in XCB_LIBRARIES if not loads(soname)]


def platform_problem(env: Mapping[str, str], *, platform: str = sys.platform,
                     loads: Callable[[str], bool] = _loads) -> str | None:
    """Why Qt's platform plugin would fail to load, as an actionable message; None when it should load."""
    if not uses_xcb(env, platform):
        return None
    missing = missing_libraries(loads)
    if missing:
        packages = " ".join(XCB_LIBRARIES[soname] for soname in missing)
        return ("the desktop app needs system libraries that are not installed: " + ", ".join(missing) + ".\n"
                f"On Debian or Ubuntu install them with:\n    sudo apt install {packages}\n"
                f"(everything the app's display needs, in one line: {APT_LINE})\n"
                "Other systems: install the packages providing those files (Fedora: xcb-util-cursor, "
                "xcb-util-wm, xcb-util-keysyms, xcb-util-image, xcb-util-renderutil, libxkbcommon-x11).")
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return ("there is no display to open a window on (DISPLAY is not set). Run the app from a desktop "
                "session; over ssh use `ssh -X`. Commands such as `annotator import` and `annotator export` "
                "need no display.")
    return None


def check_platform(env: Mapping[str, str]) -> None:
    """Raise :class:`PlatformUnavailable` when Qt's platform plugin would not load."""
    problem = platform_problem(env)
    if problem is not None:
        raise PlatformUnavailable(problem)
