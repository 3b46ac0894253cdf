"""A child process that edits a project through AnnotationService, for the crash and lock tests.

Also the edit plan and the in-memory model the parent checks the database against, so both
sides agree on what each acknowledged edit was. Run as a script:

    python edit_child.py plan PROJECT SEED N TAG DOC_IDS DOC_LEN   (prints "<i>" after edit i)
    python edit_child.py spans PROJECT ANNOTATOR N DOC_ID          (waits for a line on stdin)
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

LABELS = ("claim", "mechanism", "intervention", "citation", "disclaimer")
STATUSES = ("todo", "in_progress", "done", "skipped", "flagged")
ANNOTATOR = "crash"

# ("add", key, doc, start, end, label, note) | ("relabel", key, label) | ("note", key, note)
# | ("remove", key) | ("status", doc, status, reason)
Op = tuple[object, ...]
SpanKey = tuple[int, int, int, str, str | None]  # document, start, end, label, note
Snapshot = tuple[tuple[SpanKey, ...], tuple[tuple[int, str, str | None], ...]]


def make_plan(seed: int, n: int, doc_ids: Sequence[int], doc_len: int, tag: str) -> list[Op]:
    """``n`` random edits; every note is unique, so a half-applied edit could not hide."""
    rng = random.Random(seed)
    live: list[int] = []
    ops: list[Op] = []
    for i in range(n):
        r = rng.random()
        if r < 0.45 or not live:
            start = rng.randrange(0, doc_len - 1)
            end = rng.randrange(start + 1, min(doc_len, start + 40) + 1)
            key = len([o for o in ops if o[0] == "add"])
            ops.append(("add", key, rng.choice(doc_ids), start, end, rng.choice(LABELS), f"{tag}-a{key}"))
            live.append(key)
        elif r < 0.6:
            ops.append(("relabel", rng.choice(live), rng.choice(LABELS)))
        elif r < 0.72:
            ops.append(("note", rng.choice(live), f"{tag}-n{i}" if rng.random() < 0.8 else None))
        elif r < 0.85:
            key = rng.choice(live)
            live.remove(key)
            ops.append(("remove", key))
        else:
            status = rng.choice(STATUSES)
            ops.append(("status", rng.choice(doc_ids), status, f"{tag}-r{i}" if status == "flagged" else None))
    return ops


@dataclass
class Model:
    """What the database should hold: spans fixed before this round, this round's, statuses."""

    base: list[SpanKey]
    statuses: dict[int, tuple[str, str | None]]
    spans: dict[int, SpanKey] = field(default_factory=dict)
    started: set[int] = field(default_factory=set)  # AnnotationService._started, per process

    def apply(self, op: Op) -> None:
        kind = op[0]
        if kind == "add":
            _, key, doc, start, end, label, note = op
            self.spans[key] = (doc, start, end, label, note)  # type: ignore[assignment]
            if doc not in self.started and self.statuses[doc][0] == "todo":  # type: ignore[index]
                self.statuses[doc] = ("in_progress", None)  # type: ignore[index]
            self.started.add(doc)  # type: ignore[arg-type]
        elif kind == "relabel":
            d, s, e, _, n = self.spans[op[1]]  # type: ignore[index]
            self.spans[op[1]] = (d, s, e, op[2], n)  # type: ignore[index]
        elif kind == "note":
            d, s, e, lab, _ = self.spans[op[1]]  # type: ignore[index]
            self.spans[op[1]] = (d, s, e, lab, op[2])  # type: ignore[index, assignment]
        elif kind == "remove":
            del self.spans[op[1]]  # type: ignore[arg-type]
        else:
            _, doc, status, reason = op
            self.statuses[doc] = (status, reason if status == "flagged" else None)  # type: ignore[index, assignment]

    def snapshot(self) -> Snapshot:
        spans = tuple(sorted(self.base + list(self.spans.values()), key=repr))
        return spans, tuple(sorted((d, s, r) for d, (s, r) in self.statuses.items()))

    def next_round(self) -> Model:
        return Model(self.base + list(self.spans.values()), dict(self.statuses))


def run_plan(project: str, ops: list[Op]) -> None:
    from annotator.project import open_project
    from annotator.services import AnnotationService

    svc = AnnotationService(open_project(project, create=False).repo, ANNOTATOR)
    ids: dict[object, str] = {}
    for i, op in enumerate(ops):
        kind = op[0]
        if kind == "add":
            _, key, doc, start, end, label, note = op
            change = svc.add_span(doc, start, end, label, note)  # type: ignore[arg-type]
            assert change.after is not None
            ids[key] = change.after.id  # type: ignore[union-attr]
        elif kind == "relabel":
            svc.relabel(ids[op[1]], op[2])  # type: ignore[arg-type]
        elif kind == "note":
            svc.set_note(ids[op[1]], op[2])  # type: ignore[arg-type]
        elif kind == "remove":
            svc.remove_span(ids[op[1]])
        else:
            svc.set_status(op[1], op[2], op[3])  # type: ignore[arg-type]
        # The acknowledgement: what the UI would now show as saved.
        print(i, flush=True)
    print("done", flush=True)


def add_spans(project: str, annotator: str, n: int, doc_id: int) -> None:
    from annotator.project import open_project
    from annotator.services import AnnotationService

    svc = AnnotationService(open_project(project, create=False).repo, annotator)
    print("ready", flush=True)
    sys.stdin.readline()  # both processes start writing together
    for i in range(n):
        svc.add_span(doc_id, i % 50, i % 50 + 5, LABELS[i % len(LABELS)], f"{annotator}-{i}")
        if i % 7 == 0:
            svc.set_status(doc_id, STATUSES[i % len(STATUSES)])
    print("done", flush=True)


def main(argv: list[str]) -> None:
    if argv[0] == "plan":
        project, seed, n, tag, docs, doc_len = argv[1:]
        doc_ids = [int(d) for d in docs.split(",")]
        run_plan(project, make_plan(int(seed), int(n), doc_ids, int(doc_len), tag))
    elif argv[0] == "spans":
        project, annotator, n, doc_id = argv[1:]
        add_spans(project, annotator, int(n), int(doc_id))
    else:
        raise SystemExit(f"unknown mode {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
