"""The Model menu: train the suggestion model and make suggestions, on a worker, from the app.

*Train* runs :func:`annotator.suggestions.store.train` in a separate process
(:mod:`annotator.suggestions.background`), so fitting never holds this interpreter's GIL: a
timer polls it, a non-modal progress dialog shows its steps and can cancel it, and the
reviewer keeps tagging meanwhile. The child stores the model in the project; afterwards
only labels whose held-out F1 beats the keyword baseline show their suggestions.

*Suggest for this document* and *Suggest for all documents not done* load the stored model
and run :func:`~annotator.suggestions.store.suggest` on a worker too; the Reviewers dock and
the dashed outlines follow when they finish.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog

from annotator.ui.actions import ActionSpec, Handler

if TYPE_CHECKING:
    from annotator.storage.repository import Repository
    from annotator.suggestions.background import BackgroundTraining
    from annotator.ui.main_window.window import MainWindow
    from annotator.ui.workers import TaskContext, TaskHandle

MODEL_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("model.train", "&Train model", "Model", (),
               "Learn suggestions from the documents marked done (gold when it exists), on a worker"),
    ActionSpec("model.suggest_document", "Suggest for this &document", "Model", (),
               "Let the trained model suggest spans on the open document"),
    ActionSpec("model.suggest_all", "Suggest for &all documents not done", "Model", (),
               "Let the trained model suggest spans on every document nobody marked done"),
)


_POLL_MS = 50


def _suggest(repo: Repository, documents: list[int] | None, ctx: TaskContext) -> str:
    from annotator.suggestions.store import load, suggest

    trained = load(repo)
    if trained is None:
        raise ValueError("no model is trained yet: Model → Train model first")
    return suggest(repo, trained, documents=documents, progress=ctx.progress, cancelled=ctx.cancelled).summary()


class ModelController(QObject):
    message = Signal(str)
    finished = Signal(str)  # what a task reported, once it is done (or why it stopped)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.task: TaskHandle | BackgroundTraining | None = None
        self.progress: QProgressDialog | None = None
        self._poller = QTimer(self)
        self._poller.setInterval(_POLL_MS)
        self._poller.timeout.connect(self._poll_training)
        self._training_session: object = None

    def handlers(self) -> dict[str, Handler]:
        return {"model.train": self.train, "model.suggest_document": self.suggest_document,
                "model.suggest_all": self.suggest_all}

    @property
    def busy(self) -> bool:
        return self.task is not None

    def train(self) -> BackgroundTraining | None:
        session = self.window.session
        if session is None:
            return None
        if self.task is not None:
            self.message.emit("The model is already busy; wait for it or cancel it")
            return None
        from annotator.suggestions.background import BackgroundTraining

        title = "Training the suggestion model…"
        training = BackgroundTraining(session.project.path)
        self.task, self._training_session = training, session
        self._show_progress(title, training.cancel)
        self._poller.start()
        self.message.emit(title)
        return training

    def stop_training(self) -> None:
        """End a running training (the window is closing); nothing is stored."""
        from annotator.suggestions.background import BackgroundTraining

        if isinstance(self.task, BackgroundTraining):
            self._poller.stop()
            self.task.stop()
            self.task = None

    def _poll_training(self) -> None:
        from annotator.suggestions.background import BackgroundTraining, TrainingProgress

        training, session = self.task, self._training_session
        if not isinstance(training, BackgroundTraining):
            self._poller.stop()
            return
        for message in training.poll():
            if isinstance(message, TrainingProgress):
                self._progressed(message.done, message.total, message.step)
            else:
                self._poller.stop()
                text = message.text if message.kind == "finished" else f"Model: {message.text}"
                self._done(text, session, trained=message.kind == "finished")

    def suggest_document(self) -> TaskHandle | None:
        doc_id = self.window.documents.current_id
        if self.window.session is None or doc_id is None:
            self.message.emit("Open a document first")
            return None
        repo = self.window.session.project.repo
        return self._start("Suggesting spans…", lambda ctx: _suggest(repo, [doc_id], ctx))

    def suggest_all(self) -> TaskHandle | None:
        if self.window.session is None:
            return None
        repo = self.window.session.project.repo
        return self._start("Suggesting spans on every open document…", lambda ctx: _suggest(repo, None, ctx))

    # -- running --------------------------------------------------------------------------------
    def _start(self, title: str, work: Any) -> TaskHandle | None:
        if self.task is not None:
            self.message.emit("The model is already busy; wait for it or cancel it")
            return None
        from annotator.ui.workers import start_task

        session = self.window.session
        handle = start_task(self, work, title=title)
        self.task = handle
        self._show_progress(title, handle.cancel)
        handle.progressed.connect(self._progressed)
        handle.finished.connect(lambda text: self._done(str(text), session, trained=False))
        handle.failed.connect(lambda error: self._done(f"Model: {error}", session, trained=False))
        handle.aborted.connect(lambda: self._done("Model: cancelled", session, trained=False))
        self.message.emit(title)
        return handle

    def _show_progress(self, title: str, cancel: Any) -> None:
        dialog = QProgressDialog(title, "Cancel", 0, 0, self.window)
        dialog.setObjectName("modelProgress")
        dialog.setWindowTitle("Model")
        dialog.setWindowModality(Qt.WindowModality.NonModal)  # the reviewer keeps annotating
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(cancel)
        dialog.show()
        self.progress = dialog

    def _progressed(self, done: int, total: int, step: str) -> None:
        if self.progress is not None:
            self.progress.setMaximum(max(total, 0))
            self.progress.setValue(min(done, total) if total else 0)
            self.progress.setLabelText(step.replace("_", " ").capitalize() or "Working…")

    def _done(self, text: str, session: object, *, trained: bool) -> None:
        self.task = None
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        if session is self.window.session and session is not None:
            team = self.window.team
            if trained:
                team.refresh_label_filter()
            team.refresh_panel()
            team.reload_layers()
        self.message.emit(text)
        self.finished.emit(text)
