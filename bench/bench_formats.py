"""Every dataset format's export speed and memory against a plain sqlite3 read of the same rows.

    python bench/bench_formats.py [--quick] [--docs 20000] [--spans 1000000] [--chars 4000]
                                  [--formats spans,hf-bio] [--repeat 1]

Each export runs in its own fresh child process through ``run_export`` (manifest and
SHA-256 included, as users get them; the project opened as ``annotator export`` opens it,
without the app's background check of a large file), on a project from bench/generate.py. The baseline is
the one bench_export.py defines (and is repeated here so the two cannot drift apart
silently): one stdlib ``sqlite3`` connection reads every document and every span joined
to its label and annotator in export order, groups spans by (document, annotator) and
writes one orjson line per group (text, spans with their text, meta, annotator, status).

Speed: the machine's speed drifts (by up to half within one run), so every export run is
bracketed by baseline runs, just before and just after it, and its ratio is the mean of
those two baselines over its time; a format's figure is the median of its runs' ratios.

Folder outputs (brat: 40,000 files on the full corpus) are kept until the end, not deleted
after their run as files are: on ext4 without a journal, a new file skips over the inodes
freed in the last minute (five, while their inode table is not yet written back), reading
each, so creating 40,000 files right after deleting 40,000 took 5-12 s of kernel time
instead of 1 (``recently_deleted`` and ``find_get_block_common`` on top of ``perf``). That
is the benchmark's own deletion, not the export's cost; a run made within minutes of
deleting many files elsewhere on that file system still pays it.

Memory: each child resets the kernel's peak-RSS mark just before the export and reports
peak minus the RSS then. "Flat" compares that growth on the full corpus with the growth
on a quarter of it: a streaming export's growth must not follow the corpus (allowance
25 MB; what may grow is small per document: a split's plan, brat's file list, spaCy's
string table of distinct tokens).
"""

from __future__ import annotations

import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from benchlib import Figure  # noqa: E402

SPEED_LIMIT = 0.7  # information now: each format is judged on its time
SECONDS_LIMIT = {"spacy": 60.0}  # every other format: 10 s
FLAT_ALLOWANCE_MB = 25.0
SPLIT = "hf-bio+split"  # hf-bio with --split 0.8,0.1,0.1: the two-pass path


baseline = benchlib.sqlite3_baseline


def export(fmt: str, project: Path, out: Path, workers: int | None) -> dict[str, float]:
    from annotator.exporters.options import ExportOptions
    from annotator.exporters.registry import run_export
    from annotator.project import open_project

    split = (0.8, 0.1, 0.1) if fmt == SPLIT else None
    options = ExportOptions(split=split, seed=1, workers=workers)
    proj = open_project(project, create=False, background_care=False)  # as `annotator export` opens it
    try:
        result = run_export(proj.repo, fmt.partition("+")[0], out, options=options)
    finally:
        proj.close()
    size = sum(sum(p.stat().st_size for p in f.rglob("*") if p.is_file()) if f.is_dir() else f.stat().st_size
               for f in result.files)
    return {"records": result.records, "spans": result.spans, "bytes": size}


def suffix_of(fmt: str) -> str:
    from annotator.exporters.registry import FORMATS

    return FORMATS[fmt.partition("+")[0]].suffix


def child(kind: str, project: Path, out: Path, workers: int | None) -> None:
    """One measured run; imports happen before the clock and the memory mark start."""
    import orjson  # noqa: F401

    if kind != "baseline":
        import annotator.exporters.registry as registry
        import annotator.project  # noqa: F401

        registry.FORMATS[kind.partition("+")[0]].exporter()  # the format's module (and spaCy) loaded
    benchlib.reset_peak_rss()
    rss0 = benchlib.rss_mb()
    t0 = time.perf_counter()
    counts = baseline(project, out) if kind == "baseline" else export(kind, project, out, workers)
    seconds = time.perf_counter() - t0
    growth = benchlib.peak_rss_mb() - rss0
    counts.setdefault("bytes", out.stat().st_size if out.is_file() else 0)
    print(json.dumps({"seconds": seconds, "growth_mb": growth, "worker_peak_mb": benchlib.worker_peak_rss_mb(),
                      **counts}))


def run_child(kind: str, project: Path, out: Path, workers: int | None = None) -> dict[str, float]:
    extra = [] if workers is None else ["--workers", str(workers)]
    proc = subprocess.run([sys.executable, __file__, "--child", kind, "--project", str(project), "--out", str(out),
                           *extra], capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} child failed: {proc.stderr.strip().splitlines()[-1:] or proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def available_formats() -> list[str]:
    from annotator.exporters.registry import FORMATS

    names = [n for n in FORMATS if n != "pdf"]
    try:
        import spacy  # noqa: F401
    except ImportError:
        names.remove("spacy")
    return [*names, SPLIT]


def main() -> None:
    ap = benchlib.parser(__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int)
    ap.add_argument("--spans", type=int)
    ap.add_argument("--chars", type=int, default=4000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--formats", help="comma-separated subset (default: every format but pdf)")
    ap.add_argument("--workers", type=int, help="worker processes for the exports (default: the app's choice)")
    ap.add_argument("--child")
    ap.add_argument("--project", type=Path)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.project, args.out, args.workers)
        return
    docs = args.docs or (500 if args.quick else 20_000)
    spans = args.spans or (25_000 if args.quick else 1_000_000)
    try:
        formats = args.formats.split(",") if args.formats else available_formats()
    except ImportError as exc:
        benchlib.unavailable("formats", f"dataset exporters: {exc}", [("export formats", f"≥ {SPEED_LIMIT}× sqlite3")])
        return
    import generate

    t0 = time.perf_counter()
    full = generate.project(docs, spans, chars=args.chars)
    quarter = generate.project(max(1, docs // 4), max(1, spans // 4), chars=args.chars)
    print(f"data: {full} and {quarter} ({time.perf_counter() - t0:.1f} s to generate or find)")
    figures: list[Figure] = []
    notes = [f"{docs:,} documents / {spans:,} spans; baseline = plain sqlite3 read of the same rows grouped by "
             f"(document, annotator) + orjson lines; each run in a fresh process; {max(1, args.repeat)} run(s) "
             "of each export",
             "flat = peak RSS growth on the full corpus ≤ growth on a quarter of it + "
             f"{FLAT_ALLOWANCE_MB:.0f} MB",
             f"exports and the baseline each run in one process ({benchlib.machine_info()['cores']} cores here)"]
    with tempfile.TemporaryDirectory(prefix="bench-formats-") as tmp:
        serial = itertools.count()

        def once(kind: str, project: Path, i: int) -> dict[str, float]:
            # A new name every run: an export to an earlier run's folder would replace (delete) it.
            out = Path(tmp) / f"{kind}-{i}-{next(serial)}{'' if kind == 'baseline' else suffix_of(kind)}"
            try:
                return run_child(kind, project, out, None if kind == "baseline" else args.workers)
            finally:
                if not out.is_dir():  # a folder of many small files (brat) is left for the end: see the docstring
                    subprocess.run(["rm", "-rf", str(out), str(out.with_suffix(""))], check=False)

        full.read_bytes()  # into the page cache, so no run pays the first disk read
        # The machine's speed drifts by up to half within a run, so each export is compared
        # with the baselines run just before and just after it (the mean of the two): both
        # sides of a ratio then see the same machine. Runs go b, e, b, e, b for two repeats.
        repeat = max(1, args.repeat)
        bases: list[float] = []
        measured: list[tuple[str, dict[str, float], dict[str, float], list[float]]] = []
        for fmt in formats:
            try:
                before = once("baseline", full, 0)["seconds"]
                bases.append(before)
                runs, ratios = [], []
                for i in range(repeat):
                    runs.append(once(fmt, full, i))
                    after = once("baseline", full, i + 1)["seconds"]
                    bases.append(after)
                    ratios.append((before + after) / 2 / runs[-1]["seconds"])
                    before = after
                small = min((once(fmt, quarter, i) for i in range(repeat)), key=lambda r: r["seconds"])
            except RuntimeError as exc:
                figures.append(Figure(f"{fmt} export", None, "", f"≥ {SPEED_LIMIT}× sqlite3", note=str(exc)))
                continue
            r = min(runs, key=lambda x: x["seconds"])
            seconds = ", ".join(f"{x['seconds']:.2f}" for x in runs)
            around = ", ".join(f"{b:.2f}" for b in bases[-repeat - 1:])
            print(f"  {fmt}: {seconds} s; baselines around them {around} s; {r['bytes'] / 1e6:.0f} MB, "
                  f"+{r['growth_mb']:.0f} MB peak (quarter corpus +{small['growth_mb']:.0f} MB), largest worker "
                  f"process {r['worker_peak_mb']:.0f} MB (quarter {small['worker_peak_mb']:.0f} MB)")
            measured.append((fmt, r, small, ratios))
        times = sorted(bases)
        notes.append(f"baseline: {len(bases)} runs from {times[0]:.2f} to {times[-1]:.2f} s; each ratio is the mean "
                     "of the baselines just before and after an export over its time; the figure is the median "
                     "of the ratios of its runs")
        for fmt, r, small, ratios in measured:
            speed = statistics.median(ratios)
            limit = SECONDS_LIMIT.get(fmt, 10.0)
            figures.append(Figure(f"{fmt} export time", r["seconds"], "s", f"≤ {limit:.0f} s", limit, "lower",
                                  f"{r['seconds']:.2f} s"))
            figures.append(Figure(f"{fmt} export speed vs sqlite3", speed, "×", display=f"{speed:.2f}× (runs: "
                                  f"{', '.join(f'{x:.2f}×' for x in ratios)}; fastest {r['seconds']:.2f} s, "
                                  f"{r['records'] / r['seconds']:,.0f} records/s)"))
            excess = r["growth_mb"] - small["growth_mb"]
            flat = Figure(f"{fmt} memory growth, full minus quarter corpus", excess, "MB",
                          f"≤ {FLAT_ALLOWANCE_MB:.0f} MB", FLAT_ALLOWANCE_MB, "lower",
                          f"{excess:+.1f} MB (peak +{r['growth_mb']:.0f} MB full, "
                          f"+{small['growth_mb']:.0f} MB quarter)")
            figures.append(flat)
            if r["worker_peak_mb"]:
                figures.append(Figure(f"{fmt} largest worker process (RSS)", r["worker_peak_mb"], "MB",
                                      display=f"{r['worker_peak_mb']:.0f} MB full, {small['worker_peak_mb']:.0f} MB "
                                      "quarter corpus"))
    benchlib.emit("formats", figures, notes)


if __name__ == "__main__":
    main()
