"""Window geometry and dock layout, remembered in QSettings (nothing else goes there).

The file lives in the config directory (so ``ANNOTATOR_HOME`` isolates it in tests and
portable installs); preferences proper are in :class:`annotator.config.Preferences`.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

from annotator.config import config_dir

_STATE_VERSION = 1  # bump when docks change, so an old layout is not forced on new docks


def settings() -> QSettings:
    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)


def restore_window_state(window: QMainWindow) -> bool:
    s = settings()
    geometry = s.value("main/geometry")
    state = s.value("main/state")
    restored = isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)
    if isinstance(state, QByteArray):
        window.restoreState(state, _STATE_VERSION)
    return bool(restored)


def save_window_state(window: QMainWindow) -> None:
    s = settings()
    s.setValue("main/geometry", window.saveGeometry())
    s.setValue("main/state", window.saveState(_STATE_VERSION))
    s.sync()
