"""Glue between the project and the model: train and store, load, suggest, import predictions.

What the CLI and the app call. A stored model is the newest ``trained_model`` row; its
suggestions belong to the reserved annotator ``model`` and live in the ``suggestion`` table.
Suggesting for a document replaces that document's earlier suggestions (from the model or an
import), never touches a person's spans, and never proposes what a reviewer rejected there.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.records import SuggestionRecord, TrainedModelRecord
from annotator.sentences import split_sentences
from annotator.storage.models import utc_now
from annotator.storage.repository import Repository
from annotator.suggestions.dataset import MODEL_ANNOTATOR, TrainingDataError, build_training_set
from annotator.suggestions.model import SentenceModel, library_versions, load_model, require_model_libraries

DEFAULT_MIN_SCORE = 0.5
_BATCH = 200  # documents per read and per replace transaction

Progress = Callable[[int, int, str], None]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass(frozen=True)
class LoadedModel:
    """A stored model: its record (metrics, hash, versions) and the fitted objects."""

    record: TrainedModelRecord
    model: SentenceModel

    def version_differences(self) -> dict[str, tuple[str, str]]:
        """Libraries whose version differs from the one the model was made with: name -> (then, now)."""
        now = library_versions()
        return {k: (v, now.get(k, "unknown")) for k, v in self.record.versions.items()
                if k not in ("python", "annotator") and now.get(k) != v}


def train(repo: Repository, *, annotator: str | None = None, gold: bool = False, seed: int = 0,
          progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> LoadedModel:
    """Build the examples, train and score (``evaluate.py``), and store the model in the project.

    Raises TrainingDataError (nothing to learn from), ModelUnavailable (libraries missing) or
    TrainingCancelled; nothing is stored then.
    """
    require_model_libraries()
    from annotator.suggestions.evaluate import train_and_evaluate

    data = build_training_set(repo, annotator, gold)
    try:
        model, metrics = train_and_evaluate(data, seed, progress, cancelled)
    except ValueError as exc:
        if isinstance(exc, TrainingDataError):
            raise
        raise TrainingDataError(f"too little text to learn from ({exc})") from exc
    project_labels = [lr.name for lr in repo.labels()]
    metrics["untrained_labels"] = [name for name in project_labels if name not in data.labels]
    metrics.update(trained_on=data.trained_on, seed=seed, data_hash=data.data_hash)
    versions = library_versions()
    record = repo.store_model(trained_on=data.trained_on, seed=seed, data_hash=data.data_hash,
                              versions=versions, metrics=metrics, blob=model.to_bytes())
    return LoadedModel(record, model)


def load(repo: Repository) -> LoadedModel | None:
    """The project's stored model, or None when none was trained (ModelLoadError if unusable)."""
    record = repo.latest_model()
    if record is None:
        return None
    return LoadedModel(record, load_model(repo.model_blob(record.id)))


@dataclass
class SuggestReport:
    documents: int = 0
    suggestions: int = 0
    per_label: dict[str, int] = field(default_factory=dict)
    skipped_done: list[int] = field(default_factory=list)

    def summary(self) -> str:
        labels = ", ".join(f"{n} {label}" for label, n in self.per_label.items() if n)
        text = f"{_count(self.suggestions, 'suggestion')} on {_count(self.documents, 'document')}" + (
            f" ({labels})" if labels else "")
        if self.skipped_done:
            text += f"; skipped {_count(len(self.skipped_done), 'document')} already marked done"
        return text


def document_suggestions(trained: LoadedModel, doc_id: int, text: str,
                         min_score: float = DEFAULT_MIN_SCORE) -> list[SuggestionRecord]:
    """The model's suggestions for one text: a span over each sentence scoring >= ``min_score``."""
    sentences = split_sentences(text)
    scores = trained.model.scores([text[s:e] for s, e in sentences])
    now = utc_now()
    out: list[SuggestionRecord] = []
    for j, label in enumerate(trained.model.labels):
        for i in (scores[:, j] >= min_score).nonzero()[0]:
            start, end = sentences[i]
            out.append(SuggestionRecord(uuid.uuid4().hex, doc_id, label, start, end, round(float(scores[i, j]), 4),
                                        trained.record.id, now))
    out.sort(key=lambda s: (s.start, s.end, s.label))
    return out


def suggest(repo: Repository, trained: LoadedModel, *, documents: Sequence[int] | None = None,
            min_score: float = DEFAULT_MIN_SCORE, progress: Progress | None = None,
            cancelled: Callable[[], bool] | None = None) -> SuggestReport:
    """Store suggestions for the documents nobody marked done (or those of ``documents`` that are not)."""
    if not 0.0 <= min_score <= 1.0:
        raise ValueError(f"the minimum score is a probability between 0 and 1, not {min_score}")
    open_ids = repo.documents_not_done(excluded_annotators=(MODEL_ANNOTATOR,))
    report = SuggestReport(per_label={label: 0 for label in trained.model.labels})
    if documents is not None:
        known = set(repo.texts(list(documents)))
        unknown = sorted(set(documents) - known)
        if unknown:
            raise KeyError(f"no document {', '.join(map(str, unknown))} in this project")
        open_set = set(open_ids)
        report.skipped_done = sorted(d for d in set(documents) if d not in open_set)
        open_ids = sorted(d for d in set(documents) if d in open_set)
    for i in range(0, len(open_ids), _BATCH):
        if cancelled is not None and cancelled():
            break
        batch = open_ids[i:i + _BATCH]
        texts = repo.texts(batch)
        made = [s for d in batch for s in document_suggestions(trained, d, texts[d][0], min_score)]
        stored = repo.replace_suggestions(batch, made)  # without the rejected ones
        report.documents += len(batch)
        report.suggestions += len(stored)
        for s in stored:
            report.per_label[s.label] += 1
        if progress is not None:
            progress(i + len(batch), len(open_ids), "suggesting")
    return report


# -- external predictions ------------------------------------------------------------------
class PredictionError(ValueError):
    """A predictions file or record that cannot be stored as suggestions; nothing was stored."""


def scored_spans(record: dict[str, Any]) -> list[tuple[int, int, str, float]] | None:
    """(start, end, label, score) of a record's spans when every span has a ``score``, else None.

    What an importer asks to tell predictions (suggestions) from a person's spans.
    """
    spans = record.get("spans")
    if not isinstance(spans, list) or not spans or not all(isinstance(s, dict) and "score" in s for s in spans):
        return None
    return [(s.get("start"), s.get("end"), s.get("label"), s.get("score")) for s in spans]  # type: ignore[misc]


def imported_suggestions(repo: Repository, doc_id: int, text: str,
                         spans: Iterable[tuple[int, int, str, float]]) -> list[SuggestionRecord]:
    """Check predicted spans against the text and the label set; PredictionError on the first bad one."""
    labels = {lr.name for lr in repo.labels()}
    now = utc_now()
    out = []
    for n, (start, end, label, score) in enumerate(spans, start=1):
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise PredictionError(f"span {n}: [{start}, {end}) is empty or outside the text (0..{len(text)})")
        if label not in labels:
            raise PredictionError(f"span {n}: unknown label {label!r}; this project has {sorted(labels)}")
        if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1 or math.isnan(score):
            raise PredictionError(f"span {n}: score must be a number between 0 and 1, not {score!r}")
        out.append(SuggestionRecord(uuid.uuid4().hex, doc_id, label, start, end, float(score), None, now))
    return out


def store_imported_suggestions(repo: Repository, doc_id: int, spans: Iterable[tuple[int, int, str, float]]) -> int:
    """Store one document's predicted spans as its suggestions (replacing earlier ones).

    For the JSONL importer: a record whose spans all carry a ``score`` (:func:`scored_spans`)
    for a document already in the project. Returns how many were stored.
    """
    text = repo.texts([doc_id]).get(doc_id)
    if text is None:
        raise PredictionError(f"no document {doc_id} in this project")
    return len(repo.replace_suggestions([doc_id], imported_suggestions(repo, doc_id, text[0], spans)))


@dataclass
class PredictionImport:
    documents: int = 0
    suggestions: int = 0
    not_in_project: int = 0

    def summary(self) -> str:
        text = f"{_count(self.suggestions, 'suggestion')} on {_count(self.documents, 'document')}"
        if self.not_in_project:
            text += f"; skipped {_count(self.not_in_project, 'record')} whose text is not in this project"
        return text


def import_predictions(repo: Repository, path: Path) -> PredictionImport:
    """A JSONL of ``{"text", "spans": [{"start", "end", "label", "score"}]}`` records -> suggestions.

    Records are matched to documents by their text (sha256). The file is stored whole or not at
    all: the first bad line raises PredictionError naming it.
    """
    import orjson

    per_doc: dict[int, list[SuggestionRecord]] = {}
    report = PredictionImport()
    try:
        lines = Path(path).read_bytes().splitlines()
    except OSError as exc:
        raise PredictionError(f"cannot read {path}: {exc.strerror or exc}") from exc
    records: list[tuple[int, dict[str, Any]]] = []
    for n, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise PredictionError(f"{path}, line {n}: not JSON ({exc})") from exc
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or not isinstance(obj.get("spans"), list):
            raise PredictionError(f"{path}, line {n}: a record needs \"text\" and \"spans\"")
        records.append((n, obj))
    ids = repo.document_ids_by_sha256(hashlib.sha256(o["text"].encode()).hexdigest() for _, o in records)
    for n, obj in records:
        doc_id = ids.get(hashlib.sha256(obj["text"].encode()).hexdigest())
        if doc_id is None:
            report.not_in_project += 1
            continue
        spans = obj["spans"]
        if not all(isinstance(s, dict) for s in spans):
            raise PredictionError(f"{path}, line {n}: every span must be an object")
        try:
            found = imported_suggestions(repo, doc_id, obj["text"], [
                (s.get("start"), s.get("end"), s.get("label"), s.get("score")) for s in spans])
        except PredictionError as exc:
            raise PredictionError(f"{path}, line {n}: {exc}") from None
        per_doc.setdefault(doc_id, []).extend(found)
    if per_doc:
        report.suggestions = len(repo.replace_suggestions(sorted(per_doc), [s for v in per_doc.values() for s in v]))
    report.documents = len(per_doc)
    return report
