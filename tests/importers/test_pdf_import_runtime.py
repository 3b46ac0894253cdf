"""How the PDF importer runs: PyMuPDF without its heavy companions, off the GUI thread, GC pauses."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

pytest.importorskip("pymupdf")

from annotator.importers import pdf as pdf_module  # noqa: E402
from annotator.importers.pdf import PdfImporter  # noqa: E402
from annotator.pdf_source import MUPDF_LOCK, open_pdf  # noqa: E402
from tests import pdf_samples as samples  # noqa: E402

SRC = Path(__file__).resolve().parents[2] / "src"


def test_importing_a_pdf_skips_the_layout_analyser(tmp_path: Path) -> None:
    """The first PDF of a session must not wait 2 s for pymupdf.layout and onnxruntime."""
    path = samples.build_long(tmp_path / "long.pdf", 2)
    code = (
        "import sys; from pathlib import Path; from annotator.importers.pdf import PdfImporter;"
        f"doc = PdfImporter().load(Path({str(path)!r}))[0]; assert doc.text;"
        "loaded = [m for m in ('pymupdf.layout', 'pymupdf4llm', 'onnxruntime') if sys.modules.get(m) is not None];"
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": str(SRC)})


def test_import_on_a_worker_thread_while_pages_render(tmp_path: Path) -> None:
    """The GUI imports on a worker thread while its page view renders: MUPDF_LOCK keeps MuPDF sane."""
    article = samples.build_article(tmp_path / "article.pdf")
    long_pdf = samples.build_long(tmp_path / "long.pdf", 12)
    expected = PdfImporter().load(long_pdf)[0]
    results: list[str] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def importing() -> None:
        try:
            for _ in range(4):
                results.append(PdfImporter().load(long_pdf)[0].text)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            stop.set()

    def rendering() -> None:
        try:
            with MUPDF_LOCK:
                doc = open_pdf(article)
            try:
                while not stop.is_set():
                    for number in range(3):
                        with MUPDF_LOCK:
                            doc.load_page(number).get_pixmap()
            finally:
                with MUPDF_LOCK:
                    doc.close()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=importing), threading.Thread(target=rendering)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert results == [expected.text] * 4


def test_gc_pauses_nest_across_threads() -> None:
    """The collector is off while any import runs and back on (only if it was on) after the last."""
    assert gc.isenabled()
    inside = threading.Event()
    release = threading.Event()

    def other_import() -> None:
        with pdf_module._gc_paused():
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=other_import)
    with pdf_module._gc_paused():
        worker.start()
        inside.wait(10)
        assert not gc.isenabled()
    assert not gc.isenabled()  # the worker's import is still running
    release.set()
    worker.join(10)
    assert gc.isenabled()

    gc.disable()
    try:
        with pdf_module._gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
