"""HTML import: the article's text only, decoded carefully, never fetching anything."""

from __future__ import annotations

import codecs
import socket
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.importers.base import DocumentImportError, ImportedDocument
from annotator.importers.html import HtmlImporter, extract_article, html_to_text
from .helpers import assert_tidy, load_single


def page(body: str, head: str = "<title>Page title</title>") -> str:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"


def text_of(body: str) -> str:
    return html_to_text(page(body))[0]


def load_file(tmp_path: Path, data: bytes | str, name: str = "article.html") -> ImportedDocument:
    return load_single(HtmlImporter(), tmp_path, data, name)


def test_suffixes() -> None:
    assert HtmlImporter.suffixes == (".html", ".htm")


def test_blocks_break_lines_and_inline_flows() -> None:
    body = "<h1>Title</h1><p>One <b>bold</b><i>ital</i> <a href='x'>link</a>.</p><div>Two</div><h2>Sub</h2><p>Three</p>"
    assert text_of(body) == "Title\n\nOne boldital link.\n\nTwo\n\nSub\n\nThree"


def test_whitespace_collapses_and_nbsp_becomes_space() -> None:
    body = "<p>\n   Lots\tof \n\n  space&nbsp;&nbsp;here   </p>\n\n\n<p>  next </p>"
    assert text_of(body) == "Lots of space here\n\nnext"


def test_entities_are_decoded() -> None:
    assert text_of("<p>Fish &amp; chips &lt;b&gt; &#8212; &#x1F600; &eacute; &copy;</p>") == (
        "Fish & chips <b> — 😀 é ©"
    )


def test_br_breaks_line_and_double_br_breaks_paragraph() -> None:
    assert text_of("<p>one<br>two<br/><br>three</p>") == "one\ntwo\n\nthree"


def test_pre_keeps_spacing() -> None:
    assert text_of("<p>x</p><pre>def f():\n    return  1\n</pre>") == "x\n\ndef f():\n    return  1"


def test_lists() -> None:
    body = "<p>Intro</p><ul><li>alpha</li><li>beta<ul><li>inner</li></ul></li></ul><ol start='3'><li>c</li><li><p>d</p></li></ol>"
    assert text_of(body) == "Intro\n\nalpha\nbeta\ninner\n\n3. c\n4. d"


def test_tables_one_row_per_line() -> None:
    body = "<table><caption>Doses</caption><tr><th>Dose</th><th>Effect</th></tr><tr><td>10 <b>mg</b></td><td><p>none</p></td></tr></table>"
    assert text_of(body) == "Doses\nDose | Effect\n10 mg | none"


def test_media_and_scripts_are_dropped() -> None:
    body = (
        "<p>Keep</p><script>var secret = 1;</script><style>.x{}</style><noscript>NOSCRIPT</noscript>"
        "<template><p>TEMPLATE</p></template><svg><text>SVGTEXT</text></svg><img src='a.png' alt='ALT'>"
        "<iframe src='https://e.com'>IFRAME</iframe><form><input value='INPUT'><button>BUTTON</button>"
        "<select><option>OPTION</option></select>FORMTEXT</form>"
    )
    text = text_of(body)
    assert text == "Keep"


BOILERPLATE_PAGE = page(
    """
    <header class="site-header"><a>SITE HEADER</a></header>
    <nav>NAV LINKS</nav>
    <div id="cookie-notice">COOKIE TEXT</div>
    <div class="cookieConsentBar">COOKIE CAMEL</div>
    <div class="newsletter-signup">NEWSLETTER TEXT</div>
    <div role="banner">ROLE BANNER</div>
    <main>
      <article>
        <header><h1>Probiotics and 😀 gut 𝑝</h1><p>By Dr X</p></header>
        <p>Article body text.</p>
        <div class="share-buttons">SHARE TEXT</div>
        <div class="social">SOCIAL TEXT</div>
        <p>More article text.</p>
        <section id="comments">COMMENTS TEXT</section>
        <div class="related-posts">RELATED TEXT</div>
        <div class="ad-slot">AD TEXT</div>
        <div class="advertisement">ADVERT TEXT</div>
        <div class="popup">POPUP TEXT</div>
        <div class="modal">MODAL TEXT</div>
        <div class="breadcrumb">BREADCRUMB TEXT</div>
        <div class="subscribe-box">SUBSCRIBE TEXT</div>
        <div role="navigation">ROLE NAV</div>
        <div role="complementary">ROLE COMPLEMENTARY</div>
        <div role="contentinfo">ROLE CONTENTINFO</div>
        <ul class="menu"><li>MENU ITEM</li></ul>
        <footer>ARTICLE FOOTER</footer>
      </article>
      <aside class="sidebar">SIDEBAR TEXT</aside>
    </main>
    <footer>PAGE FOOTER</footer>
    <script>SCRIPT TEXT</script>
    """
)


def test_boilerplate_is_removed_and_article_kept() -> None:
    text, title = html_to_text(BOILERPLATE_PAGE)
    assert text == "Probiotics and 😀 gut 𝑝\n\nBy Dr X\n\nArticle body text.\n\nMore article text."
    assert title == "Probiotics and 😀 gut 𝑝"
    for junk in ("SITE HEADER", "NAV", "COOKIE", "NEWSLETTER", "BANNER", "SHARE", "SOCIAL", "COMMENTS",
                 "RELATED", "AD TEXT", "ADVERT", "POPUP", "MODAL", "BREADCRUMB", "SUBSCRIBE", "ROLE",
                 "MENU", "FOOTER", "SIDEBAR", "SCRIPT"):
        assert junk not in text


def test_boilerplate_words_match_whole_words_only() -> None:
    body = "<div class='commentary'>Expert commentary.</div><div class='header-image loaded'>Caption</div><p id='shared-ideas-head'>Kept</p>"
    assert text_of(body) == "Expert commentary.\n\nCaption\n\nKept"


def test_wrapper_named_like_boilerplate_but_holding_the_story_is_kept() -> None:
    body = "<nav>NAV</nav><div class='layout-with-sidebar'><h1>Story</h1><p>Body</p></div>"
    assert text_of(body) == "Story\n\nBody"


def test_hidden_elements_are_dropped() -> None:
    body = (
        "<p>Seen</p><div hidden>HIDDEN ATTR</div><span aria-hidden='true'>ARIA</span>"
        "<div style='color: red; display: none'>STYLE NONE</div><p style='visibility:hidden'>INVISIBLE</p>"
    )
    assert text_of(body) == "Seen"


def test_page_header_dropped_article_header_kept() -> None:
    body = "<header>PAGE HEADER</header><article><header>Kicker</header><p>Text</p></article>"
    assert text_of(body) == "Kicker\n\nText"


def test_largest_article_is_the_root() -> None:
    body = "<article><p>Teaser</p></article><article><h1>Main</h1><p>Long story text here.</p></article><article>Other</article>"
    article = extract_article(page(body))
    assert article.text == "Main\n\nLong story text here."
    assert article.root == "article"


def test_main_then_role_main_then_body() -> None:
    assert extract_article(page("<div>OUT</div><main><p>In main</p></main>")).text == "In main"
    role = extract_article(page("<div>OUT</div><div role='main'><p>In role</p></div>"))
    assert (role.text, role.root) == ("In role", "role=main")
    body = extract_article(page("<nav>NAV</nav><div class='sidebar'>SIDE</div><p>Body text</p><footer>F</footer>"))
    assert (body.text, body.root) == ("Body text", "body")


def test_title_h1_then_title_tag_then_first_line(tmp_path: Path) -> None:
    assert html_to_text(page("<p>x</p>", "<title> The  Page </title>"))[1] == "The Page"
    assert html_to_text(page("<h1>Head <i>line</i></h1><p>x</p>"))[1] == "Head line"
    doc = load_file(tmp_path, "<p>only text</p>", "no-title.html")
    assert doc.title == "only text"  # the first heading-like line, as a person would pick


def test_file_meta(tmp_path: Path) -> None:
    doc = load_file(tmp_path, '<html lang="fr"><body><article><p>Un deux trois</p></article></body></html>')
    assert doc.format == "html"
    assert doc.meta == {"encoding": "utf-8", "word_count": 3, "article_root": "article", "lang": "fr"}


def test_meta_charset_is_honoured(tmp_path: Path) -> None:
    raw = page("<p>caf\xe9 \u201cquoted\u201d</p>", '<meta charset="windows-1252">').encode("cp1252")
    doc = load_file(tmp_path, raw)
    assert doc.text == "café “quoted”"
    assert doc.meta["encoding"] == "cp1252"


def test_http_equiv_charset_and_latin1_label(tmp_path: Path) -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
    doc = load_file(tmp_path, page("<p>na\xefve \x93q\x94</p>", head).encode("latin-1"))
    assert doc.text == "naïve “q”"  # ISO-8859-1 means windows-1252 on the web


def test_bom_beats_meta(tmp_path: Path) -> None:
    raw = codecs.BOM_UTF16_LE + page("<p>Ünïcode 😀</p>", '<meta charset="iso-8859-2">').encode("utf-16-le")
    assert load_file(tmp_path, raw).text == "Ünïcode 😀"


def test_utf8_is_the_default(tmp_path: Path) -> None:
    assert load_file(tmp_path, page("<p>déjà 𝑝</p>")).text == "déjà 𝑝"


def test_invalid_utf8_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match=r"not valid UTF-8 at byte \d+ \(line 2\); re-save"):
        load_file(tmp_path, b"<html><body>\n<p>caf\xe9</p></body></html>")


def test_unknown_charset_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match="unknown charset 'klingon-8'"):
        load_file(tmp_path, page("<p>x</p>", "<meta charset=klingon-8>"))


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match="file is empty"):
        load_file(tmp_path, "  \n ")


def test_no_article_text(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match="no article text found"):
        load_file(tmp_path, page("<nav>Home</nav><script>x()</script><img src=a.png><footer>(c)</footer>"))


def test_binary(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match="looks like a binary file"):
        load_file(tmp_path, b"<html>\x00\x01\x02")


def test_deep_nesting_does_not_hit_recursion_limit() -> None:
    text = text_of("<div>" * 3000 + "deep" + "</div>" * 3000)
    assert text == "deep"


def test_no_network_during_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    head = (
        '<link rel="stylesheet" href="https://cdn.example.com/site.css">'
        '<script src="https://cdn.example.com/app.js"></script><base href="https://example.com/">'
    )
    body = (
        "<article><h1>Remote</h1><img src='https://example.com/a.png'>"
        "<iframe src='https://www.youtube.com/embed/x'></iframe><p>Local text.</p>"
        "<picture><source srcset='https://example.com/b.webp'></picture>"
        "<video src='https://example.com/v.mp4'></video></article>"
    )
    doc = load_file(tmp_path, page(body, head))
    assert doc.text == "Remote\n\nLocal text."


PIECES = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(
        ["\r\n", "\r", "\n", "\t", "😀", "𝑝", "<p>", "</p>", "<br>", "<li>", "<ol>", "<td>", "<tr>",
         "<pre>", "</pre>", "<nav>", "<article>", "<script>", "&amp;", "&nbsp;", "&#x1F600;", "<"]
    ),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PIECES, max_size=60).map("".join))
def test_random_html_never_crashes(tmp_path: Path, source: str) -> None:
    try:
        doc = load_file(tmp_path, source.encode("utf-8"), "random.html")
    except DocumentImportError:
        return
    assert_tidy(doc.text)
