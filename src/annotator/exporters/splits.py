"""Train/dev/test assignment: grouped by document, stratified by label set, reproducible.

A *document* is the unit (its ``document_id``, the text's SHA-256 prefix the canonical
meta carries), so all of a document's annotators land in the same split and no text is in
two splits. Documents are stratified by the set of labels they hold (over every exported
annotator): each stratum is shuffled with a generator seeded by ``seed`` and the stratum's
labels, then dealt out one document at a time to the split furthest below its share,
counting both the stratum's and the running overall shares. Small strata therefore still
reach dev and test over the whole corpus, and a large stratum is split in proportion.

Only document ids are involved, never database ids or timestamps: the same seed and the
same documents give the same assignment in any project holding them.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence


def assign_splits(labels_of: Mapping[str, Collection[str]], fractions: Sequence[float], names: Sequence[str],
                  seed: int) -> dict[str, str]:
    """document_id -> split name, for every document in ``labels_of``."""
    strata: dict[tuple[str, ...], list[str]] = {}
    for doc in sorted(labels_of):
        strata.setdefault(tuple(sorted(labels_of[doc])), []).append(doc)
    overall = [0] * len(names)
    placed = 0
    out: dict[str, str] = {}
    for key in sorted(strata):
        docs = strata[key]
        # A string seed goes through SHA-512 in random.seed: stable across runs and machines.
        random.Random(f"{seed}|{'|'.join(key)}").shuffle(docs)
        local = [0] * len(names)
        for k, doc in enumerate(docs):
            j = _neediest(fractions, local, k, overall, placed)
            local[j] += 1
            overall[j] += 1
            placed += 1
            out[doc] = names[j]
    return out


def _neediest(fractions: Sequence[float], local: list[int], k: int, overall: list[int], placed: int) -> int:
    """The split furthest below its share, after this document, in the stratum plus overall."""
    best, best_need = 0, -float("inf")
    for j, f in enumerate(fractions):
        if f <= 0:
            continue
        need = (f * (k + 1) - local[j]) + (f * (placed + 1) - overall[j])
        if need > best_need + 1e-12:
            best, best_need = j, need
    return best
