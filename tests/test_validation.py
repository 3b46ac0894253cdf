from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.exporters.registry import run_export
from annotator.importers.base import ImportedDocument
from annotator.importing import sha256_text
from annotator.project import open_project
from annotator.services import AnnotationService
from annotator.storage.repository import ExportFilter
from annotator.validation import MAX_KEPT, detect_format, validate_file
from annotator.validation_rules import QUICK_TESTS, SchemaChecker

TEXT = "Probiotics 🦠 reduce nerve pain.\nAsk your doctor first."


def canonical_lines(tmp_path: Path) -> list[dict[str, Any]]:
    """A real export: alice and bob on one document, alice on another."""
    p = open_project(tmp_path / "v.annotator")
    ids = p.repo.add_documents([(ImportedDocument(t, t[:8], "txt", "x.txt"), sha256_text(t))
                                for t in (TEXT, "Vitamin D may help.")])
    alice, bob = AnnotationService(p.repo, "alice"), AnnotationService(p.repo, "bob")
    alice.add_span(ids[0], 0, 10, "intervention")
    alice.add_span(ids[0], 13, 31, "claim", note="strong")
    bob.add_span(ids[0], 13, 31, "claim")
    alice.set_status(ids[1], "done")
    run_export(p.repo, "canonical", tmp_path / "good.jsonl", ExportFilter())
    p.close()
    return [orjson.loads(line) for line in (tmp_path / "good.jsonl").read_bytes().splitlines()]


def write(path: Path, records: list[Any]) -> Path:
    path.write_bytes(b"".join((r if isinstance(r, bytes) else orjson.dumps(r)) + b"\n" for r in records))
    return path


def test_a_real_export_passes(tmp_path: Path) -> None:
    canonical_lines(tmp_path)
    report = validate_file(tmp_path / "good.jsonl")
    assert report.ok and report.problems == []
    assert (report.format, report.records) == ("canonical", 3)


def test_empty_file_and_blank_lines(tmp_path: Path) -> None:
    report = validate_file(write(tmp_path / "e.jsonl", []))
    assert report.ok and report.format is None and report.records == 0
    lines = canonical_lines(tmp_path)
    report = validate_file(write(tmp_path / "b.jsonl", [lines[0], b"", b"   ", lines[1]]))
    assert report.ok and report.records == 2


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]

    def edit(rec: dict[str, Any]) -> None:
        node: Any = rec
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    return edit


def _delete(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda rec: rec.pop(key)


BAD_EDITS: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("bad status", _set("status", "finished"), "$.status", "is not one of"),
    ("missing meta", _delete("meta"), "$", "'meta' is a required property"),
    ("negative start", _set("spans.0.start", -1), "$.spans[0].start", "less than the minimum"),
    ("unexpected span key", _set("spans.0.lable", "claim"), "$.spans[0]", "Additional properties"),
    ("span text mismatch", _set("spans.0.text", "Probiotic"), "$.spans[0].text", "differs from text[0:10]"),
    ("end beyond text", _set("spans.1.end", 500), "$.spans[1]", "ends beyond the text"),
    ("reversed", _set("spans.1.start", 40), "$.spans[1]", "reversed offsets"),
    ("empty span", _set("spans.1.start", 31), "$.spans[1]", "empty span"),
    ("token_end off", _set("spans.1.token_end", 4), "$.spans[1]", "do not match the tokens"),
    ("token text", _set("tokens.2.text", "reduced"), "$.tokens[2]", "differs from text[13:19]"),
    ("token id", _set("tokens.2.id", 7), "$.tokens[2].id", "should be its index 2"),
    ("token ws", _set("tokens.0.ws", False), "$.tokens[0].ws", "ws should be true"),
    ("tokens rebuild", lambda x: x["tokens"].pop(), "$.tokens", "do not rebuild the text"),
    ("edited text", _set("text", TEXT.replace("nerve", "NERVE")), "$.meta.sha256", "does not match the text"),
    ("input hash", _set("_input_hash", 5), "$._input_hash", "does not match the text"),
    ("answer", _set("answer", "reject"), "$.answer", "should be 'accept'"),
    ("bad label name", _set("spans.0.label", "Claim!"), "$.spans[0].label", "does not match"),
]


@pytest.mark.parametrize("name, edit, path, message", BAD_EDITS, ids=[b[0] for b in BAD_EDITS])
def test_each_kind_of_bad_record_is_reported_with_its_line(tmp_path: Path, name: str,
                                                           edit: Callable[[dict[str, Any]], None],
                                                           path: str, message: str) -> None:
    lines = canonical_lines(tmp_path)
    bad = copy.deepcopy(lines[0])
    edit(bad)
    report = validate_file(write(tmp_path / "bad.jsonl", [lines[1], lines[2], bad]))
    assert not report.ok and {p.line for p in report.problems} == {3}, report.problems
    matching = [p for p in report.problems if p.path == path]
    assert matching and message in matching[0].message, report.problems
    assert str(matching[0]).startswith("line 3: " if path == "$" else f"line 3: {path}: ")


def test_malformed_json_and_non_objects(tmp_path: Path) -> None:
    lines = canonical_lines(tmp_path)
    report = validate_file(write(tmp_path / "m.jsonl", [lines[0], b'{"text": "unterminated', b"[1, 2]", lines[1]]))
    assert [(p.line, p.message.split(":")[0]) for p in report.problems] == [
        (2, "malformed JSON"), (3, "a record must be a JSON object, not list")]
    assert report.records == 2


def test_repeated_records_and_span_ids(tmp_path: Path) -> None:
    lines = canonical_lines(tmp_path)
    twin = copy.deepcopy(lines[1])
    twin["annotator"] = "carol"  # a new record, but bob's span id again
    report = validate_file(write(tmp_path / "d.jsonl", [lines[0], lines[1], lines[1], twin]))
    found = [(p.line, p.path, p.message) for p in report.problems]
    assert (3, "$", f"document {lines[1]['meta']['document_id']} by 'bob' repeats line 2") in found
    assert any(line == 4 and path == "$.spans[0].id" and "repeats line 2" in msg for line, path, msg in found)


def test_mixed_formats_are_reported(tmp_path: Path) -> None:
    lines = canonical_lines(tmp_path)
    report = validate_file(write(tmp_path / "x.jsonl", [lines[0], {"text": "Hi there", "label": [[0, 2, "claim"]]}]))
    assert report.format == "canonical"
    assert [(p.line, p.message) for p in report.problems] == [
        (2, "looks like a doccano record, but the file's first record is canonical")]


def test_prodigy_records(tmp_path: Path) -> None:
    good = {"text": "Fish oil helps.", "spans": [{"start": 0, "end": 8, "label": "INTERVENTION", "token_start": 0,
                                                   "token_end": 1}],
            "tokens": [{"text": "Fish", "start": 0, "end": 4, "id": 0}, {"text": "oil", "start": 5, "end": 8, "id": 1},
                       {"text": "helps", "start": 9, "end": 14, "id": 2}, {"text": ".", "start": 14, "end": 15, "id": 3}],
            "_annotator_id": "ds-alice", "answer": "accept", "_input_hash": 1, "_task_hash": 2}
    bare = {"text": "No tokens here.", "spans": [{"start": 3, "end": 9, "label": "x", "text": "tokens"}]}
    report = validate_file(write(tmp_path / "p.jsonl", [good, bare]))
    assert report.ok and report.format == "prodigy"
    bad = copy.deepcopy(good)
    bad["spans"][0]["token_end"] = 2
    mismatch = {"text": "No tokens here.", "spans": [{"start": 3, "end": 9, "label": "x", "text": "token"}]}
    report = validate_file(write(tmp_path / "q.jsonl", [good, bad, mismatch]))
    assert [(p.line, p.path) for p in report.problems] == [(2, "$.spans[0]"), (3, "$.spans[0].text")]


def test_doccano_records(tmp_path: Path) -> None:
    good = {"id": 1, "text": "Fish oil helps.", "label": [[0, 8, "intervention"], [9, 14, "claim"]]}
    report = validate_file(write(tmp_path / "d.jsonl", [good]))
    assert report.ok and report.format == "doccano" and detect_format(good) == "doccano"
    bad = [{"id": 2, "text": "Short.", "label": [[0, 99, "claim"]]},
           {"id": 3, "text": "Short.", "label": [[4, 2, "claim"]]},
           {"id": 4, "text": "Short.", "label": [[0, 2]]},
           {"id": 1, "text": "Again.", "label": []}]
    report = validate_file(write(tmp_path / "e.jsonl", [good, *bad]))
    assert [(p.line, p.path) for p in report.problems] == [(2, "$.label[0]"), (3, "$.label[0]"),
                                                           (4, "$.label[0]"), (5, "$")]
    assert "repeats line 1" in report.problems[-1].message


def test_labels_checked_against_a_project(tmp_path: Path) -> None:
    good = {"text": "Fish oil helps.", "label": [[0, 8, "intervention"], [9, 14, "claims"]]}
    report = validate_file(write(tmp_path / "d.jsonl", [good]), labels={"claim", "intervention"})
    assert [(p.line, p.path) for p in report.problems] == [(1, "$.label[1]")]
    assert "unknown label 'claims'" in report.problems[0].message


def test_problem_list_is_capped_but_counted(tmp_path: Path) -> None:
    records = [b"not json"] * (MAX_KEPT + 20)
    report = validate_file(write(tmp_path / "many.jsonl", records))
    assert len(report.problems) == MAX_KEPT and report.problem_count == MAX_KEPT + 20


# The quick per-item tests must never pass what the schema refuses.
_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(-1, 3), st.text(max_size=3),
                    st.sampled_from(["claim", "Claim", "a" * 33, "x\n"]), st.lists(st.integers(0, 3), max_size=3))
_KEYS = st.sampled_from(["text", "start", "end", "id", "ws", "token_start", "token_end", "label", "note", "other"])


@given(st.sampled_from([(f, k) for f, tests in QUICK_TESTS.items() for k in tests]),
       st.dictionaries(_KEYS, _VALUES, max_size=9) | st.lists(_VALUES, max_size=4))
def test_quick_item_tests_are_at_least_as_strict_as_the_schema(which: tuple[str, str], item: Any) -> None:
    fmt, key = which
    if QUICK_TESTS[fmt][key](item):
        assert not list(SchemaChecker(fmt).items[key].iter_errors(item)), item


@pytest.mark.parametrize("fmt, key, item", [
    ("canonical", "tokens", {"text": "a", "start": 0, "end": 1, "id": 0, "ws": False}),
    ("canonical", "spans", {"start": 0, "end": 1, "token_start": 0, "token_end": 0, "label": "claim",
                            "text": "a", "id": "x", "note": None}),
    ("prodigy", "spans", {"start": 0, "end": 1, "label": "ORG"}),
    ("doccano", "label", [0, 1, "claim"]),
])
def test_quick_item_tests_pass_ordinary_items(fmt: str, key: str, item: Any) -> None:
    assert QUICK_TESTS[fmt][key](item)


def test_a_canonical_line_missing_its_hashes_stands_out(tmp_path: Path) -> None:
    lines = canonical_lines(tmp_path)
    stripped = copy.deepcopy(lines[1])
    del stripped["_task_hash"]
    report = validate_file(write(tmp_path / "s.jsonl", [lines[0], stripped]))
    assert [(p.line, p.message) for p in report.problems] == [
        (2, "looks like a prodigy record, but the file's first record is canonical")]


def _earlier_tokens(text: str) -> list[dict[str, Any]]:
    """Tokens as versions before schema 7 wrote them: no whitespace tokens, ws = any space follows."""
    import re

    found = re.finditer(r"\w+(?:[-'’.,]\w+)*|[^\w\s]", text)
    return [{"text": m.group(), "start": m.start(), "end": m.end(), "id": i,
             "ws": m.end() < len(text) and text[m.end()].isspace()} for i, m in enumerate(found)]


def test_an_earlier_canonical_export_still_imports_but_validate_says_its_tokens_do_not_rebuild(tmp_path: Path) -> None:
    from annotator.importing import import_paths

    lines = canonical_lines(tmp_path)
    old = []
    for line in lines:
        line = copy.deepcopy(line)
        line["text"] = line["text"] + "\n\nMore text."
        line["meta"]["sha256"] = sha256_text(line["text"])
        line["meta"]["document_id"] = line["meta"]["sha256"][:16]
        from annotator.canonical_record import input_hash_from_sha256

        line["_input_hash"] = input_hash_from_sha256(line["meta"]["sha256"])
        line["tokens"] = _earlier_tokens(line["text"])
        old.append(line)
    path = write(tmp_path / "earlier.jsonl", old)
    report = validate_file(path)
    assert not report.ok and any("rebuild" in p.message or ".ws" in p.path for p in report.problems)
    p = open_project(tmp_path / "fresh.annotator")
    try:
        result = import_paths(p.repo, [path])
        assert not result.refused, result.refused
        assert p.repo.stats()["documents"] == len({line["text"] for line in old})
    finally:
        p.close()
