"""Counts in words, so the window says "1 span" and "3 spans" and never "1 spans"."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, the noun plural unless ``n`` is one ("1 span", "0 spans", "2,500 spans")."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
