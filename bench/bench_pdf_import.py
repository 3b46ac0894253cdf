"""PDF import speed against PyMuPDF's plain ``get_text("text")`` over the same files.

    python bench/bench_pdf_import.py [--quick] [--files 100] [--pages 10]

Three passes over one folder of generated text-heavy PDFs, in one process, after a
warm-up pass (page cache, PyMuPDF's fonts). PyMuPDF is imported once, before any timed
pass and the way the application imports it (``load_pymupdf``, without the layout
analyser's ONNX model), so neither side pays for the import:
  baseline  pymupdf.open + get_text("text") on every page, nothing kept;
  load      annotator.importers.pdf.PdfImporter().load on every file (canonical text,
            per-character boxes), nothing stored;
  import    annotator.importing.import_paths into a new project: load + checks + storing
            text and page geometry, what the Import command does. The target applies here.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from benchlib import Figure  # noqa: E402

SPEED_LIMIT = 0.5
T = TypeVar("T")


def baseline(files: list[Path]) -> int:
    from annotator.pdf_source import load_pymupdf

    pymupdf = load_pymupdf()
    chars = 0
    for path in files:
        with pymupdf.open(path) as doc:
            for page in doc:
                chars += len(page.get_text("text"))
    return chars


def load_only(files: list[Path]) -> int:
    from annotator.importers.pdf import PdfImporter

    importer = PdfImporter()
    chars = 0
    for path in files:
        for doc in importer.load(path):
            chars += len(doc.text)
    return chars


def full_import(folder: Path, project_path: Path) -> tuple[int, str]:
    from annotator.importing import import_paths
    from annotator.project import open_project

    project = open_project(project_path)
    try:
        report = import_paths(project.repo, [folder])
    finally:
        project.close()
    return len(report.imported), report.summary()


def timed(fn: Callable[..., T], *args: object) -> tuple[float, T]:
    t0 = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t0, result


def main() -> None:
    ap = benchlib.parser(__doc__.splitlines()[0])
    ap.add_argument("--files", type=int)
    ap.add_argument("--pages", type=int)
    args = ap.parse_args()
    n_files = args.files or (10 if args.quick else 100)
    n_pages = args.pages or (3 if args.quick else 10)
    name = f"import {n_files} PDFs × {n_pages} pages (speed vs get_text)"
    target = f"≥ {SPEED_LIMIT}× get_text"
    try:
        import annotator.importers.pdf  # noqa: F401
    except ImportError as exc:
        benchlib.unavailable("pdf_import", f"annotator.importers.pdf: {exc}", [(name, target)])
        return
    import generate

    folder = generate.pdf_corpus(n_files, n_pages)
    files = sorted(folder.glob("*.pdf"))
    print(f"data: {folder} ({len(files)} files)")
    baseline(files)  # warm-up: page cache and PyMuPDF's lazily built font tables
    base_s, base_chars = timed(baseline, files)
    load_s, load_chars = timed(load_only, files)
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        import_s, (imported, summary) = timed(full_import, folder, Path(tmp) / "p.annotator")
    print(f"  baseline {base_s:.2f} s ({base_chars:,} chars); load {load_s:.2f} s ({load_chars:,} chars); "
          f"import_paths {import_s:.2f} s: {summary}; load average {os.getloadavg()[0]:.2f}")
    notes = ["baseline = pymupdf.open + page.get_text('text') per page, same files, same process, after a warm-up"]
    if imported != len(files):
        notes.append(f"only {imported} of {len(files)} files imported: {summary}")
    figures = [
        Figure(name, base_s / import_s, "×", target, SPEED_LIMIT, "higher",
               f"{base_s / import_s:.2f}× ({import_s:.2f} s vs get_text {base_s:.2f} s)"),
        Figure("PdfImporter.load alone (speed vs get_text)", base_s / load_s, "×",
               display=f"{base_s / load_s:.2f}× ({load_s:.2f} s, {1000 * load_s / (n_files * n_pages):.1f} ms/page)"),
    ]
    benchlib.emit("pdf_import", figures, notes)


if __name__ == "__main__":
    main()
