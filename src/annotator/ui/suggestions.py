"""Accepting and rejecting model suggestions: where rejections are kept, and the undoable reject.

Accepting a suggestion is an ordinary :class:`~annotator.ui.commands.AddSpanCommand` (it becomes
my span through the service's ``add_span``; undo removes it). Rejecting goes through
:class:`SuggestionActions`, three callables, so the store can be swapped without touching
the window: :meth:`SuggestionActions.in_project` keeps rejections in the project file (see
``storage.repository.suggestion_ui``); a training pipeline with its own store of negative
examples passes its own functions instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from annotator.storage.errors import StorageError
from annotator.ui.other_spans import RejectedKey

if TYPE_CHECKING:
    from annotator.storage.repository import Repository


@dataclass(frozen=True)
class SuggestionActions:
    """How rejections are stored: read a document's, reject one, take a rejection back (undo)."""

    rejected: Callable[[int], set[RejectedKey]]
    reject: Callable[[int, RejectedKey], None]
    unreject: Callable[[int, RejectedKey], None]

    @classmethod
    def in_project(cls, repo: Repository) -> SuggestionActions:
        return cls(rejected=repo.rejected_suggestions,
                   reject=lambda doc_id, key: repo.set_suggestion_rejected(doc_id, key, True),
                   unreject=lambda doc_id, key: repo.set_suggestion_rejected(doc_id, key, False))


class RejectSuggestionCommand(QUndoCommand):
    """Reject one suggestion (it stops showing); undo takes the rejection back.

    ``changed(doc_id)`` lets the window repaint whichever document it concerns. Like the
    edit commands, a refusal on the first redo makes the command obsolete, with ``error``
    saying why, so the undo stack never keeps a step that did nothing.
    """

    def __init__(self, actions: SuggestionActions, doc_id: int, key: RejectedKey,
                 changed: Callable[[int], None]) -> None:
        super().__init__(f"Reject suggestion {key[2]}")
        self.actions, self.doc_id, self.key, self.changed = actions, doc_id, key, changed
        self.error: str | None = None
        self.storage_failed = False
        self._done_once = False

    def redo(self) -> None:
        first, self._done_once = not self._done_once, True
        self._run(self.actions.reject, drop=first)

    def undo(self) -> None:
        self._run(self.actions.unreject, drop=False)

    def _run(self, step: Callable[[int, RejectedKey], None], *, drop: bool) -> None:
        self.error, self.storage_failed = None, False
        try:
            step(self.doc_id, self.key)
        except (ValueError, KeyError, StorageError) as exc:
            self.error = str(exc).strip("'\"") or type(exc).__name__
            self.storage_failed = isinstance(exc, StorageError)
            if drop:
                self.setObsolete(True)
            return
        self.changed(self.doc_id)
