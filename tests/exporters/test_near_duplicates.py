"""Near-duplicate documents (the same article as .txt, .html and .pdf) land in one split; import warns."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import orjson
import pytest

from annotator.exporters.options import ExportOptions
from annotator.exporters.registry import run_export
from annotator.importing import import_paths
from annotator.near_duplicates import groups, similarity, sketch
from annotator.project import open_project
from annotator.services import AnnotationService
from annotator.storage.repository import ExportFilter
from tests import pdf_samples as samples

REFERENCE = Path("/work/shared/reference-articles")
WORDS = ("gut microbes fibre sleep vitamin trial nerve pain omega brain study dose people weeks placebo "
         "yoghurt kefir inflammation cohort blood pressure").split()


def article(seed: int, sentences: int = 30) -> str:
    import random

    rng = random.Random(seed)
    return "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "." for _ in range(sentences))


def test_sketch_similarity_tracks_jaccard() -> None:
    a = article(1)
    b = a.replace("Gut", "The gut", 1) + "\n\nShare this article."  # a web copy: a few words differ
    assert similarity(sketch(a), sketch(a)) == 1.0
    assert similarity(sketch(a), sketch(b)) >= 0.8
    assert similarity(sketch(a), sketch(article(2))) < 0.3
    assert groups({"a": sketch(a), "b": sketch(b), "c": sketch(article(2))}) == [["a", "b"]]


def sentences_of(path: Path) -> set[str]:
    out = set()
    for line in path.read_bytes().splitlines():
        text = orjson.loads(line)["text"]
        out |= {s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 30}
    return out


def manifest_splits(folder: Path) -> dict[str, int]:
    return {k: v["documents"] for k, v in json.loads((folder / "ds.manifest.json").read_text())["counts"]["splits"].items()}


def split_and_check(tmp_path: Path, files: list[Path], copies: int) -> dict:
    project = open_project(tmp_path / "p.annotator")
    report = import_paths(project.repo, files)
    assert len(report.imported) == len(files), report.summary()
    assert len(report.near_duplicates) >= copies - 1, report.summary()
    reviewer = AnnotationService(project.repo, "ann")
    for _path, _title, doc_id in report.imported:
        reviewer.set_status(doc_id, "done")
    out = tmp_path / "ds.jsonl"
    run_export(project.repo, "canonical", out, ExportFilter(statuses=("all",)),
               options=ExportOptions(split=(0.5, 0.25, 0.25), seed=0))
    project.close()
    assert sum(manifest_splits(tmp_path).values()) == len(files)
    train = sentences_of(tmp_path / "ds.train.jsonl")
    for name in ("dev", "test"):
        leaked = sentences_of(tmp_path / f"ds.{name}.jsonl") & train
        assert not leaked, f"{len(leaked)} {name} sentences appear verbatim in train"
    return json.loads((tmp_path / "ds.manifest.json").read_text())


def test_the_same_article_as_txt_html_and_pdf_lands_in_one_split(tmp_path: Path) -> None:
    pytest.importorskip("pymupdf")
    folder = tmp_path / "in"
    folder.mkdir()
    files = []
    for i in range(8):  # other articles, so every split gets documents
        (folder / f"other-{i}.txt").write_text(article(100 + i), encoding="utf-8")
        files.append(folder / f"other-{i}.txt")
    text = article(7, 12)
    paragraphs = text.split("\n\n")
    (folder / "same.txt").write_text(text, encoding="utf-8")
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    (folder / "same.html").write_text(f"<html><head><title>Same</title></head><body><h1>Same</h1>{html}"
                                      "<p>Share this article.</p></body></html>", encoding="utf-8")
    samples.build_text_pdf(folder / "same.pdf", paragraphs, lines=["Downloaded from example.org"])
    files += [folder / "same.txt", folder / "same.html", folder / "same.pdf"]
    manifest = split_and_check(tmp_path, files, 3)
    (group,) = manifest["split"]["near_duplicate_groups"]
    assert len(group) == 3


@pytest.mark.skipif(not REFERENCE.is_dir() or not any(REFERENCE.glob("*.txt")), reason="no reference articles")
def test_reference_articles_as_txt_html_and_pdf_do_not_leak(tmp_path: Path) -> None:
    pytest.importorskip("pymupdf")
    folder = tmp_path / "in"
    folder.mkdir()
    files = []
    for i in range(8):
        (folder / f"other-{i}.txt").write_text(article(100 + i), encoding="utf-8")
        files.append(folder / f"other-{i}.txt")
    real = sorted(REFERENCE.glob("*.txt"))
    for path in real:  # each real article, and its web and PDF copies
        text = path.read_text(encoding="utf-8")
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        (folder / f"{path.stem}.html").write_text(f"<html><body>{body}<p>Share this article.</p></body></html>",
                                                  encoding="utf-8")
        samples.build_text_pdf(folder / f"{path.stem}.pdf", paragraphs, lines=["Downloaded from example.org"])
        files += [path, folder / f"{path.stem}.html", folder / f"{path.stem}.pdf"]
    manifest = split_and_check(tmp_path, files, 3 * len(real))
    assert len(manifest["split"]["near_duplicate_groups"]) == len(real)


def test_many_copies_join_one_group_among_many_unrelated_documents() -> None:
    base = article(5)
    copies = {f"copy-{i:03}": sketch(base + f"\n\nRead on {i} sites.") for i in range(60)}
    others = {f"other-{i:03}": sketch(article(1000 + i)) for i in range(200)}
    found = groups({**copies, **others})
    assert found == [sorted(copies)]


def test_a_sketch_made_piece_by_piece_equals_the_whole_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long texts are hashed in pieces (bounded memory); the sketch must not depend on the cuts,
    even where a cut falls next to a line-end hyphen or inside a run of whitespace."""
    import random
    import zlib
    from array import array

    from annotator import near_duplicates as nd

    def whole(text: str) -> array:
        words = nd.normalise(text).encode("utf-8").split(b" ")
        grams = set(map(b" ".join, zip(*(words[i:] for i in range(3))))) or {b" ".join(words)}
        return array("Q", sorted({(zlib.crc32(g) << 32) | zlib.adler32(g) for g in grams})[:nd.SKETCH])

    monkeypatch.setattr(nd, "_PIECE", 7)
    rnd = random.Random(5)
    vocab = ["gut", "brain", "long", "term", "Ünï", "ﬁbre", "a—b", "x-", "-"]
    for size in (0, 1, 2, 3, 40, 400):
        text = "".join(rnd.choice(vocab) + rnd.choice([" ", "\n", "  ", "-\n", " - "]) for _ in range(size))
        assert nd.sketch(text) == whole(text), text
