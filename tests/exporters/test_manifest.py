"""The manifest's counts equal counts taken from the written files, and its digests match them."""

from __future__ import annotations

import csv
import hashlib
import statistics
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from annotator.exporters.manifest import manifest_paths
from annotator.exporters.options import ExportOptions
from annotator.exporters.registry import run_export
from annotator.project import Project

from .corpus import LABELS, bulk_project, decode_bio, jsonl, small_project

Row = tuple[str, str, str, int]  # document_id, annotator, label, length


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    folder = tmp_path_factory.mktemp("mixed")
    p = bulk_project(folder / "m.annotator", 40, seed=5)
    yield p
    p.close()


def rows_from(fmt: str, path: Path) -> list[Row]:
    """(document_id, annotator, label, length) of every span a written file holds."""
    if fmt == "canonical":
        return [(x["meta"]["document_id"], x["annotator"], s["label"], s["end"] - s["start"])
                for x in jsonl(path) for s in x["spans"]]
    if fmt == "spans":
        return [(x["document_id"], x["annotator"], x["label"], x["end"] - x["start"]) for x in jsonl(path)]
    if fmt == "doccano":
        return [(x["id"].split(":")[0], x["annotator"], lb, e - s) for x in jsonl(path) for s, e, lb in x["label"]]
    if fmt == "w3c":
        return [(x["target"]["source"].rsplit(":", 1)[1], x["creator"]["name"], x["body"][0]["value"],
                 x["target"]["selector"][0]["end"] - x["target"]["selector"][0]["start"]) for x in jsonl(path)]
    if fmt == "csv":
        with open(path, newline="", encoding="utf-8-sig") as fh:
            return [(r["document_id"], r["annotator"], r["label"], int(r["end"]) - int(r["start"]))
                    for r in csv.DictReader(fh)]
    if fmt == "spacy":
        import spacy
        from spacy.tokens import DocBin

        docs = DocBin().from_disk(path).get_docs(spacy.blank("en").vocab)
        return [(d.user_data["document_id"], d.user_data["annotator"], s.label_, s.end_char - s.start_char)
                for d in docs for s in d.spans["sc"]]
    raise AssertionError(fmt)


def documents_in(fmt: str, path: Path) -> set[str]:
    if fmt == "canonical":
        return {x["meta"]["document_id"] for x in jsonl(path)}
    if fmt == "doccano":
        return {x["id"].split(":")[0] for x in jsonl(path)}
    if fmt in ("hf-bio", "sentences"):
        return {x["document_id"] for x in jsonl(path)}
    if fmt == "spacy":
        import spacy
        from spacy.tokens import DocBin

        return {d.user_data["document_id"] for d in DocBin().from_disk(path).get_docs(spacy.blank("en").vocab)}
    raise AssertionError(fmt)


def check_files(manifest: dict, folder: Path) -> None:
    for entry in manifest["files"]:
        data = (folder / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["bytes"] == len(data), entry["path"]


def per_label(rows: list[Row]) -> dict[str, int]:
    counts = Counter(label for _d, _a, label, _n in rows)
    return {lb: counts.get(lb, 0) for lb in LABELS}


@pytest.mark.parametrize("fmt", ["canonical", "spans", "doccano", "w3c", "csv", "spacy"])
def test_counts_per_split_and_annotator_equal_the_files(mixed: Project, tmp_path: Path, fmt: str) -> None:
    if fmt == "spacy":
        pytest.importorskip("spacy")
    suffix = {"csv": ".csv", "spacy": ".spacy"}.get(fmt, ".jsonl")
    result = run_export(mixed.repo, fmt, tmp_path / f"ds{suffix}", options=ExportOptions(split=(0.7, 0.15, 0.15),
                                                                                        seed=4))
    manifest = orjson.loads(result.manifest[0].read_bytes())
    assert result.manifest == list(manifest_paths(tmp_path / f"ds{suffix}"))
    check_files(manifest, tmp_path)
    everything: list[Row] = []
    for entry in manifest["files"]:
        rows = rows_from(fmt, tmp_path / entry["path"])
        everything += rows
        counts = manifest["counts"]["splits"][entry["split"]]
        # spaCy's tokens leave out the spans they cannot hold, and the card counts them.
        left_out = manifest["written"][entry["split"]].get("misaligned", {})
        assert counts["spans_per_label"] == {lb: n + left_out.get(lb, 0) for lb, n in per_label(rows).items()}
        assert counts["spans"] == len(rows) + sum(left_out.values())
        if fmt in ("canonical", "doccano", "spacy"):
            assert counts["documents"] == len(documents_in(fmt, tmp_path / entry["path"]))
        assert manifest["written"][entry["split"]]["records"] == _records(fmt, tmp_path / entry["path"])
    card = result.manifest[1].read_text(encoding="utf-8")
    assert "--split 0.7,0.15,0.15 --seed 4" in card and manifest["files"][0]["sha256"] in card
    if fmt == "spacy":  # the files hold the aligned spans only; the rest is checked per split above
        return
    for annotator, counts in manifest["counts"]["annotators"].items():
        assert counts["spans_per_label"] == per_label([r for r in everything if r[1] == annotator])
    lengths = [n for *_x, n in everything]
    stats = manifest["counts"]["all"]["span_length_chars"]["all"]
    assert (stats["count"], stats["min"], stats["max"]) == (len(lengths), min(lengths), max(lengths))
    assert stats["mean"] == round(statistics.mean(lengths), 2)
    assert stats["median"] == sorted(lengths)[(len(lengths) + 1) // 2 - 1]  # nearest rank
    assert manifest["split"]["seed"] == 4 and manifest["split"]["fractions"] == {"train": 0.7, "dev": 0.15,
                                                                                "test": 0.15}


def _records(fmt: str, path: Path) -> int:
    if fmt == "csv":
        return len(rows_from(fmt, path))
    if fmt == "spacy":
        return sum(1 for _ in _docbin(path))
    return len(path.read_bytes().splitlines())


def _docbin(path: Path) -> Iterator[object]:
    import spacy
    from spacy.tokens import DocBin

    return DocBin().from_disk(path).get_docs(spacy.blank("en").vocab)


def test_hf_bio_manifest_counts_what_the_tags_hold(tmp_path: Path) -> None:
    p = small_project(tmp_path / "p.annotator")
    result = run_export(p.repo, "hf-bio", tmp_path / "bio.jsonl")
    total = Counter(lb for lb in (s.label for i in range(1, 3) for s in p.repo.spans(i)))
    p.close()
    manifest = orjson.loads(result.manifest[0].read_bytes())
    check_files(manifest, tmp_path)
    names = manifest["format_details"]["label_names"]
    decoded = Counter(lb for x in jsonl(tmp_path / "bio.jsonl") for *_r, lb in decode_bio(x["ner_tags"], names))
    written = manifest["written"]["all"]
    assert written["spans_written"] == {lb: decoded.get(lb, 0) for lb in LABELS}
    for lb in LABELS:  # every span is written (whole or trimmed) or dropped
        assert written["spans_written"][lb] + written["dropped"][lb] == total.get(lb, 0)
    assert written["tokens"] == sum(len(x["tokens"]) for x in jsonl(tmp_path / "bio.jsonl"))
    assert "Overlapping spans" in manifest["format_details"]["overlap_rule"]
    assert "dropped" in result.manifest[1].read_text(encoding="utf-8")


def test_sentences_and_brat_counts(tmp_path: Path) -> None:
    p = small_project(tmp_path / "p.annotator")
    sent = run_export(p.repo, "sentences", tmp_path / "s.jsonl")
    brat = run_export(p.repo, "brat", tmp_path / "brat")
    p.close()
    m = orjson.loads(sent.manifest[0].read_bytes())
    lines = jsonl(tmp_path / "s.jsonl")
    assert m["written"]["all"]["records"] == len(lines)
    assert m["written"]["all"]["sentences_per_label"] == {lb: sum(lb in x["labels"] for x in lines) for lb in LABELS}
    b = orjson.loads(brat.manifest[0].read_bytes())
    assert brat.manifest[0] == tmp_path / "brat.manifest.json"
    check_files(b, tmp_path)
    t_lines = [ln for f in (tmp_path / "brat").glob("*/*.ann") for ln in f.read_text().splitlines() if ln[0] == "T"]
    assert b["written"]["all"]["spans_written"] == len(t_lines) == b["counts"]["all"]["spans"]
    assert b["written"]["all"]["split_at_newlines"] == 1
    assert len(b["files"]) == 9  # annotation.conf + .txt and .ann for 2 documents x 2 annotators


def test_same_export_same_manifest_bytes(tmp_path: Path) -> None:
    p = small_project(tmp_path / "p.annotator")
    first = run_export(p.repo, "spans", tmp_path / "a.jsonl").manifest[0].read_bytes()
    again = run_export(p.repo, "spans", tmp_path / "a.jsonl").manifest[0].read_bytes()
    p.close()
    assert first == again
    assert b"created" not in first  # no timestamp: reproducible


def test_no_manifest_when_switched_off_or_cancelled(tmp_path: Path) -> None:
    p = small_project(tmp_path / "p.annotator")
    result = run_export(p.repo, "doccano", tmp_path / "d.jsonl", options=ExportOptions(manifest=False))
    assert result.manifest == [] and not (tmp_path / "d.manifest.json").exists()
    cancelled = run_export(p.repo, "hf-bio", tmp_path / "h.jsonl", cancelled=lambda: True)
    p.close()
    assert cancelled.cancelled and sorted(x.name for x in tmp_path.iterdir() if x.name[0] == "h") == []
