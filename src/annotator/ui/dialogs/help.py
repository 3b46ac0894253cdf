"""Help → Guide (how to annotate, the keys, where the work is kept) and Help → About.

The guide's prose is ours; every path, name and key shown in it comes through
``html.escape``, and About is plain text, so nothing the user typed is read as markup.
"""

from __future__ import annotations

import platform
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from annotator.ui.session import AnnotationSession

_WORKFLOW = """
<h2>Annotating, step by step</h2>
<ol>
<li><b>Import</b> articles: <i>File → Import files…</i> or drop them on the window
(.txt, .md, .html, .pdf, .jsonl). A file imports whole or not at all; the report says why one was refused.</li>
<li><b>Open</b> a document from the list on the left. PDFs open on their pages; <i>View → PDF pages</i>
switches to the text.</li>
<li><b>Select</b> words with the mouse (double-click: a word, triple-click: a paragraph) or the keyboard
(Shift+arrows by character, Ctrl+Shift+arrows by word, Shift+Up/Down by line).</li>
<li><b>Tag</b> the selection with a label key. Selections widen to whole words; hold Alt with the key for
exactly the characters selected. Click a span to select it; a label key relabels it, Delete removes it,
N writes a note.</li>
<li><b>Finish</b>: Ctrl+Enter marks the document done and opens the next unfinished one; Ctrl+K skips,
Ctrl+G flags with a reason.</li>
<li><b>Export</b> for people and trainers: <i>File → Export…</i> (JSONL, spaCy, Hugging Face, brat, CSV,
annotated PDFs…), with a dataset card next to the file.</li>
</ol>
<p>Every edit is saved the moment you make it; there is no Save. Undo (Ctrl+Z) and redo (Ctrl+Shift+Z)
go back and forth through your edits.</p>
"""


def _keys_html(labels: list[tuple[str, str]], keys: list[tuple[str, str]]) -> str:
    rows = "".join(f"<tr><td><b>{escape(key)}</b></td><td>{escape(text)}</td></tr>" for text, key in keys if key)
    label_rows = "".join(f"<tr><td><b>{escape(key)}</b></td><td>tag as {escape(name)}</td></tr>"
                         for name, key in labels if key)
    return (f"<h2>Keys</h2><table cellspacing='6'>{label_rows}{rows}</table>"
            "<p>Help → Keyboard shortcuts (F1) lists every command.</p>")


def _places_html(project: str | None) -> str:
    from annotator.config import backup_dir, config_dir

    where = escape(project) if project else "no project is open"
    return ("<h2>Where your work is kept</h2><ul>"
            f"<li>The project (documents, labels, spans, statuses, in one file): <code>{where}</code></li>"
            f"<li>Daily backups of it: <code>{escape(str(backup_dir()))}</code> "
            "(<code>annotator backups</code> lists them, <code>annotator recover</code> puts one back)</li>"
            f"<li>Your preferences and window layout: <code>{escape(str(config_dir()))}</code></li></ul>")


def guide_html(project: str | None, labels: list[tuple[str, str]], keys: list[tuple[str, str]]) -> str:
    """The guide page: ``labels`` as (name, key), ``keys`` as (command, first shortcut)."""
    return _WORKFLOW + _keys_html(labels, keys) + _places_html(project)


class GuideDialog(QDialog):
    def __init__(self, parent: QWidget | None, html: str) -> None:
        super().__init__(parent)
        self.setObjectName("guideDialog")
        self.setWindowTitle("annotator guide")
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("guideText")
        self.browser.setOpenLinks(False)
        self.browser.setHtml(html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(620, 640)


def about_text(session: AnnotationSession | None) -> str:
    """Version, Python and Qt, the project file and its database (plain text)."""
    from PySide6 import __version__ as pyside_version

    from annotator import __version__

    lines = [f"annotator {__version__}", "A desktop annotation workbench for health articles.", "",
             f"Python {platform.python_version()}, Qt for Python {pyside_version}"]
    if session is None:
        return "\n".join([*lines, "", "No project is open."])
    from annotator.storage import db

    engine = session.project.repo.engine
    file = db.engine_path(engine)
    lines += ["", f"Project: {session.path}", f"Reviewer: {session.reviewer}"]
    if file is not None:
        size = Path(file).stat().st_size if Path(file).exists() else 0
        lines.append(f"Database: SQLite file, {size / 2**20:.1f} MB, schema version {db.schema_version(engine)}")
    else:
        lines.append(f"Database: {engine.dialect.name}, schema version {db.schema_version(engine)}")
    return "\n".join(lines)


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None, text: str) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About annotator")
        self.text = QLabel(text, self)
        self.text.setObjectName("aboutText")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
