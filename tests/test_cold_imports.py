"""Start-up stays cheap: the GUI path skips typer and the storage layer; the core never loads Qt."""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import annotator
from annotator.cli import gui_request

HEAVY = ("typer", "sqlmodel", "sqlalchemy", "fitz", "pymupdf", "annotator.storage", "annotator.cli_commands")


def run_python(code: str, tmp_path: Path, **env: str) -> dict:
    full_env = {k: v for k, v in os.environ.items() if k != "ANNOTATOR_PROJECT"}
    full_env.update(ANNOTATOR_HOME=str(tmp_path), **env)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full_env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


# A stand-in for annotator.ui.app: records what was loaded when the GUI would have started.
_FAKE_GUI = """
import json, sys, types
fake = types.ModuleType("annotator.ui.app")
def run_app(project=None):
    heavy = [m for m in {heavy!r} if m in sys.modules]
    print(json.dumps({{"project": project, "heavy": heavy}}))
    return 0
fake.run_app = run_app
sys.modules["annotator.ui.app"] = fake
import annotator.cli
try:
    annotator.cli.main({argv!r})
except SystemExit as exc:
    assert exc.code == 0, exc.code
"""


@pytest.mark.parametrize("argv, project", [
    ([], None),
    (["gui"], None),
    (["gui", "--project", "/tmp/a.annotator"], "/tmp/a.annotator"),
    (["--project=/tmp/b.annotator", "gui"], "/tmp/b.annotator"),
])
def test_gui_fast_path_imports_nothing_heavy(tmp_path: Path, argv: list[str], project: str | None) -> None:
    result = run_python(_FAKE_GUI.format(heavy=HEAVY, argv=argv), tmp_path)
    assert result == {"project": project, "heavy": []}


def test_gui_fast_path_reads_the_project_from_the_environment(tmp_path: Path) -> None:
    result = run_python(_FAKE_GUI.format(heavy=HEAVY, argv=[]), tmp_path, ANNOTATOR_PROJECT="/tmp/env.annotator")
    assert result == {"project": "/tmp/env.annotator", "heavy": []}


def test_importing_the_cli_module_is_light(tmp_path: Path) -> None:
    code = f"import json, sys, annotator.cli; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    assert run_python(code, tmp_path) == []


@pytest.mark.parametrize("argv, expected", [
    ([], (True, None)),
    (["gui"], (True, None)),
    (["gui", "--project", "p.annotator"], (True, "p.annotator")),
    (["--project", "p.annotator"], (True, "p.annotator")),
    (["--project=p.annotator"], (True, "p.annotator")),
    (["gui", "--help"], (False, None)),
    (["--help"], (False, None)),
    (["stats"], (False, None)),
    (["gui", "gui"], (False, None)),
    (["--project"], (False, None)),
    (["--project="], (False, None)),
    (["--project", "a", "--project", "b"], (False, None)),
])
def test_gui_request_parsing(argv: list[str], expected: tuple[bool, str | None]) -> None:
    assert gui_request(argv) == expected


def _core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(annotator.__path__, "annotator."):
        if info.name.startswith("annotator.ui") or info.name == "annotator.__main__":
            continue
        names.append(info.name)
    return sorted(names)


def test_the_core_never_imports_qt(tmp_path: Path) -> None:
    modules = _core_modules()
    assert "annotator.cli_commands" in modules and "annotator.exporters.canonical" in modules
    code = (f"import importlib, json, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))))")
    assert run_python(code, tmp_path) == []
