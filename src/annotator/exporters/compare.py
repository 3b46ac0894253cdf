"""The canonical export's digest: what ``annotator copy`` compares to prove a copy whole."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from annotator.exporters.registry import run_export
from annotator.storage.repository import Repository


def canonical_digest(project: str | Path) -> str:
    """sha256 of the project's canonical JSONL export (every document and annotator)."""
    repo, _ = Repository.open(project, create=False)
    try:
        with tempfile.TemporaryDirectory(prefix="annotator-compare-") as folder:
            out = Path(folder) / "canonical.jsonl"
            run_export(repo, "canonical", out)
            digest = hashlib.sha256()
            with open(out, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
            return digest.hexdigest()
    finally:
        repo.close()
