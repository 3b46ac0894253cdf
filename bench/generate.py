"""Deterministic benchmark data, cached under bench/out/ by its parameters.

    python bench/generate.py project --docs 20000 --spans 1000000 [--chars 4000] [--seed 0] [--out P]
    python bench/generate.py article [--chars 1000000] [--spans 20000] [--out P]
    python bench/generate.py pdfs --files 100 --pages 10 [--out DIR]
    python bench/generate.py pdf --pages 300 [--out FILE]

Same arguments, same data: texts, spans and PDFs come from seeded ``random.Random``
streams (see corpus_text.py). Span ids and timestamps in a project are assigned by the
application as in real use, so :func:`project_digest` compares projects by content.
Each command prints the path it made (or found in the cache).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the app is imported lazily: generating PDFs needs only PyMuPDF
    from annotator.importers.base import ImportedDocument

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus_text  # noqa: E402  (bench/ is not a package; see the line above)

OUT = Path(__file__).resolve().parent / "out"
# Bumped whenever generated content changes, so stale cache entries are never reused.
VERSION = 1
BATCH = 500  # documents per transaction: few commits, bounded memory
ANNOTATORS = ("reviewer-1", "reviewer-2", "reviewer-3")


def _schema() -> str:
    """The storage schema version, part of project cache keys: a new schema means new files."""
    from annotator.storage.db import SCHEMA_VERSION

    return f"-schema{SCHEMA_VERSION}"


def _cached(path: Path, build: Callable[[Path], None]) -> Path:
    """Build into a temporary name and rename, so an interrupted run leaves no half file."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".building-{os.getpid()}-{path.name}")
    for leftover in tmp.parent.glob(tmp.name + "*"):
        leftover.unlink()
    build(tmp)
    tmp.replace(path)
    return path


def iter_documents(docs: int, spans: int, seed: int = 0, chars: int = 4000) -> Iterator[corpus_text.GeneratedDoc]:
    pool = corpus_text.sentence_pool(seed)
    for i, (length, count) in enumerate(corpus_text.documents(docs, spans, seed, chars)):
        yield corpus_text.generate_doc(i, length, count, seed, pool)


def _imported(doc: corpus_text.GeneratedDoc, annotator: str | None, status: str | None) -> ImportedDocument:
    from annotator.importers.base import ImportedDocument, ImportedSpan

    return ImportedDocument(
        doc.text, doc.title, "txt", f"bench/article-{doc.index + 1:06d}.txt",
        {"words": doc.text.count(" ") + 1},
        spans=[ImportedSpan(s, e, label) for s, e, label in doc.spans],
        annotator=annotator if doc.spans or status else None, status=status)


def write_project(path: Path, docs: Iterator[corpus_text.GeneratedDoc], annotator_of: Callable[[int], str]) -> None:
    """Store documents through the application's own API (Repository.add_documents)."""
    from annotator.importing import sha256_text
    from annotator.project import open_project

    project = open_project(path)
    try:
        batch: list[tuple[ImportedDocument, str]] = []
        for doc in docs:
            # Statuses follow the spans: untouched documents stay "todo" (no row).
            status = None if not doc.spans else ("done" if doc.index % 2 else "in_progress")
            batch.append((_imported(doc, annotator_of(doc.index), status), sha256_text(doc.text)))
            if len(batch) >= BATCH:
                project.repo.add_documents(batch)
                batch = []
        if batch:
            project.repo.add_documents(batch)
    finally:
        project.close()  # the last connection closing checkpoints the WAL into the file


def project(docs: int, spans: int, *, seed: int = 0, chars: int = 4000, out: Path | None = None) -> Path:
    """A project of ``docs`` documents (about ``chars`` characters each) and ``spans`` spans in all."""
    path = out or OUT / f"project-d{docs}-s{spans}-c{chars}-r{seed}-v{VERSION}{_schema()}.annotator"
    return _cached(path, lambda p: write_project(
        p, iter_documents(docs, spans, seed, chars), lambda i: ANNOTATORS[i % len(ANNOTATORS)]))


def article_project(chars: int = 1_000_000, spans: int = 20_000, *, seed: int = 0, annotator: str = "bench",
                    out: Path | None = None) -> Path:
    """The long article (document 1, all spans by ``annotator``) plus three short ones to switch to."""
    path = out or OUT / f"article-c{chars}-s{spans}-r{seed}-v{VERSION}{_schema()}.annotator"

    def build(p: Path) -> None:
        long_doc = corpus_text.article(chars, spans, seed)
        short = list(iter_documents(3, 30, seed + 1, 2000))
        short = [corpus_text.GeneratedDoc(i + 1, d.title, d.text, d.spans) for i, d in enumerate(short)]
        write_project(p, iter([long_doc, *short]), lambda i: annotator)

    return _cached(path, build)


def article_text(chars: int = 1_000_000, spans: int = 20_000, *, seed: int = 0) -> tuple[str, list[tuple[int, int, str]]]:
    """The long article as plain data, for benchmarks that feed a widget directly."""
    doc = corpus_text.article(chars, spans, seed)
    return doc.text, doc.spans


def write_pdf(path: Path, pages: int, seed: int) -> None:
    """A text-heavy A4 PDF (about 4,500 characters a page) with fixed metadata and no random id."""
    import pymupdf

    rng = random.Random(f"pdf-{seed}-{pages}")
    pool = corpus_text.sentence_pool(seed, 1500, latin1=True)
    doc = pymupdf.open()
    doc.set_metadata({"title": f"Bench PDF {seed}", "author": "annotator bench", "creationDate": "D:20240101000000Z",
                      "modDate": "D:20240101000000Z", "producer": "annotator bench", "creator": "annotator bench"})
    for number in range(pages):
        page = doc.new_page(width=595, height=842)
        y = 72.0
        if number == 0:
            page.insert_text((56, y), f"Bench PDF {seed}: evidence review", fontsize=16, fontname="hebo")
            y += 28
        while y < 780:
            paragraph = " ".join(pool[rng.randrange(len(pool))] for _ in range(rng.randrange(2, 6)))
            lines = corpus_text.wrap_lines(rng, paragraph, 96)
            room = int((780 - y) // 12)
            lines = lines[:room]
            if not lines:
                break
            page.insert_text((56, y), "\n".join(lines), fontsize=10, fontname="helv", lineheight=1.2)
            y += 12 * len(lines) + 8
        page.insert_text((290, 815), str(number + 1), fontsize=8, fontname="helv")
    doc.save(path, no_new_id=True, garbage=1, deflate=True)
    doc.close()


def pdf(pages: int = 300, *, seed: int = 0, out: Path | None = None) -> Path:
    path = out or OUT / f"pdf-p{pages}-r{seed}-v{VERSION}.pdf"
    return _cached(path, lambda p: write_pdf(p, pages, seed))


def pdf_corpus(files: int = 100, pages: int = 10, *, seed: int = 0, out: Path | None = None) -> Path:
    """A folder of ``files`` PDFs of ``pages`` pages each, all different."""
    folder = out or OUT / f"pdfs-f{files}-p{pages}-r{seed}-v{VERSION}"
    done = folder / ".complete"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(files):
            _cached(folder / f"paper-{i + 1:04d}.pdf", lambda p, i=i: write_pdf(p, pages, seed * 100_003 + i))
        done.write_text("ok\n")
    return folder


def project_digest(path: Path) -> str:
    """SHA-256 over a project's content (texts, spans, statuses), ignoring ids and timestamps."""
    h = hashlib.sha256()
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        queries = (
            "SELECT title, source, format, sha256, text, char_count, meta_json FROM document ORDER BY id",
            "SELECT s.document_id, a.name, l.name, s.start, s.end, s.note FROM span s JOIN annotator a "
            "ON a.id = s.annotator_id JOIN label l ON l.id = s.label_id ORDER BY 1, 2, 4, 5, 3",
            "SELECT st.document_id, a.name, st.status, st.reason FROM document_status st JOIN annotator a "
            "ON a.id = st.annotator_id ORDER BY 1, 2",
        )
        for q in queries:
            for row in con.execute(q):
                h.update(repr(row).encode("utf-8"))
            h.update(b"|")
    finally:
        con.close()
    return h.hexdigest()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    p = sub.add_parser("project")
    p.add_argument("--docs", type=int, required=True)
    p.add_argument("--spans", type=int, required=True)
    p.add_argument("--chars", type=int, default=4000, help="average characters per document")
    a = sub.add_parser("article")
    a.add_argument("--chars", type=int, default=1_000_000)
    a.add_argument("--spans", type=int, default=20_000)
    a.add_argument("--annotator", default="bench")
    c = sub.add_parser("pdfs")
    c.add_argument("--files", type=int, default=100)
    c.add_argument("--pages", type=int, default=10)
    f = sub.add_parser("pdf")
    f.add_argument("--pages", type=int, default=300)
    for s in (p, a, c, f):
        s.add_argument("--seed", type=int, default=0)
        s.add_argument("--out", type=Path, help="where to write (default: a cached path under bench/out/)")
    args = ap.parse_args(argv)
    if args.what == "project":
        path = project(args.docs, args.spans, seed=args.seed, chars=args.chars, out=args.out)
    elif args.what == "article":
        path = article_project(args.chars, args.spans, seed=args.seed, annotator=args.annotator, out=args.out)
    elif args.what == "pdfs":
        path = pdf_corpus(args.files, args.pages, seed=args.seed, out=args.out)
    else:
        path = pdf(args.pages, seed=args.seed, out=args.out)
    print(path)


if __name__ == "__main__":
    main()
