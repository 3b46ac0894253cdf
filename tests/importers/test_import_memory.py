"""An import needs at most 20 times the file's size in memory (peak RSS of a real process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.importers.base import IMPORT_MEMORY_FACTOR

MB = 1024 * 1024
WORDS = "vitamin sleep gut nerve pain trial study adults dose magnesium fibre bacteria acids immune cells".split()

# Imports one file into a fresh project in a grandchild process and prints the grandchild's
# peak RSS in KB: RUSAGE_CHILDREN of this wrapper sees that process alone.
_MEASURE = """
import resource, subprocess, sys
child = ("import sys; from pathlib import Path; from annotator.importing import import_paths; "
         "from annotator.project import open_project; p = open_project(Path(sys.argv[2])); "
         "r = import_paths(p.repo, [Path(sys.argv[1])]); p.close(); "
         "sys.exit(0 if len(r.imported) == 1 else 3)")
code = subprocess.run([sys.executable, "-c", child, sys.argv[1], sys.argv[2]]).returncode
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_import_bytes(source: Path, tmp_path: Path) -> int:
    project = tmp_path / f"{source.name}.annotator"
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(source), str(project)], capture_output=True,
                         text=True, timeout=600, env=dict(os.environ))
    code, peak_kb = out.stdout.split()
    assert code == "0", out.stderr
    return int(peak_kb) * 1024


def paragraphs(size: int) -> list[str]:
    found, total, i = [], 0, 0
    while total < size:
        para = " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(80)).capitalize() + "."
        found.append(para)
        total += len(para) + 2
        i += 1
    return found


def text_file(path: Path, size: int) -> Path:
    path.write_text("A title\n\n" + "\n\n".join(paragraphs(size)) + "\n", encoding="utf-8")
    return path


def html_file(path: Path, size: int) -> Path:
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs(size))
    path.write_text(f"<html><head><title>T</title></head><body><article><h1>T</h1>{body}</article></body></html>")
    return path


def markdown_table(path: Path, size: int) -> Path:
    rows, total, i = [], 0, 0
    while total < size:
        row = "| " + " | ".join(WORDS[(i + k) % len(WORDS)] for k in range(6)) + " |"
        rows.append(row)
        total += len(row) + 1
        i += 1
    path.write_text("# T\n\n| a | b | c | d | e | f |\n|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n")
    return path


def single_line(path: Path, size: int) -> Path:
    path.write_text(" ".join(paragraphs(size)), encoding="utf-8")
    return path


@pytest.mark.parametrize(("make", "size"), [(text_file, 10 * MB), (html_file, 10 * MB),
                                            (markdown_table, 2 * MB), (single_line, 10 * MB)])
def test_peak_memory_of_an_import_is_at_most_20_times_the_file(tmp_path: Path, make, size: int) -> None:  # type: ignore[no-untyped-def]
    baseline = peak_import_bytes(text_file(tmp_path / "tiny.txt", 100), tmp_path)
    source = make(tmp_path / f"big{'.md' if make is markdown_table else '.html' if make is html_file else '.txt'}",
                  size)
    peak = peak_import_bytes(source, tmp_path)
    used = peak - baseline
    assert used <= IMPORT_MEMORY_FACTOR * source.stat().st_size, f"{used / MB:.0f} MB for {size / MB:.0f} MB"


def test_a_file_larger_than_free_memory_allows_is_refused_clearly(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.importers import base
    from annotator.importing import import_paths
    from annotator.project import open_project

    monkeypatch.setattr(base, "available_memory", lambda: 10 * MB)
    source = text_file(tmp_path / "a.txt", MB)
    project = open_project(tmp_path / "p.annotator")
    report = import_paths(project.repo, [source])
    project.close()
    (reason,) = [r for _, r in report.refused]
    assert "too large to import with the memory available" in reason
