"""Dataset exports stream: peak memory does not grow with the corpus."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from annotator.exporters.options import ExportOptions
from annotator.exporters.registry import run_export
from annotator.project import Project

from .corpus import bulk_project


def _peak(p: Project, fmt: str, out: Path, options: ExportOptions) -> int:
    run_export(p.repo, fmt, out, options=options)  # warm caches (compiled SQL, imports)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        run_export(p.repo, fmt, out, options=options)
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def sizes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Project]:
    folder = tmp_path_factory.mktemp("sizes")
    small, large = bulk_project(folder / "s.annotator", 300), bulk_project(folder / "l.annotator", 3000)
    yield small, large
    small.close()
    large.close()


@pytest.mark.parametrize("fmt, suffix", [("spans", ".jsonl"), ("sentences", ".jsonl"), ("hf-bio", ".jsonl"),
                                         ("w3c", ".jsonl"), ("csv", ".csv"), ("canonical", ".jsonl")])
def test_memory_does_not_grow_with_the_corpus(sizes: tuple[Project, Project], tmp_path: Path, fmt: str,
                                              suffix: str) -> None:
    small, large = sizes
    options = ExportOptions()
    small_peak = _peak(small, fmt, tmp_path / f"small{suffix}", options)
    large_peak = _peak(large, fmt, tmp_path / f"large{suffix}", options)
    assert (tmp_path / f"large{suffix}").stat().st_size > 8 * (tmp_path / f"small{suffix}").stat().st_size
    assert large_peak < 1.5 * small_peak + 512 * 1024, (small_peak, large_peak)


def test_a_split_keeps_only_document_ids_in_memory(sizes: tuple[Project, Project], tmp_path: Path) -> None:
    small, large = sizes
    options = ExportOptions(split=(0.8, 0.1, 0.1))
    small_peak = _peak(small, "hf-bio", tmp_path / "small.jsonl", options)
    large_peak = _peak(large, "hf-bio", tmp_path / "large.jsonl", options)
    # The plan holds a few hundred bytes per document (id, key, labels); texts are never kept.
    # Keeping the 2,700 more documents' texts would add about 2 MB.
    assert large_peak < small_peak + 1500 * 1024, (small_peak, large_peak)
