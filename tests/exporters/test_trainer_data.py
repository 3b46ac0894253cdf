"""Issue 17: statuses and flag reasons in trainer exports, the Hugging Face dataset card, UTF-16 offsets."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from annotator.exporters.options import ExportOptions
from annotator.exporters.registry import run_export
from annotator.importing import import_paths
from annotator.project import open_project
from annotator.services import AnnotationService
from annotator.storage.repository import ExportFilter
from tests.exporters.corpus import GUT, VITD, add, at, small_project


TRAINER = ExportOptions(done_by_default=True)  # as the CLI and the export dialog ask


def lines(path: Path) -> list[dict]:
    return [orjson.loads(x) for x in path.read_bytes().splitlines()]


@pytest.fixture
def project(tmp_path: Path):
    p = small_project(tmp_path / "p.annotator")
    gut = next(s.id for s in p.repo.document_summaries("bob") if s.title == "gut")
    AnnotationService(p.repo, "bob").set_status(gut, "flagged", "ads in the text")
    yield p
    p.close()


@pytest.mark.parametrize("fmt", ["canonical", "hf-bio", "doccano", "spans", "sentences"])
def test_trainer_formats_take_done_documents_by_default(project, tmp_path: Path, fmt: str) -> None:
    result = run_export(project.repo, fmt, tmp_path / "out.jsonl", options=TRAINER)
    manifest = json.loads((tmp_path / "out.manifest.json").read_text())
    assert manifest["filters"]["statuses"] == ["done"] and manifest["filters"]["statuses_by_default"]
    assert "--status done" in manifest["command"]
    card = (tmp_path / "out.card.md").read_text()
    assert "the default of a training format" in card
    assert result.records == 1  # alice's done gut; bob's flagged gut and alice's in-progress vitamin D are out
    if fmt in ("canonical", "hf-bio", "doccano"):
        assert {r["status"] for r in lines(tmp_path / "out.jsonl")} == {"done"}


def test_status_all_exports_every_status_and_the_card_counts_them(project, tmp_path: Path) -> None:
    run_export(project.repo, "canonical", tmp_path / "out.jsonl", ExportFilter(statuses=("all",)))
    records = lines(tmp_path / "out.jsonl")
    assert sorted(r["status"] for r in records) == ["done", "flagged", "in_progress", "in_progress"]
    flagged = next(r for r in records if r["status"] == "flagged")
    assert flagged["reason"] == "ads in the text" and flagged["answer"] == "reject"
    assert all("reason" not in r for r in records if r["status"] != "flagged")
    manifest = json.loads((tmp_path / "out.manifest.json").read_text())
    assert manifest["counts"]["all"]["statuses"] == {"todo": 0, "in_progress": 2, "done": 1, "skipped": 0,
                                                     "flagged": 1}
    assert "| status: flagged | 1 |" in (tmp_path / "out.card.md").read_text()


def test_no_done_document_means_no_default(tmp_path: Path) -> None:
    p = open_project(tmp_path / "p.annotator")
    doc = add(p, VITD, "vitamin-d")
    AnnotationService(p.repo, "alice").add_span(doc, *at(VITD, "Smith, 2021"), "citation")
    assert run_export(p.repo, "canonical", tmp_path / "o.jsonl", options=TRAINER).records == 1
    assert json.loads((tmp_path / "o.manifest.json").read_text())["filters"]["statuses"] == []
    p.close()


def test_flag_reason_round_trips_through_canonical(project, tmp_path: Path) -> None:
    run_export(project.repo, "canonical", tmp_path / "out.jsonl", ExportFilter(statuses=("flagged",)))
    other = open_project(tmp_path / "q.annotator")
    report = import_paths(other.repo, [tmp_path / "out.jsonl"])
    assert report.imported, report.summary()
    run_export(other.repo, "canonical", tmp_path / "again.jsonl", ExportFilter(statuses=("all",)))
    (record,) = lines(tmp_path / "again.jsonl")
    assert (record["status"], record["reason"]) == ("flagged", "ads in the text")
    other.close()


def test_hf_bio_rows_carry_status_text_and_offsets(project, tmp_path: Path) -> None:
    run_export(project.repo, "hf-bio", tmp_path / "out.jsonl", ExportFilter(statuses=("all",)))
    rows = lines(tmp_path / "out.jsonl")
    assert {r["status"] for r in rows} == {"done", "flagged", "in_progress"}
    assert next(r for r in rows if r["status"] == "flagged")["reason"] == "ads in the text"
    for row in rows:
        assert [row["text"][a:b] for a, b in row["offsets"]] == row["tokens"]


def test_hf_bio_folder_loads_with_datasets_with_named_splits_and_tags(project, tmp_path: Path,
                                                                      monkeypatch) -> None:
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    for i in range(12):
        text = f"Study {i}: probiotics reduce nerve pain in {i + 10} people. " + GUT
        doc = add(project, text, f"extra-{i}")
        svc = AnnotationService(project.repo, "alice")
        svc.add_span(doc, *at(text, "probiotics"), "intervention")
        svc.set_status(doc, "done")
    folder = tmp_path / "hub"
    folder.mkdir()
    run_export(project.repo, "hf-bio", folder / "ds.jsonl", options=ExportOptions(split=(0.6, 0.2, 0.2), done_by_default=True))
    assert (folder / "README.md").read_text().startswith("---\n")
    loaded = datasets.load_dataset(str(folder))
    assert set(loaded) == {"train", "validation", "test"}
    names = loaded["train"].features["ner_tags"].feature.names
    assert names[:3] == ["O", "B-claim", "I-claim"]
    assert sum(len(loaded[s]) for s in loaded) == 13
    row = next(r for s in loaded for r in loaded[s] if "B-intervention" in
               [names[t] for t in r["ner_tags"]])
    first = [names[t] for t in row["ner_tags"]].index("B-intervention")
    a, b = row["offsets"][first]
    assert row["text"][a:b] in ("Probiotics", "probiotics")


def test_hub_card_never_replaces_a_users_readme(project, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("my notes\n")
    result = run_export(project.repo, "hf-bio", tmp_path / "ds.jsonl")
    assert (tmp_path / "README.md").read_text() == "my notes\n"
    assert any("README.md" in w for w in result.warnings)


def test_doccano_utf16_offsets_slice_the_utf16_text(project, tmp_path: Path) -> None:
    run_export(project.repo, "doccano", tmp_path / "u.jsonl", ExportFilter(statuses=("all",)),
               options=ExportOptions(offsets="utf16"))
    records = lines(tmp_path / "u.jsonl")
    astral = [r for r in records if any(ord(c) > 0xFFFF for c in r["text"])]
    assert astral and all(r["offsets"] == "utf16" for r in records)
    expected = {(r["annotator"], s[2]): None for r in records for s in r["label"]}
    shifted = 0
    for record in records:
        units = record["text"].encode("utf-16-le")
        for start, end, label in record["label"]:
            piece = units[2 * start:2 * end].decode("utf-16-le")
            cp_start = len(units[:2 * start].decode("utf-16-le"))
            assert piece == record["text"][cp_start:cp_start + len(piece)]
            shifted += cp_start != start
    assert expected and shifted  # some spans sit after an emoji, so the units differ from code points
    card = (tmp_path / "u.card.md").read_text()
    assert "UTF-16 code units" in card
    # annotator validate and annotator import read the file in its own unit
    from annotator.validation import validate_file

    assert validate_file(tmp_path / "u.jsonl").problems == []
    other = open_project(tmp_path / "back.annotator")
    assert import_paths(other.repo, [tmp_path / "u.jsonl"]).imported
    run_export(other.repo, "doccano", tmp_path / "cp.jsonl", ExportFilter(statuses=("all",)))
    run_export(project.repo, "doccano", tmp_path / "cp0.jsonl", ExportFilter(statuses=("all",)))
    assert ([sorted(map(tuple, r["label"])) for r in lines(tmp_path / "cp.jsonl")]
            == [sorted(map(tuple, r["label"])) for r in lines(tmp_path / "cp0.jsonl")])
    other.close()


def test_utf16_offsets_apply_to_doccano_only(project, tmp_path: Path) -> None:
    from annotator.exporters.base import ExportError

    with pytest.raises(ExportError, match="doccano"):
        run_export(project.repo, "canonical", tmp_path / "x.jsonl", options=ExportOptions(offsets="utf16"))


def test_the_card_holds_the_agreement_table_when_reviewers_overlap(project, tmp_path: Path) -> None:
    from annotator.metrics.card import card_extras
    from annotator.metrics.study import project_agreement

    run_export(project.repo, "canonical", tmp_path / "a.jsonl", ExportFilter(statuses=("all",)),
               options=ExportOptions(card_extras=card_extras))
    card = (tmp_path / "a.card.md").read_text()
    assert "## Agreement between reviewers" in card and "### alice / bob" in card
    expected = project_agreement(project.repo, samples=200)["pairs"][0]["overall"]["f1_exact"]
    micro = next(line for line in card.splitlines() if line.startswith("| (micro) |"))
    assert micro.split(" | ")[1] == ("–" if expected is None else f"{expected:.3f}")
    run_export(project.repo, "canonical", tmp_path / "one.jsonl", ExportFilter(annotators=("alice",)),
               options=ExportOptions(card_extras=card_extras))
    assert "Agreement" not in (tmp_path / "one.card.md").read_text()  # one reviewer: nothing to compare


def test_validate_checks_hf_bio_offsets_against_the_text(project, tmp_path: Path) -> None:
    from annotator.validation import validate_file

    run_export(project.repo, "hf-bio", tmp_path / "h.jsonl", ExportFilter(statuses=("all",)))
    assert validate_file(tmp_path / "h.jsonl").ok
    rows = lines(tmp_path / "h.jsonl")
    rows[0]["offsets"][1] = [rows[0]["offsets"][1][0] + 1, rows[0]["offsets"][1][1]]
    (tmp_path / "bad.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    report = validate_file(tmp_path / "bad.jsonl")
    assert [p for p in report.problems if "offsets[1]" in str(p)], report.problems


def test_spacy_and_brat_take_done_documents_by_default(project, tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    run_export(project.repo, "spacy", tmp_path / "d.spacy", options=TRAINER)
    docs = list(DocBin().from_disk(tmp_path / "d.spacy").get_docs(spacy.blank("en").vocab))
    assert len(docs) == 1 and docs[0].text == GUT
    run_export(project.repo, "brat", tmp_path / "brat", options=TRAINER)
    assert len(list((tmp_path / "brat").rglob("*.ann"))) == 1
