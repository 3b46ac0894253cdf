"""The export dialog's split and seed fields, and the dataset formats in its list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.importers.base import ImportedDocument, ImportedSpan
from annotator.importing import sha256_text
from annotator.project import Project, open_project
from annotator.ui.dialogs.import_export import ExportDialog


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "home"))
    proj = open_project(tmp_path / "p.annotator")
    docs = [ImportedDocument(f"Text {i} 🦠 about gut health.", f"t{i}", "txt", f"t{i}.txt",
                             spans=[ImportedSpan(0, 6, "claim")], annotator="ann", status="done") for i in range(6)]
    proj.repo.add_documents([(d, sha256_text(d.text)) for d in docs])
    yield proj
    proj.close()


def dialog_for(qtbot, project: Project) -> ExportDialog:  # type: ignore[no-untyped-def]
    dialog = ExportDialog(None, project.path, [lr.name for lr in project.labels], project.repo.annotators(), "ann")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_split_and_seed_reach_the_export(qtbot, project: Project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = dialog_for(qtbot, project)
    assert dialog.format_combo.findData("hf-bio") >= 0 and dialog.format_combo.findData("brat") >= 0
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("doccano"))
    dialog.path_edit.setText(str(tmp_path / "ds.jsonl"))
    dialog.split_edit.setText("0.5,0.6")
    assert not dialog.export_button.isEnabled() and "add up to 1" in dialog.status_label.text()
    dialog.split_edit.setText("0.5,0.5")
    dialog.seed_spin.setValue(3)
    assert dialog.export_button.isEnabled()
    done: list[object] = []
    dialog.exported.connect(done.append)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    assert (tmp_path / "ds.train.jsonl").exists() and (tmp_path / "ds.test.jsonl").exists()
    assert (tmp_path / "ds.manifest.json").exists() and (tmp_path / "ds.card.md").exists()
    assert "split train 3 documents, test 3 documents" in dialog.status_label.text()


def test_folder_formats_drop_the_file_suffix_and_pdf_has_no_split(qtbot, project: Project) -> None:  # type: ignore[no-untyped-def]
    dialog = dialog_for(qtbot, project)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("brat"))
    assert Path(dialog.path_edit.text()).suffix == ""
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("csv"))
    assert Path(dialog.path_edit.text()).suffix == ".csv"
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("pdf"))
    assert not dialog.split_edit.isEnabled() and not dialog.seed_spin.isEnabled()
