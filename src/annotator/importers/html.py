"""HTML (.html, .htm) import: the article's text, not the page around it.

Parsing is local only (selectolax/lexbor never loads anything): images, iframes and
stylesheets are dropped, never fetched. Layout of the canonical text:

* block elements (p, div, headings, blockquote, pre, table, section...) are paragraphs
  separated by one blank line; inline elements flow; ``<br>`` breaks the line;
* list items each on their own line; ordered items keep their number ("1. "), bulleted
  items are just their text, nested lists are not indented;
* table rows one per line, cells joined by " | ";
* ``<pre>`` keeps its spacing; elsewhere runs of whitespace (and ``&nbsp;``) become one space.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .base import DocumentImportError, ImportedDocument
from .html_depth import cap_nesting
from .text import (
    NAVIGATION_LINE,
    collapse_inline_whitespace,
    decode_text_bytes,
    lines_of,
    detect_bom,
    read_text_bytes,
    tidy_canonical,
    title_line,
    word_count,
)

# Never article text anywhere in a page.
_JUNK_TAGS = (
    "script", "style", "noscript", "template", "svg", "iframe", "frame", "object",
    "embed", "canvas", "img", "picture", "video", "audio", "source", "track", "map", "link",
    "meta", "input", "button", "select", "textarea", "option", "dialog",
)
# Page furniture; removed inside the chosen root (a <header> only outside an <article>).
_FURNITURE_TAGS = frozenset({"nav", "aside", "footer", "header", "form"})
_BOILERPLATE_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog", "menu", "menubar"}
)
# Whole id/class words: short words like "ad" or "share" would match too much as substrings.
_BOILERPLATE_WORDS = frozenset(
    {
        "cookie", "cookies", "banner", "newsletter", "subscribe", "subscription", "share",
        "sharing", "social", "comment", "comments", "related", "sidebar", "menu", "breadcrumb",
        "breadcrumbs", "ad", "ads", "advert", "adverts", "advertisement", "popup", "modal",
        "consent", "promo",
    }
)
# Distinctive enough to match inside compound names such as "cookieNotice" or "newsletterbox".
_BOILERPLATE_STEMS = ("cookie", "newsletter", "subscribe", "sidebar", "breadcrumb", "advert", "popup")
_PROTECTED_TAGS = frozenset({"html", "body", "main", "article"})

_PARAGRAPH_TAGS = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "section",
        "article", "main", "header", "footer", "figure", "figcaption", "address", "hr", "details",
        "summary", "dl", "fieldset", "center", "ul", "ol", "menu", "hgroup", "body",
    }
)
_LINE_TAGS = frozenset({"li", "tr", "dt", "dd", "caption", "legend"})
_CELL_TAGS = frozenset({"td", "th"})
_TITLE_SEPARATOR = re.compile(r"\s+[|–—·•-]\s+")
_SHORTEST_TITLE = 12  # characters: a shorter part of "A | B" is the site's name
_HTML_WS = re.compile(r"[ \t\n\r\f\u00a0]+")
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
# WHATWG: these labels mean windows-1252, and a UTF-16 label seen in ASCII bytes means UTF-8.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "windows-1252": "cp1252",
    "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8",
}

# The encodings a web page may declare (the WHATWG Encoding Standard's), as Python codec names.
_PAGE_ENCODINGS = frozenset(codecs.lookup(name).name for name in (
    "utf-8", "cp866", "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-5", "iso8859-6", "iso8859-7",
    "iso8859-8", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16", "koi8-r", "koi8-u",
    "mac-roman", "mac-cyrillic", "cp874", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255",
    "cp1256", "cp1257", "cp1258", "gbk", "gb18030", "big5", "euc-jp", "iso2022-jp", "shift_jis", "euc-kr",
))


@dataclass(frozen=True)
class HtmlArticle:
    text: str
    title: str | None
    lang: str | None
    root: str  # which element held the article: "article", "main", "role=main" or "body"


def sniff_charset(raw: bytes) -> str | None:
    """The charset a ``<meta>`` in the first 4 KB declares, as a Python codec name."""
    match = _META_CHARSET.search(raw[:4096])
    if not match:
        return None
    label = match.group(1).decode("ascii").lower()
    return _CHARSET_ALIASES.get(label, label)


def decode_html_bytes(raw: bytes, path: Path | str = "<bytes>") -> tuple[str, str]:
    """Decode: BOM first, then ``<meta charset>``, then UTF-8. Returns (text, encoding)."""
    declared = None if detect_bom(raw) else sniff_charset(raw)
    if declared is not None:
        try:
            known = codecs.lookup(declared).name in _PAGE_ENCODINGS
        except LookupError:
            known = False
        if not known:  # Python also knows "rot13", "base64", "zlib": codecs, but no page's text
            raise DocumentImportError(
                path, f"declares an unknown charset {declared!r} in <meta>; re-save the file as UTF-8"
            )
    return decode_text_bytes(raw, path, declared or "utf-8")


def html_to_text(src: str) -> tuple[str, str | None]:
    """Canonical text and title of an HTML page's article."""
    article = extract_article(src)
    return article.text, article.title


def extract_article(src: str) -> HtmlArticle:
    tree = LexborHTMLParser(cap_nesting(src))
    # Read before the page furniture (a <header> holding the h1, the <meta> tags) is dropped.
    page_titles = [_meta_content(tree, 'meta[property="og:title"]'), _node_text(tree.css_first("h1")),
                   _node_text(tree.css_first("h2.entry-title")),
                   _site_suffix_dropped(_node_text(tree.css_first("head > title")))]
    html_node = tree.css_first("html")
    lang = (html_node.attributes.get("lang") or None) if html_node is not None else None
    _drop_topmost([n for n in tree.css(",".join(_JUNK_TAGS))])
    root, root_name = _choose_root(tree)
    if root is None:
        return HtmlArticle("", next((t for t in page_titles if t), None), lang, "body")
    root_id = root.mem_id
    _drop_topmost([n for n in root.traverse() if n.mem_id != root_id and _is_boilerplate(n)])
    text = _render(root)
    # The article's own h1, then the page's metadata, then the first heading-like line.
    candidates = [_node_text(root.css_first("h1")), *page_titles]
    title = next((t for t in candidates if t and not NAVIGATION_LINE.fullmatch(t)), None)
    return HtmlArticle(text, title or title_line(lines_of(text)), lang, root_name)


def _meta_content(tree: LexborHTMLParser, selector: str) -> str | None:
    node = tree.css_first(selector)
    return collapse_inline_whitespace(node.attributes.get("content") or "") or None if node is not None else None


def _site_suffix_dropped(title: str | None) -> str | None:
    """"Vitamin D and sleep | Health Site" -> "Vitamin D and sleep" (a short first part is a site name)."""
    if not title:
        return None
    parts = [p for p in _TITLE_SEPARATOR.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    return parts[0] if len(parts[0]) >= _SHORTEST_TITLE else max(parts, key=len)


def html_fragment_to_text(src: str) -> str:
    """Text of an HTML snippet (e.g. a raw HTML block in Markdown), with no boilerplate pruning."""
    tree = LexborHTMLParser(cap_nesting(src))
    _drop_topmost([n for n in tree.css(",".join(_JUNK_TAGS))])
    return _render(tree.body) if tree.body is not None else ""


def _node_text(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    return collapse_inline_whitespace(node.text(deep=True)) or None


def _drop_topmost(nodes: list[LexborNode]) -> None:
    # Decomposing a node frees its subtree, so only the outermost doomed nodes are touched.
    doomed = {n.mem_id for n in nodes}
    for node in nodes:
        if not any(a.mem_id in doomed for a in _ancestors(node)):
            node.decompose()


def _ancestors(node: LexborNode) -> list[LexborNode]:
    found = []
    parent = node.parent
    while parent is not None:
        found.append(parent)
        parent = parent.parent
    return found


def _choose_root(tree: LexborHTMLParser) -> tuple[LexborNode | None, str]:
    articles = tree.css("article")
    if articles:
        # Several <article>s: the one with the most text is the story; the rest are teasers.
        return max(articles, key=lambda n: len(n.text(deep=True))), "article"
    for selector, name in (("main", "main"), ("[role=main]", "role=main")):
        node = tree.css_first(selector)
        if node is not None:
            return node, name
    return tree.body, "body"


def _is_boilerplate(node: LexborNode) -> bool:
    tag = node.tag or ""
    if not node.is_element_node or tag in _PROTECTED_TAGS:
        return False
    attrs = node.attributes
    if tag in _FURNITURE_TAGS:
        return _furniture_is_boilerplate(node, tag)
    if _is_hidden(attrs) or _BOILERPLATE_ROLES.intersection((attrs.get("role") or "").lower().split()):
        return True
    names = f"{attrs.get('id') or ''} {attrs.get('class') or ''}".lower()
    if not names.strip() or not _names_look_like_boilerplate(names):
        return False
    # A wrapper whose name mentions e.g. "sidebar" may still hold the story itself.
    return node.css_first("h1, main, article, [role=main]") is None


def _is_hidden(attrs: dict[str, str | None]) -> bool:
    # Readers never see these (collapsed menus, modals, screen-reader chrome), so neither should spans.
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").strip().lower() == "true":
        return True
    style = (attrs.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _furniture_is_boilerplate(node: LexborNode, tag: str) -> bool:
    if tag == "header":
        return not any(a.tag == "article" for a in _ancestors(node))
    if tag == "form":
        # Some CMSs wrap the whole page in one <form>.
        return node.css_first("article, main, h1") is None
    return True


def _names_look_like_boilerplate(names: str) -> bool:
    if any(word in _BOILERPLATE_WORDS for word in _WORD_SPLIT.split(names)):
        return True
    return any(stem in names for stem in _BOILERPLATE_STEMS)


class _TextSink:
    """Accumulates text with pending line breaks, so block boundaries merge instead of stacking."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pending = 0  # newlines owed before the next text: 1 = line break, 2 = blank line
        self.prefix = ""  # list numbering owed before the next text
        self.cell_depth = 0
        self.item_depth = 0

    def _at_line_start(self) -> bool:
        return self.pending > 0 or not self.parts or self.parts[-1].endswith("\n")

    def text(self, value: str, pre: bool = False) -> None:
        if pre:
            value = value.replace("\u00a0", " ")
        else:
            value = _HTML_WS.sub(" ", value)
            if self._at_line_start() or self.parts[-1].endswith(" "):
                value = value.lstrip(" ")
        if not value:
            return
        if self.parts and self.pending:
            self.parts.append("\n" * self.pending)
        self.pending = 0
        if self.prefix:
            self.parts.append(self.prefix)
            self.prefix = ""
            value = value.lstrip(" ")
        self.parts.append(value)

    def block(self, newlines: int) -> None:
        if self.cell_depth:
            self.text(" ")  # a table row stays on one line
            return
        if self.item_depth:
            newlines = 1  # keep a list, nested lists included, as one block
        self.pending = max(self.pending, newlines)

    def line_break(self) -> None:
        if self.cell_depth:
            self.text(" ")
        elif self.parts:
            self.pending = min(self.pending + 1, 2)

    def result(self) -> str:
        return tidy_canonical("".join(self.parts))


class _Renderer:
    """Walks a subtree iteratively (deeply nested pages must not hit the recursion limit)."""

    def __init__(self) -> None:
        self.sink = _TextSink()
        self.pre_depth = 0
        self.lists: list[list[int]] = []  # per open list: [next number] for <ol>, [] for <ul>
        self.rows: list[int] = []  # cells seen so far in each open <tr>

    def run(self, root: LexborNode) -> str:
        stack: list[tuple[LexborNode, bool]] = [(root, True)]
        while stack:
            node, entering = stack.pop()
            if not entering:
                self._close(node.tag or "")
            elif node.is_text_node:
                self.sink.text(node.text_content or "", pre=self.pre_depth > 0)
            elif node.is_element_node:
                self._open(node)
                stack.append((node, False))
                stack.extend((child, True) for child in reversed(_children(node)))
        return self.sink.result()

    def _open(self, node: LexborNode) -> None:
        tag = node.tag or ""
        sink = self.sink
        if tag == "br":
            sink.line_break()
        elif tag in ("ul", "ol", "menu"):
            sink.block(2)
            self.lists.append([_list_start(node)] if tag == "ol" else [])
        elif tag == "li":
            sink.block(1)
            counter = self.lists[-1] if self.lists else []
            if counter:
                sink.prefix += f"{counter[0]}. "
                counter[0] += 1
            sink.item_depth += 1
        elif tag == "tr":
            sink.block(1)
            self.rows.append(0)
        elif tag in _CELL_TAGS:
            if self.rows and self.rows[-1] > 0:
                sink.text(" | ")
            if self.rows:
                self.rows[-1] += 1
            sink.cell_depth += 1
        elif tag in _PARAGRAPH_TAGS:
            sink.block(2)
        elif tag in _LINE_TAGS:
            sink.block(1)
        if tag in ("pre", "listing", "plaintext", "xmp"):
            self.pre_depth += 1

    def _close(self, tag: str) -> None:
        sink = self.sink
        if tag in ("pre", "listing", "plaintext", "xmp"):
            self.pre_depth -= 1
        if tag in _CELL_TAGS:
            sink.cell_depth = max(0, sink.cell_depth - 1)
        elif tag == "tr":
            if self.rows:
                self.rows.pop()
            sink.block(1)
        elif tag == "li":
            sink.item_depth = max(0, sink.item_depth - 1)
            sink.prefix = ""
            sink.block(1)
        elif tag in ("ul", "ol", "menu"):
            if self.lists:
                self.lists.pop()
            sink.block(2)
        elif tag in _PARAGRAPH_TAGS:
            sink.block(2)
        elif tag in _LINE_TAGS:
            sink.block(1)


def _children(node: LexborNode) -> list[LexborNode]:
    found = []
    child = node.first_child
    while child is not None:
        found.append(child)
        child = child.next
    return found


def _list_start(node: LexborNode) -> int:
    try:
        return int((node.attributes.get("start") or "1").strip())
    except ValueError:
        return 1


def _render(root: LexborNode) -> str:
    return _Renderer().run(root)


class HtmlImporter:
    """Imports the article of a saved web page as one document."""

    suffixes: tuple[str, ...] = (".html", ".htm")

    def load(self, path: Path) -> list[ImportedDocument]:
        path = Path(path)
        raw = read_text_bytes(path)
        decoded, encoding = decode_html_bytes(raw, path)
        if not decoded.strip():
            raise DocumentImportError(path, "file is empty")
        article = extract_article(decoded)
        if not article.text.strip():
            raise DocumentImportError(path, "no article text found")
        meta: dict[str, object] = {
            "encoding": encoding,
            "word_count": word_count(article.text),
            "article_root": article.root,
        }
        if article.lang:
            meta["lang"] = article.lang
        return [
            ImportedDocument(
                text=article.text,
                title=article.title or path.stem,
                format="html",
                source=str(path),
                meta=meta,
            )
        ]
