"""In the app, odd files among good ones: the run goes on, the list refreshes, the report names each."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from annotator.ui.dialogs.import_export import ImportReportDialog
from tests.ui.conftest import make_window


def test_odd_files_are_refused_and_the_good_ones_appear_in_the_list(qtbot, project_path: Path,
                                                                    tmp_path: Path) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "a_rot13.html").write_text("<html><head><meta charset='rot13'></head><body><p>x</p></body></html>")
    (folder / "b_deep.jsonl").write_text('{"text": "Fish oil.", "spans": [], "meta": {"x": '
                                         + '{"a":' * 1000 + "1" + "}" * 1000 + "}}\n")
    (folder / "c_good.txt").write_text("Zinc shortens colds\n\nA claim worth checking.\n")
    (folder / "d_escape.txt").symlink_to(tmp_path / "articles" / "gut.txt")
    window = make_window(qtbot, project_path)
    before = window.doc_model.rowCount()
    window.import_paths([folder])
    qtbot.waitUntil(lambda: window.doc_model.rowCount() == before + 1, timeout=20_000)
    qtbot.waitUntil(lambda: window.findChild(ImportReportDialog) is not None
                    or any(isinstance(w, ImportReportDialog) for w in QApplication.topLevelWidgets()), timeout=10_000)
    dialog = window.findChild(ImportReportDialog) or next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, ImportReportDialog))
    refused = dict(dialog.rows("Refused"))
    assert "unknown charset" in refused["a_rot13.html"] and "nested" in refused["b_deep.jsonl"]
    assert "out of the imported folder" in dict(dialog.rows("Skipped"))["d_escape.txt"]
    assert any(window.doc_model.summary(r).title == "Zinc shortens colds" for r in range(window.doc_model.rowCount()))
