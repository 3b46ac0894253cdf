"""Checking JSONL annotation files: the canonical export, Prodigy span records, doccano labels,
and the dataset exports written one JSON object per line (spans, sentences, hf-bio, w3c).

:func:`validate_file` streams a file line by line (memory grows only with the ids it must
remember to find repeats) and reports every problem with its line number and JSON path:
malformed JSON, schema violations (the JSON Schemas in ``annotator/schemas``), and what a
schema cannot say — span text that differs from ``text[start:end]``, offsets outside the
text or reversed, token indices that disagree with the tokens, stale hashes, repeated ids.
The JSONL importer runs the same :class:`RecordChecker`, so a file that validates imports.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from annotator.validation_datasets import labels_named
from annotator.validation_rules import FORMATS, SchemaChecker, has_core_tokens, semantic_problems

MAX_KEPT = 1000  # problems kept in a report; the count goes on
MAX_PER_RECORD = 20  # a record with thousands of bad tokens should not drown the rest
MAX_JSON_DEPTH = 100  # levels of objects and arrays in one record


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    path: str  # JSON path inside the record ("$" for the record itself)
    message: str

    def __str__(self) -> str:
        where = "" if self.path == "$" else f" {self.path}:"
        return f"line {self.line}:{where} {self.message}"


@dataclass
class ValidationReport:
    path: str
    format: str | None = None  # one of FORMATS; None for an empty file
    records: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problems: list[Problem]) -> None:
        self.problem_count += len(problems)
        room = MAX_KEPT - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])


def detect_format(obj: dict[str, Any]) -> str:
    """Which kind of record this is.

    ``annotator`` with ``_task_hash`` is canonical (only ``annotator export`` writes both);
    ``label`` pairs without ``spans`` are doccano; the dataset exports have keys of their own
    (``@context``: w3c, ``ner_tags``: hf-bio, ``context``: spans, ``labels``: sentences);
    anything else is Prodigy-style spans, which may also name an ``annotator`` and a
    ``status`` (hand-written pre-annotations).
    """
    if "@context" in obj or obj.get("type") == "Annotation":
        return "w3c"
    if "ner_tags" in obj:
        return "hf-bio"
    if "context" in obj and "spans" not in obj:
        return "spans"
    if "labels" in obj and "spans" not in obj and "label" not in obj:
        return "sentences"
    if isinstance(obj.get("label"), list) and "spans" not in obj:
        return "doccano"
    if "annotator" in obj and "_task_hash" in obj:
        return "canonical"
    return "prodigy"


class RecordChecker:
    """Checks one line at a time and remembers ids, to find repeats across the whole file.

    The first record fixes the file's format; a record of another kind is a problem.
    """

    def __init__(self, labels: set[str] | None = None, *, rebuild: bool = False) -> None:
        self.format: str | None = None
        # Whether tokens are checked, and canonical ones must rebuild the text in spaCy (`annotator
        # validate`). Importing does not: it ignores tokens, and earlier versions wrote other ones.
        self.rebuild = rebuild
        self.labels = labels  # when given, spans with other labels are problems
        self._schemas: dict[str, SchemaChecker] = {}
        self._span_ids: dict[str, int] = {}
        self._record_keys: dict[tuple[str, ...], int] = {}

    def parse(self, line_no: int, raw: bytes) -> tuple[dict[str, Any] | None, list[Problem]]:
        """The record on a line, or None with the reason. Blank lines give (None, [])."""
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            return None, []
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            return None, [Problem(line_no, "$", f"malformed JSON: {exc}")]
        if not isinstance(obj, dict):
            return None, [Problem(line_no, "$", f"a record must be a JSON object, not {type(obj).__name__}")]
        if _nested_deeper_than(obj, MAX_JSON_DEPTH):
            return None, [Problem(line_no, "$", f"nested more than {MAX_JSON_DEPTH} levels deep")]
        return obj, []

    def check(self, line_no: int, obj: dict[str, Any]) -> list[Problem]:
        fmt = detect_format(obj)
        if self.format is None:
            self.format = fmt
        elif fmt != self.format:
            return [Problem(line_no, "$", f"looks like a {fmt} record, but the file's first record is {self.format}")]
        schema = self._schemas.get(fmt)
        if schema is None:
            schema = self._schemas[fmt] = SchemaChecker(fmt)
        core = self.rebuild and has_core_tokens(fmt, obj)  # then every token check passes
        found = [Problem(line_no, p, m) for p, m in schema.problems(obj, MAX_PER_RECORD,
                                                                    core=core or not self.rebuild)]
        if found:  # the semantic checks assume the shapes the schema promises
            return found
        found = [Problem(line_no, p, m) for p, m in semantic_problems(fmt, obj, MAX_PER_RECORD, rebuild=self.rebuild,
                                                                     core=core)]
        if self.labels is not None:
            found += self._unknown_labels(line_no, fmt, obj)
        return found + self._repeats(line_no, fmt, obj)

    def _unknown_labels(self, line_no: int, fmt: str, obj: dict[str, Any]) -> list[Problem]:
        assert self.labels is not None
        if fmt == "doccano":
            named = [(f"$.label[{i}]", x[2]) for i, x in enumerate(obj["label"])]
        elif fmt in ("canonical", "prodigy"):
            named = [(f"$.spans[{i}].label", s["label"]) for i, s in enumerate(obj.get("spans") or ())]
        else:
            named = labels_named(fmt, obj)
        known = ", ".join(sorted(self.labels))
        return [Problem(line_no, path, f"unknown label {label!r} (project labels: {known})")
                for path, label in named if label not in self.labels][:MAX_PER_RECORD]

    def _repeats(self, line_no: int, fmt: str, obj: dict[str, Any]) -> list[Problem]:
        found: list[Problem] = []
        key: tuple[str, ...] | None = None
        if fmt == "canonical":
            key = ("doc", obj["meta"]["document_id"], obj["annotator"])
            what = f"document {key[1]} by {key[2]!r}"
        elif "id" in obj:
            key = ("id", repr(obj["id"]))
            what = f"record id {obj['id']!r}"
        if key is not None:
            first = self._record_keys.setdefault(key, line_no)
            if first != line_no:
                found.append(Problem(line_no, "$", f"{what} repeats line {first}"))
        here: set[str] = set()
        for i, span in enumerate(obj.get("spans") or ()):
            span_id = span.get("id")
            if isinstance(span_id, str):
                first = self._span_ids.setdefault(span_id, line_no)
                if first != line_no or span_id in here:
                    found.append(Problem(line_no, f"$.spans[{i}].id", f"span id {span_id!r} repeats line {first}"))
                here.add(span_id)
        return found


def _nested_deeper_than(obj: dict[str, Any], limit: int) -> bool:
    """Whether the record nests objects or arrays more than ``limit`` levels deep (no record
    needs that; storing its meta would exhaust the recursion limit). The tokens array is
    flat (objects of numbers and strings), so it is not walked."""
    stack: list[tuple[Any, int]] = [(v, 2) for k, v in obj.items() if k != "tokens"]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            values = value.values()
        elif isinstance(value, list):
            values = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((v, depth + 1) for v in values if isinstance(v, dict | list))
    return False


def iter_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) for each line of a file, read in binary so nothing is decoded twice."""
    with open(path, "rb") as fh:
        yield from enumerate(fh, start=1)


def validate_file(path: str | Path, labels: set[str] | None = None) -> ValidationReport:
    """Check every line of a JSONL file (and, given a project's ``labels``, the span labels).

    Raises OSError if the file cannot be read.
    """
    path = Path(path)
    report = ValidationReport(str(path))
    checker = RecordChecker(labels, rebuild=True)
    for line_no, raw in iter_lines(path):
        obj, problems = checker.parse(line_no, raw)
        if obj is not None:
            report.records += 1
            problems = checker.check(line_no, obj)
        if problems:
            report.add(problems)
    report.format = checker.format
    return report


__all__ = ["FORMATS", "Problem", "RecordChecker", "ValidationReport", "detect_format", "validate_file"]
