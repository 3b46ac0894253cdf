"""User preferences: a typed, Qt-free model saved as readable JSON in the user config dir.

``ANNOTATOR_HOME`` (if set) holds config and data together, which keeps tests and
portable installs away from the real user directories.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import platformdirs

APP = "annotator"
PROJECT_SUFFIX = ".annotator"


def config_dir() -> Path:
    home = os.environ.get("ANNOTATOR_HOME")
    return Path(home) / "config" if home else Path(platformdirs.user_config_dir(APP, appauthor=False))


def data_dir() -> Path:
    home = os.environ.get("ANNOTATOR_HOME")
    return Path(home) / "data" if home else Path(platformdirs.user_data_dir(APP, appauthor=False))


def default_project_path() -> Path:
    return data_dir() / f"default{PROJECT_SUFFIX}"


def backup_dir() -> Path:
    return data_dir() / "backups"


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "reviewer"


@dataclass
class Preferences:
    reviewer: str = ""
    snap_to_tokens: bool = True
    theme: str = "system"  # "system", "light" or "dark"
    font_point_size: int = 12
    last_project: str = ""
    last_document: int = 0

    @classmethod
    def path(cls) -> Path:
        return config_dir() / "preferences.json"

    @classmethod
    def load(cls) -> Preferences:
        try:
            raw = json.loads(cls.path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        known = {f.name: f.type for f in fields(cls)}
        prefs = cls()
        for key, value in raw.items() if isinstance(raw, dict) else ():
            default = getattr(prefs, key, None)
            if key in known and isinstance(value, type(default)):
                setattr(prefs, key, value)
        return prefs

    def save(self) -> None:
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a crash never leaves half a preferences file
