"""The export driver: selection, splits, one streaming pass into every output, then the card.

:func:`export_dataset` calls each step once, in order: :func:`selection.plan` (filters and
split), the target checks, one writer per output (a file made by :func:`base.atomic_output`
or a staging folder), one pass over the groups into the writer of each group's split and
the :class:`stats.Tally`, then :func:`manifest.write_manifest`. The pdf format writes its
own files from a view of the repository that yields the selected groups. Every output
appears whole or not at all.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.exporters import manifest
from annotator.exporters.base import ExportError, ExportResult, Ticker, atomic_output, check_target, protected_paths
from annotator.exporters.options import ExportOptions
from annotator.exporters.selection import Plan, plan, selected_groups, split_target
from annotator.exporters.sink import Context, Document, Writer, relative
from annotator.exporters.stats import Tally
from annotator.storage.repository import ExportFilter, ExportGroup, Repository

FOLDER_MARK = ".annotator-export"  # names a folder an earlier export made, so it may be replaced


@dataclass
class DatasetResult(ExportResult):
    """The shared result plus what the card says about splits and what a format could not hold."""

    splits: dict[str, int] = field(default_factory=dict)  # split -> documents
    notes: list[str] = field(default_factory=list)
    folder: Path | None = None  # set for folder outputs: the summary names it, not every file
    file_count: int = 0

    def summary(self) -> str:
        if self.cancelled or self.folder is None:
            text = super().summary()
        else:
            text = f"{self.records} records, {self.spans} spans written to {self.folder} ({self.file_count} files)"
        if self.cancelled:
            return text
        if self.splits:
            text += "; split " + ", ".join(f"{n} {d} documents" for n, d in self.splits.items())
        if self.notes:
            text += "; " + "; ".join(self.notes)
        return text


class _RepositoryView:
    """A repository whose export groups are the selected ones, counted into the tally as they pass."""

    def __init__(self, repo: Repository, groups: Iterator[tuple[str | None, ExportGroup]], tally: Tally) -> None:
        self._repo, self._groups, self._tally = repo, groups, tally

    def iter_export_groups(self, flt: ExportFilter = ExportFilter()) -> Iterator[ExportGroup]:
        for split, group in self._groups:
            self._tally.add(split, group)
            yield group

    def __getattr__(self, name: str) -> Any:
        return getattr(self._repo, name)


def _folder_ready(out: Path) -> None:
    """A folder output replaces its target only if it is missing, empty, or an earlier export."""
    if out.exists() and not out.is_dir():
        raise ExportError(f"cannot write into {out}: it is a file (this export writes a folder)")
    if out.is_dir() and any(out.iterdir()) and not (out / FOLDER_MARK).exists():
        raise ExportError(f"{out} is a folder with other files in it; choose an empty or new folder "
                          "(an earlier export to it would be replaced)")
    if not out.parent.is_dir():
        raise ExportError(f"cannot write {out}: the folder {out.parent} does not exist")


def _swap_in(staging: Path, out: Path) -> None:
    """Put the finished staging folder at ``out``, removing an earlier export there."""
    old: Path | None = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
        out.replace(old / out.name)
    staging.replace(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write(fmt: Any, repo: Repository, out: Path, flt: ExportFilter, the_plan: Plan, ctx: Context, folder: bool,
           ticker: Ticker, tally: Tally, result: ExportResult, digests: dict[Path, tuple[str, int]]
           ) -> tuple[dict[str | None, Writer], list[tuple[str, str | None, str, int]], dict[Path, str | None]]:
    """Every selected group into its split's writer; returns the writers, a folder's files, each file's split."""
    names: tuple[str | None, ...] = the_plan.names or (None,)
    module = fmt.module()
    writers: dict[str | None, Writer] = {}
    listed: list[tuple[str, str | None, str, int]] = []
    split_of: dict[Path, str | None] = {}
    with ExitStack() as stack:
        staging: Path | None = None
        if folder:
            _folder_ready(out)
            staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
            stack.callback(shutil.rmtree, staging, True)
        for name in names:
            if staging is not None:
                place = staging if name is None else staging / name
                place.mkdir(exist_ok=True)
                writers[name] = module.Writer(place, ctx)
            else:
                target = split_target(out, name, fmt.suffix)
                writers[name] = module.Writer(stack.enter_context(atomic_output(target, digests)), ctx)
                result.files.append(target)
                split_of[target] = name
        doc: Document | None = None
        with closing(selected_groups(repo, flt, the_plan)) as groups:
            for split, group in groups:
                ticker.tick(result.records, group.document.title)
                if doc is None or doc.id != group.document.id:
                    doc = None  # let the previous document go before the next is built
                    doc = Document(group.document)
                tally.add(split, group)
                writers[split].write(group, doc)
                result.records += 1
                result.spans += len(group.spans)
        for writer in writers.values():
            writer.close()
        if ctx.options.manifest:  # the old card goes before the new data lands: a kill between the
            for stale in manifest.manifest_paths(out, folder):  # two leaves no card, never a wrong one
                stale.unlink(missing_ok=True)
        if staging is not None:
            (staging / FOLDER_MARK).write_text("written by annotator export; replaced by the next one\n")
            _swap_in(staging, out)
            result.files.append(out)
            for name, writer in writers.items():
                prefix = f"{out.name}/" if name is None else f"{out.name}/{name}/"
                listed.extend((prefix + rel, name, sha, size) for rel, sha, size in writer.files)
    return writers, listed, split_of


def _notes(name: str, written: dict[str, Any], several: bool) -> list[str]:
    """One-line remarks for the summary: spans a format could not hold as they are."""
    where = f" ({name})" if several else ""
    out = []
    for key in ("dropped", "trimmed", "misaligned", "left_out_of_ents", "split_at_newlines"):
        value = written.get(key)
        n = sum(value.values()) if isinstance(value, dict) else (value or 0)
        if n:
            out.append(f"{n} spans {key.replace('_', ' ')}{where}")
    return out


def _ordered(counts: dict[str, Any], labels: list[str]) -> dict[str, Any]:
    """Per-label counters as {label: n} in label order (zeros shown), so the JSON is stable."""
    out: dict[str, Any] = {}
    for key, value in counts.items():
        if isinstance(value, dict):
            extra = sorted(k for k in value if k not in labels)
            out[key] = {k: value.get(k, 0) for k in [*labels, *extra]}
        else:
            out[key] = value
    return out


def export_dataset(repo: Repository, fmt: Any, out: Path, flt: ExportFilter, opts: ExportOptions,
                   ticker: Ticker) -> ExportResult:
    """Write ``out`` (or one output per split) and, unless switched off, its manifest and card."""
    labels = [lr.spec for lr in repo.labels()]
    ctx = Context(labels, opts, repo=repo)
    if fmt.check is not None:
        fmt.check(ctx)
    the_plan = plan(repo, flt, opts)
    if the_plan.groups is not None:
        ticker.total = the_plan.groups
    project = repo.engine.url.database
    if repo.engine.dialect.name != "sqlite":  # a server project: its URL, never its password
        from annotator.storage.db import remembered_location

        project = remembered_location(repo.engine.url.render_as_string(hide_password=False))
    protected = protected_paths(project)
    folder = fmt.writes_folder(ticker.total, opts)
    targets = [out] if folder else [split_target(out, name, fmt.suffix) for name in (the_plan.names or (None,))]
    for target in targets:
        check_target(target, protected, folder=folder)
    for target in manifest.manifest_paths(out, folder) if opts.manifest else ():
        check_target(target, protected)
    tally = Tally(ctx.label_names)
    if opts.card_extras is not None and opts.manifest:
        tally.groups = []
    digests: dict[Path, tuple[str, int]] = {}
    if fmt.name == "pdf":
        result = fmt.module().PdfExporter().export(
            _RepositoryView(repo, selected_groups(repo, flt, the_plan), tally), out, flt, ticker)
        written: dict[str, dict[str, Any]] = {"all": {"records": result.records, "spans": result.spans}}
        listed: list[tuple[str, str | None, str, int]] = []
        split_of: dict[Path, str | None] = {}
    else:
        result = DatasetResult()
        writers, listed, split_of = _write(fmt, repo, out, flt, the_plan, ctx, folder, ticker, tally, result, digests)
        ticker.finish(result.records)
        written = {name or "all": _ordered(w.counts, ctx.label_names) for name, w in writers.items()}
        result.notes = [n for name, w in written.items() for n in _notes(name, w, len(written) > 1)]
        result.splits = dict(the_plan.documents_per_split)
        result.folder = out if folder else None
        result.file_count = len(listed) or len(result.files)
    if fmt.name == "hf-bio" and not folder:
        from annotator.exporters.hub_card import hub_card_path, write_hub_card

        data = {name: split_target(out, name, fmt.suffix) for name in (the_plan.names or (None,))}
        card_name = manifest.manifest_paths(out, False)[1].name
        if write_hub_card(data, fmt.details(ctx)["label_names"], ctx.label_names, card_name) is None:
            result.warnings.append(f"{hub_card_path(data)} is not one an export wrote, so the Hugging Face "
                                   "dataset card was not written (export into another folder to get it)")
    empty = [name for name, n in the_plan.documents_per_split.items() if n == 0]
    if empty:
        result.warnings.append(f"the {' and '.join(empty)} split{'s are' if len(empty) > 1 else ' is'} empty: "
                               "too few documents for these fractions")
    if not opts.manifest:
        return result
    base = out.parent
    files = [{"path": rel, "split": split, "bytes": size, "sha256": sha} for rel, split, sha, size in listed]
    for path in result.files:
        if path.is_dir():  # a folder output: its files are listed above
            continue
        sha, size = digests.get(path) or manifest.file_sha256(path)
        files.append({"path": relative(path, base), "split": split_of.get(path), "bytes": size, "sha256": sha})
    details = fmt.details(ctx) if fmt.details is not None else {"rules": list(fmt.rules)}
    if opts.card_extras is not None:
        details = {**details, "card_sections": opts.card_extras(repo, flt, tally.groups or [])}
    result.manifest = manifest.write(out, folder, fmt.name, flt, opts, project, the_plan, labels, details,
                                     tally.summary(the_plan.names), written, files, result.warnings)
    return result
