"""Shared pieces of the benchmark scripts: figures, the result line, memory, percentiles.

Every benchmark ends by printing one line ``BENCH_RESULT {json}`` (see :func:`emit`);
run_all.py reads only that line, so the scripts stay free to print whatever else helps.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

RESULT_PREFIX = "BENCH_RESULT "
BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent


@dataclass
class Figure:
    """One measured figure and, where the issue names one, its limit.

    ``better`` says which side of ``limit`` passes. ``ratio`` is value / limit, so for a
    "lower is better" figure a ratio above 1 fails and for "higher is better" one below 1 does.
    """

    name: str
    value: float | None
    unit: str
    target: str = ""
    limit: float | None = None
    better: Literal["lower", "higher"] | None = None
    display: str = ""  # how to show the value when more than a number is worth saying
    note: str = ""
    ratio: float | None = field(default=None, init=False)
    passed: bool | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.value is None or self.limit is None or self.better is None:
            return
        self.ratio = self.value / self.limit if self.limit else None  # "none allowed" has no ratio
        self.passed = self.value <= self.limit if self.better == "lower" else self.value >= self.limit


def emit(bench: str, figures: list[Figure], notes: list[str] | None = None, *, status: str = "ok",
         reason: str = "") -> None:
    """Print the human-readable figures, then the one machine-readable result line."""
    for f in figures:
        verdict = "" if f.passed is None else ("  PASS" if f.passed else "  FAIL")
        shown = f.display or (f"{f.value:.4g} {f.unit}" if f.value is not None else "n/a")
        print(f"{f.name}: {shown}" + (f"  (target {f.target})" if f.target else "") + verdict)
    for n in notes or []:
        print(f"note: {n}")
    payload = {"bench": bench, "status": status, "reason": reason, "figures": [asdict(f) for f in figures],
               "notes": notes or []}
    print(RESULT_PREFIX + json.dumps(payload, ensure_ascii=False), flush=True)


def unavailable(bench: str, reason: str, figures: list[tuple[str, str]]) -> None:
    """A benchmark whose piece of the application does not exist yet: say so, do not crash."""
    print(f"{bench}: not available yet: {reason}")
    emit(bench, [Figure(name, None, "", target) for name, target in figures], status="unavailable", reason=reason)


def parser(description: str) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    return ap


# -- memory (Linux /proc; resource.getrusage as the portable fallback for the peak) -----
def _status_kb(key: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return None


def rss_mb() -> float:
    kb = _status_kb("VmRSS")
    return kb / 1024 if kb is not None else peak_rss_mb()


def peak_rss_mb() -> float:
    kb = _status_kb("VmHWM")
    if kb is not None:
        return kb / 1024
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def worker_peak_rss_mb() -> float:
    """Peak RSS of the largest child process waited for so far (an export's worker processes).

    Export workers are reaped by helper threads after the export returns; wait for those
    first, so every worker counts.
    """
    import resource
    import threading

    for thread in threading.enumerate():
        if thread.name.startswith("export-worker-reaper"):
            thread.join(30)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (Linux >= 4.0), so a later peak covers only what follows."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


# -- statistics ---------------------------------------------------------------------------
def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100): a value that was actually measured."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


# -- the machine --------------------------------------------------------------------------
def machine_info() -> dict[str, str]:
    info: dict[str, str] = {"python": platform.python_version(), "platform": platform.platform()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        info["cpu"] = platform.processor() or "unknown"
    info["cores"] = str(os.cpu_count())
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        info["ram"] = f"{pages * size / 2**30:.1f} GiB"
    except (ValueError, OSError, AttributeError):
        info["ram"] = "unknown"
    import sqlite3

    info["sqlite"] = sqlite3.sqlite_version
    for mod, attr in (("PySide6", "__version__"), ("pymupdf", "VersionBind"), ("sqlmodel", "__version__"),
                      ("orjson", "__version__")):
        try:
            info[mod] = str(getattr(__import__(mod), attr))
        except Exception as exc:  # a missing optional library is worth a word, not a crash
            info[mod] = f"unavailable ({type(exc).__name__})"
    info["qt_platform"] = os.environ.get("QT_QPA_PLATFORM", "(default)")
    return info


def qt_env() -> dict[str, str]:
    """Environment for a GUI child: offscreen unless the caller chose a platform."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Keep the user's preferences and default project out of benchmark runs.
    env.setdefault("ANNOTATOR_HOME", str(BENCH_DIR / "out" / "home"))
    return env


# -- the GUI probe (gui_probe.py in a child process) -----------------------------------------
def run_probe(mode: str, project: Path, *, reviewer: str = "reviewer-1", rows: int = 0,
              timeout_s: float = 120.0) -> dict[str, Any]:
    """Spawn gui_probe.py and return its report, with ``spawn`` = the parent's clock at spawn."""
    import subprocess

    env = qt_env()
    prefs = Path(env["ANNOTATOR_HOME"]) / "config" / "preferences.json"
    prefs.parent.mkdir(parents=True, exist_ok=True)
    # A known reviewer, so the app never stops on its "who is reviewing?" dialog.
    prefs.write_text(json.dumps({"reviewer": reviewer}), encoding="utf-8")
    cmd = [sys.executable, str(BENCH_DIR / "gui_probe.py"), mode, str(project), "--reviewer", reviewer,
           "--rows", str(rows), "--timeout", str(timeout_s)]
    spawn = time_monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s + 30, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"probe hung for {timeout_s + 30:.0f} s", "spawn": spawn}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("PROBE "):
            result = json.loads(line[6:])
            result["spawn"] = spawn
            return result
    tail = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
    return {"error": f"probe reported nothing: {tail}", "spawn": spawn}


def time_monotonic() -> float:
    import time

    return time.monotonic()


def scratch_copy(project: Path) -> Path:
    """A copy of a cached project for the app to open: the app may write to what it opens
    (statuses, a schema upgrade), and the cache must stay exactly what generate.py made."""
    import shutil

    target = BENCH_DIR / "out" / "scratch" / project.name
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(project, target)
    return target


def sqlite3_baseline(project: Path, out: Path) -> dict[str, float]:
    """The export baselines' reference: the same rows read with plain sqlite3, grouped by
    (document, annotator) and written as orjson lines without tokens."""
    import sqlite3

    import orjson

    con = sqlite3.connect(f"file:{project}?mode=ro", uri=True)
    statuses = {(d, a): s for d, a, s in con.execute("SELECT document_id, annotator_id, status FROM document_status")}
    docs = con.execute("SELECT id, title, source, format, sha256, text, meta_json FROM document ORDER BY id")
    spans = con.execute(
        "SELECT s.document_id, s.annotator_id, a.name, s.id, s.start, s.end, l.name, s.note FROM span s "
        "JOIN label l ON l.id = s.label_id JOIN annotator a ON a.id = s.annotator_id "
        "ORDER BY s.document_id, s.annotator_id, s.start, s.end, l.name, s.id")
    records = n_spans = 0
    doc = next(docs, None)
    row = next(spans, None)
    with out.open("wb", buffering=1 << 20) as fh:
        while row is not None:
            doc_id, ann_id, ann_name = row[0], row[1], row[2]
            while doc is not None and doc[0] < doc_id:
                doc = next(docs, None)
            text = doc[5] if doc is not None and doc[0] == doc_id else ""
            group = []
            while row is not None and row[0] == doc_id and row[1] == ann_id:
                group.append({"id": row[3], "start": row[4], "end": row[5], "label": row[6],
                              "text": text[row[4]:row[5]], "note": row[7]})
                row = next(spans, None)
            if doc is None or doc[0] != doc_id:
                continue
            meta = {"document_id": doc_id, "title": doc[1], "source": doc[2], "format": doc[3], "sha256": doc[4]}
            meta.update(orjson.loads(doc[6]))
            fh.write(orjson.dumps({"text": text, "spans": group, "meta": meta, "annotator": ann_name,
                                   "status": statuses.get((doc_id, ann_id), "todo")}))
            fh.write(b"\n")
            records += 1
            n_spans += len(group)
    con.close()
    return {"records": records, "spans": n_spans}
