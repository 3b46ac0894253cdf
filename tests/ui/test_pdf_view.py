"""The PDF page view: selecting on the rendered page gives canonical offsets; spans are drawn on their words.

Geometry is checked against PyMuPDF's own text extraction (tests/pdf_samples.py), not
against the boxes the view uses, so an importer or view mistake cannot hide itself.
"""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from annotator.importers.base import PageGeometry
from annotator.importers.pdf import PdfImporter
from annotator.labels import default_labels
from annotator.ui.pdf_render import scale_key
from annotator.ui.pdf_view import PdfPageView
from annotator.ui.span_store import SpanStore
from tests import pdf_samples as samples

pymupdf = pytest.importorskip("pymupdf")

COLOURS = {s.name: s.colour for s in default_labels()}


@pytest.fixture(scope="module")
def article(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    path = samples.build_article(tmp_path_factory.mktemp("pdf") / "article.pdf")
    return path, PdfImporter().load(path)[0]


@pytest.fixture
def view(qtbot, article):  # type: ignore[no-untyped-def]
    path, doc = article
    v = PdfPageView()
    qtbot.addWidget(v)
    v.resize(760, 900)
    v.set_label_colours(COLOURS)
    v.show()
    qtbot.waitExposed(v)
    v.set_document(doc.text, SpanStore(doc.text), doc.pages, path)
    return v


def wait_rendered(qtbot, v, page: int = 0) -> None:  # type: ignore[no-untyped-def]
    key = scale_key(v.zoom() * v.devicePixelRatioF())
    qtbot.waitUntil(lambda: v.renderer.image(page, key) is not None, timeout=5000)


def word_point(v, path: Path, page: int, word: str, side: str, occurrence: int = 0) -> QPoint:  # type: ignore[no-untyped-def]
    """Viewport point just inside the left or right edge of a word, mid-height (from PyMuPDF's words)."""
    with pymupdf.open(path) as pdf:
        p = pdf[page]
        r = samples.displayed_rect(p, samples.word_rect(p, word, occurrence))
        rotated = bool(p.rotation)
    x = r.x0 + 0.5 if side == "left" else r.x1 - 0.5
    if rotated:  # the line runs downwards on a page turned by 90 degrees: its start is at the top
        x, y = (r.x0 + r.x1) / 2, (r.y0 + 0.5 if side == "left" else r.y1 - 0.5)
    else:
        y = (r.y0 + r.y1) / 2
    return v.viewport_point(page, x, y).toPoint()


def drag(qtbot, v, a: QPoint, b: QPoint) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(v.selection_made, timeout=2000) as blocker:
        qtbot.mousePress(v.viewport(), Qt.MouseButton.LeftButton, pos=a)
        qtbot.mouseMove(v.viewport(), QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2))
        qtbot.mouseMove(v.viewport(), b)
        qtbot.mouseRelease(v.viewport(), Qt.MouseButton.LeftButton, pos=b)
    return tuple(blocker.args)  # type: ignore[return-value]


def show_all_pages(v) -> None:  # type: ignore[no-untyped-def]
    v.set_zoom(0.3)
    v.verticalScrollBar().setValue(0)


# -- selecting on the page ------------------------------------------------------------------------
def test_dragging_across_words_selects_their_offsets(qtbot, view, article) -> None:
    path, doc = article
    start, end = drag(qtbot, view, word_point(view, path, 0, "reduce", "left"),
                      word_point(view, path, 0, "pain", "right", occurrence=0))
    assert doc.text[start:end] == "reduce nerve pain"
    assert view.selection_cp() == (start, end)


def test_dragging_across_lines_follows_the_text(qtbot, view, article) -> None:
    path, doc = article
    start, end = drag(qtbot, view, word_point(view, path, 0, "twelve", "left"),
                      word_point(view, path, 0, "butyrate", "right"))
    assert doc.text[start:end] == "twelve weeks. Researchers measured butyrate"


def test_dragging_from_one_column_into_the_next_reads_down_the_first(qtbot, view, article) -> None:
    path, doc = article
    view.verticalScrollBar().setValue(int(view.layout_.page_rect(1).top()))
    start, end = drag(qtbot, view, word_point(view, path, 1, "mechanism", "left"),
                      word_point(view, path, 1, "remain", "right"))
    assert doc.text[start:end] == "mechanism shown in mice.\n\nClinical trials remain"


def test_a_drag_may_cross_a_page_break(qtbot, view, article) -> None:
    path, doc = article
    show_all_pages(view)
    start, end = drag(qtbot, view, word_point(view, path, 0, "gut", "left"),
                      word_point(view, path, 1, "improved", "right"))
    assert doc.text[start:end] == "gut barrier\n\nimproved"


def test_double_click_selects_a_word_on_a_rotated_page(qtbot, view, article) -> None:
    path, doc = article
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    left = word_point(view, path, 2, "supplements", "left")
    right = word_point(view, path, 2, "supplements", "right")
    centre = QPoint((left.x() + right.x()) // 2, (left.y() + right.y()) // 2)
    with qtbot.waitSignal(view.selection_made, timeout=2000) as blocker:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    start, end = blocker.args
    assert doc.text[start:end] == "supplements"
    assert doc.text.index("Vitamin D supplements") + len("Vitamin D ") == start


def test_a_click_outside_text_clears_the_selection_and_picks_no_span(qtbot, view) -> None:
    view.set_selection((0, 5))
    made: list[tuple[int, int]] = []
    clicked: list[str] = []
    view.selection_made.connect(lambda s, e: made.append((s, e)))
    view.span_clicked.connect(clicked.append)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.viewport_point(0, 300, 500).toPoint())
    assert view.selection_cp() is None
    assert (made, clicked) == ([(-1, -1)], [""])


# -- spans on the page ---------------------------------------------------------------------------
PHRASES = [
    "reduce nerve pain",  # one line
    "twelve weeks. Researchers measured butyrate",  # two lines
    "calm immune cells in the spinal cord, a mechanism",  # wraps inside the left column
    "found that\n\nthe gut barrier\n\nimproved",  # crosses the page break
    "Vitamin D supplements help sleep",  # rotated page
]


@pytest.mark.parametrize("phrase", PHRASES)
def test_span_rectangles_cover_exactly_the_span_characters(view, article, phrase: str) -> None:
    path, doc = article
    start = doc.text.index(phrase)
    end = start + len(phrase)
    on_screen = view.span_rects(start, end)
    assert on_screen
    under = ""
    with pymupdf.open(path) as pdf:
        for page in sorted({p for p, _r in on_screen}):
            origin = view.viewport_point(page, 0, 0)
            z = view.zoom()
            rects = [samples.unrotated_rect(pdf[page], ((r.left() - origin.x()) / z, (r.top() - origin.y()) / z,
                                                        (r.right() - origin.x()) / z, (r.bottom() - origin.y()) / z))
                     for p, r in on_screen if p == page]
            under += samples.chars_under(pdf[page], rects)
    assert under == samples.squeeze(phrase)


def test_span_click_picks_it_and_a_second_click_cycles_overlaps(qtbot, view, article) -> None:
    path, doc = article
    i = doc.text.index("reduce nerve pain")
    view.set_document(doc.text, SpanStore(doc.text, [("outer", "claim", i, i + 17, None),
                                                     ("inner", "mechanism", i + 7, i + 12, "why")]),
                      doc.pages, path)
    point = word_point(view, path, 0, "nerve", "left")
    point.setX(point.x() + 3)
    with qtbot.waitSignal(view.span_clicked) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert blocker.args == ["inner"]
    view.current_span_source = lambda: "inner"
    assert view.span_at(QPointF(point)) == "outer"


def test_spans_are_painted_in_their_label_colour(qtbot, view, article) -> None:
    path, doc = article
    wait_rendered(qtbot, view)
    i = doc.text.index("Probiotics")
    (_p, rect), = view.span_rects(i, i + len("Probiotics"))
    before = view.viewport().grab().toImage()
    view.set_store(SpanStore(doc.text, [("s", "claim", i, i + len("Probiotics"), None)]))
    after = view.viewport().grab().toImage()
    dpr = before.devicePixelRatio()
    points = [(int((rect.left() + dx) * dpr), int((rect.top() + 2) * dpr)) for dx in range(2, int(rect.width()), 2)]
    background = [p for p in points if before.pixelColor(*p).name() == "#ffffff"]
    assert len(background) > len(points) // 3  # the gaps between letters and lines
    for p in background:  # tinted towards the claim blue
        tinted = after.pixelColor(*p)
        assert tinted.blue() > tinted.green() > tinted.red(), tinted.name()


# -- layout and rendering ------------------------------------------------------------------------
def test_pages_keep_their_own_sizes_and_rotation(qtbot, view, article) -> None:
    _path, doc = article
    sizes = [(view.layout_.page_rect(i).width(), view.layout_.page_rect(i).height()) for i in range(3)]
    z = view.zoom()
    assert sizes[0] == pytest.approx((595 * z, 842 * z))
    assert sizes[1] == pytest.approx((612 * z, 792 * z))
    assert sizes[2] == pytest.approx((300 * z, 400 * z))  # 400 x 300 turned by 90 degrees
    show_all_pages(view)
    wait_rendered(qtbot, view, 2)
    image = view.renderer.image(2, scale_key(view.zoom() * view.devicePixelRatioF()))
    assert image.width() < image.height()


def test_fit_width_fit_page_and_zoom_steps(qtbot, view) -> None:
    width = view.viewport().width()
    assert view.layout_.page_rect(1).width() == pytest.approx(width - 32, abs=1)  # widest page fills the width
    view.fit_page()
    assert view.layout_.page_rect(0).height() <= view.viewport().height()
    z = view.zoom()
    view.zoom_in()
    assert view.zoom() == pytest.approx(z * 1.2) and view.fit is None
    qtbot.wait(1)
    view.resize(500, 900)
    assert view.zoom() == pytest.approx(z * 1.2)  # a chosen zoom survives a resize


def test_rendering_is_sharp_at_the_screen_pixel_ratio(qtbot, view, monkeypatch) -> None:
    monkeypatch.setattr(view, "devicePixelRatioF", lambda: 2.0)
    view.viewport().update()
    wait_rendered(qtbot, view)
    image = view.renderer.image(0, scale_key(view.zoom() * 2.0))
    assert image.width() == pytest.approx(2 * view.layout_.page_rect(0).width(), abs=2)


def test_only_pages_on_screen_and_the_next_are_rendered(qtbot, tmp_path: Path) -> None:
    path = samples.build_long(tmp_path / "long.pdf", 12)
    doc = PdfImporter().load(path)[0]
    v = PdfPageView()
    qtbot.addWidget(v)
    v.resize(700, 800)
    v.show()
    v.set_document(doc.text, SpanStore(doc.text), doc.pages, path)
    wait_rendered(qtbot, v, 1)
    qtbot.wait(100)
    assert {page for page, _key in v.renderer._cache} == {0, 1}


def test_placeholders_give_the_scroll_range_before_anything_renders(qtbot) -> None:
    pages = [PageGeometry(number=n, start=n, end=n + 1, width=595, height=842, boxes=array("f", [0, 0, 1, 1]))
             for n in range(300)]
    v = PdfPageView()
    qtbot.addWidget(v)
    v.resize(700, 800)
    v.set_document("x" * 300, SpanStore("x" * 300), pages, None, "/gone/article.pdf")
    assert v.verticalScrollBar().maximum() == pytest.approx(v.layout_.height - v.viewport().height(), abs=1)
    assert v.layout_.height > 300 * 842 * v.zoom()
    assert v.banner.isVisibleTo(v) and "/gone/article.pdf" in v.banner.text()


def test_an_encrypted_original_asks_for_its_password(qtbot, tmp_path: Path) -> None:
    path = samples.build_encrypted(tmp_path / "locked.pdf", "pw")
    doc = PdfImporter().load(path, password="pw")[0]
    v = PdfPageView()
    qtbot.addWidget(v)
    v.resize(600, 600)
    v.show()
    with qtbot.waitSignal(v.password_needed, timeout=5000) as blocker:
        v.set_document(doc.text, SpanStore(doc.text), doc.pages, path)
    assert blocker.args == [str(path)]
    v.set_password("pw")
    wait_rendered(qtbot, v)
    assert not v.banner.isVisibleTo(v)


# -- in the main window ----------------------------------------------------------------------------
@pytest.fixture
def pdf_project(tmp_path: Path, article) -> Path:  # type: ignore[no-untyped-def]
    from annotator.importing import import_paths
    from annotator.project import open_project

    folder = tmp_path / "articles"
    folder.mkdir()
    pdf = folder / "gut.pdf"
    pdf.write_bytes(article[0].read_bytes())
    (folder / "notes.txt").write_text("Sleep hygiene lowers migraine frequency.\n", encoding="utf-8")
    path = tmp_path / "pdf.annotator"
    project = open_project(path)
    assert len(import_paths(project.repo, [pdf, folder / "notes.txt"]).imported) == 2
    project.close()
    return path


@pytest.fixture
def pdf_window(qtbot, pdf_project: Path):  # type: ignore[no-untyped-def]
    from tests.ui.conftest import make_window

    window = make_window(qtbot, pdf_project)
    open_format(window, "pdf")
    return window


@pytest.fixture
def fresh_pdf_repo(pdf_project: Path):  # type: ignore[no-untyped-def]
    from annotator.storage.repository import Repository

    repo, _ = Repository.open(pdf_project, create=False)
    yield repo
    repo.close()


def open_format(window, fmt: str) -> int:  # type: ignore[no-untyped-def]
    for row in range(window.doc_model.rowCount()):
        summary = window.doc_model.summary(row)
        if summary.format == fmt:
            window.documents.open(summary.id)
            return summary.id
    raise AssertionError(f"no {fmt} document")


def test_a_pdf_opens_on_its_pages_and_the_toggle_switches_views(qtbot, pdf_window) -> None:
    pages, toggle = pdf_window.pages, pdf_window.registry.action("view.page_view")
    assert pages.showing_pages and toggle.isEnabled() and toggle.isChecked()
    toggle.trigger()
    assert pages.stack.currentWidget() is pdf_window.view and not toggle.isChecked()
    toggle.trigger()
    assert pages.showing_pages
    open_format(pdf_window, "txt")
    assert not pages.showing_pages and not toggle.isEnabled()


def test_tagging_words_selected_on_the_page(qtbot, pdf_window, fresh_pdf_repo, article) -> None:
    path, doc = article
    view = pdf_window.pages.pdf_view
    drag(qtbot, view, word_point(view, path, 0, "reduce", "left"), word_point(view, path, 0, "pain", "right"))
    assert pdf_window.view.selection_cp() == view.selection_cp()
    qtbot.keyClick(view, Qt.Key.Key_1)
    (span,) = fresh_pdf_repo.spans(pdf_window.documents.current_id, "tester")
    assert (span.label, doc.text[span.start:span.end]) == ("claim", "reduce nerve pain")
    assert pdf_window.span_model.rowCount() == 1
    assert [e.id for e in view.spans.on_page(0)] == [span.id]
    assert view.current_span == span.id  # the new span is selected, as in the text view
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert fresh_pdf_repo.spans(pdf_window.documents.current_id, "tester") == []
    assert view.spans.on_page(0) == []


def test_a_span_made_in_the_text_view_is_drawn_on_the_page(qtbot, pdf_window) -> None:
    from tests.ui.conftest import select_phrase

    view = pdf_window.pages.pdf_view
    pdf_window.registry.action("view.page_view").trigger()  # to the text
    start, end = select_phrase(pdf_window, "Clinical trials remain small")
    qtbot.keyClick(pdf_window.view, Qt.Key.Key_4)
    pdf_window.registry.action("view.page_view").trigger()  # back to the pages
    assert pdf_window.pages.showing_pages
    (entry,) = view.spans.on_page(1)
    assert (entry.label, entry.start, entry.end) == ("citation", start, end)
    rects = view.span_rects(start, end)
    assert rects and all(view.viewport().rect().intersects(r.toRect()) for _p, r in rects)  # scrolled to it


def test_clicking_a_span_on_the_page_selects_it_in_the_list(qtbot, pdf_window, article) -> None:
    path, doc = article
    doc_id = pdf_window.documents.current_id
    start = doc.text.index("nerve pain")
    pdf_window.session.add_span(doc_id, start, start + 10, "mechanism")
    view = pdf_window.pages.pdf_view
    point = word_point(view, path, 0, "nerve", "left")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(point.x() + 3, point.y()))
    span_id = pdf_window.span_list.current_span()
    assert span_id is not None and pdf_window.span_model.entry(span_id).start == start
    assert view.current_span == span_id and view.selection_cp() == (start, start + 10)
    qtbot.keyClick(view, Qt.Key.Key_2)  # same label: nothing; another label relabels
    qtbot.keyClick(view, Qt.Key.Key_5)
    assert pdf_window.span_model.entry(span_id).label == "disclaimer"


def test_import_refuses_a_scan_and_a_damaged_pdf_with_reasons(qtbot, pdf_window, tmp_path: Path) -> None:
    from annotator.ui.dialogs.import_export import ImportReportDialog

    scan = samples.build_scan(tmp_path / "scan.pdf")
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(samples.build_article(tmp_path / "whole.pdf").read_bytes()[:900])
    before = pdf_window.doc_model.rowCount()
    handle = pdf_window.import_paths([scan, damaged])
    qtbot.waitUntil(lambda: not handle.is_running(), timeout=10_000)
    qtbot.waitUntil(lambda: pdf_window.findChild(ImportReportDialog) is not None, timeout=5000)
    dialog = pdf_window.findChild(ImportReportDialog)
    refused = dict(dialog.rows("Refused"))
    assert "no text to annotate" in refused["scan.pdf"]
    assert "not a readable PDF" in refused["damaged.pdf"]
    assert pdf_window.doc_model.rowCount() == before


def test_import_asks_for_the_password_of_an_encrypted_pdf(qtbot, pdf_window, tmp_path: Path, monkeypatch) -> None:
    from annotator.ui import pdf_password

    locked = samples.build_encrypted(tmp_path / "locked.pdf", "s3cret")
    answers = iter([("wrong", True), ("s3cret", True)])
    asked: list[str] = []

    def fake_get_text(parent, title: str, label: str, *args, **kwargs) -> tuple[str, bool]:  # type: ignore[no-untyped-def]
        asked.append(label)
        return next(answers)

    monkeypatch.setattr(pdf_password, "ask_text", fake_get_text)  # the prompt, shown as plain text
    before = pdf_window.doc_model.rowCount()
    pdf_window.import_paths([locked])
    qtbot.waitUntil(lambda: pdf_window.doc_model.rowCount() == before + 1, timeout=10_000)
    assert len(asked) == 2 and "does not open" in asked[1]
    doc_id = open_format_titled(pdf_window, "locked")
    assert "omega three" in pdf_window.session.document(doc_id).text
    assert pdf_window.pages.showing_pages
    wait_rendered(qtbot, pdf_window.pages.pdf_view)  # the typed password is remembered for the pages


def open_format_titled(window, needle: str) -> int:  # type: ignore[no-untyped-def]
    for row in range(window.doc_model.rowCount()):
        summary = window.doc_model.summary(row)
        if needle in summary.source:
            window.documents.open(summary.id)
            return summary.id
    raise AssertionError(needle)


def test_zoom_actions_act_on_the_view_on_screen(qtbot, pdf_window) -> None:
    view, text = pdf_window.pages.pdf_view, pdf_window.view
    zoom, size = view.zoom(), text.point_size()
    pdf_window.registry.action("view.zoom_in").trigger()
    assert view.zoom() > zoom and text.point_size() == size
    pdf_window.registry.action("view.fit_page").trigger()
    assert view.layout_.page_rect(0).height() <= view.viewport().height()
    pdf_window.registry.action("view.page_view").trigger()
    pdf_window.registry.action("view.zoom_in").trigger()
    assert text.point_size() == size + 1


def test_a_project_copied_elsewhere_shows_pages_after_the_original_is_deleted(
        qtbot, pdf_project: Path, tmp_path: Path) -> None:
    import shutil

    from annotator.config import data_dir
    from annotator.storage import db
    from tests.ui.conftest import make_window

    elsewhere = tmp_path / "elsewhere" / "copied.annotator"
    elsewhere.parent.mkdir()
    db.copy_database(pdf_project, elsewhere)
    (pdf_project.parent / "articles" / "gut.pdf").unlink()
    shutil.rmtree(data_dir() / "sources", ignore_errors=True)  # no cached copy either
    window = make_window(qtbot, elsewhere)
    open_format(window, "pdf")
    view = window.pages.pdf_view
    assert window.pages.showing_pages and view.source is not None
    assert not view.banner.isVisibleTo(view)
    qtbot.waitUntil(lambda: view.renderer.any_image(0) is not None, timeout=20_000)
    assert view.renderer.error is None


def test_a_missing_original_falls_back_to_a_clear_message(qtbot, pdf_project: Path) -> None:
    from sqlalchemy import create_engine, text

    from tests.ui.conftest import make_window

    engine = create_engine(f"sqlite:///{pdf_project}")  # as if migrated while the file was gone
    with engine.begin() as c:
        c.execute(text("DELETE FROM document_source"))
    engine.dispose()
    (pdf_project.parent / "articles" / "gut.pdf").unlink()
    window = make_window(qtbot, pdf_project)
    open_format(window, "pdf")
    view = window.pages.pdf_view
    assert "not at" in view.banner.text() and view.banner.isVisibleTo(view)


def test_the_export_dialog_offers_annotated_pdfs(qtbot, pdf_window, monkeypatch) -> None:
    from annotator.ui.dialogs.export import ExportDialog

    shown: list[ExportDialog] = []
    monkeypatch.setattr(ExportDialog, "exec", lambda self: shown.append(self) or 0)
    pdf_window.registry.action("file.export_pdfs").trigger()
    (dialog,) = shown
    assert dialog.format_name() == "pdf" and dialog.suffix() == ""
    assert dialog.path_edit.text().endswith("-pdf")
