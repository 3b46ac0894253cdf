"""The team UI on the team services, in the real window: reserved names refused, the Agreement
view's figures, and a two-reviewer session end to end (issue 18's "done when")."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from typer.testing import CliRunner

from tests.ui.conftest import ARTICLES, doc_id_for, make_window, press, select_phrase

K = Qt.Key
M = Qt.KeyboardModifier


def tag(qtbot, window, phrase: str, label: str) -> None:  # type: ignore[no-untyped-def]
    window.view.setFocus()
    select_phrase(window, phrase)
    window.registry.action(f"label.{label}").trigger()


def spans_of(repo, doc: int, who: str) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    text = repo.document(doc).text
    return {(text[s.start:s.end], s.label) for s in repo.spans(doc, who)}


def test_switching_to_a_reserved_name_is_refused_with_a_reason(qtbot, project_path: Path) -> None:
    window = make_window(qtbot, project_path)
    for name in ("gold", "Model", "  "):
        assert window.team.switch_reviewer(name) is False
        assert window.session.reviewer == "tester"
    assert window.team.switch_reviewer("GOLD") is False
    message = window.statusBar().currentMessage()
    assert "reserved" in message and "gold" in message.casefold()


def wait_for_agreement(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    dock = window.agreement
    if not dock.isVisible():
        dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: dock.result is not None and not dock.measuring, timeout=30_000)


def table_rows(table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_the_agreement_view_shows_what_the_metrics_compute(qtbot, project_path: Path, fresh_repo) -> None:
    from annotator.metrics.study import project_agreement
    from annotator.services import AnnotationService
    from annotator.ui.agreement_view import FIGURES, OVERALL, figure_text

    gut = next(d.id for d in fresh_repo.document_summaries("tester") if "Probiotics" in fresh_repo.document(d.id).text)
    text = fresh_repo.document(gut).text
    marks = {"alice": [("Probiotics reduce nerve pain", "claim"), ("Butyrate", "intervention"),
                       ("Journal of Pain", "citation")],
             "bob": [("Probiotics reduce nerve pain", "claim"), ("Butyrate calms", "intervention"),
                     ("Journal of Pain", "claim")]}
    for who, found in marks.items():
        service = AnnotationService(fresh_repo, who)
        for phrase, label in found:
            service.add_span(gut, text.index(phrase), text.index(phrase) + len(phrase), label)
    expected = project_agreement(fresh_repo)
    window = make_window(qtbot, project_path)
    wait_for_agreement(qtbot, window)
    rows = table_rows(window.agreement.table)
    pair = expected["pairs"][0]
    overall = pair["overall"]
    want = [["alice – bob", OVERALL, *(figure_text(overall[f]) for f in FIGURES), str(overall["n_docs"])]]
    want += [["alice – bob", label, *(figure_text(fig[f]) for f in FIGURES), str(fig["n_docs"])]
             for label, fig in pair["labels"].items()]
    assert rows == want
    assert rows[0][2] == figure_text(2 / 6)  # one exact match of three spans each, worked by hand
    chart = {row.label: row.segments[0].value for row in window.agreement.chart.rows}
    assert chart == {label: round((fig["f1_overlap"] or 0) * 100)
                     for label, fig in expected["overall"]["labels"].items()}
    # The statistics dock's agreement line comes from the same numbers.
    window.registry.action("view.statistics").trigger()
    summary = window.statistics.panel.agreement
    qtbot.waitUntil(lambda: "span F1" in summary.text(), timeout=30_000)
    assert f"span F1 {figure_text(expected['overall']['f1_overlap'])} (overlap)" in summary.text()
    assert summary.textFormat() == Qt.TextFormat.PlainText


def test_two_reviewers_tag_measure_adjudicate_and_export_gold(qtbot, tmp_path: Path) -> None:
    from annotator import cli_commands
    from annotator.storage.repository import Repository
    from annotator.ui.dialogs.import_export import ImportReportDialog

    project_path = tmp_path / "team.annotator"
    window = make_window(qtbot, project_path)  # a new, empty project
    article = tmp_path / "gut.txt"
    article.write_text(ARTICLES["gut.txt"] + "\n", encoding="utf-8")
    assert window.import_paths([article]) is not None  # File → Import, on a worker
    qtbot.waitUntil(lambda: window.doc_model.rowCount() == 1, timeout=10_000)
    report = window.findChild(ImportReportDialog)
    assert report is not None and "1 imported" in " ".join(label.text() for label in report.findChildren(QLabel))
    report.accept()  # the reviewer reads what was imported and closes the report
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    gut = doc_id_for(window, "Probiotics")
    window.documents.open(gut)
    assert window.team.switch_reviewer("alice")
    tag(qtbot, window, "Probiotics reduce nerve pain", "claim")
    tag(qtbot, window, "Butyrate", "intervention")
    assert window.team.switch_reviewer("bob")
    assert window.documents.current_id == gut and window.span_model.rowCount() == 0  # bob starts afresh
    assert "alice" in window.team.panel.names()
    tag(qtbot, window, "Probiotics reduce nerve pain", "claim")
    tag(qtbot, window, "Butyrate calms", "intervention")
    fresh_repo, _ = Repository.open(project_path, create=False)
    assert spans_of(fresh_repo, gut, "alice") == {("Probiotics reduce nerve pain", "claim"),
                                                  ("Butyrate", "intervention")}
    assert spans_of(fresh_repo, gut, "bob") == {("Probiotics reduce nerve pain", "claim"),
                                                ("Butyrate calms", "intervention")}

    wait_for_agreement(qtbot, window)
    assert [row[:2] for row in table_rows(window.agreement.table)][0] == ["alice – bob", "all labels (micro)"]

    window.view.setFocus()
    press(qtbot, window, K.Key_R, M.ControlModifier | M.AltModifier)  # Review mode
    review = window.review
    assert review.reviewers() == ("alice", "bob")
    text = window.view.store.text
    at = text.index("Butyrate")
    # The claim both marked is agreed, not a conflict; the intervention is one, side by side.
    assert [c.spans for c in review.conflicts] == [{"alice": ((at, at + len("Butyrate"), "intervention"),),
                                                    "bob": ((at, at + len("Butyrate calms"), "intervention"),)}]
    press(qtbot, window, K.Key_A, M.AltModifier)  # take alice's
    assert spans_of(fresh_repo, gut, "gold") == {("Butyrate", "intervention")}
    assert review.panel.progress.text().startswith("1 of 1")

    out = tmp_path / "gold.jsonl"
    result = CliRunner().invoke(cli_commands.app, ["export", "--annotator", "gold", "--out", str(out),
                                                   "--project", str(project_path)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    gold = [(r["text"][s["start"]:s["end"]], s["label"]) for r in records if r["annotator"] == "gold"
            for s in r["spans"]]
    assert gold == [("Butyrate", "intervention")]
    assert {r["annotator"] for r in records} == {"gold"}
    fresh_repo.close()
