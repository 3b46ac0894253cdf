"""W3C Web Annotation (JSON-LD): one annotation per span, one per line.

::

    {"@context": "http://www.w3.org/ns/anno.jsonld", "id": "urn:annotator:span:<span id>",
     "type": "Annotation", "motivation": "classifying", "creator": {"type": "Person", "name": "alice"},
     "body": [{"type": "TextualBody", "purpose": "classifying", "value": "claim"},
              {"type": "TextualBody", "purpose": "commenting", "value": "<note>"}],
     "target": {"source": "urn:annotator:document:<document_id>", "selector": [
         {"type": "TextPositionSelector", "start": 13, "end": 30},
         {"type": "TextQuoteSelector", "exact": "...", "prefix": "...", "suffix": "..."}]}}

The spec counts TextPositionSelector positions in Unicode code points, as the app does, so
``start``/``end`` are the span's offsets unchanged and ``exact == text[start:end]``. The
quote selector carries up to 32 characters of prefix and suffix so a reader can re-anchor
the span if the text shifts. ``@context`` is the standard context's address written as a
string: nothing is fetched. The commenting body appears only for spans with a note.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from annotator.exporters import sink
from annotator.exporters.sink import Context, Document
from annotator.storage.repository import ExportGroup

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
AFFIX = 32  # characters of prefix and suffix in the quote selector


def details(ctx: Context) -> dict[str, Any]:
    return {"context": CONTEXT, "rules": [
        "One W3C Web Annotation per line (JSON-LD); target.source = urn:annotator:document:<document_id>.",
        "TextPositionSelector start/end are Unicode code points (as the W3C model defines them).",
        "TextQuoteSelector exact == text[start:end], with up to 32 characters of prefix and suffix.",
        "The label is the body with purpose 'classifying'; a note is a body with purpose 'commenting'.",
    ]}


class Writer(sink.JsonlWriter):
    def records(self, group: ExportGroup, doc: Document) -> Iterator[dict[str, Any]]:
        text, source = doc.text, f"urn:annotator:document:{doc.key}"
        creator = {"type": "Person", "name": group.annotator}
        for span_id, start, end, label, note in group.spans:
            body: list[dict[str, str]] = [{"type": "TextualBody", "purpose": "classifying", "value": label}]
            if note is not None:
                body.append({"type": "TextualBody", "purpose": "commenting", "value": note})
            yield {
                "@context": CONTEXT, "id": f"urn:annotator:span:{span_id}", "type": "Annotation",
                "motivation": "classifying", "creator": creator, "body": body,
                "target": {"source": source, "selector": [
                    {"type": "TextPositionSelector", "start": start, "end": end},
                    {"type": "TextQuoteSelector", "exact": text[start:end],
                     "prefix": text[max(0, start - AFFIX):start], "suffix": text[end:end + AFFIX]},
                ]},
            }
