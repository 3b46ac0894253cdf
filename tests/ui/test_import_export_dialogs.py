"""run_import (progress, report, refused files) and ExportDialog (filters, off-thread export, cancel)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from annotator.importing import ImportReport
from annotator.project import Project, open_project
from annotator.services import AnnotationService
from annotator.ui.dialogs.import_export import ExportDialog, ImportReportDialog, run_import


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Iterator[Project]:
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "home"))
    proj = open_project(tmp_path / "p.annotator")
    yield proj
    proj.close()


@pytest.fixture
def window(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def top_level(name: str) -> QWidget | None:
    return next((w for w in QApplication.topLevelWidgets() if w.objectName() == name and w.isVisible()), None)


def write_articles(folder: Path) -> list[Path]:
    folder.mkdir()
    good = [folder / "gut.txt", folder / "sleep.txt", folder / "emoji.txt"]
    good[0].write_text("Gut flora\nProbiotics calm the gut.\n", encoding="utf-8")
    good[1].write_text("Sleep\nSleep resets the brain.\n", encoding="utf-8")
    good[2].write_text("Fizz 🦠\nKombucha 🧪 claims abound.\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "latin1.txt").write_bytes("Caf\xe9 cr\xe8me\n".encode("latin-1"))
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    return good


# -- import ----------------------------------------------------------------------------
def test_run_import_reports_imported_refused_and_skipped(qtbot, window: QWidget, project: Project,
                                                         tmp_path: Path) -> None:
    write_articles(tmp_path / "articles")
    reports: list[ImportReport] = []
    progress_seen: list[tuple[int, int, str]] = []
    handle = run_import(window, project.path, [tmp_path / "articles"], reports.append)
    handle.progressed.connect(lambda d, t, m: progress_seen.append((d, t, m)))
    qtbot.waitUntil(lambda: len(reports) == 1, timeout=10_000)
    report = reports[0]
    assert sorted(Path(p).name for p, _, _ in report.imported) == ["emoji.txt", "gut.txt", "sleep.txt"]
    refused = {Path(p).name: reason for p, reason in report.refused}
    assert set(refused) == {"empty.txt", "latin1.txt", "notes.docx"}
    assert "unsupported file type .docx" in refused["notes.docx"]  # refused with a reason, not skipped
    assert "empty" in refused["empty.txt"]
    assert "UTF-8" in refused["latin1.txt"]
    assert report.skipped == []
    assert progress_seen and progress_seen[-1][0] == progress_seen[-1][1] == 5
    # The GUI's own connection sees the worker's writes (WAL).
    assert project.repo.document_count() == 3

    dialog = top_level("importReport")
    assert isinstance(dialog, ImportReportDialog)
    assert "3 imported, 0 skipped, 3 refused" in dialog.findChild(QWidget, "importSummary").text()
    shown = dict(dialog.rows("Refused"))
    assert set(shown) == {"empty.txt", "latin1.txt", "notes.docx"}
    assert not shown["empty.txt"].startswith("empty.txt:")  # the name is in the first column
    assert "refused  " in dialog.as_text()
    dialog.close()
    qtbot.waitUntil(lambda: top_level("importReport") is None, timeout=2000)


def test_reimport_skips_duplicates(qtbot, window: QWidget, project: Project, tmp_path: Path) -> None:
    good = write_articles(tmp_path / "articles")
    for attempt in range(2):
        reports: list[ImportReport] = []
        run_import(window, project.path, good, reports.append)
        qtbot.waitUntil(lambda: len(reports) == 1, timeout=10_000)
        dialog = top_level("importReport")
        assert dialog is not None
        dialog.close()
    assert len(reports[0].imported) == 0
    assert len(reports[0].skipped) == 3
    assert all("already in the project" in reason for _, reason in reports[0].skipped)


def test_import_runs_off_the_gui_thread_and_can_be_cancelled(qtbot, window: QWidget, project: Project,
                                                             tmp_path: Path, monkeypatch) -> None:
    from annotator.importers import text as text_importer

    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(40):
        (folder / f"a{i:02}.txt").write_text(f"Article {i}\nBody {i}.\n", encoding="utf-8")
    load_threads: set[int] = set()
    first_load = threading.Event()
    original = text_importer.TextImporter.load

    def slow_load(self, path: Path):  # type: ignore[no-untyped-def]
        load_threads.add(threading.get_ident())
        first_load.set()
        time.sleep(0.05)
        return original(self, path)

    monkeypatch.setattr(text_importer.TextImporter, "load", slow_load)
    reports: list[ImportReport] = []
    handle = run_import(window, project.path, [folder], reports.append)
    assert first_load.wait(5)
    handle.cancel()
    qtbot.waitUntil(lambda: len(reports) == 1, timeout=10_000)
    assert reports[0].cancelled
    assert 0 < len(reports[0].imported) < 40
    assert threading.get_ident() not in load_threads
    dialog = top_level("importReport")
    assert dialog is not None and "cancelled" in dialog.findChild(QWidget, "importSummary").text()
    dialog.close()


def test_unreadable_project_shows_an_error_and_skips_on_done(qtbot, window: QWidget, tmp_path: Path,
                                                            monkeypatch) -> None:
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "home"))
    bogus = tmp_path / "bogus.annotator"
    bogus.write_bytes(b"this is not sqlite" * 100)
    reports: list[ImportReport] = []
    handle = run_import(window, str(bogus), [tmp_path], reports.append)
    with qtbot.waitSignal(handle.failed, timeout=10_000):
        pass
    box = top_level("importError")
    assert isinstance(box, QMessageBox)
    assert "not a readable annotator project" in box.text()
    box.close()
    assert reports == []


# -- export ----------------------------------------------------------------------------
@pytest.fixture
def annotated(project: Project, tmp_path: Path) -> Project:
    (tmp_path / "a.txt").write_text("Probiotics cure 🦠 everything.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Fibre feeds microbes.\n", encoding="utf-8")
    from annotator.importing import import_paths

    import_paths(project.repo, [tmp_path / "a.txt", tmp_path / "b.txt"])
    ids = [s.id for s in project.repo.document_summaries("ann")]
    ann, bob = AnnotationService(project.repo, "ann"), AnnotationService(project.repo, "bob")
    ann.add_span(ids[0], 0, 10, "claim")
    ann.add_span(ids[0], 16, 17, "mechanism")
    ann.set_status(ids[0], "done")
    bob.add_span(ids[1], 0, 5, "claim")
    return project


def make_export_dialog(qtbot, project: Project) -> ExportDialog:
    labels = [lr.name for lr in project.labels]
    dialog = ExportDialog(None, project.path, labels, project.repo.annotators(), "ann")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_export_defaults_to_the_current_annotator(qtbot, annotated: Project, tmp_path: Path) -> None:
    dialog = make_export_dialog(qtbot, annotated)
    assert dialog.format_combo.findData("canonical") >= 0
    assert dialog.selected_annotators() == ("ann",)
    out = tmp_path / "out.jsonl"
    dialog.path_edit.setText(str(out))
    exported: list[object] = []
    dialog.exported.connect(exported.append)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(exported), timeout=10_000)
    lines = read_lines(out)
    assert {line["annotator"] for line in lines} == {"ann"}
    assert sum(len(line["spans"]) for line in lines) == 2
    emoji_span = next(s for line in lines for s in line["spans"] if s["label"] == "mechanism")
    assert emoji_span["text"] == "🦠"
    assert "Exported" in dialog.status_label.text() and str(out) in dialog.status_label.text()
    assert dialog.export_button.isEnabled()


def test_export_filters_by_status_and_label(qtbot, annotated: Project, tmp_path: Path) -> None:
    dialog = make_export_dialog(qtbot, annotated)
    for i in range(dialog.annotator_list.count()):
        dialog.annotator_list.item(i).setCheckState(Qt.CheckState.Checked)
    dialog.status_boxes["done"].setChecked(False)
    dialog.label_boxes["mechanism"].setChecked(False)
    flt = dialog.export_filter()
    assert flt.annotators == ()  # all ticked = no restriction
    assert "done" not in flt.statuses and "todo" in flt.statuses
    assert "mechanism" not in flt.labels and "claim" in flt.labels
    out = tmp_path / "filtered.jsonl"
    dialog.path_edit.setText(str(out))
    with qtbot.waitSignal(dialog.exported, timeout=10_000):
        dialog.start_export()
    lines = read_lines(out)
    assert [(line["annotator"], line["status"]) for line in lines] == [("bob", "in_progress")]  # adding a span starts the document


def test_export_needs_a_status_an_annotator_and_a_path(qtbot, annotated: Project) -> None:
    dialog = make_export_dialog(qtbot, annotated)
    assert dialog.export_button.isEnabled()
    for box in dialog.status_boxes.values():
        box.setChecked(False)
    assert not dialog.export_button.isEnabled()
    assert "status" in dialog.status_label.text()
    for box in dialog.status_boxes.values():
        box.setChecked(True)
    dialog.annotator_list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert dialog.selected_annotators() == ()
    assert not dialog.export_button.isEnabled()
    dialog.annotator_list.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.path_edit.clear()
    assert not dialog.export_button.isEnabled()


def test_export_error_is_reported_in_the_dialog(qtbot, annotated: Project, tmp_path: Path) -> None:
    dialog = make_export_dialog(qtbot, annotated)
    dialog.path_edit.setText(str(tmp_path / "missing-folder" / "out.jsonl"))
    dialog.start_export()
    qtbot.waitUntil(lambda: "failed" in dialog.status_label.text(), timeout=10_000)
    assert "does not exist" in dialog.status_label.text()
    assert dialog.status_label.property("error") is True
    assert not dialog.is_running()


def test_export_cancel_stops_the_worker(qtbot, annotated: Project, tmp_path: Path, monkeypatch) -> None:
    import annotator.exporters.registry as registry

    started = threading.Event()
    threads: list[int] = []

    def slow_export(repo, fmt, out, flt, *, progress=None, cancelled=None, options=None):  # type: ignore[no-untyped-def]
        threads.append(threading.get_ident())
        started.set()
        for i in range(1000):  # 20 s unless cancelled
            if cancelled():
                return registry.ExportResult(cancelled=True)
            progress(i, 1000, "")
            time.sleep(0.02)
        return registry.ExportResult(records=1000)

    monkeypatch.setattr(registry, "run_export", slow_export)
    dialog = make_export_dialog(qtbot, annotated)
    dialog.path_edit.setText(str(tmp_path / "never.jsonl"))
    dialog.start_export()
    assert started.wait(5)
    assert dialog.is_running() and dialog.cancel_button.isVisible()
    qtbot.waitUntil(lambda: dialog.progress_bar.maximum() == 1000, timeout=5000)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=5000)
    assert "cancelled" in dialog.status_label.text()
    assert dialog.isVisible()
    assert threads and threads[0] != threading.get_ident()


def test_closing_while_exporting_cancels_then_closes(qtbot, annotated: Project, tmp_path: Path,
                                                     monkeypatch) -> None:
    import annotator.exporters.registry as registry

    started = threading.Event()

    def slow_export(repo, fmt, out, flt, *, progress=None, cancelled=None, options=None):  # type: ignore[no-untyped-def]
        started.set()
        while not cancelled():
            time.sleep(0.01)
        return registry.ExportResult(cancelled=True)

    monkeypatch.setattr(registry, "run_export", slow_export)
    dialog = make_export_dialog(qtbot, annotated)
    dialog.path_edit.setText(str(tmp_path / "never.jsonl"))
    dialog.start_export()
    assert started.wait(5)
    dialog.reject()
    assert dialog.isVisible()  # still waiting for the worker to stop
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert not dialog.is_running()
