"""The page view shows a page exactly as PyMuPDF renders it: no rows or columns of glyphs lost.

Drawing a rendered page stretched by a hair (a zoom between two cached scales) drops or
doubles single rows of pixels, which cuts the tops off letters in a band across the page.
These tests grab what the view put on screen and compare it with PyMuPDF's own render of
the same page at the view's scale, row by row and column by column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from annotator.importers.pdf import PdfImporter
from annotator.ui.pdf_render import scale_key
from annotator.ui.pdf_view import PdfPageView
from annotator.ui.span_store import SpanStore
from tests import pdf_samples as samples

pymupdf = pytest.importorskip("pymupdf")


@pytest.fixture(scope="module")
def article(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    path = samples.build_article(tmp_path_factory.mktemp("pdf") / "article.pdf")
    return path, PdfImporter().load(path)[0]


def _as_array(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height).reshape(height, stride)
    return raw[:, :width * 3].reshape(height, width, 3).astype(np.int16)


def _reference(path: Path, page: int, scale: float) -> np.ndarray:
    with pymupdf.open(path) as pdf:
        pix = pdf[page].get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False)
        return np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, 3).astype(np.int16)


def _shown_page(qtbot, view: PdfPageView, page: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    key = scale_key(view.zoom() * view.devicePixelRatioF())
    view.viewport().update()
    qtbot.waitUntil(lambda: view.renderer.image(page, key) is not None, timeout=5000)
    view.viewport().repaint()
    grabbed = _as_array(view.viewport().grab().toImage())
    rect = view.layout_.page_rect(page).translated(-view.horizontalScrollBar().value(),
                                                   -view.verticalScrollBar().value())
    return grabbed, rect


def _best_match(grabbed: np.ndarray, rect, reference: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The per-pixel difference where the reference lines up best with the grab (±1 pixel)."""
    h = min(reference.shape[0], grabbed.shape[0] - int(rect.top()) - 2)
    w = min(reference.shape[1], grabbed.shape[1] - int(rect.left()) - 2)
    best = None
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            y0, x0 = round(rect.top()) + dy, round(rect.left()) + dx
            if y0 < 0 or x0 < 0:
                continue
            diff = np.abs(grabbed[y0:y0 + h, x0:x0 + w] - reference[:h, :w]).max(axis=2)
            if best is None or diff.mean() < best.mean():
                best = diff
    assert best is not None
    return best[2:-2, 2:-2]  # the page's drawn edge line is the view's own


@pytest.mark.parametrize("width", [760, 773, 811])  # fit-width zooms between the cached scale steps
def test_the_page_view_shows_pymupdfs_own_render(qtbot, article, width: int) -> None:
    path, doc = article
    view = PdfPageView()
    qtbot.addWidget(view)
    view.resize(width, 1200)
    view.show()
    qtbot.waitExposed(view)
    view.set_document(doc.text, SpanStore(doc.text), doc.pages, path)
    grabbed, rect = _shown_page(qtbot, view, 0)
    reference = _reference(path, 0, view.zoom() * view.devicePixelRatioF())
    diff = _best_match(grabbed, rect, reference)
    # A lost row or column of glyph pixels differs strongly along the text it crosses.
    assert diff.mean() < 1.0
    assert (diff > 96).sum(axis=1).max() < 3, "a row of the page differs from PyMuPDF's render"
    assert (diff > 96).sum(axis=0).max() < 3, "a column of the page differs from PyMuPDF's render"
