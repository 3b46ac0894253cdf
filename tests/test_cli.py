from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from annotator import cli_commands
from annotator.project import open_project, sample_corpus_dir
from annotator.services import AnnotationService

runner = CliRunner()


def invoke(*args: str | Path, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(cli_commands.app, [str(a) for a in args], env=env)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "articles"
    docs.mkdir()
    (docs / "gut.txt").write_text("Probiotics 🦠 reduce nerve pain.\n\nAsk your doctor first.\n", encoding="utf-8")
    (docs / "vitd.txt").write_text("Vitamin D may help multiple sclerosis.\n", encoding="utf-8")
    (docs / "notes.docx").write_bytes(b"PK\x03\x04")
    return docs


@pytest.fixture()
def project(project_url: str, folder: Path) -> str:
    """A project with both articles imported and annotated by alice (a file, or a PostgreSQL URL)."""
    path = project_url
    assert "2 imported" in invoke("import", folder, "--project", path).output
    p = open_project(path)
    svc = AnnotationService(p.repo, "alice")
    svc.add_span(1, 0, 10, "intervention")
    svc.add_span(1, 13, 31, "claim")
    svc.set_status(2, "done")
    p.close()
    return path


def test_import_reports_and_is_idempotent(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "p.annotator"
    result = invoke("import", folder, "--project", path)
    assert result.exit_code == 1, result.output  # the .docx was refused
    assert "imported" in result.output and "gut.txt: Probiotics 🦠 reduce nerve pain." in result.output
    assert "refused" in result.output and "unsupported file type .docx" in result.output
    assert "2 imported, 0 skipped, 1 refused" in result.output
    again = invoke("import", folder, "--project", path)
    assert again.exit_code == 1 and "0 imported, 2 skipped, 1 refused" in again.output
    assert "already in the project" in again.output


def test_import_exit_code_1_when_a_file_is_refused(tmp_path: Path, folder: Path) -> None:
    (folder / "empty.txt").write_bytes(b"")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{"text": broken\n', encoding="utf-8")
    result = invoke("import", folder, bad, tmp_path / "missing.txt", "--project", tmp_path / "p.annotator")
    assert result.exit_code == 1
    assert "refused   " in result.output and "(line 2)" in result.output and "No such file" in result.output
    assert "2 imported, 0 skipped, 4 refused" in result.output
    assert "Traceback" not in result.output


def test_export_and_validate(tmp_path: Path, project: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = invoke("export", "--out", out, "--status", "all", "--project", project)
    assert result.exit_code == 0, result.output
    assert f"2 records, 2 spans written to {out}" in result.output
    check = invoke("validate", out)
    assert check.exit_code == 0 and "2 records (canonical format), no problems" in check.output
    labelled = invoke("validate", out, "--project", project)
    assert labelled.exit_code == 0


def test_export_filters(tmp_path: Path, project: Path) -> None:
    out = tmp_path / "f.jsonl"
    assert invoke("export", "-o", out, "--status", "done", "--project", project).exit_code == 0
    assert [orjson.loads(x)["status"] for x in out.read_bytes().splitlines()] == ["done"]
    assert invoke("export", "-o", out, "--label", "claim", "--annotator", "alice", "--status", "all",
                  "--project", project).exit_code == 0
    assert [s["label"] for x in out.read_bytes().splitlines() for s in orjson.loads(x)["spans"]] == ["claim"]
    bad = invoke("export", "-o", tmp_path / "g.jsonl", "--label", "clam", "--project", project)
    assert bad.exit_code == 1 and "unknown label 'clam'" in bad.output and not (tmp_path / "g.jsonl").exists()
    fmt = invoke("export", "-o", tmp_path / "g.xlsx", "--format", "xlsx", "--project", project)
    assert fmt.exit_code == 1 and "unknown export format 'xlsx'" in fmt.output


def test_validate_reports_lines_and_caps_the_list(tmp_path: Path, project: Path) -> None:
    out = tmp_path / "out.jsonl"
    invoke("export", "--out", out, "--status", "all", "--project", project)
    lines = out.read_bytes().splitlines()
    record = orjson.loads(lines[0])
    record["spans"][0]["text"] = "nope"
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(lines[1] + b"\n" + orjson.dumps(record) + b"\n{oops\n")
    result = invoke("validate", bad)
    assert result.exit_code == 1
    assert "line 2: $.spans[0].text: span text 'nope' differs from text[0:10] 'Probiotics'" in result.output
    assert "line 3: malformed JSON" in result.output and "2 problems in 2 records" in result.output
    many = tmp_path / "many.jsonl"
    many.write_bytes(b"[]\n" * 60)
    capped = invoke("validate", many)
    assert capped.exit_code == 1 and capped.output.count("must be a JSON object") == 50
    assert "... and 10 more problems" in capped.output
    missing = invoke("validate", tmp_path / "nope.jsonl")
    assert missing.exit_code == 1 and "cannot read" in missing.output


def test_stats_table_and_json(project: Path) -> None:
    result = invoke("stats", "--json", "--project", project)
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["documents"] == 2 and data["spans"] == 2
    assert data["spans_per_label"]["claim"] == 1 and data["spans_per_annotator"] == {"alice": {"claim": 1, "intervention": 1}}
    assert data["statuses"]["alice"] == {"todo": 0, "in_progress": 1, "done": 1, "skipped": 0, "flagged": 0}
    table = invoke("stats", "--project", project)
    assert table.exit_code == 0 and "Documents: 2" in table.output and "Spans per annotator:" in table.output
    assert "alice" in table.output


def test_labels(project: Path) -> None:
    result = invoke("labels", "--project", project)
    assert result.exit_code == 0
    rows = result.output.splitlines()
    assert rows[0].split() == ["name", "key", "colour", "definition"]
    assert rows[1].split()[:3] == ["claim", "1", "#0072B2"] and len(rows) == 6


def test_project_from_the_environment(tmp_path: Path, project: Path) -> None:
    result = invoke("stats", "--json", env={"ANNOTATOR_PROJECT": str(project)})
    assert result.exit_code == 0 and json.loads(result.output)["documents"] == 2


def test_default_project_lives_in_annotator_home(tmp_path: Path, _isolated_home: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("annotator.project.sample_corpus_dir", lambda: None)  # keep this test quick
    assert invoke("labels").exit_code == 2  # a command that reads never makes the project
    assert not (_isolated_home / "data" / "default.annotator").exists()
    assert invoke("new").exit_code == 0
    assert invoke("labels").exit_code == 0
    assert (_isolated_home / "data" / "default.annotator").exists()


def test_unreadable_and_newer_projects_exit_2_without_traceback(tmp_path: Path, project: Path) -> None:
    junk = tmp_path / "junk.annotator"
    junk.write_bytes(b"not a database" * 100)
    result = invoke("stats", "--project", junk)
    assert result.exit_code == 2 and "not a readable annotator project" in result.output
    p = open_project(project)
    with p.repo.engine.begin() as c:
        c.execute(text("UPDATE project_meta SET value = '99' WHERE key = 'schema_version'"))
    p.close()
    newer = invoke("labels", "--project", project)
    assert newer.exit_code == 2 and "newer annotator" in newer.output
    assert "Traceback" not in result.output + newer.output


def test_gui_command_hands_over_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str | None] = []
    monkeypatch.setattr(cli_commands, "launch_gui", lambda project: seen.append(project) or 0)
    assert invoke("gui", "--project", tmp_path / "g.annotator").exit_code == 0
    assert seen == [str(tmp_path / "g.annotator")]


def test_python_dash_m_help_in_a_subprocess(tmp_path: Path) -> None:
    env = {**os.environ, "ANNOTATOR_HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "annotator", "--help"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for command in ("gui", "import", "export", "stats", "validate", "labels"):
        assert command in proc.stdout
    bad = subprocess.run([sys.executable, "-m", "annotator", "stats", "--project", str(tmp_path / "x.annotator"),
                          "--bogus"], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def _all_importers_work() -> bool:
    from annotator.importers.registry import importer_for

    try:
        return all(importer_for(Path(f"x{s}")) is not None for s in (".txt", ".md", ".html", ".pdf"))
    except ImportError:
        return False


@pytest.mark.skipif(sample_corpus_dir() is None, reason="no sample_corpus/ in this checkout")
def test_sample_corpus_import_export_validate(tmp_path: Path) -> None:
    if not _all_importers_work():
        pytest.skip("not every importer exists yet")
    corpus = sample_corpus_dir()
    assert corpus is not None
    path, out = tmp_path / "s.annotator", tmp_path / "s.jsonl"
    first = invoke("import", corpus, "--project", path)
    assert first.exit_code == 0, first.output
    count = json.loads(invoke("stats", "--json", "--project", path).output)["documents"]
    assert count > 0
    again = invoke("import", corpus, "--project", path)
    assert " 0 imported" in " " + again.output.splitlines()[-1]
    assert json.loads(invoke("stats", "--json", "--project", path).output)["documents"] == count
    exported = invoke("export", "--out", out, "--project", path)
    assert exported.exit_code == 0, exported.output
    checked = invoke("validate", out)
    assert checked.exit_code == 0, checked.output


def test_export_dataset_formats_with_split_patterns_and_card(tmp_path: Path, project: Path) -> None:
    out = tmp_path / "ds.jsonl"
    res = invoke("export", "-f", "hf-bio", "-o", out, "--split", "0.5,0.5", "--seed", "3", "--status", "all",
                 "--project", project)
    assert res.exit_code == 0, res.output
    assert "split train 1 documents, test 1 documents" in res.output
    assert f"card: {tmp_path / 'ds.manifest.json'}" in res.output
    manifest = json.loads((tmp_path / "ds.manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"].startswith("annotator export --format hf-bio --out ")
    assert "--split 0.5,0.5 --seed 3" in manifest["command"]
    for name in ("train", "test"):
        check = invoke("validate", tmp_path / f"ds.{name}.jsonl", "--project", project)
        assert check.exit_code == 0 and "(hf-bio format), no problems" in check.output, check.output
    titled = invoke("export", "-f", "spans", "-o", tmp_path / "t.jsonl", "--title", "PROBIOTICS*",
                    "--context-window", "4", "--status", "all", "--project", project)
    assert titled.exit_code == 0, titled.output
    lines = [orjson.loads(x) for x in (tmp_path / "t.jsonl").read_bytes().splitlines()]
    assert [x["text"] for x in lines] == ["Probiotics", "reduce nerve pain."]
    assert lines[0]["context"] == "Probiotics 🦠 r"
    none = invoke("export", "-f", "csv", "-o", tmp_path / "n.csv", "--source", "*.PDF", "--project", project)
    gut = invoke("export", "-f", "csv", "-o", tmp_path / "g.csv", "--source", "*/GUT.txt", "--project", project)
    assert gut.exit_code == 0
    assert len((tmp_path / "g.csv").read_text(encoding="utf-8-sig").splitlines()) == 3
    assert none.exit_code == 0 and "0 records" in none.output


def test_export_refuses_bad_split_and_missing_spacy_clearly(tmp_path: Path, project: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    bad = invoke("export", "-o", tmp_path / "x.jsonl", "--split", "0.9,0.2", "--project", project)
    assert bad.exit_code == 2 and "add up to 1" in bad.output
    monkeypatch.setitem(sys.modules, "spacy", None)
    missing = invoke("export", "-f", "spacy", "-o", tmp_path / "x.spacy", "--project", project)
    assert missing.exit_code == 1 and "pip install" in missing.output and not (tmp_path / "x.spacy").exists()


def test_an_interrupted_export_says_so_exits_130_and_leaves_nothing(project: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import annotator.exporters.registry as registry

    real = registry.run_export

    def interrupted(*args: object, **kwargs: object) -> object:
        def tick(done: int, total: int, message: str) -> None:
            raise KeyboardInterrupt  # Ctrl-C while the first records are written

        kwargs["progress"] = tick
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(registry, "run_export", interrupted)
    out = tmp_path / "out" / "x.jsonl"
    out.parent.mkdir()
    with pytest.raises(SystemExit) as exit_info:
        cli_commands.run(["export", "--project", str(project), "--out", str(out)])
    assert exit_info.value.code == 130
    assert "interrupted; nothing half-written was left behind" in capsys.readouterr().err
    assert list(out.parent.iterdir()) == []


def test_export_defaults_trainers_to_done_and_writes_utf16_offsets_on_request(tmp_path: Path, project: Path) -> None:
    out = tmp_path / "d.jsonl"
    res = invoke("export", "-f", "doccano", "-o", out, "--offsets", "utf16", "--project", project)
    assert res.exit_code == 0, res.output
    records = [orjson.loads(x) for x in out.read_bytes().splitlines()]
    assert [r["status"] for r in records] == ["done"]  # gut is in progress: left out by default
    manifest = json.loads((tmp_path / "d.manifest.json").read_text(encoding="utf-8"))
    assert "--status done" in manifest["command"] and "--offsets utf16" in manifest["command"]
    every = invoke("export", "-f", "doccano", "-o", out, "--offsets", "utf16", "--status", "all", "--project", project)
    assert every.exit_code == 0, every.output
    gut = next(orjson.loads(x) for x in out.read_bytes().splitlines() if "🦠" in orjson.loads(x)["text"])
    units = gut["text"].encode("utf-16-le")
    assert {units[2 * s:2 * e].decode("utf-16-le") for s, e, _l in gut["label"]} == {"Probiotics",
                                                                                     "reduce nerve pain."}
    bad = invoke("export", "-f", "csv", "-o", tmp_path / "x.csv", "--offsets", "utf16", "--project", project)
    assert bad.exit_code == 1 and "doccano format only" in bad.output
