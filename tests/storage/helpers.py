"""Small builders shared by the storage tests."""

from __future__ import annotations

import os
from pathlib import Path

from annotator.importers.base import ImportedDocument
from annotator.importing import sha256_text
from annotator.project import open_project
from annotator.storage.repository import Repository

# ANNOTATOR_LONG_TESTS=1 turns the bounded CI runs into the long ones the issue asks for.
LONG = os.environ.get("ANNOTATOR_LONG_TESTS") == "1"

ARTICLE = ("Probiotics may reduce nerve pain in adults, a small trial suggests. Fibre feeds gut "
           "bacteria, which make short-chain fatty acids. Ask your doctor before changing any dose. ")
DOC_LEN = len(f"{ARTICLE}Article 0.")  # every article make_project writes (up to ten) has this length


def make_project(path: Path, n_docs: int = 3) -> list[int]:
    """A closed project with ``n_docs`` distinct articles; returns their ids."""
    project = open_project(path)
    texts = [f"{ARTICLE}Article {i}." for i in range(n_docs)]
    ids = project.repo.add_documents(
        [(ImportedDocument(t, f"a{i}", "txt", f"a{i}.txt"), sha256_text(t)) for i, t in enumerate(texts)])
    project.close()
    return [i for i in ids if i is not None]


def reopen(path: Path) -> Repository:
    return Repository.open(path, create=False)[0]
