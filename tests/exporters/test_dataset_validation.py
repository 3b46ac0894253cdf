"""`annotator validate` knows the dataset JSONL formats: clean exports pass, broken lines are named."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

from annotator.exporters.registry import FORMATS, run_export
from annotator.validation import detect_format, validate_file
from annotator.validation_rules import QUICK_TESTS, SchemaChecker

from .corpus import LABELS, jsonl, small_project

JSONL_FORMATS = ["canonical", "spans", "sentences", "hf-bio", "doccano", "w3c"]


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    p = small_project(folder / "p.annotator")
    out = {}
    for fmt in JSONL_FORMATS:
        out[fmt] = folder / f"{fmt}.jsonl"
        run_export(p.repo, fmt, out[fmt])
    p.close()
    return out


def write(path: Path, records: list[Any]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


@pytest.mark.parametrize("fmt", JSONL_FORMATS)
def test_every_jsonl_export_validates_and_is_recognised(exports: dict[str, Path], fmt: str) -> None:
    report = validate_file(exports[fmt], set(LABELS))
    assert report.ok, [str(p) for p in report.problems]
    assert report.format == fmt and report.records == len(jsonl(exports[fmt]))
    assert all(detect_format(x) == fmt for x in jsonl(exports[fmt]))


def test_every_jsonl_dataset_format_has_a_schema() -> None:
    for name, spec in FORMATS.items():
        if spec.jsonl:
            assert name in QUICK_TESTS and SchemaChecker(name).validator.schema["title"]


BREAKS = {
    "spans": (lambda x: x.update(text=x["text"] + "!"), "$.text", "differs from context"),
    "sentences": (lambda x: x.update(end=x["end"] + 1), "$", "hold"),
    "hf-bio": (lambda x: x["ner_tags"].pop(), "$.ner_tags", "tags for"),
    "w3c": (lambda x: x["target"]["selector"][0].update(end=x["target"]["selector"][0]["end"] + 1),
            "$.target.selector[1].exact", "code points"),
    "doccano": (lambda x: x.setdefault("notes", []).append([0, 1, "claim", "n"]), "$.notes", "not in label"),
}


@pytest.mark.parametrize("fmt", list(BREAKS))
def test_a_broken_line_is_reported_with_its_line_and_path(exports: dict[str, Path], tmp_path: Path, fmt: str) -> None:
    lines = jsonl(exports[fmt])
    broken = copy.deepcopy(lines[1])
    change, path, message = BREAKS[fmt]
    change(broken)
    report = validate_file(write(tmp_path / "b.jsonl", [lines[0], broken, *lines[2:]]))
    assert [(p.line, p.path.split("[")[0] if fmt == "doccano" else p.path) for p in report.problems] == [(2, path)]
    assert message in report.problems[0].message


def test_bio_i_tag_must_continue_its_label(exports: dict[str, Path], tmp_path: Path) -> None:
    line = jsonl(exports["hf-bio"])[0]
    line["ner_tags"][0] = 4  # I-mechanism with nothing before it; the I-claim after it is now orphaned too
    report = validate_file(write(tmp_path / "b.jsonl", [line]))
    assert [p.path for p in report.problems] == ["$.ner_tags[0]", "$.ner_tags[1]"]
    assert "does not continue" in report.problems[0].message


def test_unknown_labels_in_dataset_lines(exports: dict[str, Path], tmp_path: Path) -> None:
    for fmt, change in (("spans", lambda x: x.update(label="rumour")),
                        ("sentences", lambda x: x.update(labels=["rumour"])),
                        ("w3c", lambda x: x["body"][0].update(value="rumour"))):
        line = jsonl(exports[fmt])[0]
        change(line)
        report = validate_file(write(tmp_path / f"{fmt}.jsonl", [line]), set(LABELS))
        assert len(report.problems) == 1 and "unknown label 'rumour'" in report.problems[0].message, fmt


def test_schema_violations_in_dataset_lines(exports: dict[str, Path], tmp_path: Path) -> None:
    line = jsonl(exports["w3c"])[0]
    line["@context"] = "http://example.org/other.jsonld"
    report = validate_file(write(tmp_path / "w.jsonl", [line]))
    assert report.format == "w3c" and report.problems[0].path == "$['@context']"
    bio = jsonl(exports["hf-bio"])[0]
    bio["tokens"][2] = ""
    report = validate_file(write(tmp_path / "h.jsonl", [bio]))
    assert [p.path for p in report.problems] == ["$.tokens[2]"]
