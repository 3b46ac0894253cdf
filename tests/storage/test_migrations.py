"""Upgrading a version-1 file: data kept, version bumped, backup taken first, all or nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson
import pytest

from annotator.project import open_project
from annotator.storage import backup, db, migrations
from annotator.storage.errors import ProjectDamagedError, ProjectOpenError

V1_SQL = Path(__file__).resolve().parents[1] / "data" / "schema_v1.sql"
V2_SQL = Path(__file__).resolve().parents[1] / "data" / "schema_v2.sql"
V3_SQL = Path(__file__).resolve().parents[1] / "data" / "schema_v3.sql"
V4_SQL = Path(__file__).resolve().parents[1] / "data" / "schema_v4.sql"
V5_SQL = Path(__file__).resolve().parents[1] / "data" / "schema_v5.sql"
V6_SQL = Path(__file__).resolve().parents[1] / "data" / "schema_v6.sql"
IMPORTED_AT = "2025-03-01T09:00:00.000001+00:00"


def old_project(path: Path, schema: Path, rows: str) -> None:
    """A file made from a frozen schema (``tests/data/schema_vN.sql``) and the rows in ``rows``."""
    conn = sqlite3.connect(path)
    conn.executescript(schema.read_text(encoding="utf-8"))
    conn.executescript(rows)
    conn.commit()
    conn.close()


def make_v1_project(path: Path) -> None:
    """A project exactly as annotator 0.1.0 wrote it: one imported span, one made by hand."""
    old_project(path, V1_SQL, f"""
        PRAGMA journal_mode=WAL;
        INSERT INTO label VALUES (1, 'claim', '#d62728', '1', 'A claim.', '', 0),
                                 (2, 'mechanism', '#1f77b4', '2', 'How.', '', 1);
        INSERT INTO annotator VALUES (1, 'alice', '{IMPORTED_AT}');
        INSERT INTO document VALUES (1, 'Gut', 'gut.jsonl', 'jsonl', 'aa', 'Fibre feeds gut bacteria.', 25,
                                     '{{}}', '{IMPORTED_AT}');
        INSERT INTO document_page VALUES (1, 0, 0, 25, 595.0, 842.0, 0, x'00000000');
        INSERT INTO span VALUES ('imported0', 1, 1, 1, 0, 5, NULL, '{IMPORTED_AT}', '{IMPORTED_AT}'),
                                ('byhand0', 1, 1, 2, 6, 11, 'my note', '2025-03-02T10:00:00.000000+00:00',
                                 '2025-03-02T10:00:00.000000+00:00');
        INSERT INTO document_status VALUES (1, 1, 'flagged', 'unclear', '2025-03-02T10:00:00.000000+00:00');
    """)


def schema_of(path: Path) -> dict[str, object]:
    """Columns (name, type, not null, default, pk) and indexes per table, as SQLite sees them."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: ([tuple(r[1:]) for r in conn.execute(f"PRAGMA table_info({t})")],
                    sorted((r[1], r[2]) for r in conn.execute(f"PRAGMA index_list({t})")))
                for t in tables}
    finally:
        conn.close()


def test_a_version_1_file_is_backed_up_then_upgraded_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.annotator"
    make_v1_project(path)
    p = open_project(path)
    assert not p.created
    assert db.schema_version(p.repo.engine) == db.SCHEMA_VERSION == 7
    spans = {s.id: s for s in p.repo.spans(1)}
    assert spans["imported0"].source == "import" and spans["imported0"].label == "claim"
    assert spans["byhand0"].source == "manual" and spans["byhand0"].note == "my note"
    assert p.repo.status(1, "alice").reason == "unclear"
    assert [r.number for r in p.repo.pages(1)] == [0]
    p.close()

    (taken,) = backup.list_backups(path)
    assert taken.tag == f"before-v{db.SCHEMA_VERSION}"
    assert db.file_schema_version(taken.path) == 1
    assert schema_of(taken.path) == schema_of_v1(tmp_path)


def schema_of_v1(tmp_path: Path) -> dict[str, object]:
    ref = tmp_path / "reference-v1.annotator"
    make_v1_project(ref)
    return schema_of(ref)


def test_an_upgraded_file_has_the_same_schema_as_a_new_one(tmp_path: Path) -> None:
    old, new = tmp_path / "old.annotator", tmp_path / "new.annotator"
    make_v1_project(old)
    open_project(old).close()
    open_project(new).close()
    assert schema_of(old) == schema_of(new)


def test_a_failing_step_leaves_the_file_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.annotator"
    make_v1_project(path)
    before = schema_of(path)

    def broken(c: object) -> None:
        migrations._add_span_source(c)  # type: ignore[arg-type]
        raise RuntimeError("step failed half way")

    monkeypatch.setattr(migrations, "MIGRATIONS", [(1, broken), *migrations.MIGRATIONS[1:]])
    with pytest.raises(ProjectOpenError, match="not changed.*backup from before the upgrade"):
        open_project(path)
    assert schema_of(path) == before
    assert db.file_schema_version(path) == 1
    monkeypatch.undo()
    p = open_project(path)  # and the real upgrade still works afterwards
    assert {s.source for s in p.repo.spans(1)} == {"import", "manual"}
    p.close()


def test_every_version_has_a_step_and_a_gap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert [v for v, _ in migrations.MIGRATIONS] == list(range(1, db.SCHEMA_VERSION))
    monkeypatch.setattr(migrations, "MIGRATIONS", [])
    with pytest.raises(ProjectOpenError, match="no way to upgrade"):
        migrations.steps_from(1)


def test_a_damaged_old_file_is_refused_before_any_upgrade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.annotator"
    make_v1_project(path)
    monkeypatch.setattr(db, "quick_check", lambda p, full=False: ["*** in database main *** Page 4: btreeInitPage() "
                                                                   "returns error code 11"])
    with pytest.raises(ProjectDamagedError, match="is damaged"):
        open_project(path)
    assert db.file_schema_version(path) == 1 and backup.list_backups(path) == []


def test_a_newer_file_is_refused_untouched_and_not_backed_up(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    open_project(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE project_meta SET value = ? WHERE key = 'schema_version'", (str(db.SCHEMA_VERSION + 1),))
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ProjectOpenError, match="newer annotator.*not changed"):
        open_project(path)
    assert path.read_bytes() == before and backup.list_backups(path) == []


def test_a_version_2_file_gets_the_document_list_index(tmp_path: Path) -> None:
    path = tmp_path / "v2.annotator"
    old_project(path, V2_SQL, f"""
        INSERT INTO annotator VALUES (1, 'alice', '{IMPORTED_AT}');
        INSERT INTO document VALUES (1, 'Gut', 'gut.txt', 'txt', 'aa', 'Fibre feeds gut bacteria.', 25, '{{}}',
                                     '{IMPORTED_AT}');
    """)
    assert ("ix_document_list", 0) not in schema_of(path)["document"][1]
    p = open_project(path)
    assert db.schema_version(p.repo.engine) == db.SCHEMA_VERSION
    assert p.repo.document_list("alice").titles == ["Gut"]
    p.close()
    assert ("ix_document_list", 0) in schema_of(path)["document"][1]
    new = tmp_path / "new.annotator"
    open_project(new).close()
    assert schema_of(path) == schema_of(new)
    plan = sqlite3.connect(path).execute(
        "EXPLAIN QUERY PLAN SELECT id, title, format, source, char_count FROM document ORDER BY id").fetchall()
    assert "COVERING INDEX ix_document_list" in " ".join(str(r[-1]) for r in plan)


def test_a_version_3_file_gets_an_empty_token_cache_that_its_first_export_fills(tmp_path: Path) -> None:
    from annotator.exporters.registry import run_export
    from annotator.exporters.tokens import cache_row

    text = "Fibre feeds gut bacteria."
    path = tmp_path / "v3.annotator"
    old_project(path, V3_SQL, f"""
        INSERT INTO label VALUES (1, 'claim', '#d62728', '1', 'A claim.', '', 0);
        INSERT INTO annotator VALUES (1, 'alice', '{IMPORTED_AT}');
        INSERT INTO document VALUES (1, 'Gut', 'gut.txt', 'txt', 'aa', '{text}', 25, '{{}}', '{IMPORTED_AT}');
        INSERT INTO span VALUES ('s1', 1, 1, 1, 0, 5, NULL, '{IMPORTED_AT}', '{IMPORTED_AT}', 'import');
    """)
    p = open_project(path)
    assert db.schema_version(p.repo.engine) == db.SCHEMA_VERSION
    assert sqlite3.connect(path).execute("SELECT count(*) FROM document_tokens").fetchone() == (0,)
    run_export(p.repo, "canonical", tmp_path / "out.jsonl")
    p.close()
    (record,) = [orjson.loads(line) for line in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    assert record["spans"][0]["text"] == "Fibre" and record["tokens"][0]["text"] == "Fibre"
    row = sqlite3.connect(path).execute("SELECT tokens_json, starts, ends, texts_json FROM document_tokens").fetchone()
    assert row == cache_row(text)
    new = tmp_path / "new.annotator"
    open_project(new).close()
    assert schema_of(path) == schema_of(new)


def test_a_version_4_file_gets_an_empty_sentence_cache_that_its_first_export_fills(tmp_path: Path) -> None:
    from annotator.exporters.registry import run_export
    from annotator.exporters.tokens import TOKENS_VERSION, cache_row, sentence_row
    from annotator.sentences import SENTENCES_VERSION

    text = "Fibre feeds gut bacteria. They make butyrate."
    path = tmp_path / "v4.annotator"
    old_project(path, V4_SQL, f"""
        INSERT INTO label VALUES (1, 'claim', '#d62728', '1', 'A claim.', '', 0);
        INSERT INTO annotator VALUES (1, 'alice', '{IMPORTED_AT}');
        INSERT INTO document VALUES (1, 'Gut', 'gut.txt', 'txt', 'aa', '{text}', {len(text)}, '{{}}', '{IMPORTED_AT}');
        INSERT INTO span VALUES ('s1', 1, 1, 1, 26, 30, NULL, '{IMPORTED_AT}', '{IMPORTED_AT}', 'import');
        INSERT INTO document_tokens VALUES (1, 12345, x'00000000', x'01000000', '[]');  -- schema 4's layout
    """)
    p = open_project(path)
    assert db.schema_version(p.repo.engine) == db.SCHEMA_VERSION
    assert sqlite3.connect(path).execute("SELECT count(*) FROM document_sentences").fetchone() == (0,)
    run_export(p.repo, "spans", tmp_path / "out.jsonl")
    run_export(p.repo, "hf-bio", tmp_path / "bio.jsonl")
    p.close()
    (record,) = [orjson.loads(line) for line in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    assert record["text"] == "They" and record["context"] == "They make butyrate."
    row = sqlite3.connect(path).execute("SELECT version, starts, ends FROM document_sentences").fetchone()
    assert row == (SENTENCES_VERSION, *sentence_row(text))
    (bio,) = [orjson.loads(line) for line in (tmp_path / "bio.jsonl").read_bytes().splitlines()]
    assert bio["tokens"] == ["Fibre", "feeds", "gut", "bacteria", ".", "They", "make", "butyrate", "."]
    tokens_row = sqlite3.connect(path).execute(
        "SELECT version, tokens_json, starts, ends, texts_json FROM document_tokens").fetchone()
    assert tokens_row == (TOKENS_VERSION, *cache_row(text))  # the stale row was made again, with texts
    new = tmp_path / "new.annotator"
    open_project(new).close()
    assert schema_of(path) == schema_of(new)


def test_a_version_5_file_gets_an_empty_spacy_words_cache_that_its_first_spacy_export_fills(tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    import spacy
    from spacy.tokens import DocBin

    from annotator.exporters.registry import run_export
    from annotator.exporters.spacy_words import SPACY_WORDS_VERSION, words_row
    from annotator.exporters.tokens import TOKENS_VERSION, cache_row, sentence_row
    from annotator.sentences import SENTENCES_VERSION

    text = "Fibre feeds gut bacteria.  They make butyrate."
    tokens_json, starts, ends, texts_json = cache_row(text)
    sentence_starts, sentence_ends = sentence_row(text)
    path = tmp_path / "v5.annotator"
    old_project(path, V5_SQL, f"""
        INSERT INTO label VALUES (1, 'claim', '#d62728', '1', 'A claim.', '', 0);
        INSERT INTO annotator VALUES (1, 'alice', '{IMPORTED_AT}');
        INSERT INTO document VALUES (1, 'Gut', 'gut.txt', 'txt', 'aa', '{text}', {len(text)}, '{{}}', '{IMPORTED_AT}');
        INSERT INTO span VALUES ('s1', 1, 1, 1, 27, 31, NULL, '{IMPORTED_AT}', '{IMPORTED_AT}', 'import');
        INSERT INTO document_tokens (document_id, version, starts, ends, tokens_json, texts_json)
            VALUES (1, {TOKENS_VERSION}, x'{starts.hex()}', x'{ends.hex()}', x'{tokens_json.hex()}',
                    x'{texts_json.hex()}');
        INSERT INTO document_sentences VALUES (1, {SENTENCES_VERSION}, x'{sentence_starts.hex()}',
                                               x'{sentence_ends.hex()}');
    """)
    p = open_project(path)
    assert db.schema_version(p.repo.engine) == db.SCHEMA_VERSION
    (taken,) = backup.list_backups(path)
    assert db.file_schema_version(taken.path) == 5
    assert sqlite3.connect(path).execute("SELECT count(*) FROM document_spacy_words").fetchone() == (0,)
    out = tmp_path / "out.spacy"
    run_export(p.repo, "spacy", out)
    p.close()
    row = sqlite3.connect(path).execute(
        "SELECT version, orth, spaces, heads, strings_json FROM document_spacy_words").fetchall()
    assert row == [(SPACY_WORDS_VERSION, *words_row(text))]
    (doc,) = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert doc.text == text
    assert [(s.text, s.label_) for s in doc.spans["sc"]] == [("They", "claim")]
    new = tmp_path / "new.annotator"
    open_project(new).close()
    assert schema_of(path) == schema_of(new)


def test_a_version_6_file_gets_empty_model_and_suggestion_tables_that_work(tmp_path: Path) -> None:
    from annotator.records import RejectionRecord, SuggestionRecord

    path = tmp_path / "v6.annotator"
    old_project(path, V6_SQL, f"""
        INSERT INTO label VALUES (1, 'claim', '#d62728', '1', 'A claim.', '', 0);
        INSERT INTO annotator VALUES (1, 'alice', '{IMPORTED_AT}');
        INSERT INTO document VALUES (1, 'Gut', 'gut.txt', 'txt', 'aa', 'Fibre feeds gut bacteria.', 25, '{{}}',
                                     '{IMPORTED_AT}');
        INSERT INTO span VALUES ('s1', 1, 1, 1, 0, 5, NULL, '{IMPORTED_AT}', '{IMPORTED_AT}', 'import');
    """)
    p = open_project(path)
    assert db.schema_version(p.repo.engine) == db.SCHEMA_VERSION
    (taken,) = backup.list_backups(path)
    assert db.file_schema_version(taken.path) == 6
    assert p.repo.latest_model() is None and p.repo.suggestions(1) == [] and p.repo.rejections() == []
    s = SuggestionRecord("g1", 1, "claim", 0, 25, 0.9, None, IMPORTED_AT)
    assert p.repo.replace_suggestions([1], [s]) == [s]
    p.repo.decide_suggestions(remove=[s], add_rejections=[RejectionRecord(1, "claim", 0, 25, "alice")])
    assert p.repo.rejections() == [RejectionRecord(1, "claim", 0, 25, "alice")]
    assert [x.id for x in p.repo.spans(1)] == ["s1"]
    p.close()
    new = tmp_path / "new.annotator"
    open_project(new).close()
    assert schema_of(path) == schema_of(new)
