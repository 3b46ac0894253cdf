"""Fixed parts of the canonical JSONL record shared by the exporter, validator and importer.

Kept free of storage imports so ``annotator validate`` starts without SQLAlchemy.

- ``answer``: Prodigy's verdict, the inverse of the import's mapping (accept -> done,
  reject -> flagged, ignore -> skipped), so an imported answer comes back out as it went in:
  documents a reviewer is working on or has finished are ``"accept"``, ``flagged`` ones
  ``"reject"`` and ``skipped`` ones ``"ignore"``. Prodigy's recipes train on accepted
  examples only, so neither rejected nor ignored tasks become positive training data.
- ``_input_hash`` / ``_task_hash``: 32-bit signed integers like Prodigy's, but from SHA-256
  instead of MurmurHash, so they are stable across machines and Python versions and need no
  extra dependency. Input hash: first 4 bytes (big-endian) of sha256(text as UTF-8). Task
  hash: the same over the compact JSON ``[input_hash, annotator, [[start, end, label], ...]]``
  (spans in file order). Notes and span ids stay out: they do not change the task.
- ``meta.document_id``: the first 16 hex digits of the text's SHA-256, the same in every
  project that holds the text (database ids are not).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib import resources
from typing import Any

import orjson

ANSWERS: dict[str, str] = {
    "todo": "accept",
    "in_progress": "accept",
    "done": "accept",
    "skipped": "ignore",
    "flagged": "reject",
}
SCHEMA_FILES: dict[str, str] = {
    "canonical": "canonical.schema.json",
    "prodigy": "prodigy.schema.json",
    "doccano": "doccano.schema.json",
    "spans": "spans.schema.json",
    "sentences": "sentences.schema.json",
    "hf-bio": "hf-bio.schema.json",
    "w3c": "w3c.schema.json",
}


def hash32(data: bytes) -> int:
    return int.from_bytes(hashlib.sha256(data).digest()[:4], "big", signed=True)


def input_hash_from_sha256(sha256_hex: str) -> int:
    """The input hash from the text's SHA-256 already stored with the document."""
    return int.from_bytes(bytes.fromhex(sha256_hex[:8]), "big", signed=True)


def input_hash(text: str) -> int:
    return hash32(text.encode("utf-8"))


def task_hash(input_hash_value: int, annotator: str, spans: Iterable[tuple[int, int, str]]) -> int:
    return hash32(orjson.dumps([input_hash_value, annotator, [list(s) for s in spans]]))


def document_key(sha256_hex: str) -> str:
    return sha256_hex[:16]


def load_schema(fmt: str) -> dict[str, Any]:
    """One of the JSON Schemas shipped in ``annotator/schemas``."""
    node = resources.files("annotator") / "schemas" / SCHEMA_FILES[fmt]
    return orjson.loads(node.read_bytes())
