"""Large exports on every core: batches of documents formatted by worker processes, written here in order.

A dataset format's lines depend on their own document only, so the corpus splits into
batches of consecutive document ids. Each worker process opens the project itself (a read
connection of its own), runs the format's sinks over one batch at a time, into memory for
a file format or straight into the staging folder for a folder format, and sends back the
bytes, the files it wrote and the sinks' counts (its statistics for the card come once, after
its last batch). This process writes the batches in id order through the same hashing
output a one-process export uses, so the files, the manifest and the card are byte for byte
the same (a test compares them): only the wall time changes. Starting and speaking to the
processes is :mod:`workers`' job (forked when that is safe, else fresh interpreters).

When (:func:`worker_count`): the format allows it (``DatasetFormat.parallel``: its sinks
write nothing when opened but a header and nothing when closed, or hand each batch over
through ``Sink.batch``/``Sink.absorb``, as spaCy's one DocBin does), another process can
open the database (a file or a server, not SQLite in memory), there is more than one core,
and the export is large enough (:data:`MIN_GROUPS`) for the workers' start-up (a fresh
interpreter imports the storage layer, about half a second) to pay off. ``ExportOptions.workers``
overrides the choice; 1 means this process only.

Consistency: a one-process export reads in one transaction; here each batch reads in its
own, so an edit saved while the export runs shows in the batches read after it. The
manifest's counts are taken from what was written, so they agree with the files.

Memory: at most two batches per worker are in flight, each about :data:`BATCH_CHARS` of
text (or one document, if larger), so this process's memory does not follow the corpus.
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from annotator.exporters import workers
from annotator.exporters.base import ExportError
from annotator.exporters.options import ExportOptions
from annotator.exporters.selection import picked
from annotator.exporters.sink import Context, DatasetFormat, Sink, write_groups
from annotator.exporters.stats import Tally
from annotator.labels import LabelSpec
from annotator.storage import db
from annotator.storage.repository import ExportFilter, ExportGroup, Repository

BATCH_CHARS = 1 << 19  # about 130 articles of 4,000 characters
BATCH_DOCUMENTS = 512
MIN_GROUPS = 2000  # below this an export takes about a second in one process
MAX_WORKERS = 8

Batch = tuple[int, int, "dict[int, str] | None"]  # first id, last id, split of each selected id (None: all)
Places = dict["str | None", "str | None"]  # split -> staging folder of a folder format, or None (bytes)


@dataclass
class Part:
    """What a worker made of one batch; or, last, the statistics of all of its batches (``tally``)."""

    records: int = 0
    spans: int = 0
    title: str = ""  # the last document's, for the progress message
    outputs: dict[str | None, Any] = field(default_factory=dict)  # bytes here; a worker's Pieces there
    batches: dict[str | None, Any] = field(default_factory=dict)  # from Sink.batch(), when not bytes
    files: dict[str | None, list[tuple[str, str, int]]] = field(default_factory=dict)
    counts: dict[str | None, dict[str, Any]] = field(default_factory=dict)
    tally: Tally | None = None


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(fmt: DatasetFormat, repo: Repository, options: ExportOptions, groups: int) -> int:
    """How many worker processes this export uses (1: none, the export runs here)."""
    if not fmt.parallel or not db.shareable(repo.engine):
        return 1
    if options.workers is not None:
        return max(1, min(options.workers, MAX_WORKERS))
    if groups < MIN_GROUPS:
        return 1
    return min(cores(), MAX_WORKERS)


def batches(repo: Repository, split_of: dict[int, str] | None) -> Iterator[Batch]:
    """Consecutive id ranges of about BATCH_CHARS of text; ``split_of`` limits them to its ids.

    Made as the export goes, so a split's per-batch maps are never all in memory at once.
    """
    first = last = -1
    chars = count = 0
    mine: dict[int, str] | None = None if split_of is None else {}
    for doc_id, n in repo.document_sizes():
        if split_of is not None:
            split = split_of.get(doc_id)
            if split is None:
                continue
            assert mine is not None
            mine[doc_id] = split
        if count == 0:
            first = doc_id
        last = doc_id
        chars += n
        count += 1
        if chars >= BATCH_CHARS or count >= BATCH_DOCUMENTS:
            yield first, last, mine
            chars = count = 0
            mine = None if split_of is None else {}
    if count:
        yield first, last, mine


class Pool:
    """The worker processes of one export, started before the export opens its outputs.

    Started first because a sink may start a thread (canonical's writer, spaCy's deflater)
    and a process with threads must not fork (see :mod:`workers`). Use inside ``closing()``.
    """

    def __init__(self, repo: Repository, count: int) -> None:
        method = workers.start_method(repo.engine)
        self.members: list[workers.Worker] = []
        self.completed = False
        try:
            for _ in range(count):
                siblings = [fd for w in self.members for fd in w.fds()]
                self.members.append(workers.Worker(method, siblings))
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stop the workers: politely once :func:`parts` has finished, at once otherwise."""
        for worker in self.members:
            worker.stop(self.completed)
        self.members = []


def parts(pool: Pool, repo: Repository, fmt_name: str, flt: ExportFilter, ctx: Context, todo: Iterator[Batch],
          places: Places) -> Iterator[Part]:
    """Every batch's Part, in order, then one Part per worker holding only its ``tally``.

    Batch i goes to worker i mod n, two batches ahead per worker; results are read in
    order, so a worker whose result waits to be read blocks on its pipe (memory stays put)
    while the others go on.
    """
    url = repo.engine.url.render_as_string(hide_password=False)
    setup = (url, fmt_name, ctx.labels, ctx.options, flt, str(ctx.folder), places)
    members = pool.members
    for worker in members:
        worker.send(setup)
    waiting: deque[workers.Worker] = deque()  # the workers owing a result, in batch order
    for n, batch in enumerate(todo):
        if len(waiting) == 2 * len(members):
            yield _receive(waiting.popleft())
        worker = members[n % len(members)]
        worker.send(batch)
        waiting.append(worker)
    while waiting:
        yield _receive(waiting.popleft())
    for worker in members:  # each worker's statistics, kept over all its batches
        worker.send(_TALLY)
        yield _receive(worker)
    pool.completed = True


def _receive(worker: workers.Worker) -> Part:
    """The worker's next Part: a pickle without its outputs, then each output's raw bytes (one copy)."""
    kind, value = pickle.loads(worker.read())
    if kind == "error":
        raise ExportError(value)
    part: Part = value
    part.outputs = {name: worker.read() for name in part.outputs}
    return part


_TALLY = "tally"  # asks a worker for its statistics once every batch is done


def serve(stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """A worker process's loop: set up from the first message, then one Part per batch.

    Spawned, it talks on its standard input and output; forked, on the pipes it is given.
    """
    if stdin is None or stdout is None:
        stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed may reach the pipe
    with suppress(ValueError):  # Ctrl-C reaches the whole process group: the export stops its workers
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    def read() -> Any:
        data = workers.read_frame(stdin)
        return None if data is None else pickle.loads(data)

    out = _Sender(stdout)

    def send(kind: str, value: Any) -> None:
        outputs: dict[str | None, Pieces] = {}
        if isinstance(value, Part):  # outputs go raw, after the pickle: no pickled copy of them
            outputs, value.outputs = value.outputs, dict.fromkeys(value.outputs, b"")
        out.put(pickle.dumps((kind, value), protocol=pickle.HIGHEST_PROTOCOL), list(outputs.values()))

    try:
        _serve(read, send)
    finally:
        out.close()


def _serve(read: Any, send: Any) -> None:
    setup = read()
    if setup is None:
        return
    try:
        _start(*setup)
    except Exception as exc:  # reported with the first batch
        failure: str | None = f"an export worker could not open the project: {type(exc).__name__}: {exc}"
    else:
        failure = None
    while (batch := read()) is not None:
        if failure is not None:
            send("error", failure)
            continue
        if batch == _TALLY:
            send("part", Part(tally=_worker["tally"]))
            continue
        try:
            part = _run(*batch)
        except ExportError as exc:
            send("error", str(exc))
        except Exception as exc:  # noqa: BLE001 - sent back as a message the export reports
            send("error", f"exporting documents {batch[0]} to {batch[1]} failed: {type(exc).__name__}: {exc}")
        else:
            send("part", part)


class _Sender:
    """A worker's results written to its pipe by a thread of its own, in order.

    The main process reads results in batch order, so a finished batch may wait for it
    while it reads another worker's; meanwhile the next batch (already assigned) is made
    here instead of the worker blocking on its pipe (measured: about an eighth of two
    cores' time idle on the benchmark's canonical export). Writing releases the GIL. At
    most one result waits for the thread; an error (the main process gone) ends the worker.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._queue: queue.Queue[tuple[bytes, list[Pieces]] | None] = queue.Queue(1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="export-worker-send", daemon=True)
        self._thread.start()

    def put(self, head: bytes, outputs: list[Pieces]) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put((head, outputs))

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue
            head, outputs = item
            try:
                workers.write_frame(self._stream, head)
                self._stream.flush()
                for pieces in outputs:
                    workers.write_pieces(self._stream, pieces.parts, pieces.size)
            except BaseException as exc:  # noqa: BLE001 - re-raised by put() in the worker's loop
                self._error = exc

    def close(self) -> None:
        """Send what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join()


def merge_counts(into: dict[str, Any], part: dict[str, Any]) -> None:
    """Add a batch's sink counts (numbers, or per-label dicts of numbers) to a sink's."""
    for key, value in part.items():
        if isinstance(value, dict):
            mine = into.setdefault(key, {})
            for k, n in value.items():
                mine[k] = mine.get(k, 0) + n
        else:
            into[key] = into.get(key, 0) + value


# -- in the worker processes ---------------------------------------------------------------------
_worker: dict[str, Any] = {}


class Pieces:
    """A worker's output file: keeps what is written as the objects themselves, not a copy.

    A batch is megabytes (canonical's lines are mostly token JSON from the cache), and
    copying it into a buffer, growing the buffer and copying it again onto the pipe cost a
    fifth of a canonical worker's time; the pieces go to the pipe in ``writev`` calls instead.
    Only immutable bytes (or views of them) are kept as they are; anything else is copied.
    """

    def __init__(self) -> None:
        self.parts: list[bytes | memoryview] = []
        self.size = 0

    def write(self, data: Any) -> int:
        if type(data) is not bytes and not (type(data) is memoryview and type(data.obj) is bytes):
            data = bytes(data)
        self.parts.append(data)
        self.size += len(data)
        return len(data)

    def clear(self) -> None:
        self.parts, self.size = [], 0

    def flush(self) -> None:
        pass


def _start(url: str, fmt_name: str, labels: list[LabelSpec], options: ExportOptions, flt: ExportFilter,
           folder: str, places: Places) -> None:
    from annotator.exporters.registry import FORMATS

    repo = Repository(db.make_engine(url))
    # One tally for every batch, sent once at the end: merging a tally per batch here and
    # in the main process cost the main process a third of a second at a million spans.
    _worker.update(repo=repo, fmt=FORMATS[fmt_name].exporter(), flt=flt, tally=Tally([s.name for s in labels]),
                   ctx=Context(labels, options, Path(folder), repo=repo, worker=True), places=places,
                   carry={})


def _run(first: int, last: int, split_of: dict[int, str] | None) -> Part:
    repo: Repository = _worker["repo"]
    places: Places = _worker["places"]
    fmt: DatasetFormat = _worker["fmt"]
    ctx: Context = _worker["ctx"]
    part = Part()
    sinks: dict[str | None, Sink] = {}
    buffers: dict[str | None, Pieces] = {}
    opened_with: dict[str | None, int] = {}
    try:
        for name, place in places.items():
            output = replace(ctx, carry=_worker["carry"].setdefault(name, {}))
            if place is None:
                buffers[name] = Pieces()
                sinks[name] = fmt.open(buffers[name], output)  # type: ignore[arg-type]
                buffers[name].clear()  # the header: written once, by the main process
            else:
                sinks[name] = fmt.open(Path(place), output)
                opened_with[name] = len(getattr(sinks[name], "files", ()))
        groups = repo.iter_export_groups(_worker["flt"], documents=(first, last))

        def each(group: ExportGroup) -> None:
            part.title = group.document.title

        with repo.token_cache(documents=(first, last)) as cache:
            write_groups(picked(groups, split_of), cache, _worker["tally"], sinks, part, each)
        for name, sink in sinks.items():
            part.counts[name] = sink.counts
            value = sink.batch()
            if value is not None:
                part.batches[name] = value
                continue
            sink.close()  # a parallel format's close only finishes what write began
            if name in buffers:
                part.outputs[name] = buffers[name]
            else:
                part.files[name] = list(getattr(sink, "files", ()))[opened_with[name]:]
        return part
    finally:
        for sink in sinks.values():
            sink.dispose()
