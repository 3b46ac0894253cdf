"""Export formats by name (data: a line each), loaded lazily, and the one entry point the UI and CLI call.

A format is one module under ``annotator.exporters`` with a ``Writer`` (see :mod:`sink`) and
``details(ctx)``, and optionally ``check(ctx)``; the pdf format writes its own files.
:func:`run_export` checks the options and hands over to :func:`driver.export_dataset`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

from annotator.exporters.base import Cancelled, ExportCancelled, ExportError, ExportResult, Progress, Ticker
from annotator.exporters.options import ExportOptions, check_split
from annotator.exporters.selection import indexed
from annotator.storage.models import STATUSES
from annotator.storage.repository import ExportFilter, Repository


@dataclass(frozen=True)
class ExportFormat:
    name: str
    description: str  # one line, shown by `annotator export --help` and the export dialog
    suffix: str  # the usual file suffix, or "" for a folder of files
    target: str  # the module, imported only when used
    splits: bool = True  # whether --split applies (train/dev/test outputs)
    rules: tuple[str, ...] = ()  # for the dataset card of a format without details()
    jsonl: bool = False  # whether `annotator validate` reads its lines
    shards: bool = False  # a large export becomes a folder of files (spacy)
    trainer: bool = False  # a training format: exports done documents only, when there are any

    def module(self) -> ModuleType:
        return import_module(f"annotator.exporters.{self.target}")

    @property
    def check(self) -> Any:
        return getattr(self.module(), "check", None)

    @property
    def details(self) -> Any:
        return getattr(self.module(), "details", None)

    def writes_folder(self, groups: int, opts: ExportOptions) -> bool:
        return not self.suffix or (self.shards and groups > opts.shard_docs)


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("canonical", "One JSON line per document and annotator: text, tokens, spans, meta "
                     "(a superset of Prodigy's span format)", ".jsonl",
                     "canonical", jsonl=True, trainer=True),
        ExportFormat("spans", "One JSON line per span for span classification: text, label, its sentence "
                     "(or a character window) and offsets in it", ".jsonl", "spans", jsonl=True, trainer=True),
        ExportFormat("sentences", "One JSON line per sentence for sentence classification: the labels of the "
                     "spans overlapping it (multi-label)", ".jsonl", "sentences", jsonl=True, trainer=True),
        ExportFormat("hf-bio", "Hugging Face token classification: tokens and BIO ner_tags per document and "
                     "annotator (overlaps resolved and counted)", ".jsonl", "hf_bio", jsonl=True, trainer=True),
        ExportFormat("spacy", "A spaCy DocBin (.spacy; a folder of .spacy shards when large) with the spans in "
                     "doc.spans[\"sc\"], tokenized by spaCy (needs spaCy)", ".spacy", "spacy_docbin", shards=True,
                     trainer=True),
        ExportFormat("doccano", "doccano sequence-labelling JSONL: text and [start, end, label] per document "
                     "and annotator", ".jsonl", "doccano", jsonl=True, trainer=True),
        ExportFormat("brat", "A folder of brat standoff files: .txt and .ann per document and annotator",
                     "", "brat", trainer=True),
        ExportFormat("w3c", "W3C Web Annotation JSON-LD, one annotation per line, with position and "
                     "quote selectors", ".jsonl", "w3c", jsonl=True),
        ExportFormat("csv", "One spreadsheet row per span: document, annotator, label, offsets, exact text, note",
                     ".csv", "csv_export"),
        ExportFormat("pdf", "A folder with a copy of each PDF article and a highlight annotation per span "
                     "(label colour; reviewer, label and note readable in any PDF reader)", "",
                     "pdf", splits=False,
                     rules=("One annotated copy per PDF document; non-PDF documents are left out.",)),
    )
}


def check_filter(repo: Repository, flt: ExportFilter) -> None:
    """Refuse filter values the project does not know, rather than export nothing silently."""
    problems: list[str] = []
    labels = {lr.name for lr in repo.labels()}
    problems += [f"unknown label {x!r} (labels: {', '.join(sorted(labels))})" for x in flt.labels if x not in labels]
    problems += [f"unknown status {x!r} (statuses: {', '.join(STATUSES)}, or {ALL_STATUSES})"
                 for x in flt.statuses if x not in STATUSES and x != ALL_STATUSES]
    annotators = set(repo.annotators())
    problems += [f"no annotator named {x!r} in this project" for x in flt.annotators if x not in annotators]
    if problems:
        raise ExportError("; ".join(problems))


ALL_STATUSES = "all"  # --status all: every status, even where a trainer format would default to done


def any_done(repo: Repository, annotators: tuple[str, ...] = ()) -> bool:
    """Whether any document is done (by one of ``annotators``, when given)."""
    counts: Any = repo.stats()["statuses"]
    return any(c.get("done") for name, c in counts.items() if not annotators or name in annotators)


def default_statuses(repo: Repository, spec: ExportFormat, flt: ExportFilter) -> ExportFilter:
    """A trainer format with no status filter takes done documents only when any (of the filter's annotators)
    is done, so work in progress, skipped and flagged documents do not become training data by default."""
    if flt.statuses or not spec.trainer:
        return replace(flt, statuses=tuple(s for s in flt.statuses if s != ALL_STATUSES))
    return replace(flt, statuses=("done",)) if any_done(repo, flt.annotators) else flt


def run_export(repo: Repository, fmt: str, out: Path, flt: ExportFilter = ExportFilter(), *,
               progress: Progress | None = None, cancelled: Cancelled | None = None,
               options: ExportOptions | None = None) -> ExportResult:
    """Write ``out`` in format ``fmt``, and its manifest and card. Raises ExportError; a cancelled
    export writes nothing. ``options`` adds title/source patterns, a split and format knobs."""
    try:
        spec = FORMATS[fmt]
    except KeyError:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    opts = options or ExportOptions()
    if opts.split is not None:
        check_split(opts.split)
        if not spec.splits:
            raise ExportError(f"the {fmt} format cannot be split into train/dev/test")
    if opts.context_window is not None and (opts.context_window < 0 or fmt != "spans"):
        raise ExportError("a context window (characters, zero or more) applies to the spans format only")
    if opts.ents and fmt != "spacy":
        raise ExportError("doc.ents (--ents) applies to the spacy format only")
    if (opts.spacy_model is not None) and fmt != "spacy":
        raise ExportError("--spacy-model applies to the spacy format only")
    if opts.offsets not in ("codepoints", "utf16"):
        raise ExportError(f"--offsets is codepoints or utf16, not {opts.offsets!r}")
    if opts.offsets == "utf16" and fmt != "doccano":
        raise ExportError("--offsets utf16 applies to the doccano format only (the others count code points)")
    if opts.raw and fmt != "csv":
        raise ExportError("--raw applies to the csv format only")
    if opts.shard_docs < 1:
        raise ExportError("a shard holds at least one Doc")
    check_filter(repo, flt)
    if opts.done_by_default:
        given, flt = flt, default_statuses(repo, spec, flt)
        opts = replace(opts, status_defaulted=bool(flt.statuses and not given.statuses))
    else:
        flt = replace(flt, statuses=tuple(s for s in flt.statuses if s != ALL_STATUSES))
    # The split plan counts the groups as it reads its index: no separate count then.
    ticker = Ticker(0 if indexed(opts) else repo.count_export_groups(flt), progress, cancelled)
    try:
        from annotator.exporters.driver import export_dataset

        return export_dataset(repo, spec, Path(out), flt, opts, ticker)
    except ExportCancelled:
        return ExportResult(cancelled=True)
