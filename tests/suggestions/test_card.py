"""The dataset card's baseline section: on an export's split, or the stored model's scores."""

from __future__ import annotations

from annotator.project import Project
from annotator.suggestions.card import card_section
from annotator.suggestions.store import train

LABELS = ("claim", "mechanism", "intervention", "citation", "disclaimer")


def _table(section: str) -> dict[str, list[str]]:
    rows = [line.strip("|").split("|") for line in section.splitlines() if line.startswith("| ")]
    return {cells[0].strip(): [c.strip() for c in cells[1:]] for cells in rows[1:]}


def test_scores_on_the_exports_own_split(generated: Project) -> None:
    done = [d for d in range(1, 61) if d % 5 != 1]
    groups = [(d, "reviewer-1", "test" if d > 45 else "train") for d in done]
    section = card_section(generated.repo, groups)
    assert section.startswith("## Baseline scores\n")
    assert "Fitted on the train split (36 documents) and scored on the test split (12 documents)" in section
    table = _table(section)
    assert list(table) == [*LABELS, "*micro*", "*macro*"]
    assert all(0 <= float(v) <= 1 for row in table.values() for v in row[:4])
    assert float(table["*micro*"][2]) > 0.85  # the generated corpus is learnable
    assert card_section(generated.repo, groups) == section  # same split, same seed: same text
    only_dev = [(d, a, "dev" if s == "test" else s) for d, a, s in groups]
    assert "scored on the dev split (12 documents)" in card_section(generated.repo, only_dev)
    assert card_section(generated.repo, [(d, a, "train") for d, a, _ in groups]) == ""


def test_without_a_split_the_stored_models_scores(generated: Project) -> None:
    assert card_section(generated.repo) == ""
    trained = train(generated.repo, seed=0)
    section = card_section(generated.repo)
    m = trained.record.metrics
    assert f"trained on people's done documents, seed 0, data {m['data_hash'][:12]}" in section
    assert _table(section)["claim"] == [f"{m['labels']['claim'][k]:.3f}" for k in ("precision", "recall", "f1")] + [
        f"{m['baseline']['labels']['claim']['f1']:.3f}", str(m["labels"]["claim"]["support"])]
