"""Words for the window: counts that say "1 span" and "3 spans", tooltips that never read markup."""

from __future__ import annotations

from html import escape


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, the noun plural unless ``n`` is one ("1 span", "0 spans", "2,500 spans")."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def plain_tooltip(text: str) -> str:
    """A tooltip showing ``text`` exactly: Qt would take a title like "<b>Zinc</b>" for markup."""
    return "<qt>" + escape(text).replace("\n", "<br>") + "</qt>" if text else ""


def elide(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis when longer."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"
