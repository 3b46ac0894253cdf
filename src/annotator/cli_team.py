"""Team commands on the ``annotator`` typer app: agreement, merge, adjudicate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from annotator.cli_commands import ProjectOpt, _fail, _open, _table, app

_FIGURES = ("f1_exact", "f1_overlap", "kappa", "alpha_u")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _ci(ci: list[float] | None) -> str:
    return "-" if ci is None else f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def _agreement_lines(result: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    header = ["label", "F1 exact", "F1 overlap", "kappa", "alpha_u", "docs"]
    scopes = [(f"{p['a']} / {p['b']}", p) for p in result["pairs"]]
    if len(result["annotators"]) > 2:
        scopes.append((f"all {len(result['annotators'])} reviewers ({result['overall']['kappa_kind']} kappa)",
                       {"labels": result["overall"]["labels"], "overall": result["overall"]}))
    for title, scope in scopes:
        rows: list[list[object]] = [[label, *(_fmt(f[k]) for k in _FIGURES), f["n_docs"]]
                                    for label, f in scope["labels"].items()]
        o = scope["overall"]
        rows.append(["(micro)", *(_fmt(o[k]) for k in _FIGURES), o["n_docs"]])
        lines += [title, *_table(header, rows)]
        lines.append("  95% interval (bootstrap over documents): "
                     + ", ".join(f"{k} {_ci(o['ci95'].get(k))}" for k in ("f1_exact", "f1_overlap", "kappa")))
        lines.append("")
    return lines


def _against_lines(result: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for who, scores in result["annotators"].items():
        rows: list[list[object]] = [[label, _fmt(s["precision"]), _fmt(s["recall"]), _fmt(s["f1"])]
                                    for label, s in scores["labels"].items()]
        o = scores["overall"]
        rows.append(["(micro)", _fmt(o["precision"]), _fmt(o["recall"]), _fmt(o["f1"])])
        lines += [f"{who} against {result['reference']} ({scores['n_docs']} documents)",
                  *_table(["label", "precision", "recall", "F1"], rows), ""]
    return lines


@app.command()
def agreement(
    annotator: Annotated[list[str] | None, typer.Option("--annotator", help="Compare only these reviewers "
                                                        "(repeatable). Default: every person.",
                                                        show_default=False)] = None,
    label: Annotated[list[str] | None, typer.Option("--label", help="Only these labels (repeatable).",
                                                    show_default=False)] = None,
    status: Annotated[list[str] | None, typer.Option("--status", help="Only documents a reviewer gave this "
                                                     "status (repeatable).", show_default=False)] = None,
    against: Annotated[str | None, typer.Option("--against", help="Score each reviewer against this annotator "
                                                "(gold): precision, recall and F1 per label.",
                                                show_default=False)] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap intervals.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    project: ProjectOpt = None,
) -> None:
    """Inter-annotator agreement per pair of reviewers and overall: span F1 (exact, overlap), token
    kappa (Cohen; Fleiss for three or more), Krippendorff's unitizing alpha, per label and micro."""
    from annotator.metrics.study import StudyError, project_agreement

    proj = _open(project, reads_only=True)
    try:
        result = project_agreement(proj.repo, annotator or (), label or (), status or (), against=against, seed=seed)
    except StudyError as exc:
        _fail(str(exc))
    finally:
        proj.close()
    if as_json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    typer.echo("\n".join(_against_lines(result) if against else _agreement_lines(result)).rstrip())


@app.command()
def merge(
    others: Annotated[list[Path], typer.Argument(help="Project files to bring into this one.", dir_okay=False,
                                                 show_default=False)],
    mapping: Annotated[list[str] | None, typer.Option("--map", help="Rename a label of the other file: "
                                                      "old=new (repeatable).", show_default=False)] = None,
    project: ProjectOpt = None,
) -> None:
    """Merge other project files (documents matched by text, annotators, spans, statuses, notes)
    into this one; each file whole or not at all, and merging one twice adds nothing."""
    from annotator.services.merge import MergeError, merge_project, parse_label_map

    try:
        label_map = parse_label_map(mapping or [])
    except MergeError as exc:
        _fail(str(exc), 2)
    proj = _open(project)
    failed = False
    try:
        for other in others:
            try:
                report = merge_project(proj.repo, other, label_map)
            except MergeError as exc:
                typer.echo(f"refused   {exc}")
                failed = True
                continue
            typer.echo(f"merged    {report.summary()}")
            for conflict in report.conflicts:
                typer.echo(f"conflict  {conflict}")
    finally:
        proj.close()
    if failed:
        raise typer.Exit(1)


@app.command()
def adjudicate(
    auto: Annotated[bool, typer.Option("--auto", help="Copy into gold every span the reviewers agree on exactly; "
                                       "the rest stay conflicts. Re-running keeps decisions made.")] = False,
    min_votes: Annotated[int | None, typer.Option("--min-votes", min=1, help="With --auto: a span goes to gold "
                                                  "when at least this many reviewers marked it (default: all).",
                                                  show_default=False)] = None,
    annotator: Annotated[list[str] | None, typer.Option("--annotator", help="Only these reviewers (repeatable).",
                                                        show_default=False)] = None,
    project: ProjectOpt = None,
) -> None:
    """Adjudicate into the reserved annotator `gold` (export it with `annotator export --annotator gold`).
    Without --auto, lists each document's open conflicts."""
    from annotator.services.adjudication import all_conflicts, auto_adjudicate

    proj = _open(project)
    try:
        if auto:
            report = auto_adjudicate(proj.repo, min_votes=min_votes, reviewers=annotator or None)
            typer.echo(report.summary())
            return
        total = 0
        for doc_id, found in all_conflicts(proj.repo, min_votes=min_votes, reviewers=annotator or None).items():
            undecided = sum(1 for c in found if not c.decided)
            total += undecided
            typer.echo(f"document {doc_id}: {len(found)} conflicts, {undecided} undecided")
        typer.echo(f"{total} undecided conflicts")
    except ValueError as exc:
        _fail(str(exc))
    finally:
        proj.close()
