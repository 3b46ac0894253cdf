"""Suggestions a reviewer rejected in the app, remembered in the project.

A rejection is the suggestion's place and label, ``(start, end, label)``, kept per document
as one JSON row of ``project_meta`` (no schema change), so it survives reopening, travels
with the project file to every teammate, and can serve as a negative example for training.
"""

from __future__ import annotations

import json

from sqlalchemy import delete, insert, select, update

from annotator.storage import db
from annotator.storage.models import ProjectMeta
from annotator.storage.repository.base import RepositoryBase

_M = ProjectMeta.__table__
_PREFIX = "rejected_suggestions:"

RejectedKey = tuple[int, int, str]  # start, end, label


def _decode(value: str | None) -> set[RejectedKey]:
    """The stored list; entries that are not [int, int, str] are ignored (a hand-edited file)."""
    try:
        rows = json.loads(value) if value else []
    except ValueError:
        return set()
    out: set[RejectedKey] = set()
    for row in rows if isinstance(rows, list) else ():
        if (isinstance(row, list) and len(row) == 3 and all(type(v) is int for v in row[:2])
                and isinstance(row[2], str)):
            out.add((row[0], row[1], row[2]))
    return out


class SuggestionRejections(RepositoryBase):
    def rejected_suggestions(self, doc_id: int) -> set[RejectedKey]:
        with self.engine.connect() as c:
            value = c.execute(select(_M.c.value).where(_M.c.key == f"{_PREFIX}{doc_id}")).scalar()
        return _decode(value)

    @db.writes
    def set_suggestion_rejected(self, doc_id: int, key: RejectedKey, rejected: bool) -> None:
        """Remember (or forget, for an undo) that the suggestion ``key`` on ``doc_id`` was rejected."""
        row_key = f"{_PREFIX}{doc_id}"
        with self.engine.begin() as c:
            current = c.execute(select(_M.c.value).where(_M.c.key == row_key)).first()
            keys = _decode(current[0] if current else None)
            if rejected:
                keys.add(key)
            else:
                keys.discard(key)
            value = json.dumps(sorted([list(k) for k in keys]))
            if current is None:
                if keys:
                    c.execute(insert(_M).values(key=row_key, value=value))
            elif keys:
                c.execute(update(_M).where(_M.c.key == row_key).values(value=value))
            else:
                c.execute(delete(_M).where(_M.c.key == row_key))
