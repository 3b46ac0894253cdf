"""The stored model: skops bytes in the project, loaded only when every type in them is trusted."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from annotator.project import Project
from annotator.suggestions.model import ModelLoadError, load_model
from annotator.suggestions.store import load

SENTENCES = ["Talk to your doctor before starting any supplement.",
             "This is thought to happen because it slows gastric emptying.",
             "Zinc lozenges may reduce joint pain in mice (WHO, 2023)."]


def test_a_teammate_loads_the_same_model_with_its_scores_hash_and_versions(trained: Project) -> None:
    record = trained.repo.latest_model()
    assert record is not None and len(record.data_hash) == 64
    first = load(trained.repo)
    again = load(trained.repo)
    assert first is not None and again is not None
    assert first.record == again.record == record
    assert first.model.scores(SENTENCES).tolist() == again.model.scores(SENTENCES).tolist()
    assert first.model.labels == list(record.metrics["labels"])
    assert first.version_differences() == {}
    blob = trained.repo.model_blob(record.id)
    assert zipfile.is_zipfile(io.BytesIO(blob))  # a skops file, not a pickle
    assert load_model(blob).scores(SENTENCES).tolist() == first.model.scores(SENTENCES).tolist()


def test_a_model_holding_an_untrusted_type_is_refused() -> None:
    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    blob = sio.dumps({"features": FunctionTransformer(func=os.system), "classifiers": {}})
    with pytest.raises(ModelLoadError, match="not trusted.*system"):
        load_model(blob)


def test_damaged_or_foreign_bytes_are_refused_clearly() -> None:
    import skops.io as sio

    with pytest.raises(ModelLoadError, match="cannot be read"):
        load_model(b"not a model")
    with pytest.raises(ModelLoadError, match="not a sentence model"):
        load_model(sio.dumps({"weights": [1, 2, 3]}))


def test_no_model_until_one_is_trained(generated: Project) -> None:
    assert load(generated.repo) is None
