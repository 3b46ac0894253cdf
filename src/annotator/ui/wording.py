"""Words for the window: counts that say "1 span" and "3 spans", and elided titles.

User strings reach Qt as plain text through :mod:`annotator.ui.plain_text`.
"""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, the noun plural unless ``n`` is one ("1 span", "0 spans", "2,500 spans")."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def elide(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis when longer."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"
