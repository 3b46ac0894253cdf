"""Span F1, token kappa and the study's shape, checked against scikit-learn and by hand."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from annotator.metrics.agreement import StudyDocument, agreement, against_reference, fleiss_kappa, overlap_matches

LABELS = ["claim", "mechanism", "citation"]


def words_doc(n_words: int) -> tuple[int, list[int], list[int]]:
    """A text of n 4-letter words separated by one space: (length, token starts, token ends)."""
    starts = [5 * i for i in range(n_words)]
    return 5 * n_words - 1, starts, [s + 4 for s in starts]


def random_spans(rng: random.Random, n_words: int, count: int) -> list[tuple[int, int, str]]:
    """Non-overlapping token-aligned spans."""
    spans, taken = [], set()
    for _ in range(count):
        first = rng.randrange(n_words)
        last = min(n_words - 1, first + rng.randrange(4))
        if taken & set(range(first, last + 1)):
            continue
        taken |= set(range(first, last + 1))
        spans.append((5 * first, 5 * last + 4, rng.choice(LABELS)))
    return spans


def naive_token_tags(n_words: int, spans: list[tuple[int, int, str]]) -> list[str]:
    tags = ["O"] * n_words
    for start, end, label in spans:
        for i in range(n_words):
            if 5 * i < end and 5 * i + 4 > start:
                tags[i] = label
    return tags


def test_kappa_matches_scikit_learn_on_the_same_token_labels() -> None:
    rng = random.Random(7)
    docs, tags_a, tags_b = {}, [], []
    for d in range(12):
        n = rng.randrange(20, 60)
        length, starts, ends = words_doc(n)
        a, b = random_spans(rng, n, 8), random_spans(rng, n, 8)
        b = b + [s for s in a[:3] if not any(s[0] < t[1] and t[0] < s[1] for t in b)]  # some agreement
        docs[d] = StudyDocument(length, starts, ends, {"ann": a, "bob": b})
        tags_a += naive_token_tags(n, a)
        tags_b += naive_token_tags(n, b)
    result = agreement(docs, ["ann", "bob"], LABELS, samples=50)
    (pair,) = result["pairs"]
    assert pair["overall"]["kappa"] == pytest.approx(cohen_kappa_score(tags_a, tags_b))
    for label in LABELS:
        binary_a = [t == label for t in tags_a]
        binary_b = [t == label for t in tags_b]
        assert pair["labels"][label]["kappa"] == pytest.approx(cohen_kappa_score(binary_a, binary_b))
    assert result["overall"]["kappa"] == pair["overall"]["kappa"]
    assert pair["overall"]["n_docs"] == 12


def test_identical_annotations_give_one_everywhere() -> None:
    rng = random.Random(3)
    docs = {}
    for d in range(6):
        length, starts, ends = words_doc(40)
        spans = random_spans(rng, 40, 10)
        docs[d] = StudyDocument(length, starts, ends, {"a": list(spans), "b": list(spans), "c": list(spans)})
    result = agreement(docs, ["a", "b", "c"], LABELS, samples=50)
    assert len(result["pairs"]) == 3
    for scope in [*(p["overall"] for p in result["pairs"]), result["overall"]]:
        assert (scope["f1_exact"], scope["f1_overlap"], scope["kappa"], scope["alpha_u"]) == (1.0, 1.0, 1.0, 1.0)
    assert result["overall"]["kappa_kind"] == "fleiss"
    for figures in result["overall"]["labels"].values():
        assert figures["f1_exact"] == figures["kappa"] == figures["alpha_u"] == 1.0
    assert result["pairs"][0]["overall"]["ci95"]["f1_exact"] == [1.0, 1.0]


def test_span_f1_exact_and_overlap_by_hand() -> None:
    length, starts, ends = words_doc(20)
    a = [(0, 4, "claim"), (10, 19, "claim"), (30, 34, "mechanism")]
    b = [(0, 4, "claim"), (15, 24, "claim"), (30, 34, "citation"), (50, 54, "claim")]
    result = agreement({1: StudyDocument(length, starts, ends, {"a": a, "b": b})}, ["a", "b"], LABELS, samples=0)
    pair = result["pairs"][0]
    # exact: 1 match of 3 + 4 spans; overlap: (0,4) and (10,19)~(15,24): 2 matches
    assert pair["overall"]["f1_exact"] == pytest.approx(2 * 1 / 7)
    assert pair["overall"]["f1_overlap"] == pytest.approx(2 * 2 / 7)
    assert pair["labels"]["claim"]["f1_exact"] == pytest.approx(2 * 1 / 5)
    assert pair["labels"]["mechanism"]["f1_exact"] == 0.0
    assert pair["labels"]["citation"]["n_docs"] == 1


def test_overlap_matching_is_one_to_one() -> None:
    a = [(0, 10, "x")]
    b = [(0, 5, "x"), (5, 10, "x")]
    assert overlap_matches(a, b) == 1
    assert overlap_matches(b, a) == 1


def test_documents_only_one_reviewer_annotated_are_not_compared() -> None:
    length, starts, ends = words_doc(10)
    docs = {1: StudyDocument(length, starts, ends, {"a": [(0, 4, "claim")], "b": [(0, 4, "claim")]}),
            2: StudyDocument(length, starts, ends, {"a": [(5, 9, "claim")]})}
    pair = agreement(docs, ["a", "b"], LABELS, samples=0)["pairs"][0]
    assert pair["overall"]["n_docs"] == 1 and pair["overall"]["f1_exact"] == 1.0
    assert pair["labels"]["mechanism"]["f1_exact"] is None  # nobody used it: undefined, not 0 or 1


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    rng = random.Random(11)
    docs = {}
    for d in range(30):
        length, starts, ends = words_doc(30)
        a = random_spans(rng, 30, 6)
        b = a[: rng.randrange(len(a) + 1)] + [(s, e, "citation") for s, e, _ in a[len(a) // 2:]]
        docs[d] = StudyDocument(length, starts, ends, {"a": a, "b": sorted(set(b))})
    one = agreement(docs, ["a", "b"], LABELS, seed=5, samples=200)
    two = agreement(docs, ["a", "b"], LABELS, seed=5, samples=200)
    overall = one["pairs"][0]["overall"]
    assert overall["ci95"] == two["pairs"][0]["overall"]["ci95"]
    for name in ("f1_exact", "f1_overlap", "kappa"):
        low, high = overall["ci95"][name]
        assert low <= overall[name] <= high and low < high


def test_fleiss_kappa_worked_example() -> None:
    """Fleiss (1971) as Wikipedia works it: 10 subjects, 14 raters, 5 categories -> 0.210."""
    table = np.array([[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
                      [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]])
    assert fleiss_kappa(table) == pytest.approx(0.210, abs=0.001)


def test_scores_against_gold() -> None:
    length, starts, ends = words_doc(20)
    gold = [(0, 4, "claim"), (10, 14, "claim"), (20, 24, "mechanism")]
    mine = [(0, 4, "claim"), (20, 24, "claim")]
    docs = {1: StudyDocument(length, starts, ends, {"gold": gold, "a": mine})}
    scores = against_reference(docs, ["a", "gold"], "gold", LABELS)["annotators"]["a"]
    assert scores["labels"]["claim"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert scores["labels"]["mechanism"] == {"precision": None, "recall": 0.0, "f1": 0.0}
    assert scores["overall"]["precision"] == 0.5 and scores["overall"]["recall"] == pytest.approx(1 / 3)


def test_pair_alpha_u_is_krippendorffs_2004_example() -> None:
    """The 2004 worked example as one document of 300 characters: DKPro's published values."""
    raw = {"a": [(225, 70, "c"), (370, 30, "c"), (180, 60, "k"), (300, 50, "k")],
           "b": [(220, 80, "c"), (355, 20, "c"), (400, 20, "c"), (180, 60, "k"), (300, 50, "k")]}
    spans = {who: [(o - 150, o - 150 + n, c) for o, n, c in found] for who, found in raw.items()}
    starts = list(range(300))
    doc = StudyDocument(300, starts, [s + 1 for s in starts], spans)
    result = agreement({1: doc}, ["a", "b"], ["c", "k"], samples=0)
    pair = result["pairs"][0]
    assert pair["labels"]["c"]["alpha_u"] == pytest.approx(0.7286, abs=1e-4)
    assert pair["labels"]["k"]["alpha_u"] == pytest.approx(1.0, abs=1e-4)
    assert pair["overall"]["alpha_u"] == pytest.approx(0.8591, abs=5e-4)
    assert result["overall"]["alpha_u"] == pair["overall"]["alpha_u"]
