"""Random texts with emoji and random (overlapping) spans: every format's offsets index the same characters."""

from __future__ import annotations

import hashlib

import csv
import io
from pathlib import Path
from types import SimpleNamespace

import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from annotator.exporters.brat import fragments
from annotator.exporters.hf_bio import Writer as HfBioWriter
from annotator.exporters.hf_bio import label_names
from annotator.exporters.options import ExportOptions
from annotator.exporters.registry import run_export
from annotator.exporters.sink import Context, Document
from annotator.labels import default_labels
from annotator.project import Project, open_project
from annotator.services import AnnotationService
from annotator.storage.repository import ExportGroup
from annotator.text import tokenize

from .corpus import LABELS, add, decode_bio, jsonl

_PROSE = st.lists(st.sampled_from(["Gut", " ", "bugs", "🦠", "😀", "\U0001d518", ".", "Dr.", "\n", "\n\n", "é",
                                   "2.5", "—", "\u200d", "x", ",", "  "]), min_size=1, max_size=30).map("".join)
_SPANS = st.lists(st.tuples(st.integers(0, 80), st.integers(1, 12), st.sampled_from(LABELS)), max_size=8)


def _group_spans(text: str, picks: list[tuple[int, int, str]]) -> list[tuple[str, int, int, str, None]]:
    """An export group's spans from ``picks`` (start, length, label): clipped to the text,
    duplicates skipped, in export order."""
    spans: list[tuple[str, int, int, str, None]] = []
    for start, length, label in picks:
        start = min(start, len(text) - 1)
        end = min(len(text), start + length)
        if (start, end, label) not in {(s[1], s[2], s[3]) for s in spans}:
            spans.append((f"s{len(spans)}", start, end, label, None))
    spans.sort(key=lambda s: (s[1], s[2], s[3]))
    return spans


def bio_reference(text: str, spans: list[tuple[int, int, str]]) -> tuple[list[tuple[int, int, str]], int, int]:
    """The hf-bio rule done the slow way: char-level tokens, a taken flag per token."""
    cuts = {s for s, _e, _l in spans} | {e for _s, e, _l in spans}
    pieces: list[tuple[int, int]] = []
    for t in tokenize(text):
        if t.text.isspace():  # hf-bio leaves whitespace tokens out
            continue
        inner = sorted(c for c in cuts if t.start < c < t.end)
        edges = [t.start, *inner, t.end]
        pieces += list(zip(edges, edges[1:]))
    order = {lb: i for i, lb in enumerate(LABELS)}
    ranges = []
    for s, e, label in spans:
        covered = [i for i, (a, b) in enumerate(pieces) if s <= a and b <= e]
        ranges.append((covered[0] if covered else len(pieces), covered[-1] + 1 if covered else len(pieces), label))
    ranges.sort(key=lambda r: (r[0], r[0] - r[1], order[r[2]]))
    taken = [False] * len(pieces)
    kept, dropped, trimmed = [], 0, 0
    for first, end, label in ranges:
        free = [i for i in range(first, end) if not taken[i]]
        if not free:
            dropped += 1
            continue
        assert free == list(range(free[0], end)), "free tokens always form the span's tail"
        trimmed += free[0] > first
        for i in free:
            taken[i] = True
        kept.append((pieces[free[0]][0], pieces[end - 1][1], label))
    return sorted(kept), dropped, trimmed


@settings(max_examples=300, deadline=None)
@given(text=_PROSE, picks=_SPANS)
def test_hf_bio_follows_the_overlap_rule_exactly(text: str, picks: list[tuple[int, int, str]]) -> None:
    spans = _group_spans(text, picks)
    row = SimpleNamespace(id=1, text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), title="t")
    buffer = io.BytesIO()
    sink = HfBioWriter(buffer, Context(default_labels()))
    sink.write(ExportGroup(row, "a", "done", spans), Document(row))
    line = orjson.loads(buffer.getvalue())
    assert len(line["tokens"]) == len(line["ner_tags"])
    bounds, pos = [], 0
    for token in line["tokens"]:
        start = text.index(token, pos)
        assert not text[pos:start].strip()
        bounds.append((start, start + len(token)))
        pos = start + len(token)
    got = sorted((bounds[a][0], bounds[b - 1][1], lb) for a, b, lb in decode_bio(line["ner_tags"], label_names(LABELS)))
    kept, dropped, trimmed = bio_reference(text, [(s[1], s[2], s[3]) for s in spans])
    assert got == kept
    assert sum(sink.counts["dropped"].values()) == dropped and sum(sink.counts["trimmed"].values()) == trimmed


def _annotated(folder: Path, text: str, picks: list[tuple[int, int, str]], note: str | None
               ) -> tuple[Project, set[tuple[int, int, str]]]:
    """A project with ``text`` and alice's spans from ``picks`` (start, length, label; clipped to
    the text, duplicates skipped), marked done; and the (start, end, label) of each span."""
    p = open_project(folder / "p.annotator")
    doc_id = add(p, text, "t")
    svc = AnnotationService(p.repo, "alice")
    chosen: set[tuple[int, int, str]] = set()
    for start, length, label in picks:
        start = min(start, len(text) - 1)
        end = min(len(text), start + length)
        if (start, end, label) not in chosen:
            svc.add_span(doc_id, start, end, label, note=note)
            chosen.add((start, end, label))
    svc.set_status(doc_id, "done")
    return p, chosen


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_PROSE, picks=_SPANS, notes=st.booleans())
def test_every_format_indexes_the_same_characters(tmp_path_factory: pytest.TempPathFactory, text: str,
                                                  picks: list[tuple[int, int, str]], notes: bool) -> None:
    assume(text.strip())
    folder = tmp_path_factory.mktemp("prop")
    p, chosen = _annotated(folder, text, picks, "n\nb" if notes else None)
    try:
        for fmt, suffix in (("canonical", ".jsonl"), ("spans", ".jsonl"), ("sentences", ".jsonl"),
                            ("doccano", ".jsonl"), ("w3c", ".jsonl"), ("csv", ".csv"), ("brat", "")):
            run_export(p.repo, fmt, folder / f"o-{fmt}{suffix}", options=ExportOptions(manifest=False))
    finally:
        p.close()
    (record,) = jsonl(folder / "o-canonical.jsonl")
    assert {(s["start"], s["end"], s["label"]) for s in record["spans"]} == chosen
    assert all(s["text"] == text[s["start"]:s["end"]] for s in record["spans"])
    spans = jsonl(folder / "o-spans.jsonl")
    assert {(x["context_start"] + x["start"], x["context_start"] + x["end"], x["label"]) for x in spans} == chosen
    for x in spans:
        assert x["context"][x["start"]:x["end"]] == x["text"] == text[x["context_start"] + x["start"]:
                                                                     x["context_start"] + x["end"]]
    for x in jsonl(folder / "o-sentences.jsonl"):
        assert text[x["start"]:x["end"]] == x["text"]
        assert set(x["labels"]) == {lb for s, e, lb in chosen if s < x["end"] and e > x["start"]}
    (doccano,) = jsonl(folder / "o-doccano.jsonl")
    assert doccano["text"] == text and {tuple(x) for x in doccano["label"]} == chosen
    w3c = jsonl(folder / "o-w3c.jsonl")
    for a in w3c:
        position, quote = a["target"]["selector"]
        assert quote["exact"] == text[position["start"]:position["end"]]
    assert {(a["target"]["selector"][0]["start"], a["target"]["selector"][0]["end"], a["body"][0]["value"])
            for a in w3c} == chosen
    with open(folder / "o-csv.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {(int(r["start"]), int(r["end"]), r["label"]) for r in rows} == chosen
    assert all(r["text"] == text[int(r["start"]):int(r["end"])] for r in rows)
    _check_brat(folder / "o-brat", text, chosen)


def _check_brat(folder: Path, text: str, chosen: set[tuple[int, int, str]]) -> None:
    (ann,) = folder.glob("alice/*.ann")
    assert ann.with_suffix(".txt").read_bytes() == text.encode("utf-8")
    found = []
    for line in ann.read_bytes().decode("utf-8").split("\n")[:-1]:
        tag, middle, quoted = line.split("\t")
        if tag.startswith("T"):
            label, _, where = middle.partition(" ")
            pieces = [tuple(map(int, f.split())) for f in where.split(";")]
            assert quoted == " ".join(text[a:b] for a, b in pieces)
            found.append((tuple(pieces), label))
    expected = sorted((tuple(fragments(text, s, e)), lb) for s, e, lb in chosen if fragments(text, s, e))
    assert sorted(found) == expected


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_PROSE, picks=_SPANS)
def test_spacy_spans_equal_ours(tmp_path_factory: pytest.TempPathFactory, text: str,
                                picks: list[tuple[int, int, str]]) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    assume(text.strip())
    folder = tmp_path_factory.mktemp("spacy")
    p, chosen = _annotated(folder, text, picks, None)
    try:
        run_export(p.repo, "spacy", folder / "o.spacy", options=ExportOptions(ents=True, manifest=False))
    finally:
        p.close()
    (doc,) = DocBin().from_disk(folder / "o.spacy").get_docs(spacy.blank("en").vocab)
    assert doc.text == text
    # Exactly the spans whose edges are spaCy token edges; the others are left out, not moved.
    aligned = {(s, e, lb) for s, e, lb in chosen if doc.char_span(s, e, alignment_mode="strict") is not None}
    assert {(s.start_char, s.end_char, s.label_) for s in doc.spans["sc"]} == aligned
    assert all(s.text == text[s.start_char:s.end_char] for s in doc.spans["sc"])
    assert [t.text for t in doc] == [t.text for t in spacy.blank("en")(text)]


