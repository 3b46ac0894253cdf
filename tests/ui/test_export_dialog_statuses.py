"""The export dialog offers the CLI's default: a training format exports done documents when any is done."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.exporters.registry import any_done
from annotator.importers.base import ImportedDocument, ImportedSpan
from annotator.importing import sha256_text
from annotator.project import Project, open_project
from annotator.ui.dialogs.import_export import ExportDialog


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "home"))
    proj = open_project(tmp_path / "p.annotator")
    docs = [ImportedDocument(f"Text {i} about gut health.", f"t{i}", "txt", f"t{i}.txt",
                             spans=[ImportedSpan(0, 6, "claim")], annotator="ann",
                             status="done" if i else "in_progress") for i in range(3)]
    proj.repo.add_documents([(d, sha256_text(d.text)) for d in docs])
    yield proj
    proj.close()


def ticked(dialog: ExportDialog) -> set[str]:
    return {name for name, box in dialog.status_boxes.items() if box.isChecked()}


def test_training_formats_tick_only_done_and_others_tick_all(qtbot, project: Project) -> None:  # type: ignore[no-untyped-def]
    assert any_done(project.repo)
    dialog = ExportDialog(None, project.path, [lr.name for lr in project.labels], project.repo.annotators(), "ann",
                          any_done=any_done(project.repo))
    qtbot.addWidget(dialog)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("canonical"))
    assert ticked(dialog) == {"done"}
    assert dialog.export_filter().statuses == ("done",)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("csv"))
    assert ticked(dialog) == set(dialog.status_boxes)
    dialog.status_boxes["todo"].setChecked(False)  # the user's own choice stays
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("hf-bio"))
    assert ticked(dialog) == set(dialog.status_boxes) - {"todo"}
