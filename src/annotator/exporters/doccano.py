"""doccano sequence labelling: one JSON line per document and annotator.

::

    {"id": "<document_id>:<annotator>", "text": "...", "label": [[0, 10, "intervention"]],
     "annotator": "alice", "status": "done", "notes": [[0, 10, "intervention", "which strains?"]]}

``label`` is doccano's ``[start, end, label]`` (code points, end exclusive). doccano keeps
any other key as example metadata, so ``annotator``, ``status`` and ``notes`` ride along;
``notes`` appears only when a span has one. ``annotator import`` reads all of them back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from annotator.exporters import sink
from annotator.exporters.sink import Context, Document
from annotator.storage.repository import ExportGroup


def details(ctx: Context) -> dict[str, Any]:
    return {"rules": [
        "One line per document and annotator; label = [[start, end, label], ...] (doccano sequence labelling).",
        "Extra keys (annotator, status, notes) are kept by doccano as metadata and read back by annotator import.",
    ]}


class Writer(sink.JsonlWriter):
    def records(self, group: ExportGroup, doc: Document) -> Iterator[dict[str, Any]]:
        record: dict[str, Any] = {
            "id": f"{doc.key}:{group.annotator}", "text": doc.text,
            "label": [[start, end, label] for _id, start, end, label, _note in group.spans],
            "annotator": group.annotator, "status": group.status,
        }
        notes = [[start, end, label, note] for _id, start, end, label, note in group.spans if note is not None]
        if notes:
            record["notes"] = notes
        yield record
