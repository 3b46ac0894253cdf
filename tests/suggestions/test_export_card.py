"""An export's dataset card carries the baseline model's scores when the project has a trained model."""

from __future__ import annotations

from pathlib import Path

import orjson

from annotator.canonical_record import document_key
from annotator.exporters.options import ExportOptions
from annotator.exporters.registry import run_export
from annotator.metrics.card import card_extras
from annotator.project import Project
from annotator.suggestions.card import card_section


def test_a_split_export_of_a_trained_project_scores_the_baseline_on_its_split(trained: Project,
                                                                              tmp_path: Path) -> None:
    out = tmp_path / "ds.jsonl"
    run_export(trained.repo, "hf-bio", out, options=ExportOptions(split=(0.8, 0.2), seed=1, done_by_default=True,
                                                                  card_extras=card_extras))
    card = (tmp_path / "ds.card.md").read_text(encoding="utf-8")
    assert "## Baseline scores" in card
    id_of = {document_key(trained.repo.document(s.id).sha256): s.id for s in trained.repo.document_summaries("x")}
    groups = []
    for split in ("train", "test"):  # the groups the export wrote, read back from its files
        for line in (tmp_path / f"ds.{split}.jsonl").read_bytes().splitlines():
            row = orjson.loads(line)
            groups.append((id_of[row["document_id"]], row["annotator"], split))
    assert card_section(trained.repo, sorted(groups)).rstrip() in card


def test_without_a_model_there_is_no_baseline_section(generated: Project, tmp_path: Path) -> None:
    run_export(generated.repo, "canonical", tmp_path / "c.jsonl", options=ExportOptions(card_extras=card_extras))
    assert "Baseline scores" not in (tmp_path / "c.card.md").read_text(encoding="utf-8")
