"""Running the app in a child interpreter, for tests that need a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run_app_script(script: str, project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """``script`` in a fresh interpreter (offscreen Qt, ``home`` as ANNOTATOR_HOME with a
    reviewer already named, so no dialog waits), given the project path as its argument."""
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "preferences.json").write_text(json.dumps({"reviewer": "tester"}), encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ANNOTATOR_HOME": str(home)}
    return subprocess.run([sys.executable, "-c", script, str(project)], env=env, capture_output=True, text=True,
                          timeout=60)
