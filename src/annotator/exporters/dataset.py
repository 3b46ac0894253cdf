"""The export driver: selection, splits, one streaming pass into every output, then the card.

Dataset formats (:class:`sink.DatasetFormat`) get one sink per split and every group once,
in (document, annotator) order, so memory holds one document. Formats with an exporter
of their own (canonical, pdf) run that exporter once per split on a view of the
repository that yields only that split's groups. Either way the groups pass through the
:class:`stats.Tally`, every file's SHA-256 is taken as it is written, and the manifest
and card go next to the output last. Every output appears whole or not at all.
"""

from __future__ import annotations

import shlex
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, closing, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from annotator.exporters import digest, parallel
from annotator.exporters.base import Exporter, ExportError, ExportResult, Ticker, atomic_output
from annotator.exporters.manifest import MANIFEST_VERSION, write_manifest
from annotator.exporters.options import ExportOptions
from annotator.exporters.selection import Plan, plan, selected_groups, split_target
from annotator.exporters.sink import Context, DatasetFormat, Sink, relative, write_groups
from annotator.exporters.stats import Tally
from annotator.storage.repository import ExportFilter, ExportGroup, Repository

Splits = dict[Path, "str | None"]  # file -> its split
Listed = tuple[str, "str | None", str, int]  # a folder format's file: path from out's folder, split, sha256, size
FOLDER_MARK = ".annotator-export"  # names a folder an earlier export made, so it may be replaced


@dataclass
class DatasetResult(ExportResult):
    """The shared result plus what the card says about splits and resolved overlaps."""

    splits: dict[str, int] = field(default_factory=dict)  # split -> documents
    notes: list[str] = field(default_factory=list)
    folder: Path | None = None  # set for folder formats: the summary names it, not every file
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


class _ShiftedTicker(Ticker):
    """Progress across several passes: each pass counts from zero, the bar does not."""

    def __init__(self, base: Ticker) -> None:
        super().__init__(base.total)
        self.base = base
        self.offset = 0

    def tick(self, done: int, message: str = "") -> None:
        self.base.tick(self.offset + done, message)

    def finish(self, done: int, message: str = "") -> None:
        pass


class _RepositoryView:
    """A repository whose export groups are one split's, counted into the tally as they pass."""

    def __init__(self, repo: Repository, groups: Iterator[tuple[str | None, ExportGroup]], tally: Tally) -> None:
        self._repo = repo
        self._groups = groups
        self._tally = tally

    def iter_export_groups(self, flt: ExportFilter = ExportFilter()) -> Iterator[ExportGroup]:
        for split, group in self._groups:
            self._tally.add(split, group)
            yield group

    def __getattr__(self, name: str) -> Any:
        return getattr(self._repo, name)


def _folder_ready(out: Path) -> None:
    """A folder format replaces its target only if it is missing, empty, or an earlier export."""
    if out.exists() and not out.is_dir():
        raise ExportError(f"cannot write into {out}: it is a file (this format writes a folder)")
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


def _write_native(fmt: DatasetFormat, repo: Repository, out: Path, flt: ExportFilter, the_plan: Plan,
                  ctx: Context, ticker: Ticker, tally: Tally, listed: list[Listed]
                  ) -> tuple[ExportResult, dict[str, dict[str, Any]], Splits]:
    """Stream every group into its split's sink; a folder format's files go to ``listed``."""
    names: tuple[str | None, ...] = the_plan.names or (None,)
    folder = not fmt.suffix
    result = ExportResult()
    split_of: Splits = {}
    workers = parallel.worker_count(fmt, repo, ctx.options, ticker.total)
    with ExitStack() as stack:
        # Before any output is opened: a sink may start a thread, and then no worker may fork.
        pool = stack.enter_context(closing(parallel.Pool(repo, workers))) if workers > 1 else None
        staging: Path | None = None
        sinks: dict[str | None, Sink] = {}
        handles: dict[str | None, BinaryIO] = {}
        places: parallel.Places = {}
        ctx.folder = out.parent
        if folder:
            _folder_ready(out)
            staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
            stack.callback(shutil.rmtree, staging, True)
            for name in names:
                place = staging if name is None else staging / name
                place.mkdir(exist_ok=True)
                sinks[name] = fmt.open(place, ctx)
                places[name] = str(place)
                stack.callback(sinks[name].dispose)
        else:
            for name in names:
                target = split_target(out, name, fmt.suffix)
                handles[name] = stack.enter_context(atomic_output(target))
                sinks[name] = fmt.open(handles[name], ctx)
                places[name] = None
                stack.callback(sinks[name].dispose)  # before its file is committed or removed
                result.files.append(target)
                split_of[target] = name
        if pool is not None:
            _fill_in_parallel(pool, fmt, repo, flt, the_plan, ctx, ticker, tally, result, sinks, handles, places)
        else:
            _fill(repo, flt, the_plan, ticker, tally, result, sinks)
        for sink in sinks.values():
            sink.close()
        if staging is not None:
            (staging / FOLDER_MARK).write_text("written by annotator export; replaced by the next one\n")
            _swap_in(staging, out)
            result.files.append(out)
            # Plain tuples, not Paths: a folder may hold a hundred thousand files.
            for name, sink in sinks.items():
                prefix = f"{out.name}/" if name is None else f"{out.name}/{name}/"
                listed.extend((prefix + rel, name, sha, size) for rel, sha, size in getattr(sink, "files", []))
    written = {name or "all": dict(sink.counts) for name, sink in sinks.items()}
    return result, written, split_of


def _fill(repo: Repository, flt: ExportFilter, the_plan: Plan, ticker: Ticker, tally: Tally, result: ExportResult,
          sinks: dict[str | None, Sink]) -> None:
    """Every selected group into its split's sink, in this process."""
    with repo.token_cache() as cache:
        write_groups(selected_groups(repo, flt, the_plan), cache, tally, sinks, result,
                     lambda group: ticker.tick(result.records, group.document.title))


def _fill_in_parallel(pool: parallel.Pool, fmt: DatasetFormat, repo: Repository, flt: ExportFilter, the_plan: Plan,
                      ctx: Context, ticker: Ticker, tally: Tally, result: ExportResult, sinks: dict[str | None, Sink],
                      handles: dict[str | None, BinaryIO], places: parallel.Places) -> None:
    """The same as :func:`_fill`, by the pool's worker processes, batch by batch in document order."""
    todo = parallel.batches(repo, the_plan.selected())
    ticker.tick(0)
    with closing(parallel.parts(pool, repo, fmt.name, flt, ctx, todo, places)) as parts:
        for part in parts:
            for name, data in part.outputs.items():
                handles[name].write(data)
            for name, value in part.batches.items():
                sinks[name].absorb(value)
            for name, files in part.files.items():
                sinks[name].files.extend(files)  # type: ignore[attr-defined]
            for name, counts in part.counts.items():
                parallel.merge_counts(sinks[name].counts, counts)
            if part.tally is not None:  # a worker's statistics, after all of its batches
                tally.absorb(part.tally)
                continue
            result.records += part.records
            result.spans += part.spans
            ticker.tick(result.records, part.title)


def _write_foreign(exporter: Exporter, repo: Repository, out: Path, flt: ExportFilter, the_plan: Plan,
                   suffix: str, ticker: Ticker, tally: Tally) -> tuple[ExportResult, dict[str, dict[str, Any]], Splits]:
    if not the_plan.names:
        view = _RepositoryView(repo, selected_groups(repo, flt, the_plan), tally)
        result = exporter.export(view, out, flt, ticker)  # type: ignore[arg-type]
        return result, {"all": {"records": result.records, "spans": result.spans}}, {}
    total = ExportResult()
    split_of: Splits = {}
    written: dict[str, dict[str, Any]] = {}
    shifted = _ShiftedTicker(ticker)
    # Each split is its own pass; stage them all so a failure leaves no split behind.
    for name in the_plan.names:
        view = _RepositoryView(repo, selected_groups(repo, flt, the_plan, only=name), tally)
        part = exporter.export(view, split_target(out, name, suffix), flt, shifted)  # type: ignore[arg-type]
        shifted.offset += part.records
        total.files += part.files
        split_of.update((f, name) for f in part.files)
        total.records += part.records
        total.spans += part.spans
        written[name] = {"records": part.records, "spans": part.spans}
    ticker.finish(total.records)
    return total, written, split_of


def command_line(fmt: str, out: Path, flt: ExportFilter, opts: ExportOptions, project: str | None) -> str:
    """The `annotator export` command that repeats this export."""
    args = ["annotator", "export", "--format", fmt, "--out", str(out)]
    if project:
        args += ["--project", project]
    for flag, values in (("--annotator", flt.annotators), ("--status", flt.statuses), ("--label", flt.labels)):
        for v in values:
            args += [flag, v]
    if opts.title is not None:
        args += ["--title", opts.title]
    if opts.source is not None:
        args += ["--source", opts.source]
    if opts.split:
        args += ["--split", ",".join(f"{f:g}" for f in opts.split), "--seed", str(opts.seed)]
    if opts.context_window is not None and fmt == "spans":
        args += ["--context-window", str(opts.context_window)]
    if opts.ents and fmt == "spacy":
        args.append("--ents")
    return shlex.join(args)


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


def export_dataset(repo: Repository, fmt_name: str, out: Path, flt: ExportFilter, opts: ExportOptions,
                   ticker: Ticker, *, native: DatasetFormat | None = None, foreign: Exporter | None = None,
                   foreign_details: dict[str, Any] | None = None, suffix: str = "") -> ExportResult:
    """Write ``out`` (or one output per split) and, unless switched off, its manifest and card."""
    from annotator import __version__
    from annotator.storage.db import SCHEMA_VERSION

    labels = [lr.spec for lr in repo.labels()]
    ctx = Context(labels, opts, repo=repo)
    if native is not None:
        native.check(ctx)
    the_plan = plan(repo, flt, opts)
    if the_plan.groups is not None:
        ticker.total = the_plan.groups
    tally = Tally(ctx.label_names)
    listed: list[Listed] = []
    # Digests only for a manifest to list them; they cost a thread and a copy of every byte.
    with digest.recording() if opts.manifest else nullcontext({}) as digests:
        if native is not None:
            result, written, split_of = _write_native(native, repo, out, flt, the_plan, ctx, ticker, tally, listed)
            ticker.finish(result.records)
        else:
            assert foreign is not None
            result, written, split_of = _write_foreign(foreign, repo, out, flt, the_plan, suffix, ticker, tally)
    names = ctx.label_names
    written = {k: _ordered(v, names) for k, v in written.items()}
    notes = [note for name, w in written.items() for note in _notes(name, w, len(written) > 1)]
    if native is not None or the_plan.names:  # a foreign exporter's own result stays when unsplit
        result = DatasetResult(files=result.files, records=result.records, spans=result.spans,
                               splits=dict(the_plan.documents_per_split), notes=notes,
                               folder=out if native is not None and not native.suffix else None,
                               file_count=len(listed) or len(result.files))
    if not opts.manifest:
        return result
    base = out.parent
    files = [{"path": rel, "split": split, "bytes": size, "sha256": sha} for rel, split, sha, size in listed]
    for path in result.files:
        if path.is_dir():  # a folder format's folder: its files are listed above
            continue
        sha, size = digests.get(path) or digest.file_sha256(path)
        files.append({"path": relative(path, base), "split": split_of.get(path), "bytes": size, "sha256": sha})
    project = repo.engine.url.database
    if repo.engine.dialect.name != "sqlite":  # a server project: its URL, never its password
        from annotator.storage.db import remembered_location

        project = remembered_location(repo.engine.url.render_as_string(hide_password=False))
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "format": fmt_name,
        "app": {"name": "annotator", "version": __version__, "schema_version": SCHEMA_VERSION},
        "command": opts.command or command_line(fmt_name, out, flt, opts, project if project != ":memory:" else None),
        "filters": {"annotators": list(flt.annotators), "statuses": list(flt.statuses), "labels": list(flt.labels),
                    "title": opts.title, "source": opts.source},
        "split": ({"fractions": dict(zip(the_plan.names, opts.split or ())), "seed": opts.seed,
                   "grouped_by": "meta.document_id", "stratified_by": "set of labels in the document"}
                  if the_plan.names else None),
        "labels": [{"id": i, "name": s.name, "definition": s.definition} for i, s in enumerate(labels)],
        "format_details": native.details(ctx) if native is not None else (foreign_details or {}),
        "counts": tally.summary(the_plan.names),
        "written": written,
        "files": files,
    }
    result.manifest = write_manifest(out, manifest)
    return result


def _notes(name: str, written: dict[str, Any], several: bool) -> list[str]:
    """One-line remarks for the summary: spans a format could not hold as they are."""
    where = f" ({name})" if several else ""
    out = []
    for key in ("dropped", "trimmed", "left_out_of_ents", "split_at_newlines"):
        value = written.get(key)
        n = sum(value.values()) if isinstance(value, dict) else (value or 0)
        if n:
            out.append(f"{n} spans {key.replace('_', ' ')}{where}")
    return out
