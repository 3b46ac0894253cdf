"""Photograph the real main window on a sample article with a few spans: docs/screenshot.png.

    DISPLAY=:1 .venv/bin/python scripts/screenshot.py [--out docs/screenshot.png] [--size 1360x860]

Meant for a real X display with a window manager, so fonts, emoji and the window's frame
are what a user sees; on a headless machine::

    sudo apt install xvfb openbox fonts-noto-color-emoji
    Xvfb :1 -screen 0 1600x1000x24 & DISPLAY=:1 openbox &
    DISPLAY=:1 .venv/bin/python scripts/screenshot.py

Without a display it falls back to Qt's offscreen platform and grabs the window alone.
Builds a throwaway project (ANNOTATOR_HOME in a temp folder, so no user settings are read
or written), imports sample_corpus/, tags a few phrases through the window's own editing
controller, then photographs the window's frame from the screen.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = "gut-microbes-and-nerve-pain.txt"
# (phrase, label, note): overlapping on purpose, to show stacked underlines and blending.
SPANS = (
    ("a dense community of bacteria that ferment the fibre you can't digest yourself", "claim", None),
    ("One of the main products of that fermentation is butyrate, a short-chain fatty acid", "mechanism", None),
    ("butyrate", "intervention", "a product of fermentation, not a supplement here"),
    ("calms down immune cells called macrophages and microglia", "mechanism", "the proposed pathway"),
    ("That's the leading theory, anyway.", "disclaimer", None),
    ("Journal of Neurogastroenterology Reports", "citation", "could not find this journal"),
)


def settle(app, seconds: float) -> None:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)


def photograph(window):  # type: ignore[no-untyped-def]
    """The window as it is on screen, frame and all, on a real display; else the window alone."""
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.platformName() in ("offscreen", "minimal"):
        return window.grab()
    frame = window.frameGeometry()
    return window.screen().grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--size", default="1360x860")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="annotator-shot-"))
    os.environ["ANNOTATOR_HOME"] = str(home)

    from PySide6.QtWidgets import QApplication

    from annotator.importing import import_paths
    from annotator.project import open_project
    from annotator.ui import open_main_window

    project_path = home / "sample.annotator"
    project = open_project(project_path)
    corpus = ROOT / "sample_corpus"
    files = sorted(p for p in corpus.iterdir() if p.suffix in {".txt", ".md", ".html"})
    import_paths(project.repo, files)
    project.close()

    window = open_main_window(project_path, reviewer="reviewer-1")
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.move(40, 40)
    app = QApplication.instance()
    target = next(window.doc_model.summary(r).id for r in range(window.doc_model.rowCount())
                  if window.doc_model.summary(r).source.endswith(ARTICLE))
    window.documents.open(target)
    text = window.view.store.text
    around = text.find(SPANS[0][0])
    for phrase, label, note in SPANS:
        start = text.find(phrase, around)
        if start < 0:
            print(f"phrase not in the article: {phrase!r}", file=sys.stderr)
            continue
        window.view.select_cp(start, start + len(phrase))
        window.editing.tag(label, exact=True)
        if note:
            window.editing.set_note(window.view.current_span, note)
    # Scroll to the tagged paragraph and leave one span selected, as a reviewer would.
    first = text.find(SPANS[0][0])
    window.view.select_cp(first, first)
    window.view.centerCursor()
    window.editing.select_span(window.span_model.store.at_row(2).id, scroll=False)
    window.activateWindow()
    from PySide6.QtGui import QCursor

    QCursor.setPos(window.screen().geometry().bottomRight())  # no pointer, no tooltip in the picture
    settle(app, 1.5)  # the window manager maps and decorates the window; fonts and images load
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not photograph(window).save(str(args.out)):
        print(f"could not write {args.out}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
