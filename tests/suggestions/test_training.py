"""Training: the scores' shape, determinism, held-out documents, rejections as negatives, cancel."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from annotator.project import Project, open_project
from annotator.records import RejectionRecord
from annotator.services import AnnotationService
from annotator.suggestions.dataset import TrainingDataError, build_training_set
from annotator.suggestions.evaluate import LEARNING_CURVE, TrainingCancelled
from annotator.suggestions.model import ModelUnavailable, require_model_libraries
from annotator.suggestions.store import document_suggestions, load, train

LABELS = {"claim", "mechanism", "intervention", "citation", "disclaimer"}
ROW = {"precision", "recall", "f1", "support"}


def test_scores_per_label_next_to_the_baseline_with_a_learning_curve(generated: Project) -> None:
    steps: list[tuple[int, int]] = []
    trained = train(generated.repo, seed=0, progress=lambda d, t, _m: steps.append((d, t)))
    m = trained.record.metrics
    assert set(m["labels"]) == LABELS and all(set(r) == ROW for r in m["labels"].values())
    assert set(m["micro"]) == ROW and set(m["macro"]) == ROW
    assert set(m["baseline"]["labels"]) == LABELS and set(m["baseline"]["micro"]) == ROW
    assert m["documents"]["train"] + m["documents"]["test"] == 48
    assert m["documents"]["test"] == 10  # 20 % of 48 documents, rounded up
    assert m["micro"]["support"] == sum(r["support"] for r in m["labels"].values()) > 0
    assert [p["fraction"] for p in m["learning_curve"]] == list(LEARNING_CURVE)
    docs = [p["documents"] for p in m["learning_curve"]]
    assert docs == sorted(docs) and docs[-1] == m["documents"]["train"] and docs[0] >= 1
    # The final point is the evaluated model itself: same training documents, same test.
    assert m["learning_curve"][-1]["micro_f1"] == m["micro"]["f1"]
    assert m["trained_on"] == "people" and m["seed"] == 0
    assert m["data_hash"] == build_training_set(generated.repo).data_hash
    assert steps[-1][0] == steps[-1][1] and [d for d, _ in steps] == sorted(d for d, _ in steps)
    # The generated reviewer labels sentences by their kind: the model learns it, and does
    # better than a handful of keywords, which cannot tell a claim from a citation-bearing one.
    assert m["micro"]["f1"] > 0.85
    assert m["micro"]["f1"] > m["baseline"]["micro"]["f1"]
    assert all(isinstance(words, list) for words in m["baseline"]["keywords"].values())
    assert trained.record.versions["scikit-learn"] and trained.record.versions["skops"]


def test_same_data_and_seed_give_identical_scores_and_models(generated_path: Path, tmp_path: Path) -> None:

    other_path = tmp_path / "other.annotator"
    shutil.copyfile(generated_path, other_path)
    runs = []
    for path in (generated_path, other_path, generated_path):
        p = open_project(path)
        trained = train(p.repo, seed=7)
        runs.append((trained.record.metrics, trained.model.scores(["Talk to your doctor before starting any "
                                                                   "supplement.", "Probiotics may reduce gut "
                                                                   "inflammation in mice [12]."]).tolist()))
        p.close()
    assert runs[0] == runs[1] == runs[2]
    p = open_project(other_path)
    different = train(p.repo, seed=8).record.metrics
    p.close()
    assert different["data_hash"] == runs[0][0]["data_hash"]
    assert [r["support"] for r in different["labels"].values()] != [r["support"] for r in runs[0][0]["labels"].values()]


def test_a_rejected_suggestion_is_a_negative_example_in_the_next_training(trained: Project) -> None:
    repo = trained.repo
    model = load(repo)
    assert model is not None and model.record.metrics["rejected_examples"] == 0
    open_doc = 1
    text = repo.document(open_doc).text
    claims = [s for s in document_suggestions(model, open_doc, text) if s.label == "claim"]
    target = max(claims, key=lambda s: s.score)
    sentence = text[target.start:target.end]
    repo.decide_suggestions(add_rejections=[RejectionRecord(open_doc, "claim", target.start, target.end, "ann")])
    before = model.model.scores([sentence])[0, model.model.labels.index("claim")]
    retrained = train(repo, seed=0)
    assert retrained.record.metrics["rejected_examples"] == 1
    after = retrained.model.scores([sentence])[0, retrained.model.labels.index("claim")]
    assert after < before


def test_cancelling_stores_nothing(generated: Project) -> None:
    with pytest.raises(TrainingCancelled):
        train(generated.repo, cancelled=lambda: True)
    assert generated.repo.latest_model() is None


def test_one_done_document_is_too_few_and_done_documents_without_spans_teach_nothing(tmp_path: Path) -> None:
    from annotator.importers.base import ImportedDocument
    from annotator.importing import sha256_text

    p = open_project(tmp_path / "small.annotator")
    texts = ["Fibre feeds gut bacteria. Ask your doctor first.", "Vitamin D may help. Talk to your GP."]
    p.repo.add_documents([(ImportedDocument(t, f"d{i}", "txt", f"d{i}.txt", {}), sha256_text(t))
                          for i, t in enumerate(texts)])
    svc = AnnotationService(p.repo, "ann")
    svc.set_status(1, "done")
    svc.set_status(2, "done")
    with pytest.raises(TrainingDataError, match="hold no spans"):
        train(p.repo)
    svc.set_status(2, "todo")
    svc.add_span(1, 26, 48, "disclaimer")
    with pytest.raises(TrainingDataError, match="at least two documents marked done.*there is 1"):
        train(p.repo)
    assert p.repo.latest_model() is None
    p.close()


def test_missing_libraries_give_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "skops", None)
    with pytest.raises(ModelUnavailable, match=r"need skops: install it with: pip install 'annotator\[model\]'"):
        require_model_libraries()
