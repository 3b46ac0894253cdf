"""Checks for the dataset formats' JSONL lines (spans, sentences, hf-bio, w3c) beyond their schemas.

Each function takes a record that passed its JSON Schema and returns (JSON path, message)
pairs; :mod:`annotator.validation_rules` calls them. A line holds no document text, so what
can be checked is each line's own consistency: the span inside its context, a sentence's
length against its offsets, BIO tags against each other, a quote against its positions.
"""

from __future__ import annotations

from typing import Any

Found = list[tuple[str, str]]


def _excerpt(text: str, width: int = 60) -> str:
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def spans_problems(obj: dict[str, Any], found: Found) -> None:
    start, end, context, text = obj["start"], obj["end"], obj["context"], obj["text"]
    if not start < end <= len(context):
        found.append(("$", f"span [{start}, {end}) is empty, reversed or outside its context "
                           f"(length {len(context)})"))
    elif context[start:end] != text:
        found.append(("$.text", f"span text {_excerpt(text)} differs from context[{start}:{end}] "
                                f"{_excerpt(context[start:end])}"))


def sentences_problems(obj: dict[str, Any], found: Found) -> None:
    start, end, text = obj["start"], obj["end"], obj["text"]
    if end - start != len(text):
        found.append(("$", f"offsets [{start}, {end}) hold {end - start} characters, the text {len(text)}"))
    if text != text.strip():
        found.append(("$.text", "a sentence never starts or ends with whitespace"))


def hf_bio_problems(obj: dict[str, Any], found: Found, limit: int) -> None:
    tokens, tags = obj["tokens"], obj["ner_tags"]
    if len(tokens) != len(tags):
        found.append(("$.ner_tags", f"{len(tags)} tags for {len(tokens)} tokens"))
        return
    previous = 0
    for i, tag in enumerate(tags):
        # I tags are even (2k+2) and must continue the B (2k+1) or I of the same label.
        if tag and tag % 2 == 0 and previous not in (tag - 1, tag):
            found.append((f"$.ner_tags[{i}]", f"I tag {tag} does not continue a B ({tag - 1}) or I ({tag}) tag"))
            if len(found) >= limit:
                return
        previous = tag
    for i, token in enumerate(tokens):
        if token != token.strip() or not token:
            found.append((f"$.tokens[{i}]", f"token {_excerpt(token)} has whitespace at an end"))
            if len(found) >= limit:
                return
    offsets, text = obj.get("offsets"), obj.get("text")
    if offsets is None or not isinstance(text, str):
        return
    if len(offsets) != len(tokens):
        found.append(("$.offsets", f"{len(offsets)} offsets for {len(tokens)} tokens"))
        return
    for i, ((start, end), token) in enumerate(zip(offsets, tokens)):
        if text[start:end] != token:
            found.append((f"$.offsets[{i}]", f"text[{start}:{end}] {_excerpt(text[start:end])} is not the token "
                                             f"{_excerpt(token)}"))
            if len(found) >= limit:
                return


def w3c_problems(obj: dict[str, Any], found: Found) -> None:
    position, quote = obj["target"]["selector"][0], obj["target"]["selector"][1]
    start, end, exact = position["start"], position["end"], quote["exact"]
    if start >= end:
        found.append(("$.target.selector[0]", f"empty or reversed position [{start}, {end})"))
    elif len(exact) != end - start:
        found.append(("$.target.selector[1].exact", f"quote has {len(exact)} characters but the position "
                                                   f"[{start}, {end}) covers {end - start} (code points)"))


def doccano_note_problems(obj: dict[str, Any], found: Found) -> None:
    triples = {(s, e, lb) for s, e, lb in obj["label"]}
    for i, (s, e, lb, _note) in enumerate(obj.get("notes") or ()):
        if (s, e, lb) not in triples:
            found.append((f"$.notes[{i}]", f"note for [{s}, {e}) {lb}, which is not in label"))


def labels_named(fmt: str, obj: dict[str, Any]) -> list[tuple[str, str]]:
    """(JSON path, label) of every label a record names, for checking against a project."""
    if fmt == "spans":
        return [("$.label", obj["label"])]
    if fmt == "sentences":
        return [(f"$.labels[{i}]", lb) for i, lb in enumerate(obj["labels"])]
    if fmt == "w3c":
        return [(f"$.body[{i}].value", b["value"]) for i, b in enumerate(obj["body"]) if b["purpose"] == "classifying"]
    return []


def _str(x: Any) -> bool:
    return type(x) is str and x != ""


QUICK_TESTS: dict[str, dict[str, Any]] = {
    "spans": {},
    "sentences": {},
    "hf-bio": {"tokens": _str, "ner_tags": lambda x: type(x) is int and x >= 0},
    "w3c": {},
}
