"""Merging another project file into this one: how reviewers who each worked on a laptop
combine their work.

Documents are matched by the sha256 of their canonical text; a document new here comes with
its pages and caches; every annotator's spans, statuses and notes are attached as an import
attaches them (a span the annotator already has is not added again, a different status
already here is kept and reported), so merging the same file twice adds nothing. Each file
is merged in one transaction: whole or not at all.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from annotator.storage import db
from annotator.storage.repository import Repository


class MergeError(ValueError):
    """A file that cannot be merged; nothing of it was stored."""


@dataclass
class MergeReport:
    path: str
    documents_added: int = 0
    documents_matched: int = 0
    spans_added: dict[str, int] = field(default_factory=dict)  # by annotator
    conflicts: list[str] = field(default_factory=list)

    def summary(self) -> str:
        spans = ", ".join(f"{n} by {who}" for who, n in sorted(self.spans_added.items()) if n) or "none"
        text = (f"{self.path}: {self.documents_added} documents added, {self.documents_matched} matched; "
                f"spans added: {spans}")
        if self.conflicts:
            text += f"; {len(self.conflicts)} status conflicts (statuses here kept)"
        return text


def parse_label_map(pairs: list[str]) -> dict[str, str]:
    """``old=new`` options as a dict; a malformed one is an error naming it."""
    out: dict[str, str] = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise MergeError(f"--map {pair!r}: write it as old=new")
        out[old.strip()] = new.strip()
    return out


def check_labels(theirs: list[str], ours: list[str], label_map: Mapping[str, str], path: str) -> None:
    """Every label of the other project, after ``label_map``, must be one of this project's."""
    unknown_targets = sorted(set(label_map.values()) - set(ours))
    if unknown_targets:
        raise MergeError(f"--map names labels this project does not have: {', '.join(unknown_targets)}")
    missing = sorted({label_map.get(t, t) for t in theirs} - set(ours))
    if missing:
        raise MergeError(f"{path} has labels this project does not: {', '.join(missing)} (this project: "
                         f"{', '.join(ours)}); map them with --map {missing[0]}=<one of this project's labels>")


def _read_other(repo: Repository, path: Path, label_map: Mapping[str, str], scratch: Path) -> dict[str, object]:
    """The other project's merge payload. An older file is read from a migrated copy, so the
    file the user named is never changed."""
    shown = str(path)
    version = db.file_schema_version(path)
    if version is not None and version < db.SCHEMA_VERSION:
        copy = scratch / path.name
        db.copy_database(path, copy)
        path = copy
    try:
        source, _ = Repository.open(path, create=False)
    except Exception as exc:  # a file that is not a project, or a damaged one
        raise MergeError(f"{shown} cannot be opened as a project: {exc}") from exc
    try:
        theirs = [lr.name for lr in source.labels()]
        check_labels(theirs, [lr.name for lr in repo.labels()], label_map, shown)
        return source.merge_payload()
    finally:
        source.close()


def merge_project(repo: Repository, other: str | Path, label_map: Mapping[str, str] | None = None) -> MergeReport:
    """Bring the project at ``other`` into ``repo``; raises MergeError (nothing stored) when it cannot."""
    label_map = dict(label_map or {})
    path = Path(other)
    if not path.is_file():
        raise MergeError(f"{other}: no such project file")
    here = db.engine_path(repo.engine)
    if here is not None and Path(here).resolve() == path.resolve():
        raise MergeError(f"{other} is this project")
    with tempfile.TemporaryDirectory(prefix="annotator-merge-") as scratch:
        payload = _read_other(repo, path, label_map, Path(scratch))
    outcomes = repo.merge_in(payload, label_map)
    report = MergeReport(str(other))
    for outcome in outcomes:
        if outcome.created:
            report.documents_added += 1
        else:
            report.documents_matched += 1
        for a in outcome.attached:
            report.spans_added[a.annotator] = report.spans_added.get(a.annotator, 0) + a.spans_added
            if a.status_conflict is not None:
                kept, arrived = a.status_conflict
                report.conflicts.append(f"document {outcome.document_id}: {a.annotator} has {kept!r} here, "
                                        f"{arrived!r} in {other}")
    return report
