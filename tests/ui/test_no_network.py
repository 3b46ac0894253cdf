"""Importing and showing an HTML article with remote resources never touches the network."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import make_window

FIRST_SENTENCE = "Probiotics reduce nerve pain in most adults."

ARTICLE = f"""<!doctype html>
<html><head>
<meta charset="utf-8"><title>Remote resources</title>
<link rel="stylesheet" href="https://cdn.example.com/site.css">
<link rel="preload" as="font" href="https://fonts.example.com/f.woff2">
<script src="https://cdn.example.com/app.js"></script>
<base href="https://example.com/">
</head><body>
<article>
<p>{FIRST_SENTENCE} <a href="https://example.com/study">The study</a> ran for a year.</p>
<img src="https://example.com/figure.png" alt="figure" width="400" height="300">
<iframe src="https://www.youtube.com/embed/xyz" width="560" height="315"></iframe>
<p style="background: url(https://example.com/bg.png)">Butyrate calms immune cells, see
<a href="https://example.org/paper.pdf">the paper</a> and <a href="//example.net/x">this</a>.</p>
<picture><source srcset="https://example.com/b.webp"><img src="https://example.com/b.jpg"></picture>
<video src="https://example.com/v.mp4" poster="https://example.com/p.jpg"></video>
{"".join(f"<p>Paragraph {i} of filler text so the view has to scroll.</p>" for i in range(80))}
<p>This is not medical advice.</p>
</article>
</body></html>
"""


@pytest.fixture
def network_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple]]:
    calls: list[tuple[str, tuple]] = []

    def recorder(name: str):  # type: ignore[no-untyped-def]
        def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
            calls.append((name, args[1:] if name == "socket.connect" else args))
            raise OSError(f"network access attempted: {name}{args!r}")
        return refuse

    monkeypatch.setattr(socket.socket, "connect", recorder("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", recorder("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", recorder("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", recorder("getaddrinfo"))
    return calls


def test_html_with_remote_resources_imports_and_shows_without_network(
        qtbot, tmp_path: Path, network_calls: list) -> None:  # type: ignore[no-untyped-def]
    from annotator.importing import import_paths
    from annotator.project import open_project

    # The guard itself works: anything that reaches for the network is recorded.
    with pytest.raises(OSError):
        socket.getaddrinfo("example.com", 443)
    assert network_calls
    network_calls.clear()

    article = tmp_path / "remote.html"
    article.write_text(ARTICLE, encoding="utf-8")
    path = tmp_path / "p.annotator"
    project = open_project(path)
    report = import_paths(project.repo, [article])  # the real importer
    assert len(report.imported) == 1 and not report.refused, report.summary()
    doc_id = report.imported[0][2]
    project.close()

    window = make_window(qtbot, path)
    window.documents.open(doc_id)
    qtbot.waitUntil(lambda: window.documents.current_id == doc_id and not window.documents.loading, timeout=5000)
    view = window.view
    window.resize(900, 600)
    window.show()
    qtbot.wait(50)
    QApplication.processEvents()
    view.viewport().grab()  # force a real paint

    shown = view.toPlainText()
    assert FIRST_SENTENCE in shown
    assert "This is not medical advice." in shown
    assert "https://" not in shown and "example.com" not in shown  # links keep their text only

    # Hover over the text (tooltips, link hover) and scroll through the whole document.
    viewport = view.viewport()
    for x, y in ((10, 10), (60, 15), (200, 40), (viewport.width() // 2, viewport.height() // 2)):
        qtbot.mouseMove(viewport, QPoint(x, y))
        qtbot.wait(20)
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0  # long enough to scroll
    for value in (bar.maximum() // 2, bar.maximum(), 0):
        bar.setValue(value)
        viewport.grab()
        qtbot.wait(20)
    qtbot.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.mouseMove(viewport, QPoint(30, 30))
    qtbot.wait(300)  # long enough for a hover tooltip
    QApplication.processEvents()

    assert network_calls == []
