"""The document list at scale: column model, the filter table over it, and opening behind the window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt

from annotator.records import DocumentColumns
from annotator.ui.document_models import DocumentFilterProxyModel, DocumentListModel

USER = Qt.ItemDataRole.UserRole


def columns(n: int) -> DocumentColumns:
    ids = [10 * (i + 1) for i in range(n)]
    return DocumentColumns(ids, [f"Article {i}" for i in range(n)], ["txt"] * n, [f"a{i}.txt" for i in range(n)],
                           [100 + i for i in range(n)], ["done" if i % 4 == 0 else "todo" for i in range(n)],
                           [i % 3 for i in range(n)])


def models(n: int) -> tuple[DocumentListModel, DocumentFilterProxyModel]:
    model = DocumentListModel()
    proxy = DocumentFilterProxyModel()
    proxy.setSourceModel(model)
    model.set_columns(columns(n))
    return model, proxy


def test_unfiltered_rows_map_straight_through(qapp) -> None:  # type: ignore[no-untyped-def]
    model, proxy = models(1000)
    assert proxy.rowCount() == model.rowCount() == 1000
    assert model.row_for(500) == 49 and model.row_for(505) == -1 and model.row_for(10_001) == -1
    assert model.done_count() == 250
    index = proxy.index(7, 0)
    assert proxy.data(index, USER) == 80 and proxy.data(index) == "Article 7"
    assert proxy.mapToSource(index).row() == 7 and proxy.mapFromSource(model.index(7, 2)).column() == 2
    assert proxy.data(proxy.index(4, 2)) == "done" and proxy.data(proxy.index(5, 3)) == 2
    assert model.next_unfinished(None) == 20 and model.next_unfinished(40) == 60


def test_filters_keep_the_selection_on_its_document(qapp) -> None:  # type: ignore[no-untyped-def]
    model, proxy = models(40)
    selection = QItemSelectionModel(proxy)
    selection.setCurrentIndex(proxy.index(9, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    proxy.set_filters(status="todo", label_ids=None, text_ids=None, title_query="")
    assert proxy.rowCount() == 30
    assert proxy.data(selection.currentIndex(), USER) == 100  # still "Article 9"
    proxy.set_filters(status="todo", label_ids={100, 110, 120}, text_ids=None, title_query="")
    assert [proxy.data(proxy.index(r, 0), USER) for r in range(proxy.rowCount())] == [100, 110, 120]
    proxy.set_filters(status=None, label_ids=None, text_ids={400}, title_query="article 1")
    shown = {proxy.data(proxy.index(r, 0), USER) for r in range(proxy.rowCount())}
    assert shown == {20, *range(110, 201, 10), 400}  # titles "Article 1", "Article 1x", and the text hit
    assert not selection.currentIndex().isValid()  # "Article 9" is filtered out, so nothing is current
    proxy.set_filters(status=None, label_ids=None, text_ids=None, title_query="")
    assert proxy.rowCount() == 40


def test_a_status_change_moves_the_row_in_or_out_of_a_filtered_list(qapp) -> None:  # type: ignore[no-untyped-def]
    model, proxy = models(8)
    proxy.set_filters(status="unfinished", label_ids=None, text_ids=None)
    assert proxy.rowCount() == 6
    model.update_document(20, status="done")
    assert proxy.rowCount() == 5 and model.done_count() == 3
    assert 20 not in {proxy.data(proxy.index(r, 0), USER) for r in range(5)}
    model.update_document(10, status="in_progress", span_delta=2)
    assert proxy.rowCount() == 6 and proxy.data(proxy.index(0, 0), USER) == 10
    assert model.summary_for(10).span_count == 2 and model.done_count() == 2
    model.set_columns(DocumentColumns())
    assert proxy.rowCount() == 0 and proxy.mapFromSource(QModelIndex()) == QModelIndex()


def test_the_list_shows_before_the_project_has_opened(qtbot, project_path: Path) -> None:  # type: ignore[no-untyped-def]
    from annotator.storage.document_list import start_list_snapshot
    from annotator.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    snapshot = start_list_snapshot(project_path, "tester")
    shown: list[bool] = []
    window.doc_model.modelReset.connect(lambda: shown.append(window.session is None))
    window.open_project_in_background(project_path, "tester", snapshot=snapshot)
    assert window.doc_list.progress.text() == "Opening project…"
    qtbot.waitUntil(lambda: window.session is not None, timeout=20_000)
    assert window.doc_model.rowCount() == 3
    assert shown and shown[0] is True  # filled from the snapshot, while the session was still opening
    assert window.documents.current_id is not None and window.doc_list.progress.text() == "0 of 3 done"
    window.close()


def test_a_document_picked_while_opening_is_opened_first(qtbot, project_path: Path) -> None:  # type: ignore[no-untyped-def]
    from annotator.storage.document_list import read_list_snapshot
    from annotator.ui.main_window import MainWindow

    snap = read_list_snapshot(project_path, "tester")
    assert snap is not None
    window = MainWindow()
    qtbot.addWidget(window)
    window.documents.show_list(snap.columns)
    last = snap.columns.ids[-1]
    window.documents.open(last)  # what a click in the list does; no session yet
    window.open_project_in_background(project_path, "tester")
    qtbot.waitUntil(lambda: window.session is not None, timeout=20_000)
    assert window.documents.current_id == last
    window.close()


def test_a_failed_background_open_says_why_and_clears_the_list(qtbot, tmp_path: Path,
                                                               monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from annotator.ui.main_window import MainWindow, window as window_module

    shown: list[str] = []
    monkeypatch.setattr(window_module.QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    bogus = tmp_path / "notes.annotator"
    bogus.write_text("just some notes, not a database", encoding="utf-8")
    window = MainWindow()
    qtbot.addWidget(window)
    window.documents.show_list(columns(5))
    window.open_project_in_background(bogus, "tester")
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    assert "not a readable annotator project" in shown[0]
    assert window.session is None and window.doc_model.rowCount() == 0 and not window.opening
    assert window.doc_list.progress.text() == "0 of 0 done"
    window.close()
