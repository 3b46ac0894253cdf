"""`annotator train` and `annotator suggest` from the command line, on generated and sample corpora."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from annotator import cli_commands
from annotator.project import open_project

runner = CliRunner()
ROW = {"precision", "recall", "f1", "support"}


def invoke(*args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(cli_commands.app, [str(a) for a in args])


def _check_scores(out: dict[str, object], labels: set[str]) -> None:
    assert set(out["labels"]) == labels  # type: ignore[arg-type]
    assert all(set(r) == ROW for r in out["labels"].values())  # type: ignore[attr-defined]
    assert set(out["micro"]) == ROW and set(out["macro"]) == ROW  # type: ignore[arg-type]
    baseline = out["baseline"]
    assert set(baseline["labels"]) == labels and set(baseline["micro"]) == ROW  # type: ignore[index]
    assert len(out["learning_curve"]) == 10  # type: ignore[arg-type]
    assert set(out["documents"]) == {"train", "test"}  # type: ignore[arg-type]


def test_train_json_on_the_generated_corpus_then_suggest(generated_path: Path) -> None:
    result = invoke("train", "--json", "--seed", "3", "--project", generated_path)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    _check_scores(out, {"claim", "mechanism", "intervention", "citation", "disclaimer"})
    assert out["documents"] == {"train": 38, "test": 10} and out["seed"] == 3
    again = json.loads(invoke("train", "--json", "--seed", "3", "--project", generated_path).stdout)
    assert {k: v for k, v in again.items() if k != "model_id"} == {k: v for k, v in out.items() if k != "model_id"}
    result = invoke("suggest", "--project", generated_path)
    assert result.exit_code == 0, result.output
    assert "suggestions on 12 documents" in result.stdout
    p = open_project(generated_path)
    assert p.repo.suggestion_count() > 0 and p.repo.spans(1) == []
    p.close()


def test_train_json_on_the_sample_corpus(sample_path: Path) -> None:
    result = invoke("train", "--json", "--annotator", "sample-reviewer", "--project", sample_path)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    _check_scores(out, {"claim", "mechanism", "intervention", "citation", "disclaimer"})
    assert out["trained_on"] == "sample-reviewer"
    assert out["documents"]["train"] + out["documents"]["test"] == 9
    assert out["micro"]["support"] > 0 and out["micro"]["f1"] > 0
    result = invoke("suggest", "--project", sample_path)
    assert result.exit_code == 0 and "suggestions on 2 documents" in result.stdout


def test_train_prints_a_table_next_to_the_baseline(generated_path: Path) -> None:
    result = invoke("train", "--project", generated_path)
    assert result.exit_code == 0, result.output
    assert "Trained on people: 38 documents, scored on 10 held out" in result.stdout
    header = next(line for line in result.stdout.splitlines() if "baseline F1" in line)
    assert header.split() == ["label", "precision", "recall", "F1", "baseline", "F1", "support"]
    assert "(micro)" in result.stdout and "Learning curve" in result.stdout


def test_clear_errors(generated_path: Path, tmp_path: Path) -> None:
    result = invoke("suggest", "--project", generated_path)
    assert result.exit_code == 1 and "no model yet: run `annotator train` first" in result.output
    result = invoke("train", "--gold", "--project", generated_path)
    assert result.exit_code == 1 and "gold has no document marked done" in result.output
    result = invoke("train", "--project", tmp_path / "new.annotator")
    assert result.exit_code == 2 and "no project at" in result.output  # a typo never makes a project
    assert invoke("new", tmp_path / "new.annotator").exit_code == 0
    result = invoke("train", "--project", tmp_path / "new.annotator")
    assert result.exit_code == 1 and "no document is marked done yet" in result.output
    result = invoke("suggest", "--documents", "one", "--project", generated_path)
    assert result.exit_code == 2 and "document ids" in result.output
    assert invoke("train", "--project", generated_path).exit_code == 0
    result = invoke("suggest", "--documents", "1,999", "--project", generated_path)
    assert result.exit_code == 1 and "no document 999" in result.output
    result = invoke("suggest", "--documents", "1", "--documents", "2", "--project", generated_path)
    assert result.exit_code == 0 and "suggestions on 1 document (" in result.stdout
    assert "; skipped 1 document already marked done" in result.stdout


def test_suggest_from_a_predictions_file(generated_path: Path, tmp_path: Path) -> None:
    p = open_project(generated_path)
    text = p.repo.document(1).text
    p.close()
    good = tmp_path / "pred.jsonl"
    good.write_bytes(orjson.dumps({"text": text, "spans": [{"start": 0, "end": 5, "label": "claim", "score": 0.7}]}))
    result = invoke("suggest", "--from", good, "--project", generated_path)
    assert result.exit_code == 0 and "1 suggestion on 1 document" in result.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(orjson.dumps({"text": text, "spans": [{"start": 0, "end": 5, "label": "claim", "score": 7}]}))
    result = invoke("suggest", "--from", bad, "--project", generated_path)
    assert result.exit_code == 1 and "score must be a number between 0 and 1" in result.output
    assert "nothing was stored" in result.output


def test_suggestions_stay_out_of_peoples_exports(generated_path: Path, tmp_path: Path) -> None:
    assert invoke("train", "--project", generated_path).exit_code == 0
    assert invoke("suggest", "--project", generated_path).exit_code == 0
    out = tmp_path / "all.jsonl"
    result = invoke("export", "--out", out, "--project", generated_path)
    assert result.exit_code == 0, result.output
    records = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert {r["annotator"] for r in records if r["spans"]} == {"reviewer-1"}
    assert not any(r["spans"] for r in records if r["meta"]["document_id"] in range(1, 61, 5))


def test_training_and_suggesting_need_no_network(generated_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OSError("network access during training or suggesting")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with pytest.raises(OSError, match="network access"):
        socket.create_connection(("127.0.0.1", 9))  # the block holds
    assert invoke("train", "--project", generated_path).exit_code == 0
    result = invoke("suggest", "--project", generated_path)
    assert result.exit_code == 0 and "suggestions on 12 documents" in result.stdout
