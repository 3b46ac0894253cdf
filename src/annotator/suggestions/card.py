"""The dataset card's section on baseline scores: what a simple model reaches on the data.

:func:`card_section` is what the export's card calls. Given the export's split it fits the
sentence model and the keyword baseline on the train part and scores them on the test part
(dev when there is no test), so trainers see the floor their own model has to beat on that
very split. Without a split it reports the project's stored model and its held-out scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from annotator.storage.repository import Repository
from annotator.suggestions.dataset import examples_for
from annotator.suggestions.model import ModelUnavailable, require_model_libraries

_METHOD = ("Sentence level: a sentence counts as positive for a label when a span of that label covers at "
           "least half of the sentence or half of the span. Model: TF-IDF word 1-2-grams and character "
           "3-5-grams, one logistic regression per label (balanced classes). Keyword baseline: the words "
           "most typical of each label's sentences in the training part.")


def card_section(repo: Repository, groups: Sequence[tuple[int, str, str]] | None = None, seed: int = 0) -> str:
    """Markdown for the dataset card ("" when there is nothing to report).

    ``groups`` are the export's (document id, annotator, split name) triples, split names
    "train", "dev" and "test".
    """
    try:
        require_model_libraries()
    except ModelUnavailable as exc:
        return f"## Baseline scores\n\nNot computed: {exc}.\n"
    if groups:
        return _split_section(repo, groups, seed)
    record = repo.latest_model()
    if record is None:
        return ""
    m = record.metrics
    intro = (f"The project's model (trained on {m['trained_on']}'s done documents, seed {m['seed']}, data "
             f"{m['data_hash'][:12]}), scored on {m['documents']['test']} held-out documents.")
    return _render(intro, m, m["baseline"])


def _split_section(repo: Repository, groups: Sequence[tuple[int, str, str]], seed: int) -> str:
    from annotator.suggestions.evaluate import score_split

    parts = {name: [(d, a) for d, a, s in groups if s == name] for name in ("train", "dev", "test")}
    scored = "test" if parts["test"] else "dev"
    if not parts["train"] or not parts[scored]:
        return ""
    train, test = examples_for(repo, parts["train"]), examples_for(repo, parts[scored])
    used = set().union(*(e.positives for e in train)) if train else set()
    labels = [lr.name for lr in repo.labels() if lr.name in used]
    if not labels:
        return ""
    try:
        model, baseline = score_split(train, test, labels, seed)
    except ValueError as exc:  # too little text for the features
        return f"## Baseline scores\n\nNot computed: {exc}.\n"
    intro = (f"Fitted on the train split ({len({d for d, _ in parts['train']})} documents) and scored on the "
             f"{scored} split ({len({d for d, _ in parts[scored]})} documents), seed {seed}.")
    return _render(intro, model, baseline)


def _render(intro: str, model: dict[str, Any], baseline: dict[str, Any]) -> str:
    lines = ["## Baseline scores", "", intro, "", _METHOD, "",
             "| label | precision | recall | F1 | keyword F1 | support |", "|---|---:|---:|---:|---:|---:|"]
    rows = [(label, r, baseline["labels"][label]) for label, r in model["labels"].items()]
    rows += [(f"*{avg}*", model[avg], baseline[avg]) for avg in ("micro", "macro")]
    for name, r, b in rows:
        lines.append(f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {b['f1']:.3f} "
                     f"| {r['support']} |")
    return "\n".join(lines) + "\n"
