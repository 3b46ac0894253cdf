"""Run every benchmark, each in its own process, and print one markdown table of figures.

    python bench/run_all.py [--quick] [--only export,pdf_view] [--json results.json]

Each benchmark script ends with a ``BENCH_RESULT {json}`` line (benchlib.emit); its other
output streams to stderr here as it runs, so stdout holds only the table. A benchmark
whose piece of the app is missing shows as "not available yet" with the reason.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402

# (name, script, seconds allowed in a full run, arguments for --quick).
QUICK = ("--quick",)
BENCHES: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    ("tagging", "bench_tagging.py", 1200, QUICK),
    ("export", "bench_export.py", 1800, QUICK),
    ("pdf_import", "bench_pdf_import.py", 900, QUICK),
    ("cold_start", "bench_cold_start.py", 600, QUICK),
    ("document_list", "bench_document_list.py", 1200, QUICK),
    ("pdf_view", "bench_pdf_view.py", 600, QUICK),
    ("formats", "bench_formats.py", 3600, QUICK),
    ("storage", "bench_storage.py", 1800, QUICK),
    ("statistics", "bench_statistics.py", 900, QUICK),
    ("suggest", "bench_suggest.py", 600, QUICK),
    ("train_tagging", "bench_train_tagging.py", 900, QUICK),
    ("postgres", "bench_postgres.py", 1800, QUICK),
)
_QT_NOISE = ("This plugin does not support",)  # the offscreen platform's warnings, not ours


def parse_result(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.splitlines()):
        if line.startswith(benchlib.RESULT_PREFIX):
            return json.loads(line[len(benchlib.RESULT_PREFIX):])
    return None


def run_one(name: str, script: str, extra: tuple[str, ...], timeout_s: int) -> dict[str, Any]:
    path = benchlib.BENCH_DIR / script
    if not path.exists():
        return {"bench": name, "status": "unavailable", "reason": f"bench/{script} not written yet", "figures": []}
    cmd = [sys.executable, str(path), *extra]
    print(f"== {name}: {' '.join(cmd[1:])}", file=sys.stderr, flush=True)
    t0 = time.monotonic()
    lines: list[str] = []
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=benchlib.qt_env())
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # streamed, so a long run shows progress
            lines.append(line)
            if not line.startswith(benchlib.RESULT_PREFIX) and not line.startswith(_QT_NOISE):
                print(f"   {line.rstrip()}", file=sys.stderr, flush=True)
            if time.monotonic() - t0 > timeout_s:
                proc.kill()
                break
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    result = parse_result("".join(lines))
    if proc.returncode and result is not None and result.get("status") == "ok":
        result.setdefault("notes", []).append(f"bench/{script} exited with code {proc.returncode}")
    if result is None:
        tail = next((ln.strip() for ln in reversed(lines) if ln.strip()), f"exit code {proc.returncode}")
        over = time.monotonic() - t0 > timeout_s
        return {"bench": name, "status": "error", "figures": [],
                "reason": f"timed out after {timeout_s} s" if over else f"no result line: {tail[:200]}"}
    result["seconds"] = time.monotonic() - t0
    return result


def fmt_ratio(fig: dict[str, Any]) -> str:
    ratio, limit = fig.get("ratio"), fig.get("limit")
    if ratio is None or not limit or math.isinf(ratio):
        return "—"
    return f"{ratio:.2f}"


def table(results: list[dict[str, Any]]) -> str:
    rows = ["| figure | measured | target | ratio to limit | result |", "|---|---|---|---|---|"]
    for res in results:
        status = res.get("status")
        if status != "ok" or not res.get("figures"):
            word = "not available yet" if status == "unavailable" else "error"
            figs = res.get("figures") or [{"name": res["bench"], "target": ""}]
            for fig in figs:
                rows.append(f"| {fig['name']} | {word}: {res.get('reason', '')} | {fig.get('target', '')} | — | — |")
            continue
        for fig in res["figures"]:
            shown = fig.get("display") or (f"{fig['value']:.4g} {fig['unit']}" if fig.get("value") is not None
                                           else "n/a")
            verdict = {True: "pass", False: "**FAIL**", None: "info"}[fig.get("passed")]
            rows.append(f"| {fig['name']} | {shown} | {fig.get('target') or '—'} | {fmt_ratio(fig)} | {verdict} |")
    return "\n".join(rows)


def machine_line(info: dict[str, str]) -> str:
    return (f"Machine: {info.get('cpu')} ({info.get('cores')} cores), {info.get('ram')} RAM, {info.get('platform')}; "
            f"Python {info.get('python')}, PySide6 {info.get('PySide6')}, PyMuPDF {info.get('pymupdf')}, "
            f"SQLite {info.get('sqlite')}, SQLModel {info.get('sqlmodel')}, orjson {info.get('orjson')}; "
            f"Qt platform {info.get('qt_platform')}; load average {info.get('load')}")


def main(argv: list[str] | None = None) -> int:
    ap = benchlib.parser(__doc__.splitlines()[0])
    ap.add_argument("--only", help="comma-separated benchmark names: " + ", ".join(b[0] for b in BENCHES))
    ap.add_argument("--json", type=Path, help="also write every result here")
    args = ap.parse_args(argv)
    chosen = set(args.only.split(",")) if args.only else {b[0] for b in BENCHES}
    unknown = chosen - {b[0] for b in BENCHES}
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    results = []
    for name, script, timeout_s, quick_args in BENCHES:
        if name in chosen:
            results.append(run_one(name, script, quick_args if args.quick else (), 300 if args.quick else timeout_s))
    env = benchlib.qt_env()
    info = benchlib.machine_info() | {"qt_platform": env.get("QT_QPA_PLATFORM", "")}
    # Other work on the machine skews every timing; the 1-minute load average says how much.
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    info["load"] = f"{load_before:.1f} at start, {load_after:.1f} at end"
    mode = "quick (smoke) sizes" if args.quick else "full sizes"
    print(f"\n## Benchmarks ({mode})\n\n{table(results)}\n\n{machine_line(info)}")
    notes = [f"- {r['bench']}: {n}" for r in results for n in r.get("notes", [])]
    if notes:
        print("\nNotes:\n" + "\n".join(notes))
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "quick": args.quick, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
