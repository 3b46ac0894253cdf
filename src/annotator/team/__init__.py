"""Reviewers as a team (Qt-free services): reserved annotator names, copying another
reviewer's spans, adjudication into gold, and merging another project file.

Every edit returns a :class:`~annotator.team.changes.SpansChange` whose inverse undoes it,
so the app's undo commands call one function for redo and :func:`~annotator.team.changes.revert`
for undo.
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
