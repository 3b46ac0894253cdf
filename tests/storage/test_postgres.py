"""A project on a PostgreSQL server: URLs, schema and version check, secrets, read-only roles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from annotator import cli_commands
from annotator.importers.base import ImportedDocument
from annotator.importing import sha256_text
from annotator.project import open_project
from annotator.services import AnnotationService
from annotator.storage import db
from annotator.storage.errors import StorageError
from annotator.storage.repository import Repository

runner = CliRunner()
TEXT = "Probiotics reduce nerve pain. Ask your doctor first."


def _cli(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(cli_commands.app, list(args), env=env)


def test_a_database_url_is_never_taken_for_a_file_path(pg_url: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    imported = _cli("import", str(tmp_path / "a.txt"), "--project", pg_url)
    assert imported.exit_code == 0, imported.output
    from_env = _cli("stats", "--json", env={"ANNOTATOR_PROJECT": pg_url})
    assert from_env.exit_code == 0, from_env.output
    assert json.loads(from_env.output)["documents"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]  # no file or folder named after the URL
    engine = create_engine(pg_url)
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM document")).scalar() == 1
    engine.dispose()


def test_schema_is_created_with_the_version_and_change_triggers(pg_url: str) -> None:
    p = open_project(pg_url)
    try:
        assert p.created and db.schema_version(p.repo.engine) == db.SCHEMA_VERSION
        with p.repo.engine.connect() as c:
            triggers = {r[0] for r in c.execute(text(
                "SELECT event_object_table FROM information_schema.triggers WHERE trigger_name = 'annotator_notify'"))}
        assert {"span", "document", "document_status"} <= triggers
    finally:
        p.close()
    again = open_project(pg_url)
    assert not again.created
    again.close()


def test_a_newer_schema_is_refused_and_left_untouched(pg_url: str) -> None:
    p = open_project(pg_url)
    p.repo.add_documents([(ImportedDocument(TEXT, "t", "txt", "t.txt"), sha256_text(TEXT))])
    with p.repo.engine.begin() as c:
        c.execute(text("UPDATE project_meta SET value = '99' WHERE key = 'schema_version'"))
    p.close()
    engine = create_engine(pg_url)

    def state() -> tuple[object, ...]:
        with engine.connect() as c:
            return (sorted(inspect(c).get_table_names()),
                    c.execute(text("SELECT key, value FROM project_meta ORDER BY key")).all(),
                    c.execute(text("SELECT id, sha256 FROM document")).all())

    before = state()
    with pytest.raises(db.ProjectOpenError, match="newer annotator") as raised:
        open_project(pg_url)
    assert "was not changed" in str(raised.value)
    assert state() == before
    engine.dispose()


def test_an_empty_database_is_not_a_project_without_create(pg_url: str) -> None:
    with pytest.raises(db.ProjectOpenError, match="no annotator project"):
        Repository.open(pg_url, create=False)


def test_the_password_is_masked_in_every_message(pg_url: str) -> None:
    secret = "s3cr3t-Pa55"
    missing = make_url(pg_url).set(password=secret, database="no_such_project_db")
    url = missing.render_as_string(hide_password=False)
    assert secret in url
    with pytest.raises(db.ProjectOpenError) as raised:
        open_project(url)
    assert secret not in str(raised.value) and "***" in str(raised.value)
    result = _cli("stats", "--project", url)
    assert result.exit_code == 2
    assert secret not in result.output and "no_such_project_db" in result.output
    assert secret not in db.display_name(url) and "***" in db.display_name(url)


def test_a_read_only_role_gets_a_clear_message_on_its_first_edit(pg_url: str) -> None:
    p = open_project(pg_url)
    (doc_id,) = p.repo.add_documents([(ImportedDocument(TEXT, "t", "txt", "t.txt"), sha256_text(TEXT))])
    AnnotationService(p.repo, "alice").add_span(doc_id, 0, 10, "claim")
    name = make_url(pg_url).database
    with p.repo.engine.begin() as c:
        c.execute(text("DROP ROLE IF EXISTS annotator_reader"))
        c.execute(text("CREATE ROLE annotator_reader LOGIN"))
        c.execute(text(f'GRANT CONNECT ON DATABASE "{name}" TO annotator_reader'))
        c.execute(text("GRANT SELECT ON ALL TABLES IN SCHEMA public TO annotator_reader"))
    p.close()
    reader_url = make_url(pg_url).set(username="annotator_reader").render_as_string(hide_password=False)
    reader = open_project(reader_url, create=False)
    try:
        svc = AnnotationService(reader.repo, "alice")
        assert len(reader.repo.spans(doc_id)) == 1  # reading works
        with pytest.raises(StorageError, match="may only read") as raised:
            svc.add_span(doc_id, 11, 17, "claim")
        assert raised.value.reason == "read_only"
        assert len(reader.repo.spans(doc_id)) == 1
    finally:
        reader.close()
        owner = create_engine(pg_url)
        with owner.begin() as c:
            c.execute(text("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM annotator_reader"))
            c.execute(text(f'REVOKE ALL ON DATABASE "{name}" FROM annotator_reader'))
        owner.dispose()


def test_backups_and_recover_say_the_servers_own_backups_apply(pg_url: str) -> None:
    open_project(pg_url).close()
    listed = _cli("backups", pg_url)
    assert listed.exit_code == 0 and "PostgreSQL server" in listed.output and "pg_dump" in listed.output
    from_env = _cli("backups", env={"ANNOTATOR_PROJECT": pg_url})
    assert "annotator keeps no backups" in from_env.output
    refused = _cli("recover", pg_url)
    assert refused.exit_code == 2 and "cannot restore" in refused.output


def test_an_older_schema_is_migrated_on_the_server(pg_url: str) -> None:
    p = open_project(pg_url)
    p.repo.add_documents([(ImportedDocument(TEXT, "t", "txt", "t.txt"), sha256_text(TEXT))])
    with p.repo.engine.begin() as c:  # as a schema-7 project was: no stored originals yet
        c.execute(text("DROP TABLE document_source"))
        c.execute(text("DROP TABLE sources"))
        c.execute(text("UPDATE project_meta SET value = '7' WHERE key = 'schema_version'"))
    p.close()
    again = open_project(pg_url)
    try:
        assert db.schema_version(again.repo.engine) == db.SCHEMA_VERSION
        assert {"sources", "document_source"} <= set(inspect(again.repo.engine).get_table_names())
        assert again.repo.document_count() == 1 and again.repo.missing_sources() == []
    finally:
        again.close()
