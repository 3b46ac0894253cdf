"""SQLModel tables. One project is one database; every span and status belongs to an annotator.

Timestamps are timezone-aware UTC (stored as ISO-8601 text so every backend round-trips
the offset exactly); offsets are Unicode code points into ``Document.text``.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

STATUSES: tuple[str, ...] = ("todo", "in_progress", "done", "skipped", "flagged")
SPAN_SOURCES: tuple[str, ...] = ("manual", "import", "model")


def utc_now() -> str:
    """Now as timezone-aware UTC ISO-8601 text (microseconds kept, so edits order stably)."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


class ProjectMeta(SQLModel, table=True):
    __tablename__ = "project_meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str


class Label(SQLModel, table=True):
    __tablename__ = "label"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=40)
    colour: str = Field(max_length=7)
    shortcut: str = Field(default="", max_length=8)
    definition: str = ""
    example: str = ""
    position: int = 0


class Annotator(SQLModel, table=True):
    __tablename__ = "annotator"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    created_at: str


class Document(SQLModel, table=True):
    __tablename__ = "document"
    # Schema 3: covers the document list's columns, so reading 100,000 rows of it never
    # touches the table, where every text is stored inline.
    __table_args__ = (Index("ix_document_list", "id", "title", "format", "source", "char_count"),)
    id: int | None = Field(default=None, primary_key=True)
    title: str
    source: str
    format: str = Field(max_length=16)
    sha256: str = Field(unique=True, max_length=64)
    text: str
    char_count: int
    meta_json: str = "{}"
    imported_at: str


class DocumentPage(SQLModel, table=True):
    """Per PDF page: its slice of the canonical text and a box per character (float32 x4)."""

    __tablename__ = "document_page"
    document_id: int = Field(foreign_key="document.id", primary_key=True, ondelete="CASCADE")
    number: int = Field(primary_key=True)
    start: int
    end: int
    width: float
    height: float
    rotation: int = 0
    boxes: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Span(SQLModel, table=True):
    __tablename__ = "span"
    __table_args__ = (Index("ix_span_doc_annotator_start", "document_id", "annotator_id", "start"),)
    id: str = Field(primary_key=True, max_length=32)
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE")
    annotator_id: int = Field(foreign_key="annotator.id", index=True)
    label_id: int = Field(foreign_key="label.id", index=True)
    start: int
    end: int
    note: str | None = None
    created_at: str
    updated_at: str
    # Who proposed the span: "manual" (a reviewer), "import" (pre-annotations in an imported
    # file) or "model" (a suggestion). Schema 2; server default so migrated rows get "manual".
    source: str = Field(default="manual", max_length=16, sa_column_kwargs={"server_default": "manual"})


class DocumentStatus(SQLModel, table=True):
    __tablename__ = "document_status"
    __table_args__ = (UniqueConstraint("document_id", "annotator_id"),)
    document_id: int = Field(foreign_key="document.id", primary_key=True, ondelete="CASCADE")
    annotator_id: int = Field(foreign_key="annotator.id", primary_key=True, index=True)
    status: str = Field(default="todo", max_length=16)
    reason: str | None = None
    updated_at: str
