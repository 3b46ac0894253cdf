"""The keyword baseline a model has to beat: per label, a few words typical of its sentences.

Learned from the training half only. For each label, every word (``\\w+``, lower-cased) found
in at least two positive sentences is ranked by its smoothed log-odds of appearing in a
positive rather than a negative sentence; the baseline keeps the top k words, with k among
1, 2, 3, 5, 10 or 20 chosen for the best F1 on the training half (ties: the fewer words), and
predicts a sentence positive when it contains any of them. Transparent and cheap: if the model
cannot beat a list of words, its suggestions are not worth a reviewer's attention.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_WORD = re.compile(r"\w+")
KEYWORD_COUNTS = (1, 2, 3, 5, 10, 20)
MIN_POSITIVE_SENTENCES = 2


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


class KeywordBaseline:
    def __init__(self, keywords: dict[str, list[str]]) -> None:
        self.keywords = keywords

    @classmethod
    def fit(cls, texts: Sequence[str], y: np.ndarray, labels: Sequence[str]) -> KeywordBaseline:
        """Keywords per label from sentences ``texts`` and their label matrix ``y`` (rows x labels)."""
        bags = [_words(t) for t in texts]
        keywords: dict[str, list[str]] = {}
        for j, label in enumerate(labels):
            column = [bool(v) for v in y[:, j]]
            positives = sum(column)
            negatives = len(column) - positives
            pos_df: Counter[str] = Counter()
            neg_df: Counter[str] = Counter()
            for bag, positive in zip(bags, column):
                (pos_df if positive else neg_df).update(bag)
            ranked = sorted(
                (w for w, n in pos_df.items() if n >= MIN_POSITIVE_SENTENCES),
                key=lambda w: (-(math.log((pos_df[w] + 0.5) / (positives + 1))
                                 - math.log((neg_df[w] + 0.5) / (negatives + 1))), w))
            keywords[label] = ranked[:_best_count(ranked, bags, column)]
        return cls(keywords)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Rows: sentences; columns: labels in fitting order; True where a keyword occurs."""
        import numpy as np

        bags = [_words(t) for t in texts]
        out = np.zeros((len(texts), len(self.keywords)), dtype=bool)
        for j, words in enumerate(self.keywords.values()):
            wanted = set(words)
            out[:, j] = [not wanted.isdisjoint(bag) for bag in bags]
        return out


def _best_count(ranked: list[str], bags: list[set[str]], column: list[bool]) -> int:
    """How many of the ranked words give the best F1 on the training sentences (0: none ranked)."""
    if not ranked:
        return 0
    rank = {w: i for i, w in enumerate(ranked[:max(KEYWORD_COUNTS)])}
    # A sentence is predicted positive with k words when its best-ranked word is among the first k.
    first = [min((rank[w] for w in bag if w in rank), default=len(rank)) for bag in bags]
    best_k, best_f1 = 0, -1.0
    for k in KEYWORD_COUNTS:
        if k > len(ranked) and k != KEYWORD_COUNTS[0]:
            break
        tp = sum(1 for r, p in zip(first, column) if r < k and p)
        fp = sum(1 for r, p in zip(first, column) if r < k and not p)
        fn = sum(1 for r, p in zip(first, column) if r >= k and p)
        f1 = _f1(tp, fp, fn)
        if f1 > best_f1:
            best_k, best_f1 = min(k, len(ranked)), f1
    return best_k
