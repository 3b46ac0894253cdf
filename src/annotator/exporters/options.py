"""What an export may ask for beyond :class:`ExportFilter`: document patterns, splits, format knobs.

Kept apart from the storage filter so ``Repository`` stays about rows: title and source
patterns are matched here, on the documents the repository streams.

Patterns are shell-style globs (``*``, ``?``, ``[abc]``), case-insensitive, matched against
the whole title or source: ``--title "*vitamin*"``, ``--source "articles/*.pdf"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from annotator.exporters.base import ExportError

SPLIT_NAMES: dict[int, tuple[str, ...]] = {2: ("train", "test"), 3: ("train", "dev", "test")}


@dataclass(frozen=True)
class ExportOptions:
    """Everything optional about an export; the defaults give the plain single-file export."""

    title: str | None = None  # glob over document titles
    source: str | None = None  # glob over document sources (paths)
    split: tuple[float, ...] | None = None  # e.g. (0.8, 0.1, 0.1): train/dev/test files
    seed: int = 0
    context_window: int | None = None  # spans format: characters each side, instead of the sentence
    ents: bool = False  # spacy format: also fill doc.ents with the non-overlapping spans
    manifest: bool = True  # write <stem>.manifest.json and <stem>.card.md next to the output
    command: str | None = None  # the command line to record in the manifest (else one is rebuilt)
    workers: int | None = None  # accepted for compatibility; exports run in one process
    raw: bool = False  # csv format: keep cells starting with = + - @ as they are (no leading ')
    spacy_model: str | None = None  # spacy format: an installed pipeline whose tokenizer to use
    offsets: str = "codepoints"  # doccano: "utf16" counts UTF-16 code units, as doccano's UI does
    # Called once the data is written with (repository, effective filter, [(document id, annotator, split)]);
    # returns Markdown sections for the card (annotator.metrics.card.card_extras: agreement, baseline scores).
    card_extras: Callable[[Any, Any, list[tuple[int, str, str | None]]], list[str]] | None = None
    done_by_default: bool = False  # a trainer format with no status filter takes done documents, if any
    status_defaulted: bool = False  # set by run_export: a trainer format took done documents by default
    shard_docs: int = 2000  # spacy format: Docs per .spacy shard when the export is a folder of shards

    def split_names(self) -> tuple[str, ...]:
        return SPLIT_NAMES[len(self.split)] if self.split else ()

    def matches(self, title: str, source: str) -> bool:
        """Whether a document passes the title and source patterns."""
        return ((self.title is None or fnmatchcase(title.casefold(), self.title.casefold()))
                and (self.source is None or fnmatchcase(source.casefold(), self.source.casefold())))

    @property
    def has_patterns(self) -> bool:
        return self.title is not None or self.source is not None


def parse_split(value: str | None) -> tuple[float, ...] | None:
    """``"0.8,0.1,0.1"`` -> (0.8, 0.1, 0.1); two parts mean train/test, three train/dev/test."""
    if value is None or not value.strip():
        return None
    try:
        parts = tuple(float(p) for p in value.split(","))
    except ValueError:
        raise ExportError(f"--split takes two or three fractions like 0.8,0.1,0.1, not {value!r}") from None
    return check_split(parts)


def check_split(parts: tuple[float, ...]) -> tuple[float, ...]:
    if len(parts) not in (2, 3):
        raise ExportError(f"a split has two (train, test) or three (train, dev, test) parts, not {len(parts)}")
    if any(not math.isfinite(p) or p < 0 for p in parts):
        raise ExportError("split fractions must be zero or more")
    if abs(sum(parts) - 1.0) > 1e-6:
        raise ExportError(f"split fractions must add up to 1 (these add up to {sum(parts):g})")
    return parts
