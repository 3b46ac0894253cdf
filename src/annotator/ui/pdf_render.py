"""PDF pages rendered to QImages on one background thread, kept in an LRU cache keyed by (page, scale).

One thread for every renderer in the process: PyMuPDF must not run on two threads at once
(it also holds :data:`annotator.pdf_source.MUPDF_LOCK` against exports and imports), and a
queue that only ever holds the pages on screen keeps a fast scroll from rendering pages
nobody looks at any more: :meth:`PageRenderer.request` replaces the queue, it does not add to it.

Results travel back through one long-lived poster object, so a renderer destroyed while its
page is being drawn is never signalled (Qt drops connections to destroyed receivers).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal
from PySide6.QtGui import QImage

from annotator.importers.base import PageGeometry
from annotator.pdf_source import MUPDF_LOCK, PdfSourceError, load_pymupdf, open_pdf

# Scales are keyed finely enough that an image has the page's exact device size (within a
# pixel on the widest page): the view draws it unscaled, so no row or column of a glyph is lost.
SCALE_STEPS = 4096
# About 14 full-HD-wide A4 pages at 2x pixel ratio; older pages are dropped first.
CACHE_BYTES = 192 * 2**20

_ids = itertools.count(1)


def scale_key(scale: float) -> int:
    return max(1, round(scale * SCALE_STEPS))


class _Poster(QObject):
    rendered = Signal(int, int, int, int, QImage)  # renderer id, generation, page, scale key, image
    failed = Signal(int, int, str, bool)  # renderer id, generation, message, needs password


_poster: _Poster | None = None
_pool: QThreadPool | None = None


def _shared() -> tuple[_Poster, QThreadPool]:
    global _poster, _pool
    if _poster is None or _pool is None:
        _poster = _Poster()
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(shutdown)
    return _poster, _pool


def shutdown(timeout_ms: int = 3000) -> bool:
    """Wait for the render thread (at most the page being drawn); call before the app exits."""
    return True if _pool is None else _pool.waitForDone(timeout_ms)


class PageRenderer(QObject):
    """Renders pages of one PDF at a time; ``page_ready(page)`` when an image arrives."""

    page_ready = Signal(int)
    failed = Signal(str, bool)  # message, whether a password would help

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._id = next(_ids)
        poster, self._pool = _shared()
        poster.rendered.connect(self._on_rendered)
        poster.failed.connect(self._on_failed)
        self._lock = threading.Lock()  # guards the fields the render thread reads
        self._generation = 0
        self._source: tuple[Path, str | None, tuple[PageGeometry, ...]] | None = None
        self._pending: list[tuple[int, int]] = []
        # Handed to the render thread and not yet delivered: asking again would render twice.
        self._in_flight: set[tuple[int, int]] = set()
        self._running = False
        self._cache: OrderedDict[tuple[int, int], QImage] = OrderedDict()
        self._cache_bytes = 0
        self.error: str | None = None
        self.render_ms: deque[float] = deque(maxlen=1000)  # the last renders' durations, for benchmarks
        # Render-thread state: the open document and the source it belongs to.
        self._doc: Any = None
        self._doc_generation = -1

    # -- GUI thread --------------------------------------------------------------------------
    def set_source(self, path: Path | None, password: str | None = None,
                   pages: Sequence[PageGeometry] = ()) -> None:
        """Render from this file from now on (None: nothing); cached images are dropped."""
        with self._lock:
            self._generation += 1
            self._source = (path, password, tuple(pages)) if path is not None else None
            self._pending = []
            self._in_flight.clear()
        self._cache.clear()
        self._cache_bytes = 0
        self.error = None
        if path is None:
            self._submit()  # let the render thread close the previous document

    def image(self, page: int, key: int) -> QImage | None:
        image = self._cache.get((page, key))
        if image is not None:
            self._cache.move_to_end((page, key))
        return image

    def any_image(self, page: int) -> QImage | None:
        """The sharpest cached image of ``page`` at any scale (drawn stretched until the right one comes)."""
        best: QImage | None = None
        for (number, _key), image in self._cache.items():
            if number == page and (best is None or image.width() > best.width()):
                best = image
        return best

    def request(self, wanted: Sequence[tuple[int, int]]) -> None:
        """Render these (page, scale key) pairs, first first, instead of whatever was queued."""
        if self.error is not None:
            return
        with self._lock:
            if self._source is None:
                return
            self._pending = [w for w in wanted if w not in self._cache and w not in self._in_flight]
            missing = bool(self._pending)
            start = missing and not self._running
            if start:
                self._running = True
        if start:
            self._pool.start(self._work)

    def _submit(self) -> None:
        with self._lock:
            if self._running:
                return
            self._running = True
        self._pool.start(self._work)

    def _on_rendered(self, renderer: int, generation: int, page: int, key: int, image: QImage) -> None:
        if renderer != self._id or generation != self._generation:
            return
        with self._lock:
            self._in_flight.discard((page, key))
        self._cache[(page, key)] = image
        self._cache_bytes += image.sizeInBytes()
        while self._cache_bytes > CACHE_BYTES and len(self._cache) > 1:
            _old, dropped = self._cache.popitem(last=False)
            self._cache_bytes -= dropped.sizeInBytes()
        self.page_ready.emit(page)

    def _on_failed(self, renderer: int, generation: int, message: str, needs_password: bool) -> None:
        if renderer == self._id and generation == self._generation:
            self.error = message
            self.failed.emit(message, needs_password)

    # -- render thread -----------------------------------------------------------------------
    def _work(self) -> None:
        poster, _pool = _shared()
        while True:
            with self._lock:
                source, generation = self._source, self._generation
                if not self._pending or source is None:
                    self._running = False
                    break
                page, key = self._pending.pop(0)
                self._in_flight.add((page, key))
            started = time.perf_counter()
            try:
                image = self._render(source, generation, page, key)
            except PdfSourceError as exc:
                with self._lock:
                    if generation == self._generation:
                        self._pending = []
                outcome: tuple[Any, ...] = (poster.failed, self._id, generation, str(exc), exc.needs_password)
            except Exception as exc:  # noqa: BLE001 - a broken page must not end the thread
                outcome = (poster.failed, self._id, generation, f"page {page + 1} cannot be drawn: {exc}", False)
            else:
                self.render_ms.append(1000 * (time.perf_counter() - started))
                outcome = (poster.rendered, self._id, generation, page, key, image)
            try:
                outcome[0].emit(*outcome[1:])
            except RuntimeError:  # the poster is gone: the interpreter is shutting down
                return
        if self._source is None:
            self._close_doc()

    def _render(self, source: tuple[Path, str | None, tuple[PageGeometry, ...]], generation: int,
                page: int, key: int) -> QImage:
        pymupdf = load_pymupdf()
        path, password, pages = source
        with MUPDF_LOCK:
            if self._doc_generation != generation:
                self._close_doc()
                self._doc = open_pdf(path, password, pages)
                self._doc_generation = generation
            scale = key / SCALE_STEPS
            pix = self._doc.load_page(page).get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False)
            # The copy owns its pixels: the pixmap's buffer is freed when pix goes.
            return QImage(pix.samples, pix.width, pix.height, pix.stride, QImage.Format.Format_RGB888).copy()

    def _close_doc(self) -> None:
        with MUPDF_LOCK:
            if self._doc is not None:
                self._doc.close()
                self._doc = None
                self._doc_generation = -1
