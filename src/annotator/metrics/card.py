"""The dataset card's sections that come from measurements: reviewer agreement and the baseline model.

The exporters do not import :mod:`annotator.metrics` (they are siblings in the layer
contract); the CLI and the export dialog pass :func:`card_extras` to the export
(``ExportOptions.card_extras``), which calls it once the data is written with the export's
effective filter and its (document id, annotator, split) groups, and adds the Markdown it
returns to the card.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from annotator.metrics.study import StudyError, project_agreement
from annotator.storage.repository import ExportFilter, Repository

_FIGURES = (("f1_exact", "F1 exact"), ("f1_overlap", "F1 overlap"), ("kappa", "kappa"), ("alpha_u", "alpha_u"))


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def agreement_section(repo: Repository, flt: ExportFilter, samples: int = 200) -> str:
    """Markdown tables of agreement per pair of reviewers, or "" when fewer than two overlap."""
    from annotator.services.team import is_person

    people = [a for a in (flt.annotators or repo.annotators()) if is_person(a)]
    if not repo.annotated_together(people):  # nothing to compare: skip reading every span and text
        return ""
    try:
        result: dict[str, Any] = project_agreement(repo, flt.annotators, flt.labels, flt.statuses, samples=samples)
    except StudyError:
        return ""
    pairs = [p for p in result["pairs"] if p["overall"]["n_docs"]]
    if not pairs:
        return ""
    out = ["## Agreement between reviewers", "",
           "On the documents both reviewers of a pair annotated (from `annotator agreement`): span F1 with "
           "exact and with overlap match, token-level Cohen's kappa, Krippendorff's unitizing alpha.", ""]
    for pair in pairs:
        out += [f"### {pair['a']} / {pair['b']} ({pair['overall']['n_docs']} documents)", "",
                "| label | " + " | ".join(name for _k, name in _FIGURES) + " | documents |",
                "|---|" + "---|" * (len(_FIGURES) + 1)]
        rows = [*pair["labels"].items(), ("(micro)", pair["overall"])]
        out += [f"| {label} | " + " | ".join(_fmt(f.get(k)) for k, _n in _FIGURES) + f" | {f['n_docs']} |"
                for label, f in rows]
        out.append("")
    return "\n".join(out)


def card_extras(repo: Repository, flt: ExportFilter, groups: Sequence[tuple[int, str, str | None]]) -> list[str]:
    """The agreement table when two or more reviewers overlap; the baseline model's scores when a model is
    trained (on the export's split when it has one, else the stored model's held-out scores)."""
    sections = [agreement_section(repo, flt)]
    if repo.latest_model() is not None:
        from annotator.suggestions.card import card_section

        split = [(d, a, s) for d, a, s in groups if s]
        sections.append(card_section(repo, split or None))
    return [s for s in sections if s.strip()]
