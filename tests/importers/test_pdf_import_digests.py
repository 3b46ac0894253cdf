"""The PDF importer's output is pinned: canonical text, title, pages and every box, per sample PDF.

The digests in ``tests/data/pdf_import_digests.json`` were recorded from the importer as it
was before its speed work (commit 336649c), so any change of text or geometry, however
small, shows up here. They depend on MuPDF's text extraction, so they are only compared
under the PyMuPDF/MuPDF versions they were recorded with; after an upgrade, check the
differences by eye (the other importer tests) and record again:

    .venv/bin/python -m tests.importers.test_pdf_import_digests
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pymupdf = pytest.importorskip("pymupdf")

from annotator.importers.base import ImportedDocument  # noqa: E402
from annotator.importers.pdf import PdfImporter  # noqa: E402
from tests import pdf_samples as samples  # noqa: E402
from tests.importers.test_pdf_importer import multipage_pdf  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DIGESTS = REPO / "tests" / "data" / "pdf_import_digests.json"
sys.path.insert(0, str(REPO / "bench"))


def _sideways_and_upright(path: Path) -> Path:
    """Two columns written bottom to top under /Rotate 90, plus an upright footer line."""
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    page.insert_textbox(pymupdf.Rect(80, 50, 500, 400), "Left column about gut flora. " * 8, fontsize=11, rotate=90)
    page.insert_textbox(pymupdf.Rect(80, 440, 500, 790), "Right column about sleep. " * 8, fontsize=11, rotate=90)
    page.insert_text((20, 830), "upright note", fontsize=8)
    page.set_rotation(90)
    pdf.save(path)
    return path


def _ligatures_and_overhang(path: Path) -> Path:
    """Ligature glyphs (sliced boxes), text running off the page edge (clamped boxes), hyphens."""
    pdf = pymupdf.open()
    page = pdf.new_page(width=400, height=300)
    font = pymupdf.Font("cjk")
    writer = pymupdf.TextWriter(page.rect)
    writer.append((30, 60), "the \ufb01ber of e\ufb03cacy and \ufb02ow", font=font, fontsize=16)
    writer.write_text(page)
    page.insert_text((330, 120), "overhanging words run off", fontsize=11)
    for n, line in enumerate(["HEALTH NOTE", "The new treat-", "ment was tested against anti-", "TNF drugs."]):
        page.insert_text((30, 160 + 16 * n), line, fontsize=20 if n == 0 else 11)
    pdf.save(path)
    return path


def _bench_pdf(path: Path) -> Path:
    import generate

    generate.write_pdf(path, 3, seed=5)
    return path


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "article": samples.build_article,
    "long": lambda p: samples.build_long(p, 3),
    "multipage-rotated": lambda p: multipage_pdf(p, rotation=270),
    "sideways": _sideways_and_upright,
    "ligatures": _ligatures_and_overhang,
    "bench": _bench_pdf,
}
SAMPLE_FILES = sorted((REPO / "sample_corpus").glob("*.pdf"))


def versions() -> str:
    return f"PyMuPDF {pymupdf.pymupdf_version}, MuPDF {pymupdf.mupdf_version}"


def digest(doc: ImportedDocument) -> dict[str, object]:
    h = hashlib.sha256(doc.text.encode("utf-8"))
    for page in doc.pages or []:
        h.update(repr((page.number, page.start, page.end, page.width, page.height, page.rotation)).encode())
        # NaN bit patterns are not part of the contract: hash one canonical NaN.
        h.update(b"".join(b"nan!" if math.isnan(v) else struct.pack("<f", v) for v in page.boxes))
    return {"title": doc.title, "chars": len(doc.text), "sha256": h.hexdigest()}


def build_all(folder: Path) -> dict[str, Path]:
    paths = {name: build(folder / f"{name}.pdf") for name, build in BUILDERS.items()}
    paths.update({p.stem: p for p in SAMPLE_FILES})
    return paths


def current_digests(folder: Path, importer: PdfImporter | None = None) -> dict[str, dict[str, object]]:
    importer = importer or PdfImporter()
    return {name: digest(importer.load(path)[0]) for name, path in sorted(build_all(folder).items())}


def test_text_and_boxes_are_unchanged(tmp_path: Path) -> None:
    recorded = json.loads(DIGESTS.read_text(encoding="utf-8"))
    if recorded["versions"] != versions():
        pytest.skip(f"digests recorded under {recorded['versions']}, this is {versions()}")
    assert current_digests(tmp_path) == recorded["documents"]


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        documents = current_digests(Path(tmp))
    DIGESTS.write_text(json.dumps({"versions": versions(), "documents": documents}, indent=1) + "\n", encoding="utf-8")
    print(f"recorded {len(documents)} digests in {DIGESTS}")
