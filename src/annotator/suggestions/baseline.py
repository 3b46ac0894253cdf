"""The keyword baseline a model has to beat: per label, a few words that mark its sentences.

Learned from the training half only. For each label, the candidates are the 200 words
(``\\w+``, lower-cased) found in at least two of its sentences that would reach the best F1
alone (a sentence is positive when it holds the word). From them, words are picked greedily:
each time the one that raises the training F1 of "the sentence holds any picked word" most,
until none raises it or 20 are picked. A sentence is predicted positive when it holds any of
them. Transparent and cheap: if the model cannot beat a short list of words, its suggestions
are not worth a reviewer's attention.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_WORD = re.compile(r"\w+")
CANDIDATES = 200
MAX_KEYWORDS = 20
MIN_POSITIVE_SENTENCES = 2


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


class KeywordBaseline:
    def __init__(self, keywords: dict[str, list[str]]) -> None:
        self.keywords = keywords

    @classmethod
    def fit(cls, texts: Sequence[str], y: np.ndarray, labels: Sequence[str]) -> KeywordBaseline:
        """Keywords per label from sentences ``texts`` and their label matrix ``y`` (rows x labels)."""
        rows_of: dict[str, list[int]] = {}  # word -> the sentences holding it
        for row, text in enumerate(texts):
            for w in _words(text):
                rows_of.setdefault(w, []).append(row)
        return cls({label: _pick(rows_of, len(texts), y[:, j].astype(bool)) for j, label in enumerate(labels)})

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Rows: sentences; columns: labels in fitting order; True where a keyword occurs."""
        import numpy as np

        bags = [_words(t) for t in texts]
        out = np.zeros((len(texts), len(self.keywords)), dtype=bool)
        for j, words in enumerate(self.keywords.values()):
            wanted = set(words)
            out[:, j] = [not wanted.isdisjoint(bag) for bag in bags]
        return out


def _pick(rows_of: dict[str, list[int]], sentences: int, positive: np.ndarray) -> list[str]:
    """The greedily picked keywords of one label (see the module docstring)."""
    import numpy as np

    positives = int(positive.sum())
    pos_df = {w: int(positive[rows].sum()) for w, rows in rows_of.items()}
    # F1 = 2 tp / (predicted + actual positives), for one word alone and for a set of them.
    candidates = sorted((w for w, n in pos_df.items() if n >= MIN_POSITIVE_SENTENCES),
                        key=lambda w: (-2 * pos_df[w] / (len(rows_of[w]) + positives), w))[:CANDIDATES]
    if not candidates:
        return []
    holds = np.zeros((len(candidates), sentences), dtype=bool)
    for i, w in enumerate(candidates):
        holds[i, rows_of[w]] = True
    covered = np.zeros(sentences, dtype=bool)
    picked: list[int] = []
    best = 0.0
    for _ in range(MAX_KEYWORDS):
        union = holds | covered
        f1 = 2 * (union & positive).sum(axis=1) / (union.sum(axis=1) + positives)
        f1[picked] = -1.0
        i = int(np.argmax(f1))
        if f1[i] <= best:
            break
        best = float(f1[i])
        picked.append(i)
        covered |= holds[i]
    return [candidates[i] for i in picked]
