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


class DocumentToken(SQLModel, table=True):
    """Schema 4: a document's tokens, made once (its text never changes) for fast exports.

    ``tokens_json`` holds the exact bytes of the canonical record's "tokens" array; ``starts``
    and ``ends`` the token bounds as little-endian int32 (see ``exporters/tokens.py``);
    ``texts_json`` (schema 5) the token strings.
    ``version`` stamps the tokenizer that made the row: another stamp means "rebuild".
    A separate table, so scans of ``document`` (the document list) never read these bytes.
    """

    __tablename__ = "document_tokens"
    document_id: int = Field(foreign_key="document.id", primary_key=True, ondelete="CASCADE")
    version: int
    starts: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    ends: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    tokens_json: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # Schema 5: the token strings as a JSON array (hf-bio's "tokens"). NULL only in rows made
    # before schema 5, whose ``version`` is stale anyway, so they are rebuilt before use.
    texts_json: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class DocumentSpacyWords(SQLModel, table=True):
    """Schema 6: a document's spaCy words, made once at import like its tokens (the spacy export).

    ``orth`` holds the words' spaCy 3 string ids (little-endian uint64), ``spaces`` one byte
    per word (1: a trailing space), ``heads`` the words' starts (little-endian int32) and
    ``strings_json`` the distinct words as a JSON array (``exporters/spacy_words.py``).
    ``version`` stamps the code that made the row: another stamp means "rebuild".
    """

    __tablename__ = "document_spacy_words"
    document_id: int = Field(foreign_key="document.id", primary_key=True, ondelete="CASCADE")
    version: int
    orth: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    spaces: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    heads: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    strings_json: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class DocumentSentence(SQLModel, table=True):
    """Schema 5: a document's sentence bounds, made once at import like its tokens.

    ``starts`` and ``ends`` are little-endian int32 (``exporters/tokens.py``), ``version``
    stamps the splitter that made them (``sentences.SENTENCES_VERSION``): another stamp
    means "rebuild". The spans and sentences exports read them instead of splitting again.
    """

    __tablename__ = "document_sentences"
    document_id: int = Field(foreign_key="document.id", primary_key=True, ondelete="CASCADE")
    version: int
    starts: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    ends: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class TrainedModel(SQLModel, table=True):
    """Schema 7: a sentence model trained on the project's own annotations (``annotator train``).

    ``blob`` is the skops file of the fitted scikit-learn objects, ``metrics_json`` the held-out
    scores next to the keyword baseline, ``data_hash`` the sha256 of the training examples and
    ``versions_json`` the library versions that made it; so every teammate opening the project
    uses, and sees the scores of, the same model. Only the newest row is kept.
    """

    __tablename__ = "trained_model"
    id: int | None = Field(default=None, primary_key=True)
    created_at: str
    trained_on: str = Field(max_length=200)  # "gold", one annotator's name, or "people"
    seed: int
    data_hash: str = Field(max_length=64)
    versions_json: str
    metrics_json: str
    blob: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Suggestion(SQLModel, table=True):
    """Schema 7: a span proposed by the reserved annotator ``model``, with its score.

    Apart from people's spans, so exports, agreement and document lists never mistake one for a
    reviewer's work. ``model_id`` is the ``trained_model`` that made it (None: imported predictions).
    """

    __tablename__ = "suggestion"
    __table_args__ = (Index("ix_suggestion_doc_start", "document_id", "start"),)
    id: str = Field(primary_key=True, max_length=32)
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE")
    label_id: int = Field(foreign_key="label.id")
    start: int
    end: int
    score: float
    model_id: int | None = None
    created_at: str


class RejectedSuggestion(SQLModel, table=True):
    """Schema 7: a suggestion a reviewer turned down: never proposed again, a negative example."""

    __tablename__ = "rejected_suggestion"
    document_id: int = Field(foreign_key="document.id", primary_key=True, ondelete="CASCADE")
    label_id: int = Field(foreign_key="label.id", primary_key=True)
    start: int = Field(primary_key=True)
    end: int = Field(primary_key=True)
    annotator_id: int = Field(foreign_key="annotator.id")
    created_at: str
