"""Reviewers as a team: the annotator names a project reserves, and who counts as a person.

The other team services sit beside this module: ``copying`` (another reviewer's spans to
mine), ``adjudication`` (conflicts and decisions into gold) and ``merge`` (another project
file). Every edit there returns a :class:`~annotator.services.changes.SpansChange` whose
inverse (:func:`~annotator.services.changes.revert`) undoes it, for the app's undo commands.
"""

from __future__ import annotations

GOLD = "gold"  # the adjudicated annotations
MODEL = "model"  # a model's suggestions
RESERVED_NAMES: frozenset[str] = frozenset({GOLD, MODEL})


class ReservedNameError(ValueError):
    """A person tried to take a name the project keeps for gold or a model."""


def check_reviewer_name(name: str) -> str:
    """The name a person annotates under, stripped; refuses empty and reserved names."""
    cleaned = name.strip()
    if not cleaned:
        raise ReservedNameError("the reviewer needs a name")
    if cleaned.casefold() in RESERVED_NAMES:
        raise ReservedNameError(f"{cleaned!r} is reserved ({', '.join(sorted(RESERVED_NAMES))} are not people's "
                                "names); choose another name")
    return cleaned


def is_person(name: str) -> bool:
    return name.casefold() not in RESERVED_NAMES
