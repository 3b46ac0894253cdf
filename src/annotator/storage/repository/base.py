"""The repository's foundation: its tables, the engine, labels and annotators."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Self

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine

from annotator.labels import LabelSpec
from annotator.records import LabelRecord
from annotator.storage import db, opening
from annotator.storage.models import (Annotator, Document, DocumentPage, DocumentSentence, DocumentSpacyWords,
                                      DocumentStatus, DocumentToken, Label, Span, utc_now)

_D = Document.__table__
_P = DocumentPage.__table__
_S = Span.__table__
_L = Label.__table__
_A = Annotator.__table__
_ST = DocumentStatus.__table__
_T = DocumentToken.__table__
_SE = DocumentSentence.__table__
_SW = DocumentSpacyWords.__table__


def new_span_id() -> str:
    return uuid.uuid4().hex


class RepositoryBase:
    """Engine, labels and annotators: what every part of the repository uses."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._annotator_ids: dict[str, int] = {}
        self._label_ids: dict[str, int] = {}
        self._label_names: dict[int, str] = {}

    @classmethod
    def open(cls, project: str | Path, *, create: bool = True) -> tuple[Self, bool]:
        engine, created = opening.open_engine(project, create=create)
        return cls(engine), created

    def close(self) -> None:
        self.engine.dispose()

    # -- project metadata and labels -------------------------------------------------
    def labels(self) -> list[LabelRecord]:
        with self.engine.connect() as c:
            rows = c.execute(select(_L).order_by(_L.c.position, _L.c.id)).all()
        return [
            LabelRecord(r.id, LabelSpec(r.name, r.colour, r.shortcut, r.definition, r.example)) for r in rows
        ]

    @db.writes
    def store_labels(self, specs: Sequence[LabelSpec]) -> None:
        """Add labels missing by name (existing ones keep their colour and definition)."""
        existing = {lr.name for lr in self.labels()}
        with self.engine.begin() as c:
            for pos, s in enumerate(specs):
                if s.name not in existing:
                    c.execute(insert(_L).values(name=s.name, colour=s.colour, shortcut=s.shortcut,
                                                definition=s.definition, example=s.example, position=pos))

    def label_id(self, name: str, conn: Connection | None = None) -> int:
        if name not in self._label_ids:
            self._label_ids = {lr.name: lr.id for lr in self.labels()}
        try:
            return self._label_ids[name]
        except KeyError:
            raise KeyError(f"unknown label {name!r}") from None

    @db.writes
    def annotator_id(self, name: str, conn: Connection | None = None) -> int:
        if name in self._annotator_ids:
            return self._annotator_ids[name]
        if conn is None:
            with self.engine.begin() as c:
                return self.annotator_id(name, c)
        row = conn.execute(select(_A.c.id).where(_A.c.name == name)).first()
        if row is None:
            aid = conn.execute(insert(_A).values(name=name, created_at=utc_now())).inserted_primary_key[0]
        else:
            aid = row[0]
        self._annotator_ids[name] = aid
        return aid

    def annotators(self) -> list[str]:
        with self.engine.connect() as c:
            return [r[0] for r in c.execute(select(_A.c.name).order_by(_A.c.name))]

    def _annotator_rows(self) -> list[tuple[int, str]]:
        with self.engine.connect() as c:
            return [(r[0], r[1]) for r in c.execute(select(_A.c.id, _A.c.name))]
