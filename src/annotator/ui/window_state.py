"""Window geometry and dock layout, remembered in QSettings (nothing else goes there).

The file lives in the config directory (so ``ANNOTATOR_HOME`` isolates it in tests and
portable installs); preferences proper are in :class:`annotator.config.Preferences`.

A window must fit the screen it opens on: the first size is the preferred one shrunk to
the available area (taskbars excluded), and a saved geometry is used only when it still
fits a screen (a laptop undocked from a large monitor, a display scale changed since).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPoint, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow

from annotator.config import config_dir

_STATE_VERSION = 1  # bump when docks change, so an old layout is not forced on new docks
PREFERRED_SIZE = QSize(1280, 820)
# Room left for the window manager's title bar and borders, which the geometry excludes.
_FRAME_ROOM = QSize(16, 48)


def settings() -> QSettings:
    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)


def fitted_geometry(available: QRect, preferred: QSize = PREFERRED_SIZE) -> QRect:
    """The preferred size shrunk to fit ``available`` (with room for the frame), centred in it."""
    width = max(1, min(preferred.width(), available.width() - _FRAME_ROOM.width()))
    height = max(1, min(preferred.height(), available.height() - _FRAME_ROOM.height()))
    rect = QRect(0, 0, width, height)
    rect.moveCenter(available.center())
    return rect


def fits_a_screen(rect: QRect) -> bool:
    """Whether ``rect`` (a window's frame) lies wholly on one screen's available area."""
    return any(screen.availableGeometry().contains(rect) for screen in QGuiApplication.screens())


def place_window(window: QMainWindow) -> bool:
    """Restore the saved geometry and dock layout when they fit, else fit the window to its screen.

    Returns whether a saved dock layout was restored (otherwise the caller sizes the docks).
    """
    s = settings()
    geometry, frame, state = s.value("main/geometry"), s.value("main/frame"), s.value("main/state")
    # Qt's restoreGeometry squeezes an oversized geometry onto the screen edge to edge, frame
    # off-screen; so the frame saved beside it decides whether the saved geometry is used at all.
    fits = isinstance(frame, QRect) and fits_a_screen(frame)
    if not (fits and isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)):
        screen = window.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen else QRect(QPoint(0, 0), PREFERRED_SIZE)
        window.setGeometry(fitted_geometry(available))
    return isinstance(state, QByteArray) and window.restoreState(state, _STATE_VERSION)


def save_window_state(window: QMainWindow) -> None:
    s = settings()
    s.setValue("main/geometry", window.saveGeometry())
    s.setValue("main/frame", window.normalGeometry() if window.isMaximized() else window.frameGeometry())
    s.setValue("main/state", window.saveState(_STATE_VERSION))
    s.sync()
