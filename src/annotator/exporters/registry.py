"""Export formats by name, loaded lazily, and the one entry point the UI and CLI call.

A new format is one module with an exporter class (see :class:`base.Exporter`) and one
:class:`ExportFormat` line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from annotator.exporters.base import (
    Cancelled, ExportCancelled, ExportError, Exporter, ExportResult, Progress, Ticker,
)
from annotator.storage.models import STATUSES
from annotator.storage.repository import ExportFilter, Repository


@dataclass(frozen=True)
class ExportFormat:
    name: str
    description: str  # one line, shown by `annotator export --help` and the export dialog
    suffix: str  # the usual file suffix, or "" for a folder of files
    target: str  # "module:Class", imported only when used

    def exporter(self) -> Exporter:
        module, _, cls = self.target.partition(":")
        return getattr(import_module(module), cls)()


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("canonical", "One JSON line per document and annotator: text, tokens, spans, meta "
                     "(a superset of Prodigy's span format)", ".jsonl",
                     "annotator.exporters.canonical:CanonicalExporter"),
        ExportFormat("pdf", "A folder with a copy of each PDF article and a highlight annotation per span "
                     "(label colour; reviewer, label and note readable in any PDF reader)", "",
                     "annotator.exporters.pdf:PdfExporter"),
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
               progress: Progress | None = None, cancelled: Cancelled | None = None) -> ExportResult:
    """Write ``out`` in format ``fmt``. Raises ExportError; a cancelled export writes nothing."""
    try:
        spec = FORMATS[fmt]
    except KeyError:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    check_filter(repo, flt)
    ticker = Ticker(repo.count_export_groups(flt), progress, cancelled)
    try:
        return spec.exporter().export(repo, Path(out), flt, ticker)
    except ExportCancelled:
        return ExportResult(cancelled=True)
