"""Capping how deeply a page's elements nest before the HTML parser sees it.

An HTML5 parser checks the stack of open elements for each new tag, so its time grows with
the square of the nesting depth: 100,000 nested ``<div>`` take lexbor minutes. No page that
people read nests more than a few dozen levels, so tags opened deeper than
:data:`MAX_DEPTH` (and their closing tags) are dropped; the text inside them stays.
"""

from __future__ import annotations

import re

MAX_DEPTH = 512
# Tags, comments and raw-text elements (whose contents are not markup), in document order.
_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(script|style|textarea|title|xmp|plaintext)\b[^>]*>.*?(?:</\1\s*>|\Z)"
    r"|<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^>]*>",
    re.DOTALL | re.IGNORECASE,
)
# Never on the stack: void elements, and those HTML closes implicitly (an unclosed <p> or
# <li> must not count as a level), plus the document's own frame.
_NOT_COUNTED = frozenset(
    "area base br col embed hr img input link meta param source track wbr "
    "p li dt dd tr td th tbody thead tfoot colgroup caption option optgroup rt rp rb rtc "
    "html head body".split()
)


def cap_nesting(src: str, max_depth: int = MAX_DEPTH) -> str:
    """``src`` with element tags nested deeper than ``max_depth`` removed (unchanged when none are)."""
    if src.count("<") <= max_depth:
        return src
    stack: list[tuple[str, bool]] = []  # (tag name, dropped)
    open_counts: dict[str, int] = {}
    cuts: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(src):
        name = m.group(3)
        if name is None:
            continue  # a comment or a raw-text element
        name = name.lower()
        if name in _NOT_COUNTED:
            continue
        if not m.group(2):  # an opening tag
            dropped = len(stack) >= max_depth
            stack.append((name, dropped))
            open_counts[name] = open_counts.get(name, 0) + 1
            if dropped:
                cuts.append(m.span())
        elif open_counts.get(name):
            # Close up to the nearest open element of this name, as the parser would.
            while stack:
                top, dropped = stack.pop()
                open_counts[top] -= 1
                if top == name:
                    if dropped:
                        cuts.append(m.span())
                    break
    if not cuts:
        return src
    pieces, last = [], 0
    for start, end in cuts:
        pieces.append(src[last:start])
        last = end
    pieces.append(src[last:])
    return "".join(pieces)
