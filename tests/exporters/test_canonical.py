from __future__ import annotations

import hashlib
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from annotator.exporters import canonical
from annotator.exporters.base import ExportError
from annotator.exporters.options import ExportOptions
from annotator.canonical_record import input_hash, task_hash
from annotator.exporters.registry import FORMATS, run_export
from annotator.importers.base import ImportedDocument, ImportedSpan
from annotator.importing import sha256_text
from annotator.project import Project, open_project
from annotator.services import AnnotationService
from annotator.storage.repository import ExportFilter
from annotator.text import span_tokens, token_bounds, token_range, tokenize

TEXT_A = "Probiotics 🦠 reduce nerve pain.\n\nAsk your \"doctor\" first — it's well-known."
TEXT_B = "Vitamin D may help (n=120)."
KEYS = ["text", "tokens", "spans", "meta", "annotator", "status", "answer", "_input_hash", "_task_hash"]
SPAN_KEYS = ["start", "end", "token_start", "token_end", "label", "text", "id", "note"]


def add_doc(project: Project, text: str, title: str = "t", fmt: str = "txt", **kw: object) -> int:
    doc = ImportedDocument(text, title, fmt, f"{title}.{fmt}", {"word_count": len(text.split())}, **kw)  # type: ignore[arg-type]
    (doc_id,) = project.repo.add_documents([(doc, sha256_text(text))])
    assert doc_id is not None
    return doc_id


@pytest.fixture()
def project(tmp_path: Path) -> Iterator[Project]:
    p = open_project(tmp_path / "p.annotator")
    a = add_doc(p, TEXT_A, "gut")
    b = add_doc(p, TEXT_B, "vitd")
    alice, bob = AnnotationService(p.repo, "alice"), AnnotationService(p.repo, "bob")
    alice.add_span(a, 0, 10, "intervention", note="probiotic strains")
    alice.add_span(a, 13, 31, "claim")
    alice.set_status(a, "done")
    alice.set_status(b, "skipped")
    bob.add_span(a, 13, 31, "mechanism")
    bob.add_span(b, 0, 9, "intervention")
    yield p
    p.close()


def export_lines(project: Project, out: Path, flt: ExportFilter = ExportFilter()) -> list[dict]:
    run_export(project.repo, "canonical", out, flt)
    return [orjson.loads(line) for line in out.read_bytes().splitlines()]


def test_record_shape_tokens_spans_meta_and_hashes(project: Project, tmp_path: Path) -> None:
    records = export_lines(project, tmp_path / "out.jsonl")
    assert [(r["meta"]["title"], r["annotator"]) for r in records] == [
        ("gut", "alice"), ("gut", "bob"), ("vitd", "alice"), ("vitd", "bob")]
    first = records[0]
    assert list(first) == KEYS
    assert first["text"] == TEXT_A
    assert first["tokens"] == [{"text": t.text, "start": t.start, "end": t.end, "id": t.id, "ws": t.ws}
                               for t in tokenize(TEXT_A)]
    assert [list(s) for s in first["spans"]] == [SPAN_KEYS, SPAN_KEYS]
    probiotics, claim = first["spans"]
    assert probiotics["text"] == "Probiotics" and probiotics["note"] == "probiotic strains"
    assert (probiotics["token_start"], probiotics["token_end"]) == (0, 0)
    assert claim["text"] == TEXT_A[13:31] == "reduce nerve pain."
    assert (claim["token_start"], claim["token_end"]) == (2, 5)  # token_end inclusive: "pain" "."
    sha = hashlib.sha256(TEXT_A.encode()).hexdigest()
    assert first["meta"] == {"document_id": sha[:16], "title": "gut", "source": "gut.txt", "format": "txt",
                             "sha256": sha, "import_meta": {"word_count": len(TEXT_A.split())}}
    assert first["_input_hash"] == input_hash(TEXT_A) == records[1]["_input_hash"]
    assert first["_task_hash"] == task_hash(first["_input_hash"], "alice", [(0, 10, "intervention"), (13, 31, "claim")])
    assert first["_task_hash"] != records[1]["_task_hash"]  # same text, another annotator
    assert all(-(2**31) <= r[k] < 2**31 for r in records for k in ("_input_hash", "_task_hash"))


def test_status_and_answer(project: Project, tmp_path: Path) -> None:
    records = export_lines(project, tmp_path / "out.jsonl")
    assert [(r["status"], r["answer"]) for r in records] == [
        ("done", "accept"), ("in_progress", "accept"), ("skipped", "ignore"), ("in_progress", "accept")]


def test_same_database_gives_the_same_bytes(project: Project, tmp_path: Path) -> None:
    run_export(project.repo, "canonical", tmp_path / "one.jsonl", ExportFilter())
    run_export(project.repo, "canonical", tmp_path / "two.jsonl", ExportFilter())
    reopened = open_project(project.path)
    run_export(reopened.repo, "canonical", tmp_path / "three.jsonl", ExportFilter())
    reopened.close()
    one = (tmp_path / "one.jsonl").read_bytes()
    assert one == (tmp_path / "two.jsonl").read_bytes() == (tmp_path / "three.jsonl").read_bytes()
    assert one.endswith(b"\n") and one.count(b"\n") == 4


def test_filters_by_annotator_status_and_label(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "f.jsonl"
    assert {r["annotator"] for r in export_lines(project, out, ExportFilter(annotators=("bob",)))} == {"bob"}
    done = export_lines(project, out, ExportFilter(statuses=("done", "skipped")))
    assert [(r["annotator"], r["status"]) for r in done] == [("alice", "done"), ("alice", "skipped")]
    claims = export_lines(project, out, ExportFilter(labels=("claim",)))
    assert len(claims) == 4  # documents without a claim stay, as negative examples
    assert [s["label"] for r in claims for s in r["spans"]] == ["claim"]
    both = export_lines(project, out, ExportFilter(annotators=("alice",), labels=("intervention", "claim")))
    assert [[s["label"] for s in r["spans"]] for r in both] == [["intervention", "claim"], []]


@pytest.mark.parametrize("flt, message", [
    (ExportFilter(labels=("clam",)), "unknown label 'clam'"),
    (ExportFilter(statuses=("finished",)), "unknown status 'finished'"),
    (ExportFilter(annotators=("carol",)), "no annotator named 'carol'"),
])
def test_unknown_filter_values_are_refused(project: Project, tmp_path: Path, flt: ExportFilter, message: str) -> None:
    with pytest.raises(ExportError, match=message):
        run_export(project.repo, "canonical", tmp_path / "x.jsonl", flt)
    assert not (tmp_path / "x.jsonl").exists()


def test_unknown_format_and_missing_folder(project: Project, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="unknown export format 'xlsx'"):
        run_export(project.repo, "xlsx", tmp_path / "x.xlsx")
    with pytest.raises(ExportError, match="does not exist"):
        run_export(project.repo, "canonical", tmp_path / "nope" / "x.jsonl")
    assert "canonical" in FORMATS and FORMATS["canonical"].description


def test_a_failed_export_leaves_the_old_file_and_no_temporary(project: Project, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.jsonl"
    run_export(project.repo, "canonical", out, ExportFilter())
    previous = out.read_bytes()
    calls = {"n": 0}
    real_line = canonical._Parts.line

    def failing_line(self: canonical._Parts, group: object) -> bytes:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real_line(self, group)  # type: ignore[arg-type]

    monkeypatch.setattr(canonical._Parts, "line", failing_line)
    with pytest.raises(OSError, match="disk full"):
        run_export(project.repo, "canonical", out, ExportFilter())
    assert out.read_bytes() == previous
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_cancel_writes_nothing_and_progress_reports_the_total(project: Project, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    result = run_export(project.repo, "canonical", tmp_path / "c.jsonl", ExportFilter(),
                        progress=lambda done, total, _m: seen.append((done, total)), cancelled=lambda: True)
    assert result.cancelled and result.files == [] and not (tmp_path / "c.jsonl").exists()
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".part"]
    result = run_export(project.repo, "canonical", tmp_path / "d.jsonl", ExportFilter(),
                        progress=lambda done, total, _m: seen.append((done, total)))
    assert (result.records, result.spans, result.cancelled) == (4, 4, False)
    assert seen[-1] == (4, 4) and all(total == 4 for _, total in seen)
    if os.name == "posix":
        assert (tmp_path / "d.jsonl").stat().st_mode & 0o777 != 0o600  # not mkstemp's private mode


def test_pdf_documents_carry_page_ranges(tmp_path: Path) -> None:
    pytest.importorskip("annotator.pdf_geometry")
    from array import array

    from annotator.importers.base import PageGeometry

    text = "Page one text.\nPage two text."
    pages = [PageGeometry(0, 0, 15, 595.0, 842.0, 0, array("f", [0.0] * 4 * 15)),
             PageGeometry(1, 15, len(text), 595.0, 842.0, 0, array("f", [0.0] * 4 * (len(text) - 15)))]
    p = open_project(tmp_path / "p.annotator")
    doc_id = add_doc(p, text, "paper", "pdf", pages=pages)
    AnnotationService(p.repo, "alice").add_span(doc_id, 0, 8, "claim")
    (record,) = export_lines(p, tmp_path / "o.jsonl")
    assert record["meta"]["pages"] == [[0, 15], [15, len(text)]]
    assert list(record["meta"]) == ["document_id", "title", "source", "format", "sha256", "pages", "import_meta"]
    p.close()


# -- tokens -------------------------------------------------------------------------------
_TEXTS = st.text(st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=200) | st.text(
    st.sampled_from(list("ab1 _-'’.,\"\\\n\t\x00\x07\x1c\u00a0🦠é漢")), max_size=80)


@given(_TEXTS.filter(lambda t: bool(t.strip())), st.data())
def test_span_tokens_agrees_with_token_range_inside_the_tokens(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    starts, ends = token_bounds(text)
    first, last = span_tokens(starts, ends, start, end)
    assert 0 <= first <= last < len(starts)
    ref_first, ref_last = token_range(starts, ends, start, end)
    if ref_first < len(starts):  # token_range points one past the end for trailing whitespace
        assert (first, last) == (ref_first, min(ref_last, len(starts) - 1))


# -- offsets survive the export, with astral characters -------------------------------------
_PROSE = st.text(st.sampled_from(list("abc XYZ.,;'\"\n🦠😀𝔘é—") + ["\U0001F600", "\u200d", "漢"]),
                 min_size=1, max_size=60)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_PROSE, picks=st.lists(st.tuples(st.integers(0, 60), st.integers(1, 20)), max_size=6))
def test_exported_span_text_is_the_chosen_substring(tmp_path_factory: pytest.TempPathFactory, text: str,
                                                    picks: list[tuple[int, int]]) -> None:
    assume(text.strip())
    folder = tmp_path_factory.mktemp("prop")
    p = open_project(folder / "p.annotator")
    doc_id = add_doc(p, text)
    svc = AnnotationService(p.repo, "alice")
    chosen: dict[tuple[int, int], str] = {}
    for start, length in picks:
        start = min(start, len(text) - 1)
        end = min(len(text), start + length)
        if (start, end) not in chosen:
            svc.add_span(doc_id, start, end, "claim")
            chosen[(start, end)] = text[start:end]
    svc.set_status(doc_id, "done")
    (record,) = export_lines(p, folder / "o.jsonl")
    p.close()
    assert record["text"] == text
    assert {(s["start"], s["end"]): s["text"] for s in record["spans"]} == chosen
    for s in record["spans"]:
        assert s["text"] == text[s["start"]:s["end"]]
        assert s["token_start"] <= s["token_end"] < len(record["tokens"])


# -- streaming ----------------------------------------------------------------------------
def _bulk_project(path: Path, docs: int) -> Project:
    p = open_project(path)
    batch = []
    for i in range(docs):
        text = f"Document {i}: probiotics may reduce nerve pain, says study {i * 7}. " * 8
        spans = [ImportedSpan(0, 8, "claim"), ImportedSpan(12, 22, "intervention"), ImportedSpan(30, 47, "mechanism")]
        batch.append((ImportedDocument(text, f"d{i}", "txt", f"d{i}.txt", spans=spans, annotator="alice",
                                       status="done"), sha256_text(text)))
    p.repo.add_documents(batch)
    return p


def _peak_while_exporting(p: Project, out: Path) -> int:
    options = ExportOptions()
    run_export(p.repo, "canonical", out, ExportFilter(), options=options)  # warm caches (compiled SQL, imports)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        run_export(p.repo, "canonical", out, ExportFilter(), options=options)
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_corpus(tmp_path: Path) -> None:
    small = _bulk_project(tmp_path / "small.annotator", 200)
    large = _bulk_project(tmp_path / "large.annotator", 2000)
    small_peak = _peak_while_exporting(small, tmp_path / "small.jsonl")
    large_peak = _peak_while_exporting(large, tmp_path / "large.jsonl")
    small.close()
    large.close()
    assert (tmp_path / "large.jsonl").stat().st_size > 9 * (tmp_path / "small.jsonl").stat().st_size
    # Ten times the documents: the peak may wobble with buffers, but must not scale with them.
    assert large_peak < 1.5 * small_peak + 512 * 1024, (small_peak, large_peak)
