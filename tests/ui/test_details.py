"""Small things a new user notices: icons, search hits, triple-click, colours, title width."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QStyle

from .conftest import doc_id_for, make_window


def _image(icon) -> QImage:  # type: ignore[no-untyped-def]
    return icon.pixmap(24, 24).toImage().convertToFormat(QImage.Format.Format_ARGB32)


def test_export_is_not_a_save_icon_and_undo_redo_differ(window) -> None:
    export, undo, redo = (window.registry.action(a).icon() for a in ("file.export", "edit.undo", "edit.redo"))
    floppy = window.style().standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton)
    assert not export.isNull() and _image(export) != _image(floppy)
    assert not undo.isNull() and not redo.isNull() and _image(undo) != _image(redo)


def _long_project(tmp_path: Path) -> tuple[Path, str]:
    from annotator.importing import import_paths
    from annotator.project import open_project

    paragraphs = [f"Paragraph {i} says little about sleep and much about nothing at all." for i in range(200)]
    paragraphs[150] = "Magnesium glycinate improved sleep onset in a small crossover trial."
    text = "\n\n".join(paragraphs)
    (tmp_path / "long.txt").write_text(text + "\n", encoding="utf-8")
    (tmp_path / "short.txt").write_text("A short note on zinc.\n", encoding="utf-8")
    path = tmp_path / "long.annotator"
    project = open_project(path)
    assert len(import_paths(project.repo, [tmp_path / "short.txt", tmp_path / "long.txt"]).imported) == 2
    project.close()
    return path, text


def test_a_single_click_on_a_search_hit_opens_it_centred(qtbot, tmp_path: Path) -> None:
    path, _text = _long_project(tmp_path)
    window = make_window(qtbot, path)
    window.documents.open(doc_id_for(window, "zinc"))
    dock = window.corpus_search
    dock.show()
    dock.raise_()
    dock.query_edit.setText("glycinate")
    with qtbot.waitSignal(dock.results_shown, timeout=5000):
        dock.search_now()
    results = dock.results
    rect = results.visualItemRect(results.item(0))
    qtbot.mouseClick(results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.documents.current_id == doc_id_for(window, "glycinate")
    assert window.view.textCursor().selectedText() == "glycinate"
    qtbot.mouseDClick(results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.wait(20)
    view = window.view
    y = view.cursorRect().center().y() / view.viewport().height()
    assert 0.25 < y < 0.75, f"the hit is at {y:.0%} of the view's height"


def test_triple_click_selects_the_paragraph(qtbot, window) -> None:
    doc_id = doc_id_for(window, "Butyrate")
    window.documents.open(doc_id)
    view = window.view
    text = window.session.document(doc_id).text
    start = text.index("Butyrate")
    cursor = view.textCursor()
    cursor.setPosition(start + 3)
    point = view.cursorRect(cursor).center()
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    end = text.index("\n", start)
    assert view.selection_cp() == (start, end)  # the whole paragraph, without its line break
    assert window.editing.session is not None


def test_the_claim_colour_stands_apart_from_the_selection(window) -> None:
    claim = QColor(next(s.colour for s in window.session.label_specs if s.name == "claim"))
    for view in (window.view, window.pages.pdf_view):
        view.set_label_colours({s.name: s.colour for s in window.session.label_specs})
        selection = view.palette().highlight().color()
        apart_in_hue = abs(claim.hueF() - selection.hueF()) * 360 > 40
        assert apart_in_hue or abs(claim.hsvSaturationF() - selection.hsvSaturationF()) > 0.5


def test_titles_get_the_widest_column_and_the_rest_is_in_the_tooltip(qtbot, window) -> None:
    table, model = window.doc_list.table, window.doc_list.proxy
    shown = [c for c in range(model.columnCount()) if not table.isColumnHidden(c)]
    assert table.isColumnHidden(1)  # the format moved to the tooltip
    assert table.columnWidth(0) > sum(table.columnWidth(c) for c in shown[1:])
    tooltip = model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    title = model.data(model.index(0, 0), Qt.ItemDataRole.DisplayRole)
    assert title in tooltip and "txt ·" in tooltip
