"""PDF page view: time to the first rendered page of a 300-page PDF, and per-page render times.

    python bench/bench_pdf_view.py [--quick] [--pages 300] [--zoom 1.5] [--spans 3000]

Uses the real widget (annotator.ui.pdf_view.PdfPageView, offscreen Qt) on a project
holding the generated PDF and ``--spans`` spans. The timed part runs in a fresh child
process, as clicking a PDF in a just-started app does:

  first page, cold   read the document and its page geometry from the project ->
                     set_document (placeholders sized, scroll range set) -> the render
                     thread imports PyMuPDF, opens the file, renders page 1 at ``--zoom``
                     -> the page and its spans painted. PyMuPDF is not imported before.
  first page, warm   the same again with PyMuPDF loaded (any later PDF in the session).
  per-page render    the render thread's own time per page (load_page -> get_pixmap ->
                     QImage), every page in turn as the view scrolls page by page.
  scroll wait        after scrolling one page down: time until that page is sharp (the
                     view prefetches the next page, so this is often near zero).
  repaint            a whole-viewport repaint with page images and spans, page by page.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from benchlib import Figure  # noqa: E402

FIRST_PAGE_LIMIT_MS = 1000.0
CHILD_FLAG = "--child"


def make_project(pdf: Path, folder: Path, spans: int) -> tuple[Path, int]:
    """A project holding the PDF and ``spans`` spans spread over its text (one reviewer)."""
    from annotator.importing import import_paths
    from annotator.project import open_project
    from annotator.services import AnnotationService

    path = folder / "bench.annotator"
    project = open_project(path)
    try:
        report = import_paths(project.repo, [pdf])
        assert report.imported, report.summary()
        doc_id = report.imported[0][2]
        text = project.repo.document(doc_id).text
        labels = [lr.name for lr in project.repo.labels()]
        service = AnnotationService(project.repo, "bench")
        step = max(1, len(text) // max(spans, 1))
        for i in range(spans):
            start = i * step
            service.add_span(doc_id, start, min(len(text), start + max(5, step // 3)), labels[i % len(labels)])
    finally:
        project.close()
    return path, doc_id


def child(project: str, doc_id: int, zoom: float) -> None:
    """The timed part, in a process that has not imported PyMuPDF. Prints one JSON line."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from annotator.pdf_source import locate, page_geometry
    from annotator.storage.repository import Repository
    from annotator.ui.pdf_render import scale_key
    from annotator.ui.pdf_view import PdfPageView
    from annotator.ui.span_store import SpanStore

    repo, _ = Repository.open(project, create=False)
    view = PdfPageView()
    view.resize(1000, 900)
    view.set_label_colours({lr.name: lr.spec.colour for lr in repo.labels()})
    view.show()
    app.processEvents()
    assert "pymupdf" not in sys.modules, "PyMuPDF was imported before the timed part"

    def open_document() -> tuple[float, float]:
        t0 = time.perf_counter()
        info = repo.document(doc_id)
        pages = page_geometry(repo.pages(doc_id))
        store = SpanStore(info.text, repo.span_rows(doc_id, "bench"))
        view.set_document(info.text, store, pages, locate(info.source))
        view.set_zoom(zoom)
        laid_out = time.perf_counter()
        key = scale_key(view.zoom() * view.devicePixelRatioF())
        while view.renderer.image(0, key) is None:
            app.processEvents()
            if view.renderer.error:
                raise SystemExit(f"render failed: {view.renderer.error}")
        view.viewport().repaint()
        return 1000 * (time.perf_counter() - t0), 1000 * (laid_out - t0)

    cold_ms, layout_ms = open_document()
    warm_ms, _ = open_document()
    key = scale_key(view.zoom() * view.devicePixelRatioF())
    view.renderer.render_ms.clear()
    waits: list[float] = []
    repaints: list[float] = []
    for number in range(1, len(view.pages)):
        view.verticalScrollBar().setValue(int(view.layout_.page_rect(number).top()) - 16)
        t = time.perf_counter()
        while view.renderer.image(number, key) is None:
            app.processEvents()
        waits.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        view.viewport().repaint()
        repaints.append(1000 * (time.perf_counter() - t))
    page = view.layout_.page_rect(0)
    print(json.dumps({"cold_ms": cold_ms, "warm_ms": warm_ms, "layout_ms": layout_ms, "waits": waits,
                      "renders": list(view.renderer.render_ms), "repaints": repaints,
                      "page_px": [round(page.width()), round(page.height())],
                      "dpr": view.devicePixelRatioF(), "pages": len(view.pages)}))
    repo.close()


def main() -> None:
    ap = benchlib.parser(__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int)
    ap.add_argument("--zoom", type=float, default=1.5)
    ap.add_argument("--spans", type=int, default=3000)
    ap.add_argument(CHILD_FLAG, nargs=2, metavar=("PROJECT", "DOC_ID"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.zoom)
        return
    pages = args.pages or (30 if args.quick else 300)
    import generate

    pdf = generate.pdf(pages)
    with tempfile.TemporaryDirectory(prefix="bench-pdf-view-") as tmp:
        print(f"importing the {pages}-page PDF with {args.spans} spans …", file=sys.stderr)
        project, doc_id = make_project(pdf, Path(tmp), args.spans)
        pdf.read_bytes()  # page cache: measure rendering, not the disk
        proc = subprocess.run([sys.executable, __file__, CHILD_FLAG, str(project), str(doc_id), "--zoom",
                               str(args.zoom)], capture_output=True, text=True, timeout=540,
                              env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        sys.stderr.write(proc.stderr)
        benchlib.emit("pdf_view", [], [f"the child process failed (exit {proc.returncode})"], status="error",
                      reason=proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "no output")
        return
    r = json.loads(lines[-1])
    renders, waits, repaints = r["renders"], r["waits"], r["repaints"]
    pct = benchlib.percentile
    figures = [
        Figure(f"PDF view: first page of a {pages}-page PDF, fresh process (read + layout + import PyMuPDF "
               "+ render + paint)", r["cold_ms"], "ms", f"≤ {FIRST_PAGE_LIMIT_MS:.0f} ms", FIRST_PAGE_LIMIT_MS,
               "lower"),
        Figure("PDF view: first page with PyMuPDF already loaded (any later PDF)", r["warm_ms"], "ms"),
        Figure("PDF view: placeholders and scroll range ready (before any render)", r["layout_ms"], "ms"),
        Figure("PDF view: per-page render p50 / p95 / max (render thread)", pct(renders, 95), "ms",
               display=f"{pct(renders, 50):.1f} / {pct(renders, 95):.1f} / {max(renders):.1f} ms "
                       f"over {len(renders)} pages"),
        Figure("PDF view: scroll one page → sharp, p50 / p95", pct(waits, 95), "ms",
               display=f"{pct(waits, 50):.1f} / {pct(waits, 95):.1f} ms"),
        Figure(f"PDF view: whole-viewport repaint with {args.spans} spans in the document, p50 / p95",
               pct(repaints, 95), "ms", display=f"{pct(repaints, 50):.1f} / {pct(repaints, 95):.1f} ms"),
    ]
    notes = [f"real widget annotator.ui.pdf_view.PdfPageView, offscreen Qt, device pixel ratio {r['dpr']:g}, "
             f"zoom {args.zoom} (page {r['page_px'][0]}x{r['page_px'][1]} px), viewport 1000x900"]
    benchlib.emit("pdf_view", figures, notes)


if __name__ == "__main__":
    main()
