"""Schema migrations: an ordered list of steps, run after a backup, all in one transaction.

Each step takes a project from ``from_version`` to ``from_version + 1`` using a SQLAlchemy
connection that is inside the upgrade's transaction, so a failed step leaves the file
exactly as it was. Steps use portable DDL (SQLite today, PostgreSQL later). A step that
needs to rebuild a table on SQLite must not rely on switching foreign keys off: that
pragma is ignored inside a transaction.

To change the schema: edit ``models.py``, bump ``db.SCHEMA_VERSION``, append a step here,
freeze the previous schema under ``tests/data/schema_vN.sql`` and test the upgrade from it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table, text
from sqlalchemy.engine import Connection, Engine

from annotator.storage import db
from annotator.storage.backup import damaged_error, take_backup
from annotator.storage.errors import ProjectOpenError, StorageError

Step = Callable[[Connection], None]


def _add_span_source(c: Connection) -> None:
    """1 -> 2: record who proposed each span ("manual", "import" or "model").

    Version 1 stamped imported spans with the import's own timestamp, so a span whose
    created_at equals its document's imported_at came from the imported file.
    """
    c.execute(text("ALTER TABLE span ADD COLUMN source VARCHAR(16) DEFAULT 'manual' NOT NULL"))
    c.execute(text("UPDATE span SET source = 'import' WHERE created_at = "
                   "(SELECT imported_at FROM document WHERE document.id = span.document_id)"))


def _add_document_list_index(c: Connection) -> None:
    """2 -> 3: the covering index for the document list that ``models.Document`` declares.

    The list reads id, title, format, source and char_count of every document; without
    it SQLite scans the table with every text stored inline, most of the list's time on a
    large project. Building it reads the table once.
    """
    c.execute(text("CREATE INDEX IF NOT EXISTS ix_document_list ON document (id, title, format, source, char_count)"))


def _add_document_tokens(c: Connection) -> None:
    """3 -> 4: the token cache ``models.DocumentToken`` declares, created empty.

    Frozen here (not taken from models.py) so later model changes do not alter this step;
    SQLAlchemy writes the DDL so the blob type suits the backend. Rows are not made here:
    tokenizing every document would hold up the upgrade for minutes on a large project,
    while the export that first needs a document's tokens makes them anyway and stores them.
    """
    md = MetaData()
    Table("document", md, Column("id", Integer, primary_key=True))
    Table("document_tokens", md,
          Column("document_id", Integer, ForeignKey("document.id", ondelete="CASCADE"), primary_key=True),
          Column("version", Integer, nullable=False),
          Column("starts", LargeBinary, nullable=False),
          Column("ends", LargeBinary, nullable=False),
          Column("tokens_json", LargeBinary, nullable=False)).create(c)


def _add_sentences_and_token_texts(c: Connection) -> None:
    """4 -> 5: the sentence cache ``models.DocumentSentence`` declares, created empty, and the
    token cache's ``texts_json`` column.

    Frozen here like step 3. Rows are made by the first export that needs a document's
    sentences (spans, sentences), which splits it anyway, and by every import after. The
    token rows of schema 4 carry an older ``tokens.TOKENS_VERSION``, so the first export
    that reads them makes them again, with their texts.
    """
    c.execute(text("ALTER TABLE document_tokens ADD COLUMN texts_json BLOB"))
    md = MetaData()
    Table("document", md, Column("id", Integer, primary_key=True))
    Table("document_sentences", md,
          Column("document_id", Integer, ForeignKey("document.id", ondelete="CASCADE"), primary_key=True),
          Column("version", Integer, nullable=False),
          Column("starts", LargeBinary, nullable=False),
          Column("ends", LargeBinary, nullable=False)).create(c)


def _add_spacy_words(c: Connection) -> None:
    """5 -> 6: the spaCy words cache ``models.DocumentSpacyWords`` declares, created empty.

    Frozen here like step 3. Rows are made by the first spacy export that needs a
    document's words, which splits its text anyway, and by every import after.
    """
    md = MetaData()
    Table("document", md, Column("id", Integer, primary_key=True))
    Table("document_spacy_words", md,
          Column("document_id", Integer, ForeignKey("document.id", ondelete="CASCADE"), primary_key=True),
          Column("version", Integer, nullable=False),
          Column("orth", LargeBinary, nullable=False),
          Column("spaces", LargeBinary, nullable=False),
          Column("heads", LargeBinary, nullable=False),
          Column("strings_json", LargeBinary, nullable=False)).create(c)


def _add_models_and_suggestions(c: Connection) -> None:
    """6 -> 7: trained models, the model's suggestions and rejected suggestions, created empty.

    Frozen here like step 3 (``models.TrainedModel``, ``Suggestion``, ``RejectedSuggestion``).
    """
    md = MetaData()
    Table("document", md, Column("id", Integer, primary_key=True))
    Table("label", md, Column("id", Integer, primary_key=True))
    Table("annotator", md, Column("id", Integer, primary_key=True))
    Table("trained_model", md,
          Column("id", Integer, primary_key=True),
          Column("created_at", String, nullable=False),
          Column("trained_on", String(200), nullable=False),
          Column("seed", Integer, nullable=False),
          Column("data_hash", String(64), nullable=False),
          Column("versions_json", String, nullable=False),
          Column("metrics_json", String, nullable=False),
          Column("blob", LargeBinary, nullable=False)).create(c)
    suggestion = Table(
        "suggestion", md,
        Column("id", String(32), primary_key=True),
        Column("document_id", Integer, ForeignKey("document.id", ondelete="CASCADE"), nullable=False),
        Column("label_id", Integer, ForeignKey("label.id"), nullable=False),
        Column("start", Integer, nullable=False),
        Column("end", Integer, nullable=False),
        Column("score", Float, nullable=False),
        Column("model_id", Integer, nullable=True),
        Column("created_at", String, nullable=False))
    Index("ix_suggestion_doc_start", suggestion.c.document_id, suggestion.c.start)
    suggestion.create(c)
    Table("rejected_suggestion", md,
          Column("document_id", Integer, ForeignKey("document.id", ondelete="CASCADE"), primary_key=True),
          Column("label_id", Integer, ForeignKey("label.id"), primary_key=True),
          Column("start", Integer, primary_key=True),
          Column("end", Integer, primary_key=True),
          Column("annotator_id", Integer, ForeignKey("annotator.id"), nullable=False),
          Column("created_at", String, nullable=False)).create(c)


MIGRATIONS: list[tuple[int, Step]] = [
    (1, _add_span_source),
    (2, _add_document_list_index),
    (3, _add_document_tokens),
    (4, _add_sentences_and_token_texts),
    (5, _add_spacy_words),
    (6, _add_models_and_suggestions),
]


def steps_from(version: int) -> list[tuple[int, Step]]:
    """The steps that take ``version`` to ``db.SCHEMA_VERSION``, checked to be contiguous."""
    steps = [(v, f) for v, f in MIGRATIONS if v >= version]
    expected = list(range(version, db.SCHEMA_VERSION))
    if [v for v, _ in steps] != expected:
        raise ProjectOpenError(f"no way to upgrade a schema {version} project to {db.SCHEMA_VERSION} "
                               f"(steps known from {[v for v, _ in MIGRATIONS]})")
    return steps


def upgrade(engine: Engine, version: int, path: Path | None) -> Path | None:
    """Back up the file, then run every step and record the new version in one transaction.

    Returns the backup taken (None for a non-file database, whose backups are its
    administrator's job). A damaged file is refused before anything is written.
    """
    steps = steps_from(version)
    backup: Path | None = None
    if path is not None:
        problems = db.quick_check(path)
        if problems:
            raise damaged_error(path, problems)
        try:
            backup = take_backup(path, tag=f"before-v{db.SCHEMA_VERSION}")
        except (OSError, StorageError) as exc:
            raise ProjectOpenError(f"{path} needs an upgrade to schema {db.SCHEMA_VERSION}, but no backup "
                                   f"could be taken first ({exc}); the file was not changed.") from exc
    try:
        with db.writing(engine), engine.begin() as c:
            for _, step in steps:
                step(c)
            c.execute(text("UPDATE project_meta SET value = :v WHERE key = 'schema_version'"),
                      {"v": str(db.SCHEMA_VERSION)})
    except StorageError as exc:
        raise ProjectOpenError(f"could not upgrade {path or engine.url} to schema {db.SCHEMA_VERSION}: {exc} "
                               f"The file was not changed.") from exc
    except Exception as exc:
        where = f" A backup from before the upgrade is at {backup}." if backup else ""
        raise ProjectOpenError(f"could not upgrade {path or engine.url} to schema {db.SCHEMA_VERSION} "
                               f"({exc}); the file was not changed.{where}") from exc
    return backup
