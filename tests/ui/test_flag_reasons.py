"""A flag's reason is seen where the reviewer looks: the list's tooltip, the status bar, the span panel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument

from .conftest import doc_id_for, make_window

REASON = "<b>Not</b> an article: a cookie banner & a menu"


def _tooltip_text(html: str) -> str:
    """What a tooltip shows: Qt renders it as rich text, so read it back the same way."""
    doc = QTextDocument()
    doc.setHtml(html)
    return doc.toPlainText()


def _list_tooltip(window, doc_id: int) -> str:  # type: ignore[no-untyped-def]
    model = window.doc_model
    return _tooltip_text(model.data(model.index(model.row_for(doc_id), 2), Qt.ItemDataRole.ToolTipRole))


def test_a_flag_reason_shows_in_the_list_status_bar_and_span_panel(qtbot, window, monkeypatch) -> None:
    from annotator.ui.dialogs import flag

    doc_id = doc_id_for(window, "Probiotics")
    window.documents.open(doc_id)
    monkeypatch.setattr(flag, "ask_flag_reason", lambda parent: REASON)
    window.registry.action("doc.flag").trigger()
    assert f"Flagged: {REASON}" in _list_tooltip(window, doc_id)
    assert window.status_label.text().startswith("Status: flagged (<b>Not</b> an article")
    assert window.status_label.textFormat() == Qt.TextFormat.PlainText
    banner = window.span_list.flag_banner
    assert banner.isVisibleTo(window.span_list) and banner.text() == f"Flagged: {REASON}"
    assert banner.textFormat() == Qt.TextFormat.PlainText

    window.registry.action("edit.undo").trigger()  # back to unflagged: every trace goes
    assert "Flagged" not in _list_tooltip(window, doc_id)
    assert "(" not in window.status_label.text() and not banner.isVisibleTo(window.span_list)

    window.registry.action("edit.redo").trigger()
    assert window.span_list.flag_banner.text() == f"Flagged: {REASON}"
    window.documents.open(doc_id_for(window, "Sleep hygiene"))
    assert not banner.isVisibleTo(window.span_list)


def test_reasons_flagged_earlier_show_when_the_project_opens(qtbot, project_path: Path) -> None:
    from annotator.services import AnnotationService
    from annotator.storage.repository import Repository

    repo, _ = Repository.open(project_path, create=False)
    doc_id = next(s.id for s in repo.document_summaries("tester") if "Sleep" in s.title)
    AnnotationService(repo, "tester").set_status(doc_id, "flagged", "duplicate of the sleep article")
    repo.close()
    window = make_window(qtbot, project_path)
    assert "Flagged: duplicate of the sleep article" in _list_tooltip(window, doc_id)
    window.documents.open(doc_id)
    assert window.span_list.flag_banner.text() == "Flagged: duplicate of the sleep article"
    assert "duplicate of the sleep article" in window.status_label.text()
