"""The team services behind the Team menu: undo commands and the seams of :class:`TeamController`.

Every decision is one :class:`QUndoCommand` calling a Qt-free service once, then its exact
inverse and re-application on undo and redo:

* :class:`SuggestionCommand` — accept, reject or accept-all-above-a-score through
  :class:`~annotator.suggestions.review.SuggestionService` (first redo: the decision; later:
  ``revert`` / ``apply`` of the :class:`SuggestionChange` it returned);
* :class:`CopySpansCommand` — one span or all of a reviewer's spans through
  :mod:`annotator.services.copying` (one transaction), then ``changes.revert`` / ``apply``.

The reviewer's spans a command added or removed go out on the session's change signal as
ordinary change records, so the span list, counts and view update as for any edit.

Suggestions live in their own table (``repo.suggestions``), shown as the reserved annotator
``model``. The services are imported when first used: they load SQLAlchemy, which the window
does not wait for at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from annotator.storage.errors import StorageError
from annotator.ui.other_spans import GOLD, MODEL, MODEL_ANNOTATOR, PERSON

if TYPE_CHECKING:
    from annotator.records import SpanRecord
    from annotator.services import Change
    from annotator.storage.repository import DocumentReviewer, Repository
    from annotator.ui.session import AnnotationSession
    from annotator.ui.span_store import SpanRow


def kind_of(name: str) -> str:
    """What an annotator is, by the project's reserved names (``services.team``)."""
    from annotator.services.team import GOLD as GOLD_NAME
    from annotator.services.team import MODEL as MODEL_NAME
    from annotator.services.team import is_person

    if is_person(name):
        return PERSON
    return MODEL if name.casefold() == MODEL_NAME else GOLD if name.casefold() == GOLD_NAME else PERSON


def reviewers_of(repo: Repository, doc_id: int) -> list[DocumentReviewer]:
    """Who annotated the document, plus ``model`` when it has suggestions (from their own table)."""
    from annotator.storage.repository import DocumentReviewer

    people = [r for r in repo.document_reviewers(doc_id) if r.name != MODEL_ANNOTATOR]
    count = repo.document_suggestion_count(doc_id)
    return sorted(people + ([DocumentReviewer(MODEL_ANNOTATOR, count, "todo")] if count else []),
                  key=lambda r: r.name)


def layer_rows(repo: Repository, doc_id: int, name: str) -> list[SpanRow]:
    """One annotator's spans on a document; for ``model``, its suggestions (id, label, start, end, None)."""
    if kind_of(name) == MODEL:
        return [(s.id, s.label, s.start, s.end, None) for s in repo.suggestions(doc_id)]
    return repo.span_rows(doc_id, name)


def scores_for(repo: Repository, doc_id: int, name: str) -> dict[str, float]:
    return {s.id: s.score for s in repo.suggestions(doc_id)} if kind_of(name) == MODEL else {}


def shown_labels(repo: Repository) -> set[str] | None:
    """The labels whose suggestions to show: those whose model beats the keyword baseline;
    None (all) when no model was trained, e.g. suggestions imported from a predictions file."""
    from annotator.suggestions.review import labels_beating_baseline

    return labels_beating_baseline(repo) if repo.latest_model() is not None else None


def _error_text(exc: Exception) -> str:
    return str(exc).strip("'\"") or type(exc).__name__


class _ServiceCommand(QUndoCommand):
    """First redo ``_do()``; later redo ``_again()``, undo ``_back()``; reports like the edit commands.

    A refusal on the first redo makes the command obsolete (the stack drops it), with
    ``error`` saying why. ``changed(doc_id)`` runs after every step so the team layers repaint.
    """

    def __init__(self, session: AnnotationSession, doc_id: int, text: str, changed: Callable[[int], None]) -> None:
        super().__init__(text)
        self.session, self.doc_id, self.changed = session, doc_id, changed
        self.change: Any = None
        self.error: str | None = None
        self.storage_failed = False

    @property
    def repo(self) -> Repository:
        return self.session.project.repo

    def added_spans(self) -> tuple[SpanRecord, ...]:
        raise NotImplementedError

    def _do(self) -> Any:
        raise NotImplementedError

    def _again(self) -> None:
        raise NotImplementedError

    def _back(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        first = self.change is None
        self.error, self.storage_failed = None, False
        try:
            if first:
                self.change = self._do()
            else:
                self._again()
        except (ValueError, KeyError, StorageError) as exc:
            self.error, self.storage_failed = _error_text(exc), isinstance(exc, StorageError)
            self.setObsolete(first)
            return
        self._announce(added=True)

    def undo(self) -> None:
        if self.change is None:
            return
        self.error, self.storage_failed = None, False
        try:
            self._back()
        except (ValueError, KeyError, StorageError) as exc:
            self.error, self.storage_failed = _error_text(exc), isinstance(exc, StorageError)
            return
        self._announce(added=False)

    def _announce(self, *, added: bool) -> None:
        for change in self.span_changes(added):
            self.session.changed.emit(change)
        self.changed(self.doc_id)

    def span_changes(self, added: bool) -> list[Change]:
        """The reviewer's spans this step added (or, undone, removed) as edit change records."""
        from annotator.services import Change

        return [Change("span_added", s.document_id, None, s) if added
                else Change("span_removed", s.document_id, s, None) for s in self.added_spans()]


class SuggestionCommand(_ServiceCommand):
    """Accept, reject or accept-above: ``decide(service)`` makes the decision the first time.

    ``suggestions_changed(doc_id, suggestions, gone)`` follows every step: the suggestions it
    took away (``gone``) or brought back, so the model's layer updates without a re-read.
    """

    def __init__(self, session: AnnotationSession, doc_id: int, text: str, decide: Callable[[Any], Any],
                 suggestions_changed: Callable[[int, tuple[Any, ...], bool], None]) -> None:
        super().__init__(session, doc_id, text, lambda doc: suggestions_changed(doc, self._taken(), self._gone))
        from annotator.suggestions.review import SuggestionService

        self.service = SuggestionService(session.project.repo, session.reviewer)
        self._decide = decide
        self._gone = True

    def _taken(self) -> tuple[Any, ...]:
        return tuple(self.change.suggestions) if self.change is not None else ()

    def added_spans(self) -> tuple[SpanRecord, ...]:
        return tuple(self.change.spans) if self.change is not None else ()

    def span_changes(self, added: bool) -> list[Change]:
        if added and self.change is not None:
            return self.change.span_changes()  # the service's own records of what it added
        return super().span_changes(added)

    def _do(self) -> Any:
        change = self._decide(self.service)
        if not change.suggestions:
            raise ValueError("no suggestion to decide on")
        return change

    def _again(self) -> None:
        self.service.apply(self.change)
        self._gone = True

    def _back(self) -> None:
        self.service.revert(self.change)
        self._gone = False


class CopySpansCommand(_ServiceCommand):
    """Copy one span (``span_id``) or all of ``source``'s spans on the document to the reviewer."""

    def __init__(self, session: AnnotationSession, doc_id: int, *, span_id: str | None = None,
                 source: str | None = None, changed: Callable[[int], None]) -> None:
        text = f"Copy {source}'s spans" if source is not None else "Copy a span"
        super().__init__(session, doc_id, text, changed)
        self.span_id, self.source = span_id, source

    def added_spans(self) -> tuple[SpanRecord, ...]:
        return tuple(self.change.added) if self.change is not None else ()

    def _do(self) -> Any:
        from annotator.services import copying

        me = self.session.reviewer
        if self.source is not None:
            change = copying.copy_all(self.repo, self.doc_id, self.source, me)
        else:
            assert self.span_id is not None
            change = copying.copy_span(self.repo, self.span_id, me)
        if change.empty:
            raise ValueError("you already have these spans")
        return change

    def _again(self) -> None:
        from annotator.services import changes

        changes.apply(self.repo, self.change)

    def _back(self) -> None:
        from annotator.services import changes

        changes.revert(self.repo, self.change)
