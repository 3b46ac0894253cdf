"""The status bar and the document list count the same things, at once, in good English."""

from __future__ import annotations

from pathlib import Path

from annotator.ui.wording import count

from .conftest import make_window


def test_counts_read_as_english() -> None:
    assert [count(n, "span") for n in (0, 1, 2)] == ["0 spans", "1 span", "2 spans"]
    assert count(1, "record") == "1 record" and count(100_000, "document") == "100,000 documents"
    assert count(2, "copy", "copies") == "2 copies"


def test_the_status_bar_follows_an_import_as_the_list_does(qtbot, window, tmp_path: Path) -> None:
    new = tmp_path / "new.txt"
    new.write_text("Zinc shortens colds, says one small trial.\n", encoding="utf-8")
    window.import_paths([new])
    qtbot.waitUntil(lambda: window.doc_model.rowCount() == 4, timeout=10000)
    assert window.doc_list.progress.text() == "0 of 4 done"
    assert window.counts_label.text().endswith("0 of 4 done")


def test_a_large_document_shows_its_span_count_before_its_spans_have_loaded(qtbot, tmp_path: Path) -> None:
    from annotator.importers.base import ImportedDocument, ImportedSpan
    from annotator.importing import sha256_text
    from annotator.project import open_project
    from annotator.ui.main_window.documents import PROGRESSIVE_CHARS

    text = "\n\n".join(["Zinc may shorten colds, one trial found."] * (PROGRESSIVE_CHARS // 40 + 200))
    far = text.rindex("Zinc")  # beyond the first screenful: read by the worker, after opening
    path = tmp_path / "big.annotator"
    project = open_project(path)
    doc = ImportedDocument(text, "big", "txt", "big.txt", spans=[ImportedSpan(far, far + 4, "claim")],
                           annotator="tester")
    project.repo.add_documents([(doc, sha256_text(text))])
    project.close()

    window = make_window(qtbot, path)
    assert len(window.view.store) == 0 and window.documents.loading
    assert window.counts_label.text() == "1 span · 0 of 1 done"
    qtbot.waitUntil(lambda: not window.documents.loading, timeout=10000)
    assert window.counts_label.text() == "1 span · 0 of 1 done"
