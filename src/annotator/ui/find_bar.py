"""Find in the open document: a slim bar under the text with next/previous and a match count.

Matches are found in Python over the document's plain text (code points) and converted to
Qt's UTF-16 positions with :class:`annotator.text.Utf16Map`, so emoji and other astral
characters never shift a selection, and counting every match costs one regex pass instead
of thousands of ``QTextDocument.find`` calls.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QWidget,
)

from annotator.text import Utf16Map

# Counting stops here: beyond it the number means nothing to a reader and costs memory.
MAX_MATCHES = 10_000
_PARAGRAPH_SEPARATOR = "\u2029"  # how QTextCursor.selectedText() reports a line break


class FindBar(QWidget):
    def __init__(self, view: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.view = view
        self._matches: list[tuple[int, int]] = []  # UTF-16 (start, end) in document order
        self._stale = True
        self._current = -1
        self._watched_document: QTextDocument | None = None

        self.query_edit = QLineEdit(self)
        self.query_edit.setObjectName("findQuery")
        self.query_edit.setPlaceholderText("Find in document")
        self.query_edit.setClearButtonEnabled(True)
        self.query_edit.installEventFilter(self)
        self.previous_button = self._tool_button("findPrevious", "↑", "Previous match (Shift+Enter)")
        self.next_button = self._tool_button("findNext", "↓", "Next match (Enter)")
        self.match_case_box = QCheckBox("Match case", self)
        self.match_case_box.setObjectName("findMatchCase")
        self.count_label = QLabel(self)
        self.count_label.setObjectName("findCount")
        self.count_label.setMinimumWidth(self.count_label.fontMetrics().horizontalAdvance("10000+ matches"))
        close_button = self._tool_button("findClose", "✕", "Close (Escape)")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.addWidget(QLabel("Find:", self))
        layout.addWidget(self.query_edit, 1)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.match_case_box)
        layout.addWidget(self.count_label)
        layout.addWidget(close_button)

        self.query_edit.textChanged.connect(self._on_query_changed)
        self.match_case_box.toggled.connect(self._on_query_changed)
        self.next_button.clicked.connect(self.find_next)
        self.previous_button.clicked.connect(self.find_previous)
        close_button.clicked.connect(self.close_bar)
        self.view.cursorPositionChanged.connect(self._forget_current_if_moved)
        self._watch_document()
        self.hide()

    def _tool_button(self, name: str, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        return button

    # -- public -----------------------------------------------------------------------
    def activate(self) -> None:
        """Show the bar, seeded with the view's selection, ready to type."""
        selected = self.view.textCursor().selectedText()
        if selected and _PARAGRAPH_SEPARATOR not in selected:
            self.query_edit.setText(selected)
        self.show()
        self.query_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query_edit.selectAll()
        self._refresh_count()

    def close_bar(self) -> None:
        self.hide()
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def find_next(self) -> bool:
        return self._step(forward=True)

    def find_previous(self) -> bool:
        return self._step(forward=False)

    def match_count(self) -> int:
        self._ensure_matches()
        return len(self._matches)

    def current_index(self) -> int:
        """0-based index of the selected match, or -1."""
        return self._current

    # -- searching --------------------------------------------------------------------
    def _watch_document(self) -> None:
        # The view may be given a new QTextDocument when another article opens.
        doc = self.view.document()
        if doc is self._watched_document:
            return
        if self._watched_document is not None:
            try:
                self._watched_document.contentsChanged.disconnect(self._mark_stale)
            except (RuntimeError, TypeError):
                pass  # the old document is already gone
        self._watched_document = doc
        doc.contentsChanged.connect(self._mark_stale)
        self._mark_stale()

    def _mark_stale(self) -> None:
        self._stale = True
        self._current = -1

    def _forget_current_if_moved(self) -> None:
        # "3 of 12" would lie once the reader clicks elsewhere; fall back to "12 matches".
        if self._current < 0 or self._stale or not self.isVisible():
            return
        cursor = self.view.textCursor()
        if (cursor.selectionStart(), cursor.selectionEnd()) != self._matches[self._current]:
            self._current = -1
            self._refresh_count()

    def _ensure_matches(self) -> None:
        self._watch_document()
        if not self._stale:
            return
        self._stale = False
        self._matches = []
        query = self.query_edit.text()
        if not query:
            return
        text = self.view.document().toPlainText()
        flags = 0 if self.match_case_box.isChecked() else re.IGNORECASE
        to_utf16 = Utf16Map(text).to_utf16
        for m in re.finditer(re.escape(query), text, flags):
            self._matches.append((to_utf16(m.start()), to_utf16(m.end())))
            if len(self._matches) >= MAX_MATCHES:
                break

    def _on_query_changed(self) -> None:
        self._mark_stale()
        if not self.query_edit.text():
            self._refresh_count()
            return
        # Search as you type: stay on the current match while it still matches.
        cursor = self.view.textCursor()
        self._select_from(cursor.selectionStart(), forward=True)

    def _step(self, *, forward: bool) -> bool:
        cursor = self.view.textCursor()
        if forward:
            anchor = cursor.selectionEnd() if cursor.hasSelection() else cursor.position()
        else:
            anchor = cursor.selectionStart() if cursor.hasSelection() else cursor.position()
        return self._select_from(anchor, forward=forward)

    def _select_from(self, position: int, *, forward: bool) -> bool:
        """Select the first match at/after ``position`` (or the last before it), wrapping around."""
        self._ensure_matches()
        if not self._matches:
            self._current = -1
            self._refresh_count()
            return False
        starts = [s for s, _ in self._matches]
        if forward:
            index = bisect_left(starts, position)
            index = 0 if index >= len(starts) else index
        else:
            index = bisect_left(starts, position) - 1
            index = len(starts) - 1 if index < 0 else index
        self._select(index)
        return True

    def _select(self, index: int) -> None:
        start, end = self._matches[index]
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self._current = index  # before setTextCursor, whose signal checks it
        self.view.setTextCursor(cursor)
        self.view.ensureCursorVisible()
        self._refresh_count()

    def _refresh_count(self) -> None:
        if not self.query_edit.text():
            text, no_match = "", False
        else:
            total = self.match_count()
            more = "+" if total >= MAX_MATCHES else ""
            if total == 0:
                text, no_match = "No matches", True
            elif self._current >= 0:
                text, no_match = f"{self._current + 1} of {total}{more}", False
            else:
                text, no_match = f"{total}{more} matches", False
        self.count_label.setText(text)
        if self.count_label.property("noMatch") != no_match:
            self.count_label.setProperty("noMatch", no_match)
            # Dynamic-property selectors in the stylesheet only re-evaluate on a re-polish.
            self.count_label.style().unpolish(self.count_label)
            self.count_label.style().polish(self.count_label)

    # -- keys -------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.query_edit and event.type() == QEvent.Type.KeyPress:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            if key_event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if key_event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    self.find_previous()
                else:
                    self.find_next()
                return True
            if key_event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
            if key_event.matches(QKeySequence.StandardKey.FindNext):
                self.find_next()
                return True
            if key_event.matches(QKeySequence.StandardKey.FindPrevious):
                self.find_previous()
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
            return
        super().keyPressEvent(event)
