"""How original file bytes are kept in a project: which formats need them, and their compression.

Shared by the repository (storing and reading sources) and the migration that takes in the
originals of projects made before they were stored.
"""

from __future__ import annotations

import zlib

# Formats whose original bytes a view or an export needs; the canonical text of the others
# (txt, md, html, jsonl) already is their content.
NEEDS_ORIGINAL = frozenset({"pdf"})


def packed(data: bytes) -> tuple[str, bytes]:
    """("zlib", compressed) when that is smaller, else ("none", data)."""
    small = zlib.compress(data, 6)
    return ("zlib", small) if len(small) < len(data) else ("none", data)


def unpacked(compression: str, data: bytes) -> bytes:
    if compression == "zlib":
        return zlib.decompress(data)
    if compression == "none":
        return bytes(data)
    raise ValueError(f"unknown compression {compression!r} of a stored source")
