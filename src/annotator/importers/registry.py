"""Which importer reads which suffix. Importers load lazily (the PDF one pulls in PyMuPDF)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
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


@dataclass
class Collected:
    """What a list of files and folders holds for an import."""

    files: list[Path] = field(default_factory=list)  # supported regular files, in import order
    unsupported: list[Path] = field(default_factory=list)  # regular files of another type, or missing
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # links, devices, FIFOs: (entry, why)


def collect(paths: list[Path]) -> Collected:
    """Expand folders recursively (sorted, hidden entries left out) into the files to import.

    Only regular files are read: a device or FIFO would be read forever. Inside a folder a
    symbolic link is followed only to a file inside that same folder, so ``a.txt -> /etc/passwd``
    is not imported; a link to a folder is not followed. A file named on its own is the user's
    choice and is followed wherever it points, but must still be a regular file.
    """
    found = Collected()
    for path in paths:
        if path.is_dir():
            _collect_folder(path, found)
        elif path.exists() and not path.is_file():
            found.skipped.append((path, f"not a regular file ({_kind(path)})"))
        else:
            (found.files if _supported(path) else found.unsupported).append(path)
    return found


def collect_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(files, unsupported) of :func:`collect`."""
    found = collect(paths)
    return found.files, found.unsupported


def _supported(path: Path) -> bool:
    return path.suffix.lower() in _BY_SUFFIX


def _collect_folder(folder: Path, found: Collected) -> None:
    root = folder.resolve()
    entries: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):  # never descends through a link to a folder
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        entries += [Path(dirpath, d) for d in dirnames if Path(dirpath, d).is_symlink()]
        entries += [Path(dirpath, f) for f in filenames if not f.startswith(".")]
    for entry in sorted(entries):
        try:
            mode = entry.lstat().st_mode
        except OSError as exc:
            found.skipped.append((entry, f"cannot read it ({exc.strerror or exc})"))
            continue
        if stat.S_ISLNK(mode):
            why = _link_problem(entry, root)
            if why is not None:
                found.skipped.append((entry, why))
                continue
        elif not stat.S_ISREG(mode):
            found.skipped.append((entry, f"not a regular file ({_kind(entry)})"))
            continue
        (found.files if _supported(entry) else found.unsupported).append(entry)


def _link_problem(link: Path, root: Path) -> str | None:
    """Why a symbolic link inside an imported folder is not followed (None: it is)."""
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):
        return "a symbolic link to nothing"
    if not target.is_relative_to(root):
        return f"a symbolic link out of the imported folder (to {target})"
    if target.is_dir():
        return "a symbolic link to a folder (not followed)"
    if not target.is_file():
        return f"a symbolic link to something that is not a regular file ({_kind(target)})"
    return None


def _kind(path: Path) -> str:
    try:
        mode = path.stat().st_mode
    except OSError:
        return "unreadable"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"
