"""Fuzzing every importer through the real pipeline: import or refuse, never crash or hang.

Each example gets a fresh temporary folder and project (function-scoped fixtures are not
reset between hypothesis examples). ANNOTATOR_LONG_TESTS=1 runs 1000 examples per case.
"""

from __future__ import annotations

import functools
import os
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.importing import ImportReport, import_paths
from annotator.project import open_project

LONG = os.environ.get("ANNOTATOR_LONG_TESTS") == "1"
EXAMPLES = 1000 if LONG else 40
# One example taking longer than this is a hang, not a slow import (files here are tiny).
EXAMPLE_SECONDS = 60

SUFFIXES = (".txt", ".md", ".html", ".pdf", ".jsonl")
# Mutation seeds: one small valid file per kind; a JSONL file holds one record format only.
SEEDS = {"txt": ".txt", "md": ".md", "html": ".html", "pdf": ".pdf",
         "canonical": ".jsonl", "prodigy": ".jsonl", "doccano": ".jsonl"}

FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

pytestmark = pytest.mark.timeout(3600 if LONG else 600)

PRODIGY = {"text": "Fish oil helps mood. Ask your doctor.",
           "spans": [{"start": 0, "end": 8, "label": "intervention"}, {"start": 9, "end": 20, "label": "claim"}],
           "_annotator_id": "alice", "meta": {"title": "Omega"}}
DOCCANO = {"id": 7, "text": "Vitamin D may help sleep.", "label": [[0, 9, "intervention"]]}


def _pdf_bytes() -> bytes:
    from annotator.pdf_source import load_pymupdf

    pymupdf = load_pymupdf()
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=200)
    page.insert_text((20, 40), "Probiotics reduce nerve pain.", fontsize=14)
    page.insert_text((20, 70), "Ask your doctor first.", fontsize=10)
    data = doc.tobytes()
    doc.close()
    return data


def _canonical_line() -> bytes:
    """One line of the canonical export, written by the real exporter."""
    from annotator.exporters.registry import run_export
    from annotator.importers.base import ImportedDocument
    from annotator.importing import sha256_text
    from annotator.services import AnnotationService
    from annotator.storage.repository import ExportFilter

    text = "Butyrate calms immune cells.\nThis is not medical advice."
    with tempfile.TemporaryDirectory() as tmp:
        project = open_project(Path(tmp) / "src.annotator")
        try:
            (doc_id,) = project.repo.add_documents(
                [(ImportedDocument(text, "Gut", "txt", "gut.txt"), sha256_text(text))])
            service = AnnotationService(project.repo, "bob")
            service.add_span(doc_id, 0, 8, "intervention", note="dose?")
            service.set_status(doc_id, "done")
            out = Path(tmp) / "out.jsonl"
            run_export(project.repo, "canonical", out, ExportFilter())
        finally:
            project.close()
        lines = out.read_bytes().splitlines()
    assert len(lines) == 1
    return lines[0]


@functools.cache
def seed(kind: str) -> bytes:
    """A small valid file of each kind (built once per module: PyMuPDF and the exporter are slow)."""
    if kind == "txt":
        return "Probiotics reduce nerve pain 😀.\r\n\r\nSecond paragraph, 𝑝 values.\n".encode()
    if kind == "md":
        return (b"---\ntitle: Gut\n---\n# Probiotics\n\nSome *text* with [a link](https://e.com).\n\n"
                b"1. one\n2. two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode  here\n```\n<div>raw <b>html</b></div>\n")
    if kind == "html":
        return (b"<!doctype html><html><head><meta charset='utf-8'><title>Gut</title></head><body>"
                b"<nav>Menu</nav><article><h1>Probiotics</h1><p>Reduce <b>nerve</b> pain&nbsp;&amp; more.</p>"
                b"<ul><li>a</li><li>b</li></ul><table><tr><td>1</td><td>2</td></tr></table><pre>x  y</pre>"
                b"</article></body></html>")
    if kind == "pdf":
        return _pdf_bytes()
    if kind == "canonical":
        return _canonical_line() + b"\n"
    if kind == "prodigy":
        other = {"text": "Second text\nwith two lines.", "spans": [{"start": 0, "end": 6, "label": "claim"}]}
        return orjson.dumps(PRODIGY) + b"\n" + orjson.dumps(other) + b"\n"
    if kind == "doccano":
        return orjson.dumps(DOCCANO) + b"\r\n" + orjson.dumps({"text": "Nothing labelled.", "label": []}) + b"\n"
    raise AssertionError(kind)


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    """The seed file with a few bytes flipped, inserted or deleted, or cut short."""
    data = bytearray(seed(kind))
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "set"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and data:
            data[pos] = draw(st.sampled_from([0, 0x0D, 0x0A, 0x22, 0x7B, 0x7D, 0x3C, 0x80, 0xC3, 0xFF, 0x25]))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 32))]
        elif op == "truncate":
            del data[pos:]
    return bytes(data)


@contextmanager
def example_time_limit(seconds: int) -> Iterator[None]:
    """Fail one example that runs too long instead of hanging the whole run."""
    def on_alarm(signum, frame):  # type: ignore[no-untyped-def]
        raise TimeoutError(f"import did not finish within {seconds} s (hang)")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def import_into_fresh_project(name: str, data: bytes) -> tuple[ImportReport, list[tuple[str, list]]]:
    """Import one file into a new project; returns the report and each stored (text, spans)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        project = open_project(Path(tmp) / "p.annotator")
        try:
            with example_time_limit(EXAMPLE_SECONDS):
                report = import_paths(project.repo, [path])  # must never raise
            stored = []
            for summary in project.repo.document_summaries("nobody"):
                doc = project.repo.document(summary.id)
                assert doc.source.endswith(name) or suffix_of(name) == ".jsonl", doc.source
                stored.append((doc.text, project.repo.spans(summary.id)))
        finally:
            project.close()
    return report, stored


def suffix_of(name: str) -> str:
    return Path(name).suffix


def check_outcome(name: str, data: bytes) -> None:
    report, stored = import_into_fresh_project(name, data)
    assert not report.skipped, report.skipped  # a fresh project holds nothing to duplicate
    if report.refused:
        assert report.imported == [], report
        assert len(report.refused) == 1
        path, reason = report.refused[0]
        assert path.endswith(name) and reason.strip(), report.refused
        assert stored == [], "a refused file left documents in the project"
        return
    assert report.imported, report
    assert len(stored) == len(report.imported)
    for text, spans in stored:
        assert text.strip() and "\r" not in text
        for s in spans:
            assert 0 <= s.start < s.end <= len(text), (s, len(text))


@pytest.mark.parametrize("kind", SEEDS)
def test_seed_files_import(kind: str) -> None:
    """The mutation seeds are valid files, so a mutation really damages something that worked."""
    report, stored = import_into_fresh_project("seed" + SEEDS[kind], seed(kind))
    assert report.imported and not report.refused, report
    assert all(text.strip() for text, _ in stored)
    expected_spans = {"canonical": 1, "prodigy": 3, "doccano": 1}.get(kind, 0)
    assert sum(len(spans) for _, spans in stored) == expected_spans


@pytest.mark.parametrize("suffix", SUFFIXES)
@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes_import_or_refuse(suffix: str, data: bytes) -> None:
    check_outcome("fuzz" + suffix, data)


@pytest.mark.parametrize("kind", SEEDS)
@FUZZ
@given(st.data())
def test_mutated_valid_files_import_or_refuse(kind: str, data: st.DataObject) -> None:
    check_outcome("mutant" + SEEDS[kind], data.draw(mutated(kind)))


@FUZZ
@given(good=st.integers(0, 4), junk=st.sampled_from([b'{"text": "unterminated', b"not json", b"[1, 2",
                                                      b'{"text": 5}', b"\xff\xfe{}", b'{"spans": []}']))
def test_malformed_jsonl_line_is_named_in_the_reason(good: int, junk: bytes) -> None:
    lines = [orjson.dumps({"text": f"Document number {i}.", "spans": []}) for i in range(good)]
    data = b"\n".join([*lines, junk, orjson.dumps(PRODIGY)]) + b"\n"
    report, stored = import_into_fresh_project("bad.jsonl", data)
    assert stored == [] and report.imported == []
    (path, reason), = report.refused
    assert f"line {good + 1}" in reason, reason


@pytest.mark.parametrize("bad_span", [
    {"start": 0, "end": 999, "label": "claim"},  # past the end
    {"start": -1, "end": 3, "label": "claim"},  # negative
    {"start": 5, "end": 5, "label": "claim"},  # empty
    {"start": 6, "end": 2, "label": "claim"},  # reversed
])
def test_jsonl_with_out_of_range_span_in_second_record_imports_nothing(bad_span: dict) -> None:
    second = {"text": "Second record text.", "spans": [{"start": 0, "end": 6, "label": "claim"}, bad_span],
              "_annotator_id": "bob"}
    third = {"text": "Third record is fine.", "spans": []}
    data = b"\n".join(orjson.dumps(r) for r in (PRODIGY, second, third)) + b"\n"
    report, stored = import_into_fresh_project("spans.jsonl", data)
    assert report.imported == [] and stored == [], report
    (path, reason), = report.refused
    assert "line 2" in reason, reason
