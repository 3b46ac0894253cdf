"""Each dataset format read back the way its consumer reads it."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.exporters.base import ExportError
from annotator.exporters.brat import fragments
from annotator.exporters.options import ExportOptions
from annotator.exporters.registry import FORMATS, run_export
from annotator.project import Project
from annotator.sentences import split_sentences
from annotator.storage.repository import ExportFilter

from .corpus import GUT, LABELS, VITD, at, decode_bio, jsonl, small_project, spans_by_annotator, texts_by_key


@pytest.fixture()
def corpus(project_url: str, request: pytest.FixtureRequest) -> Iterator[Project]:
    p = small_project(project_url)  # type: ignore[arg-type]
    yield p
    p.close()


def test_every_format_is_registered_with_a_description() -> None:
    expected = {"canonical", "spans", "sentences", "hf-bio", "spacy", "doccano", "brat", "w3c", "csv", "pdf"}
    assert expected <= set(FORMATS)
    assert all(f.description for f in FORMATS.values())


def test_spans_lines_hold_the_span_in_its_sentence(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "spans.jsonl"
    run_export(corpus.repo, "spans", out)
    texts = texts_by_key(corpus)
    lines = jsonl(out)
    assert len(lines) == len(spans_by_annotator(corpus))
    sentences = {key: split_sentences(text) for key, text in texts.items()}
    for line in lines:
        doc = texts[line["document_id"]]
        assert line["context"][line["start"]:line["end"]] == line["text"]
        assert doc[line["context_start"] + line["start"]:line["context_start"] + line["end"]] == line["text"]
        lo, hi = line["context_start"], line["context_start"] + len(line["context"])
        assert doc[lo:hi] == line["context"]
        starts = [s for s, _ in sentences[line["document_id"]]]
        ends = [e for _, e in sentences[line["document_id"]]]
        assert lo in starts and hi in ends  # whole sentences, from the one holding the start to the end's
    crossing = next(x for x in lines if x["text"] == "nerve pain.\n\nAsk")
    assert crossing["context"].startswith("Probiotics") and crossing["context"].endswith("well-known.")
    (note,) = [x for x in lines if x["label"] == "intervention" and x["text"] == "Probiotics"]
    assert note["note"] == "which strains?" and note["annotator"] == "alice"


def test_spans_with_a_character_window(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "w.jsonl"
    run_export(corpus.repo, "spans", out, options=ExportOptions(context_window=5))
    texts = texts_by_key(corpus)
    for line in jsonl(out):
        doc = texts[line["document_id"]]
        s, e = line["context_start"] + line["start"], line["context_start"] + line["end"]
        assert line["context"] == doc[max(0, s - 5):e + 5]
        assert line["context"][line["start"]:line["end"]] == line["text"] == doc[s:e]


def test_sentences_carry_the_labels_of_overlapping_spans(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "s.jsonl"
    run_export(corpus.repo, "sentences", out)
    texts = texts_by_key(corpus)
    spans = spans_by_annotator(corpus)
    lines = jsonl(out)
    pairs = {(x["document_id"], x["annotator"]) for x in lines}
    assert pairs == {(k, a) for k in texts for a in ("alice", "bob")}
    for line in lines:
        doc = texts[line["document_id"]]
        assert doc[line["start"]:line["end"]] == line["text"]
        expected = {lb for key, ann, s, e, lb, _n in spans if key == line["document_id"]
                    and ann == line["annotator"] and s < line["end"] and e > line["start"]}
        assert set(line["labels"]) == expected
        assert line["labels"] == sorted(line["labels"], key=LABELS.index)
    per_doc = [x for x in lines if x["annotator"] == "alice" and texts[x["document_id"]] == GUT]
    assert [x["text"] for x in per_doc] == [GUT[s:e] for s, e in split_sentences(GUT)]
    assert [x["labels"] for x in per_doc] == [["claim", "mechanism", "intervention", "citation", "disclaimer"],
                                              ["disclaimer"], ["citation"], ["disclaimer"]]


def test_hf_bio_tokens_and_tags_align_and_decode_to_the_kept_spans(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "bio.jsonl"
    result = run_export(corpus.repo, "hf-bio", out)
    manifest = orjson.loads(result.manifest[0].read_bytes())
    names = manifest["format_details"]["label_names"]
    assert names[:3] == ["O", "B-claim", "I-claim"] and len(names) == 11
    texts = texts_by_key(corpus)
    lines = {(x["document_id"], x["annotator"]): x for x in jsonl(out)}
    gut_key = next(k for k, t in texts.items() if t == GUT)
    alice = lines[(gut_key, "alice")]
    assert len(alice["tokens"]) == len(alice["ner_tags"])
    # Tokens appear in the text in order, separated only by whitespace.
    pos = 0
    bounds = []
    for token in alice["tokens"]:
        start = GUT.index(token, pos)
        assert not GUT[pos:start].strip()
        bounds.append((start, start + len(token)))
        pos = start + len(token)
    found = [(bounds[a][0], bounds[b - 1][1], lb) for a, b, lb in decode_bio(alice["ner_tags"], names)]
    claim = at(GUT, "Probiotics 🦠 reduce nerve pain.")
    assert found == [
        (claim[0], claim[1], "claim"),  # first start, longer: wins over the intervention inside it
        (at(GUT, "Ask")[0], at(GUT, "Ask")[1], "disclaimer"),  # trimmed to its tail after the claim
        (*at(GUT, "Dr. Lee et al."), "citation"),
        (*at(GUT, "Not medical advice."), "disclaimer"),
    ]
    written = manifest["written"]["all"]
    assert written["dropped"] == {"claim": 0, "mechanism": 1, "intervention": 1, "citation": 1, "disclaimer": 0}
    assert written["trimmed"] == {"claim": 0, "mechanism": 0, "intervention": 0, "citation": 0, "disclaimer": 1}
    assert "3 spans dropped" in result.summary() and "1 spans trimmed" in result.summary()


def test_doccano_lines_carry_annotator_status_and_notes(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "d.jsonl"
    run_export(corpus.repo, "doccano", out)
    lines = jsonl(out)
    texts = texts_by_key(corpus)
    first = lines[0]
    assert list(first) == ["id", "text", "label", "annotator", "status", "notes"]
    assert first["annotator"] == "alice" and first["status"] == "done" and first["text"] == GUT
    assert [0, 10, "intervention", "which strains?"] in first["notes"]
    got = {(x["id"].split(":")[0], x["annotator"], s, e, lb) for x in lines for s, e, lb in x["label"]}
    assert got == {(k, a, s, e, lb) for k, a, s, e, lb, _n in spans_by_annotator(corpus)}
    assert all(texts[x["id"].split(":")[0]] == x["text"] for x in lines)


def test_brat_offsets_index_the_txt(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    result = run_export(corpus.repo, "brat", out)
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    assert all(f"\n{lb}\n" in conf for lb in LABELS)
    expected = spans_by_annotator(corpus)
    seen = set()
    anns = sorted(out.glob("*/*.ann"))
    assert len(anns) == 4 and {p.parent.name for p in anns} == {"alice", "bob"}
    for ann in anns:
        text = ann.with_suffix(".txt").read_bytes().decode("utf-8")  # bytes: no newline translation
        assert text in (GUT, VITD)
        notes = {}
        for line in ann.read_text(encoding="utf-8").split("\n")[:-1]:
            tag, middle, quoted = line.split("\t")
            if tag.startswith("#"):
                notes[middle.split()[1]] = quoted
                continue
            label, _, where = middle.partition(" ")
            pieces = [tuple(map(int, f.split())) for f in where.split(";")]
            assert quoted == " ".join(text[a:b] for a, b in pieces)
            seen.add((ann.stem, ann.parent.name, pieces[0][0], pieces[-1][1], label, tag))
        for tag, note in notes.items():
            assert any(t == tag for *_x, t in seen)
    assert {x[:5] for x in seen} == {(k, a, s, e, lb) for k, a, s, e, lb, _n in expected}
    crossing = at(GUT, "nerve pain.\n\nAsk")
    assert fragments(GUT, *crossing) == [(crossing[0], crossing[0] + 11), (crossing[1] - 3, crossing[1])]
    assert result.files == [out] and (out / ".annotator-export").exists()
    assert f"written to {out} (9 files)" in result.summary()


def test_brat_refuses_a_folder_holding_other_files(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(ExportError, match="other files"):
        run_export(corpus.repo, "brat", out)
    assert (out / "thesis.docx").read_bytes() == b"precious"
    run_export(corpus.repo, "brat", tmp_path / "again")
    run_export(corpus.repo, "brat", tmp_path / "again", ExportFilter(annotators=("bob",)))  # replaces its own
    assert {p.name for p in (tmp_path / "again").iterdir()} == {"annotation.conf", "bob", ".annotator-export"}


def test_w3c_selectors_match_the_text(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "w3c.jsonl"
    run_export(corpus.repo, "w3c", out)
    texts = texts_by_key(corpus)
    lines = jsonl(out)
    got = set()
    for a in lines:
        assert a["@context"] == "http://www.w3.org/ns/anno.jsonld" and a["type"] == "Annotation"
        text = texts[a["target"]["source"].rsplit(":", 1)[1]]
        position, quote = a["target"]["selector"]
        s, e = position["start"], position["end"]
        assert quote["exact"] == text[s:e]
        assert text[:s].endswith(quote["prefix"]) and text[e:].startswith(quote["suffix"])
        label = next(b["value"] for b in a["body"] if b["purpose"] == "classifying")
        note = next((b["value"] for b in a["body"] if b["purpose"] == "commenting"), None)
        got.add((a["target"]["source"].rsplit(":", 1)[1], a["creator"]["name"], s, e, label, note))
    assert got == spans_by_annotator(corpus)


def test_csv_rows_hold_the_exact_span_text(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "spans.csv"
    run_export(corpus.repo, "csv", out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(out, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    texts = texts_by_key(corpus)
    for r in rows:
        assert r["text"] == texts[r["document_id"]][int(r["start"]):int(r["end"])]
    got = {(r["document_id"], r["annotator"], int(r["start"]), int(r["end"]), r["label"], r["note"] or None)
           for r in rows}
    assert got == spans_by_annotator(corpus)
    assert any("\n" in r["text"] for r in rows) and any("😀" in r["text"] for r in rows)


def test_spacy_reads_the_docbin_and_span_texts_equal_ours(corpus: Project, tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    out = tmp_path / "train.spacy"
    result = run_export(corpus.repo, "spacy", out, options=ExportOptions(ents=True))
    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(out).get_docs(nlp.vocab))
    texts = texts_by_key(corpus)
    assert len(docs) == 4
    got = set()
    for doc in docs:
        key = doc.user_data["document_id"]
        assert doc.text == texts[key]
        for span in doc.spans["sc"]:
            assert span.text == texts[key][span.start_char:span.end_char]
            got.add((key, doc.user_data["annotator"], span.start_char, span.end_char, span.label_))
        ents = sorted((e.start, e.end) for e in doc.ents)
        assert all(a[1] <= b[0] for a, b in zip(ents, ents[1:]))  # never overlapping
    stored = {(k, a, s, e, lb) for k, a, s, e, lb, _n in spans_by_annotator(corpus)}
    assert got <= stored
    manifest = orjson.loads(result.manifest[0].read_bytes())
    # A span spaCy's tokens cannot hold is left out and counted, never shifted.
    assert sum(manifest["written"]["all"]["misaligned"].values()) == len(stored - got)
    for k, a, s, e, lb in stored - got:
        doc = next(d for d in docs if d.user_data["document_id"] == k and d.user_data["annotator"] == a)
        assert doc.char_span(s, e, alignment_mode="strict") is None
    left = sum(manifest["written"]["all"]["left_out_of_ents"].values())
    assert left == sum(len(d.spans["sc"]) - len(d.ents) for d in docs) > 0


@pytest.mark.parametrize("missing", ["spacy"])
def test_spacy_missing_gives_a_clear_message_and_writes_nothing(corpus: Project, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # importing it now raises ImportError
    monkeypatch.delitem(sys.modules, "annotator.exporters.spacy_docbin", raising=False)  # imported again
    with pytest.raises(ExportError, match=r'pip install "annotator\[spacy\]"'):
        run_export(corpus.repo, "spacy", tmp_path / "x.spacy")
    assert list(tmp_path.glob("x*")) == []


