"""Training in a child process: the same model as in process, progress, cancel, and clear failures."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from annotator.project import Project, open_project
from annotator.suggestions.background import BackgroundTraining, TrainingOutcome, TrainingProgress

pytest.importorskip("sklearn")
pytest.importorskip("skops")


def run_to_the_end(training: BackgroundTraining, timeout_s: float = 180) -> list[TrainingProgress | TrainingOutcome]:
    seen: list[TrainingProgress | TrainingOutcome] = []
    deadline = time.monotonic() + timeout_s
    while training.is_running():
        assert time.monotonic() < deadline, "training did not end"
        seen += training.poll()
        time.sleep(0.02)
    return seen


def stored_metrics(path: Path) -> dict | None:
    p = open_project(path)
    try:
        record = p.repo.latest_model()
        return None if record is None else record.metrics
    finally:
        p.close()


def test_the_child_trains_and_stores_the_same_model_as_in_process(generated_path: Path, trained: Project) -> None:
    training = BackgroundTraining(generated_path, seed=0)
    seen = run_to_the_end(training)
    outcome = seen[-1]
    assert isinstance(outcome, TrainingOutcome) and outcome.kind == "finished", outcome
    assert outcome.pid == training.pid and outcome.pid != os.getpid()  # trained in the child
    assert outcome.text.startswith("Model trained on")
    steps = [m for m in seen if isinstance(m, TrainingProgress)]
    assert steps and steps[-1].total > 0 and all(m.step for m in steps)
    in_process = trained.repo.latest_model()
    assert in_process is not None
    assert stored_metrics(generated_path) == in_process.metrics  # same data and seed -> same scores
    assert training.poll() == []  # the outcome comes once


def test_cancelled_training_stores_nothing(generated_path: Path) -> None:
    training = BackgroundTraining(generated_path)
    training.cancel()
    outcome = run_to_the_end(training)[-1]
    assert isinstance(outcome, TrainingOutcome) and outcome.kind == "cancelled"
    assert stored_metrics(generated_path) is None


def test_nothing_to_learn_from_is_a_clear_failure(tmp_path: Path) -> None:
    empty = tmp_path / "empty.annotator"
    open_project(empty).close()
    training = BackgroundTraining(empty)
    outcome = run_to_the_end(training)[-1]
    assert isinstance(outcome, TrainingOutcome) and outcome.kind == "failed"
    assert "done" in outcome.text and "Traceback" not in outcome.text
    assert stored_metrics(empty) is None


def test_a_child_that_dies_is_reported_as_failed(generated_path: Path) -> None:
    training = BackgroundTraining(generated_path)
    training._process.kill()  # as the system's out-of-memory killer would
    outcome = run_to_the_end(training)[-1]
    assert isinstance(outcome, TrainingOutcome) and outcome.kind == "failed"
    assert "stopped unexpectedly" in outcome.text
