"""Which importer reads which suffix. Importers load lazily (the PDF one pulls in PyMuPDF)."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from annotator.importers.base import Importer

_BY_SUFFIX: dict[str, str] = {
    ".txt": "annotator.importers.text:TextImporter",
    ".md": "annotator.importers.markdown:MarkdownImporter",
    ".markdown": "annotator.importers.markdown:MarkdownImporter",
    ".html": "annotator.importers.html:HtmlImporter",
    ".htm": "annotator.importers.html:HtmlImporter",
    ".pdf": "annotator.importers.pdf:PdfImporter",
    ".jsonl": "annotator.importers.jsonl:JsonlImporter",
}


def supported_suffixes() -> tuple[str, ...]:
    return tuple(_BY_SUFFIX)


def importer_for(path: Path) -> Importer | None:
    target = _BY_SUFFIX.get(path.suffix.lower())
    if target is None:
        return None
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)()


def collect_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Expand folders recursively (sorted, hidden entries skipped). Returns (files, unsupported)."""
    files: list[Path] = []
    unsupported: list[Path] = []
    for path in paths:
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                rel = p.relative_to(path).parts
                if p.is_file() and not any(part.startswith(".") for part in rel):
                    (files if p.suffix.lower() in _BY_SUFFIX else unsupported).append(p)
        else:
            (files if path.suffix.lower() in _BY_SUFFIX else unsupported).append(path)
    return files, unsupported
