"""The sentence model: TF-IDF word 1-2-grams and character 3-5-grams, one logistic regression per label.

scikit-learn owns every piece: a ``FeatureUnion`` of two ``TfidfVectorizer`` (words; character
n-grams inside word boundaries, ``char_wb``, which carry spelling variants, numbers and
citation punctuation), and per label a ``LogisticRegression`` with balanced class weights
(labels are rare among sentences). One-vs-rest by hand rather than ``OneVsRestClassifier``
because a rejected suggestion is an example for its own label only, so each label trains on
its own rows. A label whose rows hold one class only gets that class's constant score.

Stored with skops, never bare pickle: :func:`load_model` lists the blob's types first and
refuses any that skops does not trust by default (scikit-learn, numpy and scipy types), so a
project file from someone else cannot run code when its model is loaded.
"""

from __future__ import annotations

import importlib.metadata
import platform
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from annotator.sentences import SENTENCES_VERSION

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import spmatrix

_INSTALL_HINT = "install it with: pip install 'annotator[model]' (scikit-learn and skops)"
MAX_ITER = 1000


class ModelUnavailable(RuntimeError):
    """scikit-learn or skops is not installed."""


class ModelLoadError(ValueError):
    """A stored model that cannot be loaded safely or at all."""


def require_model_libraries() -> None:
    """Raise :class:`ModelUnavailable` with the install command when a library is missing."""
    for module in ("sklearn", "skops", "scipy"):
        try:
            __import__(module)
        except ImportError as exc:
            raise ModelUnavailable(f"training and suggestions need {module}: {_INSTALL_HINT}") from exc


def library_versions() -> dict[str, str]:
    """What a model's scores depend on, stored with it."""
    versions = {"python": platform.python_version(), "sentences": str(SENTENCES_VERSION)}
    for dist in ("annotator", "scikit-learn", "skops", "numpy", "scipy"):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = "unknown"
    return versions


def make_features() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion([
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                                  dtype=_float32())),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                                  dtype=_float32())),
    ])


def _float32() -> Any:
    import numpy as np

    return np.float32


def fit_label(x: spmatrix, y: np.ndarray, seed: int) -> Any:
    """A fitted classifier for one label, or a float constant when ``y`` holds one class only."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    positives = int(np.count_nonzero(y))
    if positives == 0 or positives == len(y):
        return 1.0 if positives else 0.0
    return LogisticRegression(class_weight="balanced", max_iter=MAX_ITER, random_state=seed).fit(x, y)


def positive_scores(classifier: Any, x: spmatrix) -> np.ndarray:
    """The probability of the positive class for every row (a constant classifier: its value)."""
    import numpy as np

    if isinstance(classifier, float):
        return np.full(x.shape[0], classifier)
    return classifier.predict_proba(x)[:, 1]


class SentenceModel:
    """Fitted features and one classifier per label; scores sentences for every label."""

    def __init__(self, features: Any, classifiers: dict[str, Any]) -> None:
        self.features = features
        self.classifiers = classifiers

    @property
    def labels(self) -> list[str]:
        return list(self.classifiers)

    def scores(self, sentences: Sequence[str]) -> np.ndarray:
        """Rows: sentences; columns: :attr:`labels`; values: probabilities in [0, 1]."""
        import numpy as np

        if not sentences:
            return np.zeros((0, len(self.classifiers)))
        x = self.features.transform(list(sentences))
        return np.column_stack([positive_scores(c, x) for c in self.classifiers.values()])

    def to_bytes(self) -> bytes:
        import zipfile

        import skops.io as sio

        for _, vectorizer in self.features.transformer_list:
            # Every n-gram min_df dropped: large, and only there for introspection (scikit-learn's advice).
            vectorizer.stop_words_ = None
        return sio.dumps({"features": self.features, "classifiers": self.classifiers},
                         compression=zipfile.ZIP_DEFLATED)


def load_model(blob: bytes) -> SentenceModel:
    """A model from its skops bytes, refusing any type skops does not trust by default."""
    require_model_libraries()
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(data=blob)
    except Exception as exc:  # a damaged or foreign blob: zip, JSON or schema errors
        raise ModelLoadError(f"the stored model cannot be read ({exc}); train again") from exc
    if untrusted:
        raise ModelLoadError("the stored model holds types that are not trusted, so it was not loaded: "
                             f"{', '.join(sorted(untrusted))}. Train again to replace it.")
    try:
        obj = sio.loads(blob)
    except Exception as exc:
        raise ModelLoadError(f"the stored model cannot be loaded with this version of scikit-learn ({exc}); "
                             "train again") from exc
    if not (isinstance(obj, dict) and set(obj) == {"features", "classifiers"} and isinstance(obj["classifiers"], dict)):
        raise ModelLoadError("the stored model is not a sentence model made by annotator train; train again")
    return SentenceModel(obj["features"], obj["classifiers"])
