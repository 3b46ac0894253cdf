"""User-supplied strings reach Qt as plain text, and label values from a project file are checked.

A title, note or label definition such as ``<img src="/etc/hostname">`` must show literally:
rendered as rich text, Qt would read that file (on hover, for a tooltip).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QToolTip

from tests.ui.conftest import make_window

EVIL = '<img src="/etc/hostname">'
TABLES = "<table><tr><td>" * 16 + "deep" + "</td></tr></table>" * 16
TIP = int(Qt.ItemDataRole.ToolTipRole)


class RecordingDocument(QTextDocument):
    """Renders markup as Qt's tooltips and labels do, noting every resource it would load."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []

    def loadResource(self, kind: int, name) -> object:  # type: ignore[no-untyped-def, override]
        self.loaded.append(name.toString())
        return super().loadResource(kind, name)


def shown_as(markup: str) -> tuple[str, list[str]]:
    """(the text a reader sees, the resources Qt loaded) for a string Qt shows with AutoText."""
    doc = RecordingDocument()
    if GuiQt.mightBeRichText(markup):
        doc.setHtml(markup)
    else:
        doc.setPlainText(markup)
    doc.size()  # lays it out: images load here
    return doc.toPlainText(), doc.loaded


@pytest.fixture
def hostile_project(tmp_path: Path) -> Path:
    from annotator.importing import import_paths
    from annotator.project import open_project

    record = {"text": "Vitamin D cures everything, the article says.",
              "spans": [{"start": 0, "end": 9, "label": "claim", "note": EVIL}],
              "meta": {"title": EVIL}, "annotator": "tester"}
    source = tmp_path / "hostile.jsonl"
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    path = tmp_path / "hostile.annotator"
    project = open_project(path)
    report = import_paths(project.repo, [source])
    assert len(report.imported) == 1, report.refused
    project.close()
    with sqlite3.connect(path) as conn:  # what a hand-edited or hostile project file may hold
        conn.execute("UPDATE label SET definition = ?, example = ?, colour = ?, shortcut = ? WHERE name = 'claim'",
                     (TABLES, EVIL, "red;background:url(/etc/hostname)", "Ctrl+Q"))
    return path


def test_document_and_span_tooltips_show_markup_literally_and_load_nothing(qtbot, hostile_project: Path) -> None:
    window = make_window(qtbot, hostile_project)
    summary = window.doc_model.summary(0)
    assert summary.title == EVIL
    tip = window.doc_model.data(window.doc_model.index(0, 0), TIP)
    seen, loaded = shown_as(tip)
    assert seen.startswith(EVIL) and loaded == []

    window.documents.open(summary.id)
    assert window.span_model.rowCount() == 1
    seen, loaded = shown_as(window.span_model.data(window.span_model.index(0, 1), TIP))
    assert seen.endswith(f"Note: {EVIL}") and loaded == []


def test_a_real_tooltip_label_shows_the_title_as_text(qtbot, hostile_project: Path) -> None:
    window = make_window(qtbot, hostile_project)
    tip = window.doc_model.data(window.doc_model.index(0, 0), TIP)
    QToolTip.showText(window.mapToGlobal(QPoint(10, 10)), tip, window)
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    label = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QLabel) and w.isVisible()
                 and w.objectName() == "qtooltip_label")
    seen, loaded = shown_as(label.text())
    assert EVIL in seen and loaded == []
    QToolTip.hideText()


def test_label_values_from_the_project_are_checked_before_use(qtbot, hostile_project: Path) -> None:
    window = make_window(qtbot, hostile_project)
    claim = next(s for s in window.session.label_specs if s.name == "claim")
    assert claim.colour == "#808080" and claim.shortcut == ""
    button = window.label_bar.buttons["claim"]
    assert "url(" not in button.styleSheet() and "#808080" in button.styleSheet()
    seen, loaded = shown_as(button.toolTip())
    assert seen.startswith("<table><tr><td>") and loaded == []  # shown as typed, not 16 nested tables
    guidelines_html = window.guidelines.toHtml()
    assert "url(" not in guidelines_html and "background" not in guidelines_html
    assert EVIL in window.guidelines.toPlainText()


def test_message_boxes_and_prompts_show_their_text_plainly(qtbot) -> None:
    from annotator.ui.plain_text import make_labels_plain, plain_label, plain_message_box

    box = plain_message_box(QMessageBox.Icon.Warning, "Import failed", f"cannot read {EVIL}")
    qtbot.addWidget(box)
    assert box.textFormat() == Qt.TextFormat.PlainText and box.text() == f"cannot read {EVIL}"
    label = plain_label(EVIL)
    qtbot.addWidget(label)
    assert label.textFormat() == Qt.TextFormat.PlainText
    from PySide6.QtWidgets import QProgressDialog

    progress = QProgressDialog("x", "Cancel", 0, 0)
    qtbot.addWidget(progress)
    make_labels_plain(progress)
    progress.setLabelText(EVIL)
    assert all(lb.textFormat() == Qt.TextFormat.PlainText for lb in progress.findChildren(QLabel))
