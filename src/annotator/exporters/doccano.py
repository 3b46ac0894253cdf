"""doccano sequence labelling: one JSON line per document and annotator.

::

    {"id": "<document_id>:<annotator>", "text": "...", "label": [[0, 10, "intervention"]],
     "annotator": "alice", "status": "done", "notes": [[0, 10, "intervention", "which strains?"]]}

``label`` is doccano's ``[start, end, label]`` (code points, end exclusive; with ``--offsets utf16``
UTF-16 code units, as doccano's own UI counts them, and ``"offsets": "utf16"``). doccano keeps
any other key as example metadata, so ``annotator``, ``status`` and ``notes`` ride along;
``notes`` appears only when a span has one. ``annotator import`` reads all of them back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from annotator.exporters import sink
from annotator.exporters.sink import Context, Document
from annotator.storage.repository import ExportGroup
from annotator.text import Utf16Map


def details(ctx: Context) -> dict[str, Any]:
    utf16 = ctx.options.offsets == "utf16"
    return {"offsets": "UTF-16 code units" if utf16 else "Unicode code points", "rules": [
        ("Offsets are UTF-16 code units (an emoji counts 2), as doccano's UI counts them; each record says "
         "\"offsets\": \"utf16\"." if utf16 else
         "Offsets are Unicode code points (an emoji counts 1); --offsets utf16 gives doccano's UTF-16 units."),
        "One line per document and annotator; label = [[start, end, label], ...] (doccano sequence labelling).",
        "Extra keys (annotator, status, notes) are kept by doccano as metadata and read back by annotator import.",
    ]}


class Writer(sink.JsonlWriter):
    def records(self, group: ExportGroup, doc: Document) -> Iterator[dict[str, Any]]:
        spans = group.spans
        if self.ctx.options.offsets == "utf16":
            units = Utf16Map(doc.text)
            spans = [(i, units.to_utf16(s), units.to_utf16(e), lb, n) for i, s, e, lb, n in spans]
        record: dict[str, Any] = {
            "id": f"{doc.key}:{group.annotator}", "text": doc.text,
            "label": [[start, end, label] for _id, start, end, label, _note in spans],
            "annotator": group.annotator, "status": group.status,
        }
        if self.ctx.options.offsets == "utf16":
            record["offsets"] = "utf16"
        notes = [[start, end, label, note] for _id, start, end, label, note in spans if note is not None]
        if notes:
            record["notes"] = notes
        yield record
