"""A damaged PDF: pages whose text was lost are named in the refusal; MuPDF's messages stay off stdout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from annotator.importers import pdf
from annotator.importers.base import DocumentImportError
from tests.pdf_samples import build_long

REPO = Path(__file__).resolve().parents[2]


def damaged_pdf(tmp_path: Path) -> Path:
    """40 pages with 4 KB zeroed in the middle of the file, as a bad copy leaves it."""
    data = bytearray(build_long(tmp_path / "long.pdf", 40).read_bytes())
    middle = len(data) // 2
    data[middle:middle + 4096] = bytes(4096)
    target = tmp_path / "damaged.pdf"
    target.write_bytes(bytes(data))
    return target


def test_pages_emptied_by_damage_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = damaged_pdf(tmp_path)
    monkeypatch.setattr(pdf, "_DAMAGE_WARNINGS", ())  # as when MuPDF's repair reports nothing we know
    with pytest.raises(DocumentImportError) as info:
        pdf.PdfImporter().load(source)
    assert "damaged PDF: no text could be read from pages" in str(info.value)
    assert "MuPDF:" in str(info.value)


def test_page_ranges() -> None:
    assert pdf.page_ranges([3, 5, 6, 7, 8, 9, 12]) == "3, 5-9, 12"
    assert pdf.page_ranges([1]) == "1"


def test_mupdf_messages_stay_off_stdout(tmp_path: Path) -> None:
    source = damaged_pdf(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "annotator", "import", str(source), "--project",
                           str(tmp_path / "p.annotator")], capture_output=True, text=True, timeout=120,
                          cwd=REPO)
    assert proc.returncode == 1
    assert "MuPDF error" not in proc.stdout and "MuPDF error" not in proc.stderr
    assert [line for line in proc.stdout.splitlines() if line.strip()] == [
        f"refused   {source}: " + proc.stdout.split(f"refused   {source}: ")[1].splitlines()[0],
        "0 imported, 0 skipped, 1 refused"]
