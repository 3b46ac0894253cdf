"""Titles and report lines as a person reads them: one trimmed line, no control characters."""

from __future__ import annotations

import re

MAX_TITLE = 120  # characters; a longer title is cut at a word boundary
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")


def plain_line(text: str) -> str:
    """``text`` on one line without control characters (ESC, BEL... never reach a terminal)."""
    return _CONTROLS.sub(lambda m: " " if m.group() in "\t\n\r\f\v" else "", text)


def clean_title(title: str | None) -> str:
    """One line, spaces collapsed, at most :data:`MAX_TITLE` characters (cut at a word boundary)."""
    text = _SPACES.sub(" ", plain_line((title or "")[: MAX_TITLE * 8])).strip()
    if len(text) <= MAX_TITLE:
        return text
    cut = text[: MAX_TITLE - 1]
    space = cut.rfind(" ")
    if space >= MAX_TITLE // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"
