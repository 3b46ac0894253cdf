"""Training with an honest score: a held-out split by document, the keyword baseline, a learning curve.

1. The documents are split 80/20 by ``GroupShuffleSplit`` (seeded), so no document's sentences
   are on both sides (a document done by two people stays on one side with both copies, and
   near-duplicate documents stay together: ``dataset.py``).
2. The features (vocabulary, idf) are fitted on the training documents only; the test
   sentences are transformed with them.
3. Per label, precision, recall, F1 and support of the model (probability >= 0.5) and of the
   keyword baseline (``baseline.py``) on the test sentences; micro and macro averages over the
   labels that have a positive example somewhere.
4. The learning curve refits the classifiers on the first 10 %, 20 %, ... 100 % of the training
   documents (a seeded order) and scores each on the same test sentences; the features stay
   those of step 2, so the curve shows what more labelled documents buy.
5. The stored model keeps those features and refits its classifiers on every document.

Rejected suggestions (negatives for their own label) join every training side. The same
examples and seed give identical scores: every step is seeded or deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from annotator.suggestions.baseline import KeywordBaseline
from annotator.suggestions.dataset import Example, TrainingDataError, TrainingSet
from annotator.suggestions.model import SentenceModel, fit_label, make_features, positive_scores

if TYPE_CHECKING:
    import numpy as np

TEST_SIZE = 0.2
THRESHOLD = 0.5
LEARNING_CURVE = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
DIGITS = 4

Progress = Callable[[int, int, str], None]


class TrainingCancelled(Exception):
    """Training stopped because its caller asked (nothing was stored)."""


def label_matrices(examples: Sequence[Example], labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(positives, in_use): rows x labels; a rejected suggestion's row is in use for its label only."""
    import numpy as np

    y = np.array([[label in e.positives for label in labels] for e in examples], dtype=bool).reshape(-1, len(labels))
    used = np.array([[e.only_label is None or e.only_label == label for label in labels] for e in examples],
                    dtype=bool).reshape(-1, len(labels))
    return y, used


def score_table(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str]) -> dict[str, Any]:
    """Per label precision, recall, F1 and support; micro and macro averages."""
    from sklearn.metrics import precision_recall_fscore_support

    out: dict[str, Any] = {"labels": {}}
    if not labels:
        zero = {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
        return {"labels": {}, "micro": dict(zero), "macro": dict(zero)}
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    for j, label in enumerate(labels):
        out["labels"][label] = _row(p[j], r[j], f[j], int(s[j]))
    total = int(y_true.sum())
    for average in ("micro", "macro"):
        pa, ra, fa, _ = precision_recall_fscore_support(y_true, y_pred, average=average, zero_division=0)
        out[average] = _row(pa, ra, fa, total)
    return out


def _row(p: float, r: float, f: float, support: int) -> dict[str, Any]:
    return {"precision": round(float(p), DIGITS), "recall": round(float(r), DIGITS),
            "f1": round(float(f), DIGITS), "support": support}


def split_rows(groups: Sequence[int], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of the training and test sides, grouped by document."""
    import numpy as np
    from sklearn.model_selection import GroupShuffleSplit

    documents = len(set(groups))
    if documents < 2:
        raise TrainingDataError(f"training needs at least two documents marked done (to hold one out for "
                                f"the scores); there {'is' if documents == 1 else 'are'} {documents}")
    splitter = GroupShuffleSplit(n_splits=1, test_size=TEST_SIZE, random_state=seed)
    train, test = next(splitter.split(np.zeros(len(groups)), groups=np.asarray(groups)))
    return train, test


class _Steps:
    """Progress and cancel for the training steps."""

    def __init__(self, total: int, progress: Progress | None, cancelled: Callable[[], bool] | None) -> None:
        self.total, self.done = total, 0
        self._progress, self._cancelled = progress, cancelled

    def step(self, message: str) -> None:
        if self._cancelled is not None and self._cancelled():
            raise TrainingCancelled("training was cancelled; nothing was stored")
        if self._progress is not None:
            self._progress(self.done, self.total, message)
        self.done += 1


def fit_classifiers(x: Any, y: np.ndarray, used: np.ndarray, labels: Sequence[str], seed: int) -> dict[str, Any]:
    return {label: fit_label(x[used[:, j]], y[used[:, j], j], seed) for j, label in enumerate(labels)}


def predict(classifiers: dict[str, Any], x: Any) -> np.ndarray:
    import numpy as np

    return np.column_stack([positive_scores(c, x) >= THRESHOLD for c in classifiers.values()]).reshape(
        x.shape[0], len(classifiers))


def train_and_evaluate(data: TrainingSet, seed: int = 0, progress: Progress | None = None,
                       cancelled: Callable[[], bool] | None = None) -> tuple[SentenceModel, dict[str, Any]]:
    """The model to store (see the module docstring) and its metrics (the ``train --json`` shape).

    BLAS runs on one thread: the solver's vectors are small, and threads fighting over the
    cores (the GUI, other programs) made each fit several times slower.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _train_and_evaluate(data, seed, progress, cancelled)


def _train_and_evaluate(data: TrainingSet, seed: int, progress: Progress | None,
                        cancelled: Callable[[], bool] | None) -> tuple[SentenceModel, dict[str, Any]]:
    import numpy as np
    import scipy.sparse as sp

    labels = list(data.labels)
    if not labels:
        raise TrainingDataError("the documents marked done hold no spans, so there is nothing to learn")
    steps = _Steps(4 + len(LEARNING_CURVE), progress, cancelled)
    steps.step("splitting documents")
    examples, rejected = data.examples, data.rejected
    train_rows, test_rows = split_rows([data.split_group(e.group) for e in examples], seed)
    y, used = label_matrices(examples, labels)
    y_rej, used_rej = label_matrices(rejected, labels)
    texts = [e.text for e in examples]

    steps.step("fitting features")
    features = make_features()
    x_train = features.fit_transform([texts[i] for i in train_rows] + [e.text for e in rejected])
    x_rej = x_train[len(train_rows):]
    x_train = x_train[:len(train_rows)]
    x_test = features.transform([texts[i] for i in test_rows])

    steps.step("scoring the held-out documents")
    fit_x = sp.vstack([x_train, x_rej]).tocsr()
    fit_y, fit_used = np.vstack([y[train_rows], y_rej]), np.vstack([used[train_rows], used_rej])
    classifiers = fit_classifiers(fit_x, fit_y, fit_used, labels, seed)
    y_test = y[test_rows]
    metrics = score_table(y_test, predict(classifiers, x_test), labels)
    baseline = KeywordBaseline.fit([texts[i] for i in train_rows], y[train_rows], labels)
    metrics["baseline"] = score_table(y_test, baseline.predict([texts[i] for i in test_rows]), labels)
    metrics["baseline"]["keywords"] = baseline.keywords

    metrics["learning_curve"] = _learning_curve(examples, train_rows, x_train, y, used, (x_rej, y_rej, used_rej),
                                                x_test, y_test, labels, seed, steps)
    steps.step("fitting the model on every document")
    all_x = sp.vstack([x_train, x_test, x_rej]).tocsr()
    all_y = np.vstack([y[train_rows], y_test, y_rej])
    all_used = np.vstack([used[train_rows], used[test_rows], used_rej])
    model = SentenceModel(features, fit_classifiers(all_x, all_y, all_used, labels, seed))
    metrics["documents"] = {"train": len({examples[i].group for i in train_rows}),
                            "test": len({examples[i].group for i in test_rows})}
    metrics["sentences"] = {"train": len(train_rows), "test": len(test_rows)}
    metrics["held_out_documents"] = sorted({examples[i].group for i in test_rows})
    metrics["rejected_examples"] = len(rejected)
    if progress is not None:
        progress(steps.total, steps.total, "done")
    return model, metrics


def _learning_curve(examples: Sequence[Example], train_rows: np.ndarray, x_train: Any, y: np.ndarray,
                    used: np.ndarray, rejected: tuple[Any, np.ndarray, np.ndarray], x_test: Any,
                    y_test: np.ndarray, labels: Sequence[str], seed: int, steps: _Steps) -> list[dict[str, Any]]:
    import numpy as np
    import scipy.sparse as sp

    x_rej, y_rej, used_rej = rejected
    groups = np.array([examples[i].group for i in train_rows])
    order = np.random.default_rng(seed).permutation(np.unique(groups))
    curve = []
    for fraction in LEARNING_CURVE:
        steps.step(f"learning curve: {round(fraction * 100)} % of the training documents")
        n = max(1, round(fraction * len(order)))
        rows = np.flatnonzero(np.isin(groups, order[:n]))
        x = sp.vstack([x_train[rows], x_rej]).tocsr()
        fitted = fit_classifiers(x, np.vstack([y[train_rows][rows], y_rej]),
                                 np.vstack([used[train_rows][rows], used_rej]), labels, seed)
        table = score_table(y_test, predict(fitted, x_test), labels)
        curve.append({"fraction": fraction, "documents": n, "micro_f1": table["micro"]["f1"],
                      "macro_f1": table["macro"]["f1"]})
    return curve


def score_split(train: Sequence[Example], test: Sequence[Example], labels: Sequence[str],
                seed: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    """(model scores, keyword baseline scores) of a model fitted on ``train`` and scored on ``test``.

    For a split made elsewhere (an export's): no learning curve, nothing stored.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        y_train, used = label_matrices(train, labels)
        y_test, _ = label_matrices(test, labels)
        features = make_features()
        x_train = features.fit_transform([e.text for e in train])
        classifiers = fit_classifiers(x_train, y_train, used, labels, seed)
        model = score_table(y_test, predict(classifiers, features.transform([e.text for e in test])), labels)
        baseline = KeywordBaseline.fit([e.text for e in train], y_train, labels)
        return model, score_table(y_test, baseline.predict([e.text for e in test]), labels)
