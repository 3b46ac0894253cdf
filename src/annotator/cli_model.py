"""``annotator train`` and ``annotator suggest``: the model in the loop, from the command line.

Registered on the typer app by ``cli_commands`` (one import at its end). scikit-learn is
imported only when a command runs, so the other commands start as fast as before.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from annotator.cli_commands import ProjectOpt, _Bar, _fail, _open, _table, app


def _model_errors() -> tuple[type[Exception], ...]:
    from annotator.suggestions.dataset import TrainingDataError
    from annotator.suggestions.model import ModelLoadError, ModelUnavailable

    return TrainingDataError, ModelUnavailable, ModelLoadError


@app.command()
def train(
    annotator: Annotated[str | None, typer.Option("--annotator", help="Train on the documents this reviewer "
                                                  "marked done, with their spans.", show_default=False)] = None,
    gold: Annotated[bool, typer.Option("--gold", help="Train on gold's done documents (adjudicated).")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the held-out split and the learning curve.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    project: ProjectOpt = None,
) -> None:
    """Train a sentence model per label on documents marked done, score it, and store it in the project.

    Without --annotator or --gold: gold's done documents when there are any, else every reviewer's.
    Scores are on documents held out (20 %), next to a keyword baseline, with a learning curve.
    """
    from annotator.suggestions.evaluate import TrainingCancelled
    from annotator.suggestions.store import train as train_model

    proj = _open(project)
    bar = _Bar("Training")
    try:
        trained = train_model(proj.repo, annotator=annotator, gold=gold, seed=seed, progress=bar)
    except (*_model_errors(), TrainingCancelled) as exc:
        bar.close()
        proj.close()
        _fail(str(exc))
    bar.close()
    proj.close()
    metrics = dict(trained.record.metrics, model_id=trained.record.id, library_versions=trained.record.versions)
    if as_json:
        typer.echo(json.dumps(metrics, indent=2, ensure_ascii=False))
        return
    typer.echo("\n".join(_train_report(metrics)))


def _train_report(m: dict[str, Any]) -> list[str]:
    base = m["baseline"]
    rows: list[list[object]] = [[label, f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['f1']:.3f}",
                                 f"{base['labels'][label]['f1']:.3f}", r["support"]]
                                for label, r in m["labels"].items()]
    for avg in ("micro", "macro"):
        r = m[avg]
        rows.append([f"({avg})", f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['f1']:.3f}",
                     f"{base[avg]['f1']:.3f}", r["support"]])
    docs = m["documents"]
    lines = [f"Trained on {m['trained_on']}: {docs['train']} documents, scored on {docs['test']} held out "
             f"({m['sentences']['test']} sentences), seed {m['seed']}.", ""]
    lines += _table(["label", "precision", "recall", "F1", "baseline F1", "support"], rows)
    lines += ["", "Learning curve (micro F1 by training documents): " + ", ".join(
        f"{p['documents']}: {p['micro_f1']:.3f}" for p in m["learning_curve"])]
    if m.get("untrained_labels"):
        lines.append(f"No examples yet for: {', '.join(m['untrained_labels'])}")
    lines.append(f"Model {m['model_id']} stored in the project (data {m['data_hash'][:12]}). "
                 "Next: annotator suggest")
    return lines


def _document_ids(values: list[str] | None) -> list[int] | None:
    if not values:
        return None
    ids: list[int] = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                try:
                    ids.append(int(part))
                except ValueError:
                    _fail(f"--documents takes document ids (numbers), not {part.strip()!r}", 2)
    return ids


@app.command()
def suggest(
    min_score: Annotated[float, typer.Option("--min-score", min=0.0, max=1.0,
                                             help="Keep suggestions scoring at least this (0..1).")] = 0.5,
    documents: Annotated[list[str] | None, typer.Option(
        "--documents", help="Only these document ids (repeatable, or comma-separated). Default: every "
        "document nobody marked done.", show_default=False)] = None,
    from_file: Annotated[Path | None, typer.Option(
        "--from", dir_okay=False, help="Store predictions from this JSONL instead ({\"text\", \"spans\": "
        "[{\"start\", \"end\", \"label\", \"score\"}]} per line, matched to documents by text).",
        show_default=False)] = None,
    project: ProjectOpt = None,
) -> None:
    """Store the trained model's suggestions (annotator "model", with scores) for documents not done.

    Re-running replaces earlier suggestions for those documents; people's spans are never
    touched, and suggestions a reviewer rejected are never made again.
    """
    from annotator.suggestions.store import PredictionError, import_predictions, load
    from annotator.suggestions.store import suggest as suggest_documents

    ids = _document_ids(documents)
    proj = _open(project)
    try:
        if from_file is not None:
            try:
                report: Any = import_predictions(proj.repo, from_file)
            except PredictionError as exc:
                _fail(f"{exc}; nothing was stored")
            typer.echo(report.summary())
            return
        try:
            trained = load(proj.repo)
        except _model_errors() as exc:
            _fail(str(exc))
        if trained is None:
            _fail("this project has no model yet: run `annotator train` first")
        for name, (then, now) in trained.version_differences().items():
            typer.echo(f"annotator: note: the model was made with {name} {then}, this is {now}", err=True)
        bar = _Bar("Suggesting")
        try:
            report = suggest_documents(proj.repo, trained, documents=ids, min_score=min_score, progress=bar)
        except KeyError as exc:
            bar.close()
            _fail(str(exc.args[0]))
        bar.close()
        typer.echo(report.summary())
    finally:
        proj.close()
