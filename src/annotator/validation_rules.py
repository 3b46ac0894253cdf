"""The checks behind :mod:`annotator.validation`: the JSON Schemas, and what they cannot say.

jsonschema spends ~100 µs per object, far too slow for records holding thousands of tokens.
So the big arrays (``tokens``, ``spans``, doccano ``label``) are taken out of the record
before it meets the schema, and each of their items first passes a quick hand-written test
that is at least as strict as its schema (tests/test_validation.py checks that on random
items). Only an item failing the quick test goes through jsonschema, whose message and path
are then reported, so the schema files stay the one statement of the format.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from itertools import islice
from typing import Any

from jsonschema import Draft202012Validator

from annotator import validation_datasets as datasets
from annotator.canonical_record import ANSWERS, document_key, input_hash_from_sha256, load_schema
from annotator.text import Utf16Map, span_tokens, token_columns

FORMATS: tuple[str, ...] = ("canonical", "prodigy", "doccano", "spans", "sentences", "hf-bio", "w3c")
_MAX_MESSAGE = 300
_LABEL = re.compile(r"[a-z][a-z0-9_-]{0,39}")

Found = list[tuple[str, str]]  # (JSON path, message)


def _off(x: Any) -> bool:
    return type(x) is int and x >= 0


def _opt(item: dict[str, Any], key: str, test: Callable[[Any], bool]) -> bool:
    return key not in item or test(item[key])


def _canonical_token(t: Any) -> bool:
    return (type(t) is dict and len(t) == 5 and type(t.get("text")) is str and t["text"] != ""
            and _off(t.get("start")) and _off(t.get("end")) and _off(t.get("id")) and type(t.get("ws")) is bool)


def _canonical_span(s: Any) -> bool:
    return (type(s) is dict and len(s) == 8 and _off(s.get("start")) and _off(s.get("end"))
            and _off(s.get("token_start")) and _off(s.get("token_end"))
            and type(s.get("label")) is str and _LABEL.fullmatch(s["label"]) is not None
            and type(s.get("text")) is str and type(s.get("id")) is str and 1 <= len(s["id"]) <= 32
            and "note" in s and (s["note"] is None or type(s["note"]) is str))


def _prodigy_token(t: Any) -> bool:
    return (type(t) is dict and type(t.get("text")) is str and _off(t.get("start")) and _off(t.get("end"))
            and _off(t.get("id")) and _opt(t, "ws", lambda v: type(v) is bool))


def _prodigy_span(s: Any) -> bool:
    return (type(s) is dict and _off(s.get("start")) and _off(s.get("end"))
            and type(s.get("label")) is str and s["label"] != ""
            and _opt(s, "token_start", _off) and _opt(s, "token_end", _off)
            and _opt(s, "text", lambda v: type(v) is str) and _opt(s, "id", lambda v: type(v) in (str, int))
            and _opt(s, "note", lambda v: v is None or type(v) is str))


def _doccano_label(x: Any) -> bool:
    return type(x) is list and len(x) == 3 and _off(x[0]) and _off(x[1]) and type(x[2]) is str and x[2] != ""


QUICK_TESTS: dict[str, dict[str, Callable[[Any], bool]]] = {
    "canonical": {"tokens": _canonical_token, "spans": _canonical_span},
    "prodigy": {"tokens": _prodigy_token, "spans": _prodigy_span},
    "doccano": {"label": _doccano_label},
    **datasets.QUICK_TESTS,
}


def core_tokens(text: str) -> list[dict[str, Any]]:
    """The canonical record's ``tokens`` for ``text``, as the exporter writes them."""
    texts, starts, ends, spaces = token_columns(text)
    return [{"text": t, "start": s, "end": e, "id": i, "ws": w}
            for i, (t, s, e, w) in enumerate(zip(texts, starts, ends, spaces))]


def has_core_tokens(fmt: str, obj: dict[str, Any]) -> bool:
    """Whether a canonical record's tokens are exactly the app's own for its text: then they
    pass every token check, and one comparison in C replaces a Python test per token."""
    return (fmt == "canonical" and isinstance(obj.get("text"), str) and isinstance(obj.get("tokens"), list)
            and obj["tokens"] == core_tokens(obj["text"]))


def _message(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


class SchemaChecker:
    """One format's schema, with the big arrays checked item by item behind a quick test."""

    def __init__(self, fmt: str) -> None:
        root = load_schema(fmt)
        self.fmt = fmt
        self.validator = Draft202012Validator(root)
        self.quick = QUICK_TESTS[fmt]
        self.items = {key: Draft202012Validator({"$defs": root.get("$defs", {}), **root["properties"][key]["items"]})
                      for key in self.quick}

    def problems(self, obj: dict[str, Any], limit: int, *, core: bool = False) -> Found:
        """Schema problems; ``core``: the record's tokens are the app's own (:func:`has_core_tokens`)."""
        bulky = [k for k in self.quick if isinstance(obj.get(k), list) and obj[k]]
        shallow = {**obj, **{k: [] for k in bulky}} if bulky else obj
        found = [(e.json_path, _message(e.message)) for e in islice(self.validator.iter_errors(shallow), limit)]
        for key in bulky:
            if key == "tokens" and core:
                continue
            quick, items = self.quick[key], self.items[key]
            for i, item in enumerate(obj[key]):
                if len(found) >= limit:
                    return found
                if not quick(item):
                    found += [(f"$.{key}[{i}]{e.json_path[1:]}", _message(e.message))
                              for e in islice(items.iter_errors(item), limit)]
        return found[:limit]


def _excerpt(text: str, width: int = 60) -> str:
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def _token_problems(text: str, tokens: list[dict[str, Any]], rebuild: bool, found: Found,
                    ) -> tuple[list[int], list[int]] | None:
    """Token starts and ends if every token matches the text, else None (problems added).

    With ``rebuild`` (canonical records) the tokens must also rebuild the text as spaCy's
    ``Doc(vocab, words, spaces).text`` does: each token starts where the one before it
    ended plus its trailing space, ``ws`` means one plain space follows, and the last token
    (with its space) ends the text.
    """
    n = len(text)
    starts: list[int] = []
    ends: list[int] = []
    prev = 0
    before = len(found)
    for i, t in enumerate(tokens):
        s, e, path = t["start"], t["end"], f"$.tokens[{i}]"
        if type(s) is not int or type(e) is not int:
            found.append((path, "start and end must be integers"))
        elif not prev <= s < e <= n:
            found.append((path, f"token [{s}, {e}) is empty, out of order, overlapping or outside the text (length {n})"))
        elif text[s:e] != t["text"]:
            found.append((path, f"token text {_excerpt(t['text'])} differs from text[{s}:{e}] {_excerpt(text[s:e])}"))
        elif t["id"] != i:
            found.append((f"{path}.id", f"token id {t['id']} should be its index {i}"))
        elif rebuild and s != prev and i and s == prev + 1 and text[prev] == " ":
            found.append((f"$.tokens[{i - 1}].ws", "ws should be true: one plain space follows the token"))
        elif rebuild and s != prev:
            found.append((path, f"text[{prev}:{s}] is in no token: the tokens do not rebuild the text"))
        elif rebuild and t["ws"] and text[e:e + 1] != " ":
            found.append((f"{path}.ws", "ws is true but no plain space follows the token"))
        else:
            starts.append(s)
            ends.append(e)
            prev = e + 1 if rebuild and t["ws"] else e
            continue
        if len(found) - before >= 5:  # one early mistake shifts every later token
            break
    if rebuild and len(found) == before and prev != n:
        found.append(("$.tokens", f"text[{prev}:{n}] is in no token: the tokens do not rebuild the text"))
    return (starts, ends) if len(found) == before else None


def _span_problems(text: str, spans: list[tuple[str, dict[str, Any] | None, Any, Any, Any]],
                   bounds: tuple[list[int], list[int]] | None, found: Found) -> None:
    n = len(text)
    seen: set[tuple[int, int, str]] = set()
    for path, span, s, e, label in spans:
        if type(s) is not int or type(e) is not int:
            found.append((path, "start and end must be integers"))
            continue
        if s > e:
            found.append((path, f"reversed offsets: start {s} is after end {e}"))
            continue
        if s == e:
            found.append((path, f"empty span [{s}, {e})"))
            continue
        if e > n:
            found.append((path, f"span [{s}, {e}) ends beyond the text (length {n})"))
            continue
        if span is not None and "text" in span and span["text"] != text[s:e]:
            found.append((f"{path}.text", f"span text {_excerpt(span['text'])} differs from text[{s}:{e}] "
                                          f"{_excerpt(text[s:e])}"))
        if (s, e, label) in seen:
            found.append((path, f"duplicate span [{s}, {e}) {label}"))
        seen.add((s, e, label))
        if span is not None and ("token_start" in span or "token_end" in span):
            _token_index_problem(path, span, s, e, bounds, found)


def _token_index_problem(path: str, span: dict[str, Any], s: int, e: int,
                         bounds: tuple[list[int], list[int]] | None, found: Found) -> None:
    if "token_start" not in span or "token_end" not in span:
        found.append((path, "token_start and token_end come together"))
        return
    if bounds is None:  # no tokens, or broken ones (already reported)
        return
    expected = span_tokens(bounds[0], bounds[1], s, e)
    if (span["token_start"], span["token_end"]) != expected:
        found.append((path, f"token_start/token_end ({span['token_start']}, {span['token_end']}) do not match "
                            f"the tokens: [{s}, {e}) covers tokens {expected[0]}..{expected[1]}"))


def _canonical_problems(obj: dict[str, Any], found: Found) -> None:
    text, meta = obj["text"], obj["meta"]
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if meta["sha256"] != sha:
        found.append(("$.meta.sha256", "does not match the text (was the text edited after export?)"))
    elif meta["document_id"] != document_key(sha):
        found.append(("$.meta.document_id", f"should be the first 16 hex digits of meta.sha256 ({document_key(sha)})"))
    if obj["_input_hash"] != input_hash_from_sha256(sha):
        found.append(("$._input_hash", f"does not match the text (expected {input_hash_from_sha256(sha)})"))
    if obj["answer"] != ANSWERS[obj["status"]]:
        found.append(("$.answer", f"should be {ANSWERS[obj['status']]!r} for status {obj['status']!r}"))
    for j, (a, b) in enumerate(meta.get("pages", ())):
        if not (type(a) is int and type(b) is int and 0 <= a <= b <= len(text)):
            found.append((f"$.meta.pages[{j}]", f"page range [{a}, {b}) is reversed or outside the text"))


def codepoint_offsets(obj: dict[str, Any]) -> dict[str, Any]:
    """A doccano record with ``"offsets": "utf16"`` (UTF-16 code units) with its offsets as code points."""
    if obj.get("offsets") != "utf16":
        return obj
    units = Utf16Map(obj["text"])
    back = units.to_codepoint
    out = dict(obj, label=[[back(s), back(e), *rest] for s, e, *rest in obj["label"]])
    if obj.get("notes"):
        out["notes"] = [[back(s), back(e), *rest] for s, e, *rest in obj["notes"]]
    return out


def semantic_problems(fmt: str, obj: dict[str, Any], limit: int, *, rebuild: bool = True,
                      core: bool = False) -> Found:
    """What the schema cannot check, for a record that passed it. With ``rebuild``, canonical
    tokens must rebuild the text (spaCy's convention); without it tokens are not checked (an
    import does not read them)."""
    found: Found = []
    if fmt == "spans":
        datasets.spans_problems(obj, found)
    elif fmt == "sentences":
        datasets.sentences_problems(obj, found)
    elif fmt == "hf-bio":
        datasets.hf_bio_problems(obj, found, limit)
    elif fmt == "w3c":
        datasets.w3c_problems(obj, found)
    if fmt in datasets.QUICK_TESTS:
        return found[:limit]
    text: str = obj["text"]
    if "\r" in text:
        found.append(("$.text", "contains carriage returns (\\r); annotator texts use \\n newlines only"))
    if fmt == "doccano":
        obj = codepoint_offsets(obj)
        spans = [(f"$.label[{i}]", None, x[0], x[1], x[2]) for i, x in enumerate(obj["label"])]
        _span_problems(text, spans, None, found)
        datasets.doccano_note_problems(obj, found)
        return found[:limit]
    bounds = None
    if not rebuild:
        bounds = None
    elif core:
        bounds = [t["start"] for t in obj["tokens"]], [t["end"] for t in obj["tokens"]]
    elif isinstance(obj.get("tokens"), list):
        bounds = _token_problems(text, obj["tokens"], fmt == "canonical", found)
    spans = [(f"$.spans[{i}]", sp, sp["start"], sp["end"], sp["label"]) for i, sp in enumerate(obj.get("spans") or ())]
    _span_problems(text, spans, bounds, found)
    if fmt == "canonical":
        _canonical_problems(obj, found)
    return found[:limit]
