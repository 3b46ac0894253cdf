"""The typer app behind ``annotator``: new, import, export, stats, validate, labels, backups, recover, gui.

Every command takes ``--project PATH`` (else ``$ANNOTATOR_PROJECT``, else the default project,
which imports the sample corpus when first made). Only ``new``, ``import`` and ``gui`` create
a project that does not exist; the others refuse it, so a typo never makes an empty project.
Errors are one clear line on stderr and a non-zero exit code, never a traceback: 1 for a
failed command, 2 for a project that cannot be opened or is missing (and for usage errors),
130 when interrupted.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from annotator.cli_base import ProjectOpt, _Bar, _fail, _missing, _open, _project_target, _table, app
from annotator.gui_launch import launch_gui

MAX_SHOWN_PROBLEMS = 50

@app.command()
def gui(project: ProjectOpt = None) -> None:
    """Open the desktop app (also what `annotator` alone does)."""
    raise typer.Exit(launch_gui(str(project) if project is not None else None))


@app.command()
def new(
    path: Annotated[str | None, typer.Argument(
        help="Project file (or empty PostgreSQL database URL) to create. Default: $ANNOTATOR_PROJECT, else your "
        "default project (which starts with the sample articles).", show_default=False)] = None,
) -> None:
    """Create an empty project with the default labels; an existing project is never touched."""
    if path is None and (env := os.environ.get("ANNOTATOR_PROJECT")):
        path = env
    if path is not None and "://" in path:
        from annotator.storage.db import display_name

        target: object = display_name(path)
        proj = _open(path, create=True)
        if not proj.created:
            proj.close()
            _fail(f"{target} already holds a project; nothing was changed")
    else:
        target = _project_target(path)
        if target.exists():
            _fail(f"{target} already exists; nothing was changed")
        if path is None:
            target.parent.mkdir(parents=True, exist_ok=True)  # the default project's own folder
        elif not target.parent.is_dir():
            _fail(f"cannot create {target}: the folder {target.parent} does not exist")
        proj = _open(path, create=True)
    try:
        names = ", ".join(lr.name for lr in proj.labels)
        documents = proj.repo.stats()["documents"]
    finally:
        proj.close()
    typer.echo(f"created   {target} (labels: {names}; {documents} documents)")
    typer.echo(f"Add articles with: annotator import FILES --project \"{target}\"")


@app.command("import")
def import_files(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.txt .md .html .pdf .jsonl).",
                                                show_default=False)],
    project: ProjectOpt = None,
) -> None:
    """Import documents; a file is imported whole or not at all. Exit code 1 if any was refused."""
    from annotator.importing import import_paths

    proj = _open(project, create=True)
    bar = _Bar("Importing")
    try:
        report = import_paths(proj.repo, list(paths), progress=bar)
    finally:
        bar.close()
        proj.close()
    for path, title, doc_id in report.imported:
        typer.echo(f"imported  {path}: {title} (document {doc_id})")
    for path, who, spans, docs in report.attached:
        typer.echo(f"attached  {path}: {spans} spans by {who} added to {docs} existing documents")
    for path, message in report.conflicts:
        typer.echo(f"conflict  {path}: {message}")
    for path, message in report.near_duplicates:
        typer.echo(f"warning   {path}: {message}")
    for path, reason in report.skipped:
        typer.echo(f"skipped   {path}: {_reason(path, reason)}")
    for path, reason in report.refused:
        typer.echo(f"refused   {path}: {_reason(path, reason)}")
    typer.echo(report.summary())
    if report.refused:
        raise typer.Exit(1)


def _reason(path: str, reason: str) -> str:
    """The reason without the file name the importer put in front (the line shows the path)."""
    return reason.removeprefix(f"{Path(path).name}: ")


def _format_help() -> str:
    from annotator.exporters.registry import FORMATS

    # One paragraph per format: click wraps each on its own instead of running them together.
    return "Output format, one of:\n\n" + "\n\n".join(f"{f.name}: {f.description}" for f in FORMATS.values())


@app.command()
def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="File (a folder for brat and pdf) to write, replaced only "
                                      "when complete. With --split: <stem>.train<suffix>, <stem>.dev..., "
                                      "<stem>.test... (folders out/train, ... for brat). A manifest "
                                      "(<stem>.manifest.json) and a dataset card (<stem>.card.md) go next to it.",
                                      show_default=False)],
    fmt: Annotated[str, typer.Option("--format", "-f", help=_format_help())] = "canonical",
    annotator: Annotated[list[str] | None, typer.Option("--annotator", help="Only this annotator (repeatable).",
                                                        show_default=False)] = None,
    status: Annotated[list[str] | None, typer.Option("--status", help="Only documents with this status "
                                                     "(repeatable): \"to do\", \"in progress\", done, skipped, "
                                                     "flagged (also todo, in_progress), or all. Training formats "
                                                     "(canonical, spans, sentences, hf-bio, spacy, doccano, brat) "
                                                     "default to done when any document is done (the card says "
                                                     "so); --status all exports every status.",
                                                     show_default=False)] = None,
    label: Annotated[list[str] | None, typer.Option("--label", help="Only spans with this label (repeatable); "
                                                    "documents without one are still written.",
                                                    show_default=False)] = None,
    title: Annotated[str | None, typer.Option("--title", help="Only documents whose title matches this "
                                              "pattern (shell-style, case-insensitive: \"*vitamin*\").",
                                              show_default=False)] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only documents whose source path matches this "
                                               "pattern (shell-style, case-insensitive: \"*.pdf\").",
                                               show_default=False)] = None,
    split: Annotated[str | None, typer.Option("--split", help="Write train/dev/test files, e.g. 0.8,0.1,0.1 (two "
                                              "parts: train/test). Grouped by document, stratified by the "
                                              "labels a document holds, the same for the same --seed and data.",
                                              show_default=False)] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the --split shuffle.")] = 0,
    context_window: Annotated[int | None, typer.Option(
        "--context-window", help="spans format: this many characters either side of the span as its context, "
        "instead of its sentence.", show_default=False)] = None,
    ents: Annotated[bool, typer.Option("--ents", help="spacy format: also put the non-overlapping spans in "
                                       "doc.ents.")] = False,
    spacy_model: Annotated[str | None, typer.Option(
        "--spacy-model", help="spacy format: tokenize with this installed spaCy pipeline (default: "
        "spacy.blank(\"en\")).", show_default=False)] = None,
    offsets: Annotated[str, typer.Option("--offsets", help="doccano format: codepoints (Python's str "
                                         "indices) or utf16 (UTF-16 code units, as doccano's own UI and "
                                         "JavaScript count them: an emoji counts 2).")] = "codepoints",
    raw: Annotated[bool, typer.Option("--raw", help="csv format: write cells starting with = + - @ exactly "
                                      "(by default they get a leading ' so spreadsheets do not run them).")] = False,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Accepted for compatibility with earlier versions; exports run in one process.",
        show_default=False, hidden=True)] = None,
    project: ProjectOpt = None,
) -> None:
    """Export annotations for people and trainers, with a manifest and dataset card next to them."""
    from annotator.exporters.base import ExportError
    from annotator.exporters.options import ExportOptions, parse_split
    from annotator.exporters.registry import run_export
    from annotator.metrics.card import card_extras
    from annotator.storage.repository import ExportFilter

    flt = ExportFilter(tuple(annotator or ()), tuple(_status_name(s) for s in status or ()), tuple(label or ()))
    try:
        options = ExportOptions(title=title, source=source, split=parse_split(split), seed=seed,
                                context_window=context_window, ents=ents, workers=workers,
                                spacy_model=spacy_model, raw=raw, offsets=offsets, done_by_default=True,
                                card_extras=card_extras)
    except ExportError as exc:
        _fail(str(exc), 2)
    proj = _open(project, reads_only=True)
    bar = _Bar("Exporting")
    try:
        result = run_export(proj.repo, fmt, out, flt, progress=bar, options=options)
    except ExportError as exc:
        bar.close()
        _fail(str(exc))
    except OSError as exc:
        bar.close()
        _fail(f"cannot write {out}: {exc.strerror or exc}")
    finally:
        bar.close()
        proj.close()
    typer.echo(result.summary())
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for path in result.manifest:
        typer.echo(f"card: {path}")


# The words the app shows for statuses; the stored names stay in --json and are accepted too.
STATUS_WORDS = {"todo": "to do", "in_progress": "in progress"}


def _status_name(text: str) -> str:
    """A status as typed ("to do", "in progress", "todo", "in-progress") -> its stored name."""
    words = text.strip().lower().replace("-", " ").replace("_", " ")
    return {"to do": "todo", "todo": "todo", "in progress": "in_progress"}.get(words, text)


def _status_counts(stats: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Per annotator, every status with its count; documents never touched count as to do."""
    from annotator.storage.models import STATUSES

    out: dict[str, dict[str, int]] = {}
    names = sorted(set(stats["statuses"]) | set(stats["spans_per_annotator"]))
    for name in names:
        counts = stats["statuses"].get(name, {})
        row = {s: counts.get(s, 0) for s in STATUSES}
        row["todo"] = stats["documents"] - sum(n for s, n in row.items() if s != "todo")
        out[name] = row
    return out


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    project: ProjectOpt = None,
) -> None:
    """Documents, spans per label and annotator, and status counts."""
    proj = _open(project, reads_only=True)
    try:
        data = proj.repo.stats()
        missing = proj.repo.missing_sources()
    finally:
        proj.close()
    data["statuses"] = _status_counts(data)
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True))
        return
    lines = [f"Documents: {data['documents']}", f"Spans: {data['spans']}", "", "Spans per label:"]
    lines += _table(["label", "spans"], list(data["spans_per_label"].items()))
    labels = list(data["spans_per_label"])
    per_ann = data["spans_per_annotator"]
    if per_ann:
        lines += ["", "Spans per annotator:"]
        lines += _table(["annotator", *labels, "total"],
                        [[a, *(c.get(lb, 0) for lb in labels), sum(c.values())] for a, c in per_ann.items()])
    if data["statuses"]:
        names = [STATUS_WORDS.get(n, n) for n in next(iter(data["statuses"].values()))]
        lines += ["", "Documents per status:"]
        lines += _table(["annotator", *names], [[a, *c.values()] for a, c in data["statuses"].items()])
    if missing:
        lines += ["", f"Original PDFs the project lacks ({len(missing)}; no page view or PDF export for them):"]
        lines += [f"  {title}: {source}" for _id, title, source in missing[:MAX_SHOWN_PROBLEMS]]
    typer.echo("\n".join(lines))


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="A JSONL file: canonical export, Prodigy spans, doccano, or the "
                                         "spans, sentences, hf-bio or w3c exports.", show_default=False)],
    project: Annotated[str | None, typer.Option(
        "--project", show_default=False,
        help="Also check span labels against this project's labels.")] = None,
) -> None:
    """Check a JSONL file: schema, span text == text[start:end], offsets, tokens, repeated ids."""
    from annotator.validation import validate_file

    labels: set[str] | None = None
    if project is not None:
        proj = _open(project, reads_only=True)
        labels = {lr.name for lr in proj.labels}
        proj.close()
    try:
        report = validate_file(file, labels)
    except OSError as exc:
        _fail(f"cannot read {file}: {exc.strerror or exc}")
    for problem in report.problems[:MAX_SHOWN_PROBLEMS]:
        typer.echo(str(problem))
    if report.problem_count > MAX_SHOWN_PROBLEMS:
        typer.echo(f"... and {report.problem_count - MAX_SHOWN_PROBLEMS} more problems")
    kind = f"{report.format} format" if report.format else "empty file"
    if report.ok:
        typer.echo(f"{file}: {report.records} records ({kind}), no problems")
        return
    noun = "problem" if report.problem_count == 1 else "problems"
    typer.echo(f"{file}: {report.problem_count} {noun} in {report.records} records ({kind})")
    raise typer.Exit(1)


@app.command()
def labels(project: ProjectOpt = None) -> None:
    """The project's labels: name, shortcut, colour and definition."""
    proj = _open(project, reads_only=True)
    try:
        specs = [lr.spec for lr in proj.labels]
    finally:
        proj.close()
    for line in _table(["name", "key", "colour", "definition"],
                       [[s.name, s.shortcut or "-", s.colour, s.definition] for s in specs]):
        typer.echo(line)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    value = float(n)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024:
            break
    return f"{value:.1f} {unit}"


@app.command()
def backups(
    path: Annotated[str | None, typer.Argument(help="Project file. Default: $ANNOTATOR_PROJECT, else your "
                                               "default project.", show_default=False)] = None,
) -> None:
    """List a project's backups, newest first: file name, when it was taken (UTC) and size."""
    from annotator.config import backup_dir, default_project_path
    from annotator.storage.backup import list_backups

    env = os.environ.get("ANNOTATOR_PROJECT")
    location = path or env
    if location and _server_project(location):
        return
    target = Path(location) if location else default_project_path()
    found = list_backups(target)
    if not found and not target.exists():
        _fail(_missing(target), 2)
    if not found:
        typer.echo(f"No backups of {target} in {backup_dir()}.")
        return
    if not target.exists():
        typer.echo(f"{target} is not there any more; its backups are listed below.")
    rows = []
    for b in found:
        try:
            size = _size(b.path.stat().st_size)
        except OSError:  # rotated away by another process since it was listed
            continue
        rows.append([b.path.name, f"{b.taken_at:%Y-%m-%d %H:%M:%S}", size, b.tag or ""])
    typer.echo(f"Backups of {target} in {backup_dir()}:")
    for line in _table(["name", "taken (UTC)", "size", "tag"], rows):
        typer.echo(line)
    typer.echo(f"Restore one with: annotator recover \"{target}\" [--backup NAME]")


def _server_project(location: str) -> bool:
    """For a PostgreSQL project, say whose backups apply (the server's) and return True."""
    from annotator.storage.db import display_name, postgres

    if not postgres.is_url(location):
        return False
    typer.echo(f"{display_name(location)} is a database on a PostgreSQL server: annotator keeps no backups of "
               "it and cannot restore one. Its backups are the server's (your administrator's schedule, or "
               "pg_dump/pg_restore; `annotator copy` also copies it into a project file).")
    return True


@app.command()
def recover(
    path: Annotated[str, typer.Argument(help="The damaged project file.", show_default=False)],
    backup: Annotated[str | None, typer.Option("--backup", help="The backup to restore: a path, or a name from "
                                               "`annotator backups`. Default: the newest one.",
                                               show_default=False)] = None,
) -> None:
    """Put a backup back in place of a damaged project; the damaged file is kept beside it, never deleted.

    Close every annotator window on the project first.
    """
    from annotator.config import backup_dir
    from annotator.storage import backup as backups_mod
    from annotator.storage.errors import StorageError

    if _server_project(path):
        raise typer.Exit(2)
    file = Path(path)
    chosen: Path | None = None
    if backup is not None:
        chosen = Path(backup)
        if not chosen.exists() and (backup_dir() / backup).is_file():  # a bare name as `backups` lists it
            chosen = backup_dir() / backup
    try:
        restored, aside = backups_mod.recover(file, chosen)
    except StorageError as exc:
        _fail(f"nothing was changed: {exc}")
    except OSError as exc:
        _fail(f"could not restore {path}: {exc.strerror or exc}; check {path} and its folder are writable")
    taken = next((b.taken_at for b in backups_mod.list_backups(file, restored.parent) if b.path == restored), None)
    when = f" (taken {taken:%Y-%m-%d %H:%M} UTC)" if taken else ""
    typer.echo(f"restored  {path} from {restored}{when}")
    if aside is not None:
        typer.echo(f"kept      the file it replaced as {aside}")
    typer.echo("Edits made after that backup are not in the restored project.")


@app.command()
def copy(
    source: Annotated[str, typer.Argument(help="The project to copy: a file or a PostgreSQL URL.",
                                          show_default=False)],
    dest: Annotated[str, typer.Argument(help="Where to: a new file, or an empty PostgreSQL database "
                                        "(postgresql+psycopg://user@host/dbname).", show_default=False)],
    verify: Annotated[bool, typer.Option("--verify/--no-verify", help="Check that the copy's canonical "
                                         "export is byte-identical to the original's.")] = True,
) -> None:
    """Copy a whole project between a SQLite file and a PostgreSQL database (either way)."""
    from annotator.storage.db import ProjectOpenError, display_name
    from annotator.storage.errors import StorageError
    from annotator.storage.repository.copying import copy_project

    bar = _Bar("Copying")
    try:
        counts = copy_project(source, dest, progress=bar)
    except ProjectOpenError as exc:
        bar.close()
        _fail(str(exc), 2)
    except StorageError as exc:
        bar.close()
        _fail(f"nothing was copied: {exc}")
    finally:
        bar.close()
    typer.echo(f"copied    {display_name(source)} to {display_name(dest)}: {counts.get('document', 0)} documents, "
               f"{counts.get('span', 0)} spans")
    if verify:
        from annotator.exporters.compare import canonical_digest

        if canonical_digest(source) != canonical_digest(dest):
            _fail(f"the copy's canonical export differs from the original's; do not use {display_name(dest)}")
        typer.echo("verified  the canonical exports of both are byte-identical")


_INTERRUPTED = "annotator: interrupted; nothing half-written was left behind"


def run(args: Sequence[str]) -> NoReturn:
    """Run the app on ``args``; exits the process with the command's code."""
    try:
        app(args=list(args), prog_name="annotator")
    except KeyboardInterrupt:
        typer.echo(_INTERRUPTED, err=True)
        sys.exit(130)
    except SystemExit as exc:  # Typer turns a KeyboardInterrupt into a silent exit 130
        if exc.code == 130:
            typer.echo(_INTERRUPTED, err=True)
        raise
    except Exception as exc:  # a last resort: one line, not a traceback, unless asked for
        if os.environ.get("ANNOTATOR_DEBUG"):
            raise
        typer.echo(f"annotator: unexpected error: {type(exc).__name__}: {exc} "
                   "(set ANNOTATOR_DEBUG=1 to see the traceback)", err=True)
        sys.exit(1)
    sys.exit(0)


# Last, so `annotator --help` lists the everyday commands first: each registers its commands on app.
from annotator import cli_model, cli_team  # noqa: E402,F401
