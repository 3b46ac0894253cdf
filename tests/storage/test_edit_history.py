"""Thousands of random edits, undos and redos: the database always equals a tiny model.

The real side edits through AnnotationService and undoes/redoes through
``services.apply_inverse``/``services.reapply``, the very functions the app's undo commands
call (tests/ui/test_annotating.py checks that they do). The model side computes every state on its own, from
the inputs alone, and keeps its own undo history; only span ids come from the service.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from annotator.services import AnnotationService, Change, EditError, apply_inverse, reapply
from annotator.storage import db
from annotator.storage.repository import Repository

from .edit_child import LABELS, STATUSES
from .helpers import DOC_LEN, LONG, make_project

DOCS = (1, 2)  # two are enough for cross-document mix-ups; each costs reads per step
SpanValue = tuple[int, int, int, str, str | None]  # document, start, end, label, note
StatusValue = tuple[str, str | None]
# ("span", id, before, after) or ("status", doc, before, after)
ModelChange = tuple[str, object, object, object]

notes = st.none() | st.text(max_size=12)
indexes = st.integers(min_value=0, max_value=10_000)


def _note(note: str | None) -> str | None:
    return note if note and note.strip() else None  # what AnnotationService stores


class EditHistoryMachine(RuleBasedStateMachine):
    template: Path | None = None  # one project file, copied for every run (fast setup)

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="annotator-history-"))
        path = self.dir / "p.annotator"
        db.copy_database(self._template(), path)
        self.repo = Repository.open(path, create=False)[0]
        self.svc = AnnotationService(self.repo, "alice")
        self.bob = AnnotationService(self.repo, "bob")
        self.spans: dict[str, SpanValue] = {}
        self.statuses: dict[int, StatusValue] = {d: ("todo", None) for d in DOCS}
        self.started: set[int] = set()
        self.bob_spans: list[str] = []
        self.undo_stack: list[tuple[Change, ModelChange]] = []
        self.redo_stack: list[tuple[Change, ModelChange]] = []

    @classmethod
    def _template(cls) -> Path:
        if cls.template is None or not cls.template.exists():
            d = Path(tempfile.mkdtemp(prefix="annotator-template-"))
            assert make_project(d / "template.annotator", len(DOCS)) == list(DOCS)
            cls.template = d / "template.annotator"
        return cls.template

    def teardown(self) -> None:
        self.repo.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers ------------------------------------------------------------------------------
    def _pick(self, index: int) -> str:
        # By position, not by id: ids are random, and Hypothesis replays need the same choice.
        keys = list(self.spans)
        return keys[index % len(keys)]

    def _apply(self, change: ModelChange, forward: bool) -> None:
        kind, key, before, after = change
        value = after if forward else before
        if kind == "span":
            if value is None:
                del self.spans[key]  # type: ignore[arg-type]
            else:
                self.spans[key] = value  # type: ignore[index, assignment]
        else:
            self.statuses[key] = value  # type: ignore[index, assignment]

    def _record(self, real: Change, model: ModelChange) -> None:
        self._apply(model, forward=True)
        self.undo_stack.append((real, model))
        self.redo_stack.clear()

    # -- edits --------------------------------------------------------------------------------
    @rule(doc=st.sampled_from(DOCS), start=st.integers(0, DOC_LEN - 1), length=st.integers(1, 30),
          label=st.sampled_from(LABELS), note=notes)
    def add(self, doc: int, start: int, length: int, label: str, note: str | None) -> None:
        end = min(start + length, DOC_LEN)
        real = self.svc.add_span(doc, start, end, label, note)
        assert real.after is not None
        # Bookkeeping outside the undo history: the first span moves a 'todo' document on.
        if doc not in self.started and self.statuses[doc][0] == "todo":
            self.statuses[doc] = ("in_progress", None)
        self.started.add(doc)
        self._record(real, ("span", real.after.id, None, (doc, start, end, label, _note(note))))

    @precondition(lambda self: self.spans)
    @rule(index=indexes)
    def remove(self, index: int) -> None:
        key = self._pick(index)
        self._record(self.svc.remove_span(key), ("span", key, self.spans[key], None))

    @precondition(lambda self: self.spans)
    @rule(index=indexes, label=st.sampled_from(LABELS))
    def relabel(self, index: int, label: str) -> None:
        key = self._pick(index)
        d, s, e, _, n = self.spans[key]
        self._record(self.svc.relabel(key, label), ("span", key, self.spans[key], (d, s, e, label, n)))

    @precondition(lambda self: self.spans)
    @rule(index=indexes, note=notes)
    def set_note(self, index: int, note: str | None) -> None:
        key = self._pick(index)
        d, s, e, lab, _ = self.spans[key]
        self._record(self.svc.set_note(key, note), ("span", key, self.spans[key], (d, s, e, lab, _note(note))))

    @rule(doc=st.sampled_from(DOCS), status=st.sampled_from(STATUSES), reason=notes)
    def set_status(self, doc: int, status: str, reason: str | None) -> None:
        after = (status, reason if status == "flagged" else None)
        self._record(self.svc.set_status(doc, status, reason), ("status", doc, self.statuses[doc], after))

    @precondition(lambda self: self.undo_stack)
    @rule()
    def undo(self) -> None:
        real, model = self.undo_stack.pop()
        apply_inverse(self.svc, real)
        self._apply(model, forward=False)
        self.redo_stack.append((real, model))

    @precondition(lambda self: self.redo_stack)
    @rule()
    def redo(self) -> None:
        real, model = self.redo_stack.pop()
        again = reapply(self.svc, real)
        self._apply(model, forward=True)
        self.undo_stack.append((again, model))

    # -- edits that must change nothing -------------------------------------------------------
    @rule(doc=st.sampled_from(DOCS), start=st.integers(-5, DOC_LEN + 5), end=st.integers(-5, DOC_LEN + 5))
    def bad_offsets(self, doc: int, start: int, end: int) -> None:
        if 0 <= start < end <= DOC_LEN:
            return
        with pytest.raises(EditError):
            self.svc.add_span(doc, start, end, "claim")

    @rule(doc=st.sampled_from(DOCS))
    def someone_else_tags(self, doc: int) -> None:
        change = self.bob.add_span(doc, 0, 4, "citation")
        assert change.after is not None
        self.bob_spans.append(change.after.id)

    @precondition(lambda self: self.bob_spans)
    @rule(index=indexes)
    def cannot_touch_their_spans(self, index: int) -> None:
        with pytest.raises(EditError, match="belongs to bob"):
            self.svc.remove_span(self.bob_spans[index % len(self.bob_spans)])

    # -- the property -------------------------------------------------------------------------
    @invariant()
    def database_equals_model(self) -> None:
        stored = {s.id: (s.document_id, s.start, s.end, s.label, s.note) for d in DOCS for s in self.svc.spans(d)}
        assert stored == self.spans
        statuses = [self.svc.status(d) for d in DOCS]
        assert {s.document_id: (s.status, s.reason) for s in statuses} == self.statuses
        assert sorted(s.id for d in DOCS for s in self.bob.spans(d)) == sorted(self.bob_spans)


EditHistoryMachine.TestCase.settings = settings(
    max_examples=500 if LONG else 50,
    stateful_step_count=200 if LONG else 50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def _fast_commits(monkeypatch: pytest.MonkeyPatch) -> None:
    # This test is about logic; durability has its own kill test. NORMAL keeps it under a minute.
    monkeypatch.setattr(db, "SYNCHRONOUS", "NORMAL")


test_edit_history_matches_model = EditHistoryMachine.TestCase


def test_a_blank_note_is_stored_as_none_so_undoing_a_note_edit_is_exact(tmp_path: Path) -> None:
    """Found by the machine: add_span kept '' while set_note stores None, so undo could not restore it."""
    make_project(tmp_path / "p.annotator")
    repo = Repository.open(tmp_path / "p.annotator", create=False)[0]
    svc = AnnotationService(repo, "alice")
    added = svc.add_span(1, 0, 5, "claim", " ")
    assert added.after is not None and added.after.note is None
    cleared = svc.set_note(added.after.id, None)
    apply_inverse(svc, cleared)
    assert svc.spans(1)[0].note == added.after.note
    repo.close()
