"""Export formats by name, loaded lazily, and the one entry point the UI and CLI call.

A new format is one module and one :class:`ExportFormat` line here. Dataset formats are a
:class:`sink.DatasetFormat` (the driver in :mod:`dataset` streams groups into them, one
sink per split); a format that needs its own loop (canonical, pdf) is an exporter class
(see :class:`base.Exporter`), run once per split on a filtered view of the repository.
Either way :func:`run_export` applies the options (title/source patterns, split, seed,
context window, ents) and writes the manifest and dataset card next to the output.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from annotator.exporters.base import (
    Cancelled, ExportCancelled, ExportError, Exporter, ExportResult, Progress, Ticker,
)
from annotator.exporters.dataset import export_dataset
from annotator.exporters.options import ExportOptions, check_split
from annotator.exporters.selection import indexed
from annotator.exporters.sink import DatasetFormat
from annotator.storage.models import STATUSES
from annotator.storage.repository import ExportFilter, Repository


@dataclass(frozen=True)
class ExportFormat:
    name: str
    description: str  # one line, shown by `annotator export --help` and the export dialog
    suffix: str  # the usual file suffix, or "" for a folder of files
    target: str  # "module:Class", imported only when used
    splits: bool = True  # whether --split applies (train/dev/test outputs)
    rules: tuple[str, ...] = ()  # for the dataset card of formats with their own exporter

    def exporter(self) -> Exporter | DatasetFormat:
        module, _, cls = self.target.partition(":")
        return getattr(import_module(module), cls)()


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("canonical", "One JSON line per document and annotator: text, tokens, spans, meta "
                     "(a superset of Prodigy's span format)", ".jsonl",
                     "annotator.exporters.canonical:CanonicalFormat"),
        ExportFormat("spans", "One JSON line per span for span classification: text, label, its sentence "
                     "(or a character window) and offsets in it", ".jsonl", "annotator.exporters.spans:SpansFormat"),
        ExportFormat("sentences", "One JSON line per sentence for sentence classification: the labels of the "
                     "spans overlapping it (multi-label)", ".jsonl", "annotator.exporters.sentences:SentencesFormat"),
        ExportFormat("hf-bio", "Hugging Face token classification: tokens and BIO ner_tags per document and "
                     "annotator (overlaps resolved and counted)", ".jsonl", "annotator.exporters.hf_bio:HfBioFormat"),
        ExportFormat("spacy", "A spaCy DocBin (.spacy) with the spans in doc.spans[\"sc\"] (needs spaCy)",
                     ".spacy", "annotator.exporters.spacy_docbin:SpacyFormat"),
        ExportFormat("doccano", "doccano sequence-labelling JSONL: text and [start, end, label] per document "
                     "and annotator", ".jsonl", "annotator.exporters.doccano:DoccanoFormat"),
        ExportFormat("brat", "A folder of brat standoff files: .txt and .ann per document and annotator",
                     "", "annotator.exporters.brat:BratFormat"),
        ExportFormat("w3c", "W3C Web Annotation JSON-LD, one annotation per line, with position and "
                     "quote selectors", ".jsonl", "annotator.exporters.w3c:W3cFormat"),
        ExportFormat("csv", "One spreadsheet row per span: document, annotator, label, offsets, exact text, note",
                     ".csv", "annotator.exporters.csv_export:CsvFormat"),
        ExportFormat("pdf", "A folder with a copy of each PDF article and a highlight annotation per span "
                     "(label colour; reviewer, label and note readable in any PDF reader)", "",
                     "annotator.exporters.pdf:PdfExporter", splits=False,
                     rules=("One annotated copy per PDF document; non-PDF documents are left out.",)),
    )
}


def check_filter(repo: Repository, flt: ExportFilter) -> None:
    """Refuse filter values the project does not know, rather than export nothing silently."""
    problems: list[str] = []
    labels = {lr.name for lr in repo.labels()}
    problems += [f"unknown label {x!r} (labels: {', '.join(sorted(labels))})" for x in flt.labels if x not in labels]
    problems += [f"unknown status {x!r} (statuses: {', '.join(STATUSES)})" for x in flt.statuses if x not in STATUSES]
    annotators = set(repo.annotators())
    problems += [f"no annotator named {x!r} in this project" for x in flt.annotators if x not in annotators]
    if problems:
        raise ExportError("; ".join(problems))


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
    check_filter(repo, flt)
    # The split plan counts the groups as it reads its index: no separate count then.
    ticker = Ticker(0 if indexed(opts) else repo.count_export_groups(flt), progress, cancelled)
    try:
        writer = spec.exporter()
        if isinstance(writer, DatasetFormat):
            return export_dataset(repo, fmt, Path(out), flt, opts, ticker, native=writer)
        return export_dataset(repo, fmt, Path(out), flt, opts, ticker, foreign=writer, suffix=spec.suffix,
                              foreign_details={"rules": list(spec.rules)})
    except ExportCancelled:
        return ExportResult(cancelled=True)
