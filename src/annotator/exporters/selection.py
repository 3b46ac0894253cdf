"""Which groups an export writes and into which split: document patterns and the split plan.

Splitting needs every document's label set before the first line is written. That first
pass reads :meth:`Repository.iter_export_index` (ids, titles, sources, labels; no texts),
so it stays small however large the corpus; a split then reads the texts once more for
their near-duplicate sketches (:mod:`annotator.near_duplicates`, 512 bytes a document), so
near-duplicates land in the same split; the second pass streams the groups.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from annotator.exporters.options import ExportOptions
from annotator.canonical_record import document_key
from annotator.exporters.splits import assign_splits
from annotator.near_duplicates import groups as near_duplicate_groups
from annotator.near_duplicates import sketch
from annotator.storage.repository import ExportFilter, ExportGroup, Repository


@dataclass
class Plan:
    """The split of every selected document (by database id), and how many groups will be written."""

    names: tuple[str, ...] = ()
    split_of: dict[int, str] = field(default_factory=dict)
    groups: int | None = None  # None: not counted here (the repository's count applies)
    documents_per_split: dict[str, int] = field(default_factory=dict)
    near_duplicates: list[list[tuple[str, str]]] = field(default_factory=list)  # groups of (document key, title)

    def selected(self) -> dict[int, str] | None:
        """The split of each selected document ("" when unsplit), or None when every one is."""
        return self.split_of if (self.split_of or self.groups is not None) else None


def indexed(opts: ExportOptions) -> bool:
    """Whether :func:`plan` reads the index (and so counts the groups itself)."""
    return bool(opts.split_names()) or opts.has_patterns


def plan(repo: Repository, flt: ExportFilter, opts: ExportOptions) -> Plan:
    """Run the index pass when the export needs it (a split, or title/source patterns).

    Per document it keeps its key and a bit mask of its labels (a shared tuple per label
    set once done): about 150 bytes, so 100,000 documents plan in some 15 MB.
    """
    if not indexed(opts):
        return Plan()
    names = opts.split_names()
    key_of: dict[int, str] = {}
    title_of: dict[str, str] = {}
    mask_of: dict[str, int] = {}
    bit: dict[str, int] = {}
    rejected: set[int] = set()
    groups = 0
    for doc_id, sha, title, source, _annotator, labels in repo.iter_export_index(flt):
        key = key_of.get(doc_id)
        if key is None:
            if doc_id in rejected or not opts.matches(title, source):
                rejected.add(doc_id)
                continue
            key = key_of[doc_id] = document_key(sha)
            mask_of[key] = 0
            title_of[key] = title
        groups += 1  # one row per (document, annotator) group
        for label in labels:
            mask_of[key] |= bit.setdefault(label, 1 << len(bit))
    result = Plan(names=names, groups=groups)
    if not names:
        result.split_of = {doc_id: "" for doc_id in key_of}  # "" = selected, no split
        return result
    assert opts.split is not None
    sets: dict[int, tuple[str, ...]] = {}  # one tuple per distinct label set, shared
    for mask in set(mask_of.values()):
        sets[mask] = tuple(sorted(lb for lb, b in bit.items() if mask & b))
    # Near-duplicates travel together: each group is one unit holding the labels of all its members.
    sketches = {key_of[i]: sketch(text) for i, text in repo.iter_document_texts() if i in key_of}
    unit_of = {key: key for key in mask_of}
    for group in near_duplicate_groups(sketches):
        result.near_duplicates.append([(key, title_of[key]) for key in group])
        for key in group[1:]:
            unit_of[key] = group[0]
            mask_of[group[0]] |= mask_of[key]
    for mask in set(mask_of.values()):
        sets.setdefault(mask, tuple(sorted(lb for lb, b in bit.items() if mask & b)))
    units = {key: sets[mask_of[key]] for key, unit in unit_of.items() if key == unit}
    by_unit = assign_splits(units, opts.split, names, opts.seed)
    result.split_of = {doc_id: by_unit[unit_of[key]] for doc_id, key in key_of.items()}
    result.documents_per_split = {n: 0 for n in names}
    for name in result.split_of.values():
        result.documents_per_split[name] += 1
    return result


def selected_groups(repo: Repository, flt: ExportFilter, the_plan: Plan,
                    only: str | None = None) -> Iterator[tuple[str | None, ExportGroup]]:
    """(split or None, group) for every group the plan selects; ``only`` keeps one split."""
    return picked(repo.iter_export_groups(flt), the_plan.selected(), only)


def picked(groups: Iterator[ExportGroup], selected: dict[int, str] | None,
           only: str | None = None) -> Iterator[tuple[str | None, ExportGroup]]:
    """(split or None, group) for the groups of selected documents (all when ``selected`` is None)."""
    with closing(groups):
        if selected is None:
            for group in groups:
                yield None, group
            return
        for group in groups:
            split = selected.get(group.document.id)
            if split is None or (only is not None and split != only):
                continue
            yield split or None, group


def split_target(out: Path, split: str | None, suffix: str) -> Path:
    """``data/ds.jsonl`` -> ``data/ds.train.jsonl``; a folder format gets ``out/train``."""
    if split is None:
        return out
    if not suffix:
        return out / split
    stem = out.name[: -len(out.suffix)] if out.suffix else out.name
    return out.with_name(f"{stem}.{split}{out.suffix or suffix}")
