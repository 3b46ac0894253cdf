"""The dataset card written next to every export: ``<stem>.manifest.json`` and ``<stem>.card.md``.

The JSON is the record a training script can check against (label set with ids and
definitions, filters, split, counts per label per split and per annotator, span length
statistics, overlaps resolved, and the SHA-256 and size of every file written); the
Markdown says the same for a person. Neither holds a timestamp or an absolute path of an
output, so the same export of the same data gives the same bytes. File paths are relative
to the manifest's folder.
"""

from __future__ import annotations

import hashlib
import shlex
from pathlib import Path
from typing import Any

import orjson

from annotator.exporters.base import atomic_output
from annotator.exporters.options import ExportOptions
from annotator.labels import LabelSpec
from annotator.storage.repository import ExportFilter

MANIFEST_VERSION = 1


def manifest_paths(out: Path, folder: bool | None = None) -> tuple[Path, Path]:
    """(JSON manifest, Markdown card) for an export written to ``out``: a file loses its suffix
    (``ds.jsonl`` -> ``ds.manifest.json``), a folder (``folder``, or one on disk) keeps its name."""
    out = Path(out)
    folder = out.is_dir() if folder is None else folder
    stem = out.name[: -len(out.suffix)] if out.suffix and not folder else out.name
    return out.with_name(f"{stem}.manifest.json"), out.with_name(f"{stem}.card.md")


def file_sha256(path: Path) -> tuple[str, int]:
    """(sha256, size) of a file read back: for outputs not written through atomic_output."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest(), path.stat().st_size


def command_line(fmt: str, out: Path, flt: ExportFilter, opts: ExportOptions, project: str | None) -> str:
    """The `annotator export` command that repeats this export."""
    args = ["annotator", "export", "--format", fmt, "--out", str(out)]
    if project:
        args += ["--project", project]
    for flag, values in (("--annotator", flt.annotators), ("--status", flt.statuses), ("--label", flt.labels)):
        for v in values:
            args += [flag, v]
    if opts.done_by_default and not flt.statuses:
        args += ["--status", "all"]  # so the command does not fall back to done documents
    if opts.title is not None:
        args += ["--title", opts.title]
    if opts.source is not None:
        args += ["--source", opts.source]
    if opts.split:
        args += ["--split", ",".join(f"{f:g}" for f in opts.split), "--seed", str(opts.seed)]
    if opts.context_window is not None and fmt == "spans":
        args += ["--context-window", str(opts.context_window)]
    if opts.ents and fmt == "spacy":
        args.append("--ents")
    if opts.spacy_model and fmt == "spacy":
        args += ["--spacy-model", opts.spacy_model]
    if opts.raw and fmt == "csv":
        args.append("--raw")
    if opts.offsets != "codepoints":
        args += ["--offsets", opts.offsets]
    return shlex.join(args)


def write(out: Path, folder: bool, fmt: str, flt: ExportFilter, opts: ExportOptions, project: str | None, the_plan: Any,
          labels: list[LabelSpec], details: dict[str, Any], counts: dict[str, Any], written: dict[str, Any],
          files: list[dict[str, Any]], warnings: list[str]) -> list[Path]:
    """Build the manifest of one export and write it and its card next to ``out``."""
    from annotator import __version__
    from annotator.storage.db import SCHEMA_VERSION

    project = project if project and project != ":memory:" else None
    return write_manifest(manifest_paths(out, folder), {
        "manifest_version": MANIFEST_VERSION,
        "format": fmt,
        "app": {"name": "annotator", "version": __version__, "schema_version": SCHEMA_VERSION},
        "command": opts.command or command_line(fmt, out, flt, opts, project),
        "filters": {"annotators": list(flt.annotators), "statuses": list(flt.statuses), "labels": list(flt.labels),
                    "title": opts.title, "source": opts.source,
                    "statuses_by_default": opts.status_defaulted},
        "split": ({"fractions": dict(zip(the_plan.names, opts.split or ())), "seed": opts.seed,
                   "grouped_by": "meta.document_id and near-duplicate group (word 3-gram Jaccard >= 0.8)",
                   "stratified_by": "set of labels in the document",
                   "near_duplicate_groups": [[{"document_id": k, "title": t} for k, t in g]
                                             for g in the_plan.near_duplicates]}
                  if the_plan.names else None),
        "labels": [{"id": i, "name": s.name, "definition": s.definition} for i, s in enumerate(labels)],
        "format_details": details,
        "counts": counts,
        "written": written,
        "warnings": warnings,
        "files": files,
    })


def write_manifest(paths: tuple[Path, Path], manifest: dict[str, Any]) -> list[Path]:
    json_path, card_path = paths
    with atomic_output(json_path) as fh:
        fh.write(orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
    with atomic_output(card_path) as fh:
        fh.write(card(manifest).encode("utf-8"))
    return [json_path, card_path]


def _cell(value: Any) -> str:
    text = "–" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def _count_table(buckets: dict[str, dict[str, Any]], labels: list[str], first: str) -> list[str]:
    names = list(buckets)
    rows: list[list[Any]] = [["documents", *(buckets[n]["documents"] for n in names)],
                             ["spans", *(buckets[n]["spans"] for n in names)]]
    rows += [[f"spans: {lb}", *(buckets[n]["spans_per_label"][lb] for n in names)] for lb in labels]
    rows += [[f"documents with {lb}", *(buckets[n]["documents_per_label"][lb] for n in names)] for lb in labels]
    rows.append(["overlapping spans", *(buckets[n]["overlapping_spans"] for n in names)])
    statuses = next(iter(buckets.values()), {}).get("statuses", {})
    rows += [[f"status: {st}", *(buckets[n]["statuses"][st] for n in names)] for st in statuses]
    return _table([first, *names], rows)


def card(m: dict[str, Any]) -> str:
    """The Markdown dataset card for a manifest."""
    labels = [lb["name"] for lb in m["labels"]]
    counts = m["counts"]
    out = [f"# Dataset card: {m['format']} export", "",
           f"Written by annotator {m['app']['version']} from a project with storage schema "
           f"{m['app']['schema_version']}. Offsets are "
           f"{(m.get('format_details') or {}).get('offsets', 'Unicode code points')}, end exclusive.", "",
           "## Command", "", "```", m["command"], "```", "",
           "## Selection", ""]
    if m.get("warnings"):
        out[-2:-2] = ["## Warnings", "", *(f"- {w}" for w in m["warnings"]), ""]
    flt = m["filters"]
    for key in ("annotators", "statuses", "labels"):
        out.append(f"- {key}: {', '.join(flt[key]) if flt[key] else 'all'}")
    if flt.get("statuses_by_default"):
        out[-2] += (" (the default of a training format when any document is done: to do, in progress, "
                    "skipped and flagged documents are left out; `--status all` exports every status)")
    for key in ("title", "source"):
        out.append(f"- {key} pattern: {flt[key] if flt[key] is not None else 'any'}")
    split = m["split"]
    if split:
        parts = ", ".join(f"{n} {f:g}" for n, f in split["fractions"].items())
        out += [f"- split: {parts}; seed {split['seed']}; grouped by document and near-duplicate group, "
                "stratified by label set", ""]
        near = split.get("near_duplicate_groups") or []
        out += [f"Near-duplicate groups (word 3-gram Jaccard ≥ 0.8; each group is in one split): {len(near)}", ""]
        out += ["- " + ", ".join(f"{d['title']} ({d['document_id']})" for d in g) for g in near[:100]]
        out += [f"- … and {len(near) - 100} more (all in the JSON manifest)"] if len(near) > 100 else []
        out += [""] if near else []
    else:
        out += ["- split: none (one output)", ""]
    out += ["## Labels", ""]
    out += _table(["id", "label", "definition"], [[lb["id"], lb["name"], lb["definition"]] for lb in m["labels"]])
    out += ["", "## Counts", ""]
    columns = {"all": counts["all"], **counts["splits"]}
    out += _count_table(columns, labels, "")
    if counts["annotators"]:
        out += ["", "### Per annotator", ""]
        out += _count_table(counts["annotators"], labels, "")
    out += ["", "## Span length (characters)", ""]
    lengths = counts["all"]["span_length_chars"]
    out += _table(["label", "count", "min", "median", "mean", "p90", "max"],
                  [[k, v["count"], v["min"], v["median"], v["mean"], v["p90"], v["max"]] for k, v in lengths.items()])
    out += ["", "## Written", ""]
    written = m["written"]
    keys = sorted({k for w in written.values() for k, v in w.items() if not isinstance(v, dict)})
    out += _table(["output", *keys], [[name, *(w.get(k, 0) for k in keys)] for name, w in written.items()])
    for name, w in written.items():
        for key, per_label in w.items():
            if isinstance(per_label, dict) and any(per_label.values()):
                out.append(f"- {name} {key.replace('_', ' ')}: "
                           + ", ".join(f"{lb} {n}" for lb, n in per_label.items() if n))
    details = m.get("format_details") or {}
    if details.get("rules"):
        out += ["", "## How this format was made", ""]
        out += [f"- {rule}" for rule in details["rules"]]
    out += [line for section in details.get("card_sections") or () for line in ["", section.rstrip()]]
    out += ["", "## Files", ""]
    shown = m["files"][:200]
    out += _table(["file", "split", "bytes", "sha256"], [[f["path"], f["split"] or "", f["bytes"], f["sha256"]]
                                                          for f in shown])
    if len(m["files"]) > len(shown):
        out.append(f"\n… and {len(m['files']) - len(shown)} more files (all listed in the JSON manifest).")
    return "\n".join(out) + "\n"
