"""doccano sequence labelling: one JSON line per document and annotator.

::

    {"id": "<document_id>:<annotator>", "text": "...", "label": [[0, 10, "intervention"]],
     "annotator": "alice", "status": "done", "notes": [[0, 10, "intervention", "which strains?"]]}

``label`` is doccano's ``[start, end, label]`` (code points, end exclusive). doccano keeps
any other key as example metadata, so ``annotator``, ``status`` and ``notes`` ride along;
``notes`` appears only when a span has one, as ``[start, end, label, note]``. ``annotator
import`` reads all of them back, so export -> import -> export gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from annotator.exporters.sink import Context, DatasetFormat, Document, JsonlSink, Sink
from annotator.storage.repository import ExportGroup


class _DoccanoSink(JsonlSink):
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


class DoccanoFormat(DatasetFormat):
    name = "doccano"
    suffix = ".jsonl"
    parallel = True
    jsonl = True

    def open(self, out: BinaryIO | Path, ctx: Context) -> Sink:
        assert not isinstance(out, Path)
        return _DoccanoSink(out, ctx)

    def details(self, ctx: Context) -> dict[str, Any]:
        return {"rules": [
            "One line per document and annotator; label = [[start, end, label], ...] (doccano sequence labelling).",
            "Extra keys (annotator, status, notes) are kept by doccano as metadata and read back by annotator import.",
        ]}
