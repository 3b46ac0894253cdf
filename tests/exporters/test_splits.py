"""Train/dev/test splits: grouped by document, stratified by label set, reproducible."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import orjson
import pytest

from annotator.exporters.base import ExportError
from annotator.exporters.options import ExportOptions, parse_split
from annotator.exporters.registry import run_export
from annotator.exporters.splits import assign_splits
from annotator.importing import import_paths
from annotator.project import Project, open_project
from annotator.services import AnnotationService
from annotator.storage.repository import ExportFilter

from .corpus import LABELS, bulk_project, doc_ids, jsonl

NAMES = ("train", "dev", "test")


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> Project:
    p = bulk_project(tmp_path_factory.mktemp("bulk") / "b.annotator", 120)
    yield p
    p.close()


def split_export(project: Project, folder: Path, fmt: str = "doccano", seed: int = 7,
                 split: tuple[float, ...] = (0.8, 0.1, 0.1)) -> dict[str, list[dict]]:
    folder.mkdir(exist_ok=True)
    run_export(project.repo, fmt, folder / "ds.jsonl", options=ExportOptions(split=split, seed=seed))
    names = NAMES if len(split) == 3 else ("train", "test")
    return {name: jsonl(folder / f"ds.{name}.jsonl") for name in names}


def doc_of(line: dict) -> str:
    return line["id"].split(":")[0]


def test_no_document_is_in_two_splits_and_annotators_stay_together(bulk: Project, tmp_path: Path) -> None:
    parts = split_export(bulk, tmp_path)
    where: dict[str, set[str]] = {}
    for name, lines in parts.items():
        for line in lines:
            where.setdefault(doc_of(line), set()).add(name)
    assert all(len(s) == 1 for s in where.values())
    assert len(where) == 120
    two = [line for lines in parts.values() for line in lines if line["annotator"] == "ann-b"]
    assert len(two) == 40  # every third document has a second annotator, in its document's split
    sizes = {name: len({doc_of(x) for x in lines}) for name, lines in parts.items()}
    assert sizes == {"train": 96, "dev": 12, "test": 12}


def test_same_seed_same_bytes_other_seed_other_assignment(bulk: Project, tmp_path: Path) -> None:
    split_export(bulk, tmp_path / "a", seed=7)
    split_export(bulk, tmp_path / "b", seed=7)
    for name in NAMES:
        assert (tmp_path / "a" / f"ds.{name}.jsonl").read_bytes() == (tmp_path / "b" / f"ds.{name}.jsonl").read_bytes()
    other = split_export(bulk, tmp_path / "c", seed=8)
    first = split_export(bulk, tmp_path / "a", seed=7)
    assign = {doc_of(x): n for n, lines in first.items() for x in lines}
    assign_other = {doc_of(x): n for n, lines in other.items() for x in lines}
    assert assign != assign_other and set(assign) == set(assign_other)


def test_the_same_documents_in_another_project_split_the_same_way(bulk: Project, tmp_path: Path) -> None:
    first = split_export(bulk, tmp_path / "a")
    # The same texts imported in another order get other database ids; the split follows the texts.
    lines = sorted((x for part in first.values() for x in part), key=lambda x: x["id"], reverse=True)
    (tmp_path / "again.jsonl").write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in lines))
    other = open_project(tmp_path / "other.annotator")
    import_paths(other.repo, [tmp_path / "again.jsonl"])
    second = split_export(other, tmp_path / "b")
    other.close()
    assert ({doc_of(x): n for n, part in first.items() for x in part}
            == {doc_of(x): n for n, part in second.items() for x in part})


def test_stratified_by_label_set() -> None:
    rng = random.Random(3)
    docs = {f"{i:016x}": frozenset(lb for lb in LABELS if rng.random() < 0.35) for i in range(2000)}
    assign = assign_splits(docs, (0.8, 0.1, 0.1), NAMES, seed=1)
    sizes = Counter(assign.values())
    assert abs(sizes["train"] - 1600) <= 2 and abs(sizes["dev"] - 200) <= 2 and abs(sizes["test"] - 200) <= 2
    for label in LABELS:
        holding = [d for d, labels in docs.items() if label in labels]
        share = Counter(assign[d] for d in holding)
        for name, fraction in zip(NAMES, (0.8, 0.1, 0.1)):
            assert abs(share[name] / len(holding) - fraction) < 0.03, (label, name, share)
    by_set: dict[frozenset[str], Counter[str]] = {}
    for d, labels in docs.items():
        by_set.setdefault(labels, Counter())[assign[d]] += 1
    for labels, share in by_set.items():  # every label set is split in proportion, within one document
        n = sum(share.values())
        assert abs(share["train"] - 0.8 * n) <= 1.5, (labels, share)


def test_rare_label_sets_still_reach_dev_and_test() -> None:
    docs = {f"{i:016x}": frozenset({LABELS[i % 5], f"x{i}"}) for i in range(50)}  # every set unique
    sizes = Counter(assign_splits(docs, (0.8, 0.1, 0.1), NAMES, seed=0).values())
    assert sizes == {"train": 40, "dev": 5, "test": 5}


def test_canonical_splits_and_counts_add_up(bulk: Project, tmp_path: Path) -> None:
    whole = run_export(bulk.repo, "canonical", tmp_path / "all.jsonl")
    parts = run_export(bulk.repo, "canonical", tmp_path / "c.jsonl", options=ExportOptions(split=(0.5, 0.5)))
    assert [p.name for p in parts.files] == ["c.train.jsonl", "c.test.jsonl"]
    assert parts.records == whole.records and parts.spans == whole.spans
    lines = sorted(line for p in parts.files for line in p.read_bytes().splitlines())
    assert lines == sorted((tmp_path / "all.jsonl").read_bytes().splitlines())


@pytest.mark.parametrize("value, message", [
    ("0.8,0.1", "add up to 1"), ("1", "two .* or three"), ("0.5,x,0.5", "fractions like"), ("-0.5,1.5", "zero or more"),
])
def test_bad_split_values(value: str, message: str) -> None:
    with pytest.raises(ExportError, match=message):
        parse_split(value)


def test_pdf_cannot_be_split(bulk: Project, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="cannot be split"):
        run_export(bulk.repo, "pdf", tmp_path / "pdfs", options=ExportOptions(split=(0.5, 0.5)))


@pytest.mark.parametrize("flt", [
    ExportFilter(), ExportFilter(statuses=["todo"]), ExportFilter(statuses=["done", "flagged"]),
    ExportFilter(annotators=["bob"]), ExportFilter(labels=["claim", "citation"]),
    ExportFilter(annotators=["alice", "carol"], statuses=["todo", "done"], labels=["mechanism"]),
], ids=["all", "todo", "done-flagged", "bob", "labels", "mixed"])
def test_the_split_index_lists_exactly_the_groups_the_export_writes(tmp_path: Path, flt: ExportFilter) -> None:
    """The plan's index (one row per group, with its labels) agrees with the groups streamed
    later: pairs with spans and no status ("todo"), a status and no spans, both, or neither."""
    p = bulk_project(tmp_path / "p.annotator", 30, annotators=("alice", "bob"))
    try:
        rng = random.Random(5)
        for doc_id in doc_ids(p):
            carol = AnnotationService(p.repo, "carol")
            if doc_id % 4 == 0:
                carol.set_status(doc_id, rng.choice(["flagged", "done", "in_progress"]))  # a status, no spans
            if doc_id % 5 == 0:
                carol.add_span(doc_id, 0, 5, rng.choice(LABELS))  # spans, no status: "todo"
            if doc_id % 7 == 0:
                AnnotationService(p.repo, "bob").set_status(doc_id, "todo")
        index = [(d, ann, labels) for d, _sha, _title, _source, ann, labels in p.repo.iter_export_index(flt)]
        groups = [(g.document.id, g.annotator, tuple(sorted({s[3] for s in g.spans})))
                  for g in p.repo.iter_export_groups(flt)]
        assert index == groups
        assert len(groups) > 0
    finally:
        p.close()


def test_a_split_export_counts_its_groups_in_its_index_pass(bulk: Project, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """No separate count of the groups before a split export (a pass over every span):
    the plan's index pass gives the progress bar its total."""
    expected = bulk.repo.count_export_groups(ExportFilter())

    def no_count(*_args: object) -> int:
        raise AssertionError("counted the groups twice")

    monkeypatch.setattr(type(bulk.repo), "count_export_groups", no_count)
    seen: list[tuple[int, int]] = []
    result = run_export(bulk.repo, "doccano", tmp_path / "ds.jsonl", options=ExportOptions(split=(0.8, 0.2)),
                        progress=lambda done, total, _msg: seen.append((done, total)))
    assert result.records == expected
    assert seen[-1] == (expected, expected)
    assert {total for _done, total in seen} == {expected}
