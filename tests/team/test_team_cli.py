"""A two-reviewer session from the command line: import, each reviewer's spans (Prodigy JSONL
with _annotator_id), merge of the second reviewer's project file, agreement, adjudicate --auto,
export of gold."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from annotator import cli_commands

runner = CliRunner()
GUT = "Probiotics reduce nerve pain in some trials.\n\nAsk your doctor first."
VITD = "Vitamin D may help multiple sclerosis. Sunlight makes vitamin D."


def invoke(*args: str | Path):  # type: ignore[no-untyped-def]
    result = runner.invoke(cli_commands.app, [str(a) for a in args])
    return result


def prodigy(path: Path, session: str, spans: dict[str, list[tuple[int, int, str]]]) -> Path:
    lines = [{"text": text, "_session_id": session, "_annotator_id": session, "answer": "accept",
              "spans": [{"start": s, "end": e, "label": lb} for s, e, lb in found]} for text, found in spans.items()]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def test_two_reviewer_session(tmp_path: Path, project_url: str) -> None:
    """alice's project is the team's (a SQLite file, or a PostgreSQL database); bob's laptop file merges in."""
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "gut.txt").write_text(GUT, encoding="utf-8")
    (articles / "vitd.txt").write_text(VITD, encoding="utf-8")
    laptop_a, laptop_b = project_url, tmp_path / "bob.annotator"
    alice = prodigy(tmp_path / "alice.jsonl", "study-alice", {
        GUT: [(0, 10, "intervention"), (0, 44, "claim"), (46, 67, "disclaimer")],
        VITD: [(0, 9, "intervention"), (0, 38, "claim")]})
    bob = prodigy(tmp_path / "bob.jsonl", "study-bob", {
        GUT: [(0, 10, "intervention"), (0, 30, "claim"), (46, 67, "disclaimer")],
        VITD: [(0, 9, "intervention"), (0, 38, "claim"), (39, 64, "mechanism")]})

    for laptop, work in ((laptop_a, alice), (laptop_b, bob)):
        assert invoke("import", articles, "--project", laptop).exit_code == 0
        result = invoke("import", work, "--project", laptop)
        assert result.exit_code == 0, result.output
        who = "alice" if work == alice else "bob"
        n = 5 if who == "alice" else 6
        assert f"{n} spans by {who} added to 2 existing documents" in result.output

    result = invoke("merge", laptop_b, "--project", laptop_a)
    assert result.exit_code == 0, result.output
    assert "0 documents added, 2 matched; spans added: 6 by bob" in result.output
    again = invoke("merge", laptop_b, "--project", laptop_a)
    assert "spans added: none" in again.output

    result = invoke("agreement", "--json", "--project", laptop_a)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (pair,) = data["pairs"]
    assert (pair["a"], pair["b"]) == ("alice", "bob")
    assert pair["overall"]["n_docs"] == 2
    # 4 exact matches among 5 + 6 spans; overlap also pairs the two gut claims.
    assert pair["overall"]["f1_exact"] == 8 / 11
    assert pair["overall"]["f1_overlap"] == 10 / 11
    assert pair["labels"]["intervention"] == {**pair["labels"]["intervention"], "f1_exact": 1.0, "n_docs": 2}
    assert set(pair["labels"]["claim"]) == {"f1_exact", "f1_overlap", "kappa", "alpha_u", "n_docs"}
    assert set(data["overall"]) >= {"f1_exact", "f1_overlap", "kappa", "alpha_u", "n_docs", "labels", "ci95"}
    text = invoke("agreement", "--project", laptop_a)
    assert text.exit_code == 0 and "alice / bob" in text.output and "(micro)" in text.output

    result = invoke("adjudicate", "--auto", "--project", laptop_a)
    assert result.exit_code == 0, result.output
    assert "4 agreed spans copied into gold on 2 documents" in result.output
    assert "2 conflicts left on 2 documents" in result.output
    listing = invoke("adjudicate", "--project", laptop_a)
    assert "2 undecided conflicts" in listing.output

    out = tmp_path / "gold.jsonl"
    result = invoke("export", "--annotator", "gold", "--out", out, "--project", laptop_a)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["annotator"] for r in records} == {"gold"}
    assert sorted((r["text"][:5], s["start"], s["end"], s["label"]) for r in records for s in r["spans"]) == [
        ("Probi", 0, 10, "intervention"), ("Probi", 46, 67, "disclaimer"),
        ("Vitam", 0, 9, "intervention"), ("Vitam", 0, 38, "claim")]

    result = invoke("agreement", "--against", "gold", "--json", "--project", laptop_a)
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)["annotators"]
    assert scores["alice"]["overall"] == {"precision": 4 / 5, "recall": 1.0, "f1": 8 / 9}
    assert scores["bob"]["overall"]["precision"] == 4 / 6


def test_agreement_errors_are_one_line(tmp_path: Path) -> None:
    project = tmp_path / "p.annotator"
    result = invoke("agreement", "--project", project)
    assert result.exit_code == 2 and "no project at" in result.output and not project.exists()
    assert invoke("new", project).exit_code == 0
    result = invoke("agreement", "--project", project)
    assert result.exit_code == 1 and "needs two or more reviewers" in result.output
    result = invoke("agreement", "--label", "nope", "--project", project)
    assert result.exit_code == 1 and "unknown label nope" in result.output
    result = invoke("merge", tmp_path / "missing.annotator", "--project", project)
    assert result.exit_code == 1 and "no such project file" in result.output
    result = invoke("merge", tmp_path / "x.annotator", "--map", "bad", "--project", project)
    assert result.exit_code == 2 and "old=new" in result.output
