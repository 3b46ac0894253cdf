"""The import contracts in pyproject.toml hold: layers import only downward, no sibling
modules or packages import each other in a cycle, and only ``annotator.ui`` imports PySide6.

``lint-imports`` (from the repository's root) prints the same report.
"""

from __future__ import annotations

import os
import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import annotator

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"


def _config() -> dict:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]


def lint_imports(config: Path, *contract_ids: str) -> tuple[bool, str]:
    """Run import-linter as ``lint-imports`` does (in a child: it changes sys.path); (kept, report)."""
    call = (f"import sys; from importlinter.cli import lint_imports; "
            f"sys.exit(lint_imports(config_filename={str(config)!r}, limit_to_contracts={contract_ids!r}, "
            f"no_cache=True, no_logo=True))")
    done = subprocess.run([sys.executable, "-c", call], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})
    return done.returncode == 0, done.stdout + done.stderr


def test_every_import_contract_is_kept() -> None:
    kept, report = lint_imports(PYPROJECT)
    assert kept, report
    # The contracts this project relies on are all there (a deleted one would pass silently).
    types = sorted(c["type"] for c in _config()["contracts"])
    assert types == ["acyclic_siblings", "forbidden", "layers", "layers"], types


def test_every_top_level_module_sits_in_a_layer() -> None:
    """A new module outside every layer would be free to import anything: place it."""
    layered = _config()["contracts"][0]
    assert layered["type"] == "layers" and "containers" not in layered
    named = {name for layer in layered["layers"] for name in re.split(r"\s*[|:]\s*", layer)}
    modules = {f"annotator.{m.name}" for m in pkgutil.iter_modules(annotator.__path__)}
    modules.discard("annotator.resources")  # labels.toml, styles and icons: data, no code
    assert modules - named == set(), "add these to a layer in pyproject.toml"
    assert named - modules == set(), "these layers name modules that do not exist"


def test_the_layer_contract_catches_an_upward_import(tmp_path: Path) -> None:
    """The contract really checks this code: with labels put above records, records' import of labels breaks it."""
    text = PYPROJECT.read_text(encoding="utf-8")
    flipped = text.replace('"annotator.labels | annotator.config",\n', "").replace(
        '"annotator.text | annotator.sentences | annotator.records",\n',
        '"annotator.labels | annotator.config",\n  "annotator.text | annotator.sentences | annotator.records",\n')
    assert flipped != text
    (tmp_path / "pyproject.toml").write_text(flipped, encoding="utf-8")
    kept, report = lint_imports(tmp_path / "pyproject.toml", "annotator-layers")
    assert not kept
    assert "annotator.records -> annotator.labels" in report, report
