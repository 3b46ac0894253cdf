"""The open document's spans for one reviewer, indexed for painting and listing.

Qt-free on purpose (the view and the list model both read it, tests poke it directly).
Spans are kept in text order, keyed by (start, end, id) in code points. Each also carries
its UTF-16 offsets, computed once through :class:`~annotator.text.Utf16Map`, because the
view asks "what overlaps these Qt positions?" on every paint. Code point -> UTF-16 is
monotonic, so the UTF-16 starts are sorted in the same order and one bisect serves both.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

from annotator.text import Utf16Map

# Spans longer than this (in UTF-16 units) are kept aside and scanned linearly, so the
# overlap query can bound its backwards look from a sorted start list by this amount.
LONG_SPAN = 4096

SpanRow = tuple[str, str, int, int, "str | None"]  # id, label, start, end, note

# Below this many characters a document is read in one go; above it, progressively.
PROGRESSIVE_CHARS = 200_000


@dataclass(slots=True)
class SpanEntry:
    id: str
    label: str
    start: int
    end: int
    note: str | None
    start16: int
    end16: int

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.id)


class SpanStore:
    """Spans of one document; add/remove/update are O(log n) plus a list shift."""

    def __init__(self, text: str, rows: Iterable[SpanRow] = (), utf16: Utf16Map | None = None) -> None:
        self.text = text
        self.utf16 = utf16 if utf16 is not None else Utf16Map(text)
        self._by_id: dict[str, SpanEntry] = {}
        self._keys: list[tuple[int, int, str]] = []
        self._starts16: list[int] = []
        self._long: set[str] = set()
        entries = [self._entry(*row) for row in rows]
        entries.sort(key=lambda e: (e.start, e.end, e.id))
        for e in entries:
            self._by_id[e.id] = e
            if e.end16 - e.start16 > LONG_SPAN:
                self._long.add(e.id)
        self._keys = [(e.start, e.end, e.id) for e in entries]
        self._starts16 = [e.start16 for e in entries]

    def _entry(self, span_id: str, label: str, start: int, end: int, note: str | None) -> SpanEntry:
        to16 = self.utf16.to_utf16
        if self.utf16.is_identity:
            return SpanEntry(span_id, label, start, end, note, start, end)
        return SpanEntry(span_id, label, start, end, note, to16(start), to16(end))

    # -- reading ------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, span_id: object) -> bool:
        return span_id in self._by_id

    def get(self, span_id: str) -> SpanEntry | None:
        return self._by_id.get(span_id)

    def at_row(self, row: int) -> SpanEntry:
        return self._by_id[self._keys[row][2]]

    def row_of(self, span_id: str) -> int:
        entry = self._by_id[span_id]
        return bisect_left(self._keys, entry.key)

    def insertion_row(self, start: int, end: int, span_id: str) -> int:
        return bisect_left(self._keys, (start, end, span_id))

    def overlapping16(self, a: int, b: int) -> list[SpanEntry]:
        """Spans meeting the UTF-16 range [a, b), in text order."""
        lo = bisect_left(self._starts16, a - LONG_SPAN)
        hi = bisect_left(self._starts16, b)
        by_id = self._by_id
        found = [e for e in (by_id[k[2]] for k in self._keys[lo:hi]) if e.end16 > a and e.id not in self._long]
        if self._long:
            found += [e for i in self._long if (e := by_id[i]).start16 < b and e.end16 > a]
            found.sort(key=lambda e: e.key)
        return found

    def containing16(self, pos: int) -> list[SpanEntry]:
        """Spans holding the character at UTF-16 position ``pos``, shortest first."""
        hits = [e for e in self.overlapping16(pos, pos + 1) if e.start16 <= pos < e.end16]
        hits.sort(key=lambda e: (e.end16 - e.start16, e.start16, e.id))
        return hits

    def exact(self, start: int, end: int) -> list[SpanEntry]:
        """Spans with exactly these code point offsets (any label)."""
        i = bisect_left(self._keys, (start, end, ""))
        out: list[SpanEntry] = []
        while i < len(self._keys) and self._keys[i][0] == start and self._keys[i][1] == end:
            out.append(self._by_id[self._keys[i][2]])
            i += 1
        return out

    # -- writing (mirrors committed changes; the database is the truth) -----------------------
    def add(self, span_id: str, label: str, start: int, end: int, note: str | None) -> SpanEntry:
        if span_id in self._by_id:
            self.remove(span_id)
        entry = self._entry(span_id, label, start, end, note)
        row = bisect_left(self._keys, entry.key)
        self._keys.insert(row, entry.key)
        self._starts16.insert(row, entry.start16)
        self._by_id[span_id] = entry
        if entry.end16 - entry.start16 > LONG_SPAN:
            self._long.add(span_id)
        return entry

    def remove(self, span_id: str) -> SpanEntry | None:
        entry = self._by_id.pop(span_id, None)
        if entry is None:
            return None
        row = bisect_left(self._keys, entry.key)
        del self._keys[row]
        del self._starts16[row]
        self._long.discard(span_id)
        return entry

    def update(self, span_id: str, *, label: str | None = None, note: str | None = None,
               set_note: bool = False) -> SpanEntry | None:
        entry = self._by_id.get(span_id)
        if entry is None:
            return None
        if label is not None:
            entry.label = label
        if set_note:
            entry.note = note
        return entry

    def sorted_keys(self) -> list[tuple[int, int, str]]:
        return list(self._keys)

    def ids(self) -> set[str]:
        return set(self._by_id)

