"""The export's read of (document, annotator) groups gives back exactly what is stored.

Each group's spans come from the database as one JSON array (``db.json_rows``), so what
notes may hold (quotes, backslashes, control characters, line separators, emoji) must
survive the database's JSON and orjson's parse, and ties on start must still come out in
(start, end, label, id) order.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.project import open_project
from annotator.services import AnnotationService
from annotator.storage.repository import ExportFilter

from .corpus import LABELS, add

TEXT = "Probiotics 🦠 reduce nerve pain. Ask your doctor first.\nNot medical advice."
_NOTES = st.none() | st.text(st.sampled_from(['"', "\\", "\n", "\t", "\x00", "\x1f", "\u2028", "é", "🦠", "a", " ",
                                               "\ufeff", "/", "'"]), max_size=12)
_SPANS = st.lists(st.tuples(st.sampled_from(["alice", "bob"]), st.integers(0, len(TEXT) - 1), st.integers(1, 12),
                            st.sampled_from(LABELS), _NOTES), max_size=14)


@settings(max_examples=40, deadline=None)
@given(spans=_SPANS)
def test_every_stored_span_comes_back_once_in_export_order(tmp_path_factory: pytest.TempPathFactory,
                                                           spans: list[tuple[str, int, int, str, str | None]]) -> None:
    p = open_project(Path(tmp_path_factory.mktemp("reads")) / "p.annotator")
    try:
        doc = add(p, TEXT, "gut")
        add(p, "Nothing annotated here.", "empty")
        for annotator, start, length, label, note in spans:
            AnnotationService(p.repo, annotator).add_span(doc, start, min(len(TEXT), start + length), label, note=note)
        stored = {}
        for s in p.repo.spans(doc):
            stored.setdefault(s.annotator, []).append((s.id, s.start, s.end, s.label, s.note))
        groups = list(p.repo.iter_export_groups(ExportFilter()))
        in_id_order = sorted(stored, key=p.repo.annotator_id)
        assert [(g.document.id, g.annotator) for g in groups] == [(doc, a) for a in in_id_order]
        for g in groups:
            assert g.spans == sorted(stored[g.annotator], key=lambda s: (s[1], s[2], s[3], s[0]))
            assert all(type(s) is tuple for s in g.spans)
    finally:
        p.close()
