"""One place that finds the plain files under ``resources/`` (labels, styles, icons).

The top-level ``resources/`` folder is installed as the package ``annotator.resources``
(see ``package-dir`` in pyproject.toml), so the same lookup works from a checkout, an
editable install and a wheel.
"""

from __future__ import annotations

from importlib import resources as _ilr
from importlib.resources.abc import Traversable


def resource(*parts: str) -> Traversable:
    node: Traversable = _ilr.files("annotator.resources")
    for part in parts:
        node = node / part
    return node


def read_text(*parts: str) -> str:
    return resource(*parts).read_text(encoding="utf-8")
