from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from annotator.importers.base import ImportedDocument
from annotator.importing import sha256_text
from annotator.labels import default_labels
from annotator.project import open_project
from annotator.storage import db
from annotator.storage.repository import Repository


def _doc(text: str = "Fibre feeds gut bacteria.") -> ImportedDocument:
    return ImportedDocument(text=text, title="t", format="txt", source="t.txt")


def test_new_project_is_self_describing(project_url: str) -> None:
    p = open_project(project_url)
    assert p.created
    specs = [lr.spec for lr in p.labels]
    assert specs == default_labels()
    assert [s.shortcut for s in specs] == ["1", "2", "3", "4", "5"]
    assert all(s.definition and s.example for s in specs)
    p.close()
    again = open_project(project_url)
    assert not again.created and [lr.name for lr in again.labels] == [s.name for s in specs]


def test_pragmas_wal_foreign_keys_and_version(tmp_path: Path) -> None:
    p = open_project(tmp_path / "p.annotator")
    with p.repo.engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db.schema_version(p.repo.engine) == db.SCHEMA_VERSION
    assert db.integrity_problems(p.repo.engine) == []


def test_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "p.annotator"
    p = open_project(path)
    with p.repo.engine.begin() as c:
        c.execute(text("UPDATE project_meta SET value = '99' WHERE key = 'schema_version'"))
    p.close()
    before = path.read_bytes()
    with pytest.raises(db.ProjectOpenError, match="newer annotator"):
        open_project(path)
    assert path.read_bytes() == before


def test_garbage_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.annotator"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(db.ProjectOpenError, match="not a readable annotator project"):
        open_project(path)


def test_missing_project_without_create(tmp_path: Path) -> None:
    with pytest.raises(db.ProjectOpenError, match="no project file"):
        Repository.open(tmp_path / "none.annotator", create=False)


def test_duplicates_are_skipped_by_canonical_text(project_url: str) -> None:
    p = open_project(project_url)
    d = _doc()
    assert p.repo.add_documents([(d, sha256_text(d.text)), (d, sha256_text(d.text))])[1] is None
    assert p.repo.add_documents([(d, sha256_text(d.text))]) == [None]
    assert p.repo.document_count() == 1


def test_add_documents_is_all_or_nothing(project_url: str) -> None:
    from annotator.importers.base import ImportedSpan

    p = open_project(project_url)
    good = _doc("First article.")
    bad = ImportedDocument("Second article.", "t", "jsonl", "x.jsonl", spans=[ImportedSpan(0, 6, "nope")], annotator="a")
    with pytest.raises(KeyError):
        p.repo.add_documents([(good, sha256_text(good.text)), (bad, sha256_text(bad.text))])
    assert p.repo.document_count() == 0
    assert p.repo.annotators() == []


def test_document_summaries_and_search(project_url: str) -> None:
    p = open_project(project_url)
    texts = ["Omega-3 oils 🐟 may ease low mood.", "Sleep helps migraine."]
    ids = p.repo.add_documents([(_doc(t), sha256_text(t)) for t in texts])
    rows = p.repo.document_summaries("ann")
    assert [(r.id, r.status, r.span_count) for r in rows] == [(ids[0], "todo", 0), (ids[1], "todo", 0)]
    hits = p.repo.search("LOW mood")
    assert len(hits) == 1 and texts[0][hits[0].start:hits[0].end] == "low mood"


@pytest.mark.parametrize("folder", ["Q&A? notes", "100%20 done", "50% #1", "plain"])
def test_a_project_lives_exactly_at_its_path_whatever_the_folder_is_called(tmp_path: Path, folder: str) -> None:
    # A URL's parser reads "?" as options and decodes "%20": the path must reach SQLite as it is.
    path = tmp_path / folder / "my project.annotator"
    path.parent.mkdir()
    p = open_project(path)
    text_ = "Fibre feeds gut bacteria."
    p.repo.add_documents([(ImportedDocument(text_, "t", "txt", "t.txt"), sha256_text(text_))])
    assert db.engine_path(p.repo.engine) == path.resolve()
    p.close()
    assert sorted(f.name for f in tmp_path.iterdir()) == [folder]  # nothing made beside it
    assert path.is_file()
    again = open_project(path, create=False)
    try:
        assert again.repo.document_count() == 1
    finally:
        again.close()


def test_distinct_values_is_one_aggregate_on_sqlite_and_postgresql(tmp_path: Path) -> None:
    """The split plan's per-group label ids: SQLite's group_concat, PostgreSQL's string_agg."""
    from sqlalchemy import Column, Integer, MetaData, Table, select
    from sqlalchemy.dialects import postgresql

    t = Table("t", MetaData(), Column("g", Integer), Column("v", Integer))
    stmt = select(t.c.g, db.distinct_values(t.c.v)).group_by(t.c.g).order_by(t.c.g)
    assert "string_agg(DISTINCT CAST(t.v AS VARCHAR), ',')" in str(stmt.compile(dialect=postgresql.dialect()))
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as c:
        t.create(c)
        c.execute(t.insert(), [{"g": 1, "v": 3}, {"g": 1, "v": 3}, {"g": 1, "v": 5}, {"g": 2, "v": 4}])
        rows = c.execute(stmt).all()
    engine.dispose()
    assert [(g, sorted(map(int, vs.split(",")))) for g, vs in rows] == [(1, [3, 5]), (2, [4])]


def test_json_rows_is_one_aggregate_on_sqlite_and_postgresql(tmp_path: Path) -> None:
    """The export's spans per group: SQLite's json_group_array, PostgreSQL's json_agg as text."""
    import orjson
    from sqlalchemy import Column, Integer, MetaData, String, Table, select
    from sqlalchemy.dialects import postgresql

    t = Table("t", MetaData(), Column("g", Integer), Column("v", Integer), Column("s", String))
    stmt = select(t.c.g, db.json_rows(t.c.v, t.c.s)).group_by(t.c.g).order_by(t.c.g)
    assert "CAST(json_agg(json_build_array(t.v, t.s)) AS TEXT)" in str(stmt.compile(dialect=postgresql.dialect()))
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as c:
        t.create(c)
        c.execute(t.insert(), [{"g": 1, "v": 3, "s": 'a "b"\\\n'}, {"g": 1, "v": 5, "s": None},
                               {"g": 2, "v": 4, "s": "🦠"}])
        rows = c.execute(stmt).all()
    engine.dispose()
    assert [(g, sorted(orjson.loads(js), key=str)) for g, js in rows] == [(1, [[3, 'a "b"\\\n'], [5, None]]),
                                                                          (2, [[4, "🦠"]])]
