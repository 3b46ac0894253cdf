"""Exports on several cores write exactly what one process writes, and fail as cleanly."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import subprocess
import sys
import zlib
from contextlib import closing
from pathlib import Path

import pytest

from annotator.exporters import parallel, workers
from annotator.exporters.base import ExportError
from annotator.exporters.options import ExportOptions
from annotator.exporters.registry import FORMATS, run_export
from annotator.exporters.sink import Context, DatasetFormat
from annotator.project import Project, open_project
from annotator.services import AnnotationService
from annotator.storage import db
from annotator.storage.repository import ExportFilter, Repository

from .corpus import add, bulk_project, small_project

PARALLEL = [name for name, f in FORMATS.items() if name != "pdf" and getattr(f.exporter(), "parallel", False)]
SPACY = importlib.util.find_spec("spacy") is not None


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Bulk documents plus the hand-made ones (emoji, overlaps, notes, a span across lines),
    and statuses that differ per annotator."""
    folder = tmp_path_factory.mktemp("parallel")
    p = bulk_project(folder / "p.annotator", 240)
    hand = small_project(folder / "hand.annotator")  # its documents, copied in after the bulk ones
    for doc_id in (1, 2):
        info = hand.repo.document(doc_id)
        new_id = add(p, info.text, info.title + "-copy")
        for span in hand.repo.spans(doc_id):
            AnnotationService(p.repo, span.annotator).add_span(new_id, span.start, span.end, span.label,
                                                               note=span.note)
    hand.close()
    AnnotationService(p.repo, "ann-b").set_status(5, "flagged")
    AnnotationService(p.repo, "carol").set_status(9, "in_progress")  # a status without spans
    yield p
    p.close()


def _export(p: Project, fmt: str, out: Path, workers: int, flt: ExportFilter = ExportFilter(),
            **options: object) -> dict[str, bytes]:
    """Every file the export wrote (output, splits, manifest, card), by path relative to out's folder."""
    result = run_export(p.repo, fmt, out, flt, options=ExportOptions(workers=workers, **options))  # type: ignore[arg-type]
    assert not result.cancelled
    return {str(f.relative_to(out.parent)): f.read_bytes() for f in sorted(out.parent.rglob("*")) if f.is_file()}


SPLIT = {"split": (0.8, 0.1, 0.1), "seed": 4}
CASES = [*((fmt, {}) for fmt in PARALLEL if fmt != "spacy" or SPACY), ("canonical", SPLIT), ("hf-bio", SPLIT),
         ("brat", SPLIT), ("csv", {"title": "doc-1*"})]
if SPACY:
    CASES += [("spacy", SPLIT), ("spacy", {"ents": True})]


@pytest.fixture(params=["spawn", "fork"])
def method(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Workers started as fresh interpreters, or forked (what the CLI gets on Linux)."""
    monkeypatch.setattr(workers, "START", request.param)
    return request.param


@pytest.mark.parametrize("fmt, options", CASES, ids=[f"{f}-{'-'.join(o) or 'all'}" for f, o in CASES])
def test_several_processes_write_the_same_bytes_as_one(corpus: Project, tmp_path: Path, fmt: str,
                                                       options: dict[str, object], method: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "BATCH_CHARS", 2_000)  # many batches, of a few documents each
    suffix = FORMATS[fmt].suffix
    out = tmp_path / "one" / f"data{suffix}"
    out.parent.mkdir()
    alone = _export(corpus, fmt, out, 1, **options)
    for f in out.parent.iterdir():  # the same path again, so the manifest's command is the same too
        if f.is_dir():
            shutil.rmtree(f)
        else:
            f.unlink()
    shared = _export(corpus, fmt, out, 2, **options)
    assert len(alone) >= 3  # output(s), manifest, card
    assert shared.keys() == alone.keys()
    for name in alone:
        assert shared[name] == alone[name], name


@pytest.mark.skipif(not SPACY, reason="spaCy is an optional extra")
def test_spacy_bytes_do_not_depend_on_where_the_deflate_input_was_cut(corpus: Project, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.exporters import docbin_stream

    # Tiny chunks: one process hands the compressor every few documents, the parallel export
    # a batch at a time; deflate without flushes gives the same stream either way.
    monkeypatch.setattr(docbin_stream, "_CHUNK", 4096)
    monkeypatch.setattr(parallel, "BATCH_CHARS", 5_000)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    alone = _export(corpus, "spacy", tmp_path / "a" / "x.spacy", 1)
    shared = _export(corpus, "spacy", tmp_path / "b" / "x.spacy", 2)
    assert len(zlib.decompress(alone["x.spacy"])) > 8 * 4096  # many chunks
    assert shared["x.spacy"] == alone["x.spacy"]


def test_filters_reach_the_workers(corpus: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "BATCH_CHARS", 2_000)
    flt = ExportFilter(annotators=("ann-b",), statuses=("done",), labels=("claim", "citation"))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    alone = _export(corpus, "spans", tmp_path / "a" / "x.jsonl", 1, flt)
    shared = _export(corpus, "spans", tmp_path / "b" / "x.jsonl", 2, flt)
    assert shared["x.jsonl"] == alone["x.jsonl"]
    assert b'"label":"mechanism"' not in shared["x.jsonl"]
    assert b'"annotator":"ann-a"' not in shared["x.jsonl"]


def test_who_works_is_decided_by_format_database_and_size(tmp_path: Path) -> None:
    p = open_project(tmp_path / "p.annotator")
    try:
        spans = FORMATS["spans"].exporter()

        class OneOutput(DatasetFormat):
            name, suffix = "one", ".bin"  # parallel stays False: its sinks cannot take batches
        auto = ExportOptions()
        assert parallel.worker_count(spans, p.repo, auto, 10) == 1  # small: start-up would cost more
        assert parallel.worker_count(spans, p.repo, auto, 10**6) == min(parallel.cores(), parallel.MAX_WORKERS)
        assert parallel.worker_count(spans, p.repo, ExportOptions(workers=3), 10) == 3
        assert parallel.worker_count(OneOutput(), p.repo, ExportOptions(workers=3), 10**6) == 1
    finally:
        p.close()
    memory = Repository(db.make_engine("sqlite://"))
    assert parallel.worker_count(spans, memory, ExportOptions(workers=3), 10**6) == 1  # no other process sees it


def test_a_worker_that_cannot_read_the_project_fails_the_export(tmp_path: Path) -> None:
    empty = Repository(db.make_engine(f"sqlite:///{tmp_path / 'empty.db'}"))  # a database without tables
    ctx = Context([], ExportOptions())
    with closing(parallel.Pool(empty, 1)) as pool, pytest.raises(ExportError, match="no such table"):
        list(parallel.parts(pool, empty, "spans", ExportFilter(), ctx, iter([(1, 5, None)]), {None: None}))


def test_a_worker_that_dies_leaves_nothing_behind(corpus: Project, tmp_path: Path, method: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    if method == "spawn":
        monkeypatch.setattr(workers, "WORKER_MAIN", "import sys; sys.exit(3)")
    else:  # the forked child runs this process's serve(): make it exit at once
        monkeypatch.setattr(parallel, "serve", lambda *_: os._exit(3))
    out = tmp_path / "x.jsonl"
    with pytest.raises(ExportError, match=r"stopped unexpectedly \(exit code 3\).*--workers 1"):
        run_export(corpus.repo, "hf-bio", out, options=ExportOptions(workers=2))
    assert list(tmp_path.iterdir()) == []


def test_cancelling_stops_the_workers_and_writes_nothing(corpus: Project, tmp_path: Path, method: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "BATCH_CHARS", 2_000)
    started: list[workers.Worker] = []
    real_init = workers.Worker.__init__

    def recording_init(self: workers.Worker, how: str, siblings: list[int]) -> None:
        real_init(self, how, siblings)
        started.append(self)

    monkeypatch.setattr(workers.Worker, "__init__", recording_init)
    asked: list[int] = []

    def cancelled() -> bool:  # asked once per batch written: cancel after two
        asked.append(1)
        return len(asked) > 3

    result = run_export(corpus.repo, "canonical", tmp_path / "x.jsonl", cancelled=cancelled,
                        options=ExportOptions(workers=2))
    assert result.cancelled
    assert list(tmp_path.iterdir()) == []
    assert len(started) == 2 and all(w.forked == (method == "fork") for w in started)
    for worker in started:
        assert worker.proc.wait(timeout=10) is not None  # killed, not left running


CHOICE = """
import sys, threading
from pathlib import Path
from annotator.exporters import workers
from annotator.project import open_project

p = open_project(Path(sys.argv[1]), create=False)
engine = p.repo.engine
print(workers.start_method(engine))  # one thread, no connection in use
with engine.connect():
    print(workers.start_method(engine))  # a connection in use cannot cross a fork
stop = threading.Event()
threading.Thread(target=stop.wait).start()
print(workers.start_method(engine))  # another thread: never fork
stop.set()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers fork on Linux only")
def test_workers_fork_only_from_one_thread_without_open_connections(corpus: Project) -> None:
    run = subprocess.run([sys.executable, "-c", CHOICE, corpus.path], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["fork", "spawn", "spawn"]


AFTER_A_SMALL_EXPORT = """
import sys
from pathlib import Path
from annotator.exporters import workers
from annotator.exporters.options import ExportOptions
from annotator.exporters.registry import run_export
from annotator.project import open_project

p = open_project(Path(sys.argv[1]), create=False)
print("numpy" in sys.modules)
run_export(p.repo, "canonical", Path(sys.argv[2]), options=ExportOptions(workers=1))  # searches with numpy, here
print("numpy" in sys.modules)
print(workers.start_method(p.repo.engine))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers fork on Linux only")
def test_numpy_used_by_an_export_leaves_the_process_able_to_fork(corpus: Project, tmp_path: Path) -> None:
    """numpy is imported by the first export that needs it (not before), without BLAS threads,
    so a later export in the same process (the app's, or a script's) still forks its workers."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    run = subprocess.run([sys.executable, "-c", AFTER_A_SMALL_EXPORT, corpus.path, str(tmp_path / "out.jsonl")],
                         capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "True", "fork"]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts this process's pipes in /proc")
def test_a_fork_that_fails_is_a_clear_error_and_leaks_no_pipe(corpus: Project, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "START", "fork")

    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    def pipes() -> int:
        return sum(os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:") for fd in os.listdir("/proc/self/fd")
                   if os.path.exists(f"/proc/self/fd/{fd}"))

    monkeypatch.setattr(os, "fork", no_fork)
    before = pipes()
    with pytest.raises(ExportError, match="cannot start an export worker process.*--workers 1"):
        run_export(corpus.repo, "spans", tmp_path / "x.jsonl", options=ExportOptions(workers=2))
    assert pipes() == before
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("iov_max", [3, 1024])
def test_a_batch_s_pieces_cross_the_pipe_as_one_frame(monkeypatch: pytest.MonkeyPatch, iov_max: int) -> None:
    """A worker's output goes to the pipe from the pieces it kept (writev, no joined copy),
    over many calls when the pipe is full or the pieces many, and arrives as the one message."""
    import threading

    monkeypatch.setattr(workers, "_IOV_MAX", iov_max)
    out = parallel.Pieces()
    scratch = bytearray(b"mutable")
    for i in range(400):
        out.write(bytes([i % 251]) * (i * 37 % 9000))  # empty pieces too
        out.write(memoryview(b"{tokens},rest")[i % 7:])
    out.write(scratch)
    scratch[:] = b"changed"  # kept as a copy: a buffer that changes later is not sent changed
    expected = b"".join(out.parts)
    assert expected.endswith(b"mutable") and out.size == len(expected) > (1 << 20)
    read_fd, write_fd = os.pipe()
    got: list[bytes | None] = []
    with os.fdopen(read_fd, "rb") as reader:
        thread = threading.Thread(target=lambda: got.append(workers.read_frame(reader)))
        thread.start()
        with os.fdopen(write_fd, "wb") as writer:
            workers.write_pieces(writer, out.parts, out.size)
        thread.join()
    assert got == [expected]


def test_a_worker_s_sender_writes_results_in_order_while_the_worker_goes_on(tmp_path: Path) -> None:
    read_fd, write_fd = os.pipe()
    with os.fdopen(read_fd, "rb") as reader, os.fdopen(write_fd, "wb") as writer:
        sender = parallel._Sender(writer)
        big = parallel.Pieces()
        big.write(b"x" * (3 << 20))  # more than a pipe holds: the sender blocks until it is read
        big.write(memoryview(b"tail"))
        small = parallel.Pieces()
        small.write(b"second")
        sender.put(b"head-1", [big])
        sender.put(b"head-2", [small])  # the first is still being written: put() did not wait for it
        assert workers.read_frame(reader) == b"head-1"
        assert workers.read_frame(reader) == b"x" * (3 << 20) + b"tail"
        assert workers.read_frame(reader) == b"head-2"
        assert workers.read_frame(reader) == b"second"
        sender.close()
        writer.close()
        assert reader.read() == b""  # nothing more was written


def test_a_worker_s_sender_reports_a_broken_pipe_at_the_next_result() -> None:
    read_fd, write_fd = os.pipe()
    os.close(read_fd)  # the main process is gone
    writer = os.fdopen(write_fd, "wb")
    try:
        sender = parallel._Sender(writer)
        with pytest.raises(BrokenPipeError):
            for _ in range(100):  # a result's failure shows at a later put (the first may be on its way)
                sender.put(b"head", [])
                sender._thread.join(0.01)
        sender.close()
    finally:
        with contextlib.suppress(OSError):
            writer.close()
