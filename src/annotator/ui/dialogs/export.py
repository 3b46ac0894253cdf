"""The export dialog: format, filters, target; the export runs off the GUI thread with progress.

Import it from ``annotator.ui.dialogs.import_export`` (its public home); it lives in its
own module only to keep each file short.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.storage.models import STATUSES
from annotator.storage.repository import ExportFilter, Repository
from annotator.ui.plain_text import plain_label
from annotator.ui.workers import TaskContext, TaskHandle, start_task
from annotator.ui.wording import count


def available_formats() -> dict[str, tuple[str, str]]:
    """name -> (description, suffix); just "canonical" if the exporters can't be loaded."""
    try:
        from annotator.exporters.registry import FORMATS
    except ImportError:
        return {"canonical": ("One JSON line per document and annotator", ".jsonl")}
    return {name: (getattr(f, "description", ""), getattr(f, "suffix", ".jsonl")) for name, f in FORMATS.items()}


def trainer_formats() -> set[str]:
    """The training formats: they export done documents by default when any document is done."""
    try:
        from annotator.exporters.registry import FORMATS
    except ImportError:
        return set()
    return {name for name, f in FORMATS.items() if getattr(f, "trainer", False)}


def parse_split(text: str) -> tuple[float, ...] | None:
    """The split field's fractions (None when empty); ValueError says what is wrong."""
    from annotator.exporters.base import ExportError
    from annotator.exporters.options import parse_split as parse

    try:
        return parse(text)
    except ExportError as exc:
        raise ValueError(str(exc)) from None


def _export_in_worker(project_path: str, fmt: str, out: Path, flt: ExportFilter,
                      split: tuple[float, ...] | None = None, seed: int = 0) -> Callable[[TaskContext], object]:
    def work(ctx: TaskContext) -> object:
        from annotator.exporters.registry import run_export  # a missing exporter fails the task, not the dialog

        from annotator.exporters.options import ExportOptions
        from annotator.metrics.card import card_extras  # the card's agreement table and baseline scores

        extra: dict[str, object] = {"options": ExportOptions(split=split, seed=seed, card_extras=card_extras)}
        repo, _ = Repository.open(project_path, create=False)
        try:
            return run_export(repo, fmt, out, flt, progress=ctx.progress, cancelled=ctx.cancelled, **extra)
        finally:
            repo.close()

    return work


def _checked(boxes: dict[str, QCheckBox]) -> tuple[str, ...]:
    return tuple(name for name, box in boxes.items() if box.isChecked())


class ExportDialog(QDialog):
    """``exported(result)`` fires after a successful export (not after a cancelled one)."""

    exported = Signal(object)

    def __init__(self, parent: QWidget | None, project_path: str, labels: list[str], annotators: list[str],
                 current_annotator: str, any_done: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export annotations")
        self.project_path = project_path
        self._formats = available_formats()
        self._trainers = trainer_formats()
        self._any_done = any_done  # then a training format starts with only "done" ticked, as the CLI does
        self._task: TaskHandle | None = None
        self._close_when_done = False

        self.format_combo = QComboBox(self)
        self.format_combo.setObjectName("exportFormat")
        for name, (description, _suffix) in self._formats.items():
            self.format_combo.addItem(name, name)
            self.format_combo.setItemData(self.format_combo.count() - 1, description, Qt.ItemDataRole.ToolTipRole)
        self.format_help = QLabel(self)
        self.format_help.setWordWrap(True)

        self.annotator_list = QListWidget(self)
        self.annotator_list.setObjectName("exportAnnotators")
        names = list(dict.fromkeys([*annotators, current_annotator] if current_annotator else annotators))
        for name in names:
            item = QListWidgetItem(name, self.annotator_list)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name == current_annotator else Qt.CheckState.Unchecked)
        self.annotator_list.setMaximumHeight(110)

        self.status_boxes = {s: QCheckBox(s.replace("_", " "), self) for s in STATUSES}
        self.label_boxes = {name: QCheckBox(name, self) for name in labels}
        for box in [*self.status_boxes.values(), *self.label_boxes.values()]:
            box.setChecked(True)

        # Train/dev/test files: grouped by document, stratified by labels, reproducible per seed.
        self.split_edit = QLineEdit(self)
        self.split_edit.setObjectName("exportSplit")
        self.split_edit.setPlaceholderText("none: one file; e.g. 0.8,0.1,0.1 for train/dev/test")
        self.seed_spin = QSpinBox(self)
        self.seed_spin.setObjectName("exportSeed")
        self.seed_spin.setRange(0, 2_147_483_647)
        split_row = QHBoxLayout()
        split_row.addWidget(self.split_edit, 1)
        split_row.addWidget(QLabel("Seed:", self))
        split_row.addWidget(self.seed_spin)

        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("exportPath")
        choose = QPushButton("Choose…", self)
        choose.clicked.connect(self.choose_path)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(choose)

        self.progress_bar = QProgressBar(self)
        self.cancel_button = QPushButton("Cancel export", self)
        self.cancel_button.setObjectName("cancelExport")
        self.cancel_button.clicked.connect(self.cancel_export)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_bar, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_bar.hide()
        self.cancel_button.hide()
        self.status_label = plain_label("", self)  # paths and error messages
        self.status_label.setObjectName("exportStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)  # paths and labels are the user's
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("exportButton")
        self.export_button.setDefault(True)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.start_export)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Format:", self.format_combo)
        form.addRow("", self.format_help)
        form.addRow("Annotators:", self.annotator_list)
        form.addRow("Statuses:", self._grid(list(self.status_boxes.values())))
        form.addRow("Labels:", self._grid(list(self.label_boxes.values())))
        form.addRow("Split:", split_row)
        form.addRow("Save to:", path_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(progress_row)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)

        self.format_combo.currentIndexChanged.connect(self._format_changed)
        self.annotator_list.itemChanged.connect(self._validate)
        for box in [*self.status_boxes.values(), *self.label_boxes.values()]:
            box.toggled.connect(self._validate)
        self.path_edit.textChanged.connect(self._validate)
        self.split_edit.textChanged.connect(self._validate)
        self._format_changed()
        self.path_edit.setText(str(self.default_path()))
        self.resize(560, self.sizeHint().height())

    def _grid(self, boxes: list[QCheckBox], columns: int = 3) -> QGridLayout:
        grid = QGridLayout()
        for i, box in enumerate(boxes):
            grid.addWidget(box, i // columns, i % columns)
        return grid

    # -- choices ----------------------------------------------------------------------
    def format_name(self) -> str:
        return str(self.format_combo.currentData())

    def suffix(self) -> str:
        return self._formats[self.format_name()][1]

    def default_path(self) -> Path:
        project = Path(self.project_path) if "://" not in self.project_path else Path.home() / "annotator"
        folder = project.parent if "://" not in self.project_path else Path.home()
        return folder / f"{project.stem}-{self.format_name()}{self.suffix()}"

    def selected_annotators(self) -> tuple[str, ...]:
        items = [self.annotator_list.item(i) for i in range(self.annotator_list.count())]
        return tuple(it.text() for it in items if it.checkState() == Qt.CheckState.Checked)

    def export_filter(self) -> ExportFilter:
        """Everything ticked means no restriction, so names the project lacks never fail the export."""
        annotators = self.selected_annotators()
        statuses, labels = _checked(self.status_boxes), _checked(self.label_boxes)
        return ExportFilter(
            annotators=() if len(annotators) == self.annotator_list.count() else annotators,
            statuses=() if len(statuses) == len(self.status_boxes) else statuses,
            labels=() if len(labels) == len(self.label_boxes) else labels,
        )

    def choose_path(self) -> None:
        current = self.path_edit.text() or str(self.default_path())
        if self.suffix():
            path, _ = QFileDialog.getSaveFileName(self, "Export to", current, f"{self.format_name()} (*{self.suffix()})")
        else:
            path = QFileDialog.getExistingDirectory(self, "Export into folder", current)
        if path:
            self.path_edit.setText(path)

    def _file_suffixes(self) -> set[str]:
        return {suffix for _description, suffix in self._formats.values() if suffix}

    def split(self) -> tuple[float, ...] | None:
        """The split fractions, or None (empty field, or a format that writes no splits)."""
        if not self.split_edit.isEnabled():
            return None
        try:
            return parse_split(self.split_edit.text())
        except ValueError:
            return None

    def _format_changed(self) -> None:
        description, suffix = self._formats[self.format_name()]
        self.format_help.setText(description)
        self.split_edit.setEnabled(self.format_name() != "pdf")  # a folder of annotated PDFs has no splits
        self._default_statuses()
        self.seed_spin.setEnabled(self.split_edit.isEnabled())
        text = self.path_edit.text()
        if text and Path(text).suffix != suffix and (suffix or Path(text).suffix in self._file_suffixes()):
            self.path_edit.setText(str(Path(text).with_suffix(suffix)))  # a folder format drops a file suffix
        elif text and not suffix and Path(text).suffix:  # a folder format: not a file's name
            self.path_edit.setText(str(self.default_path()))
        self._validate()

    def _default_statuses(self) -> None:
        """Tick only "done" for a training format when any document is done, all for other formats; a choice
        the user made (neither of those two) is left alone."""
        ticked = set(_checked(self.status_boxes))
        if self._any_done and ticked in ({"done"}, set(self.status_boxes)):
            only_done = self.format_name() in self._trainers
            for name, box in self.status_boxes.items():
                box.setChecked(name == "done" or not only_done)

    def problem(self) -> str | None:
        """Why Export can't run now, or None."""
        if not self.selected_annotators():
            return "Choose at least one annotator."
        if not _checked(self.status_boxes):
            return "Choose at least one status."
        if self.label_boxes and not _checked(self.label_boxes):
            return "Choose at least one label."
        if not self.path_edit.text().strip():
            return "Choose where to save the export."
        if self.split_edit.isEnabled():
            try:
                parse_split(self.split_edit.text())
            except ValueError as exc:
                return f"Split: {exc}."
        return None

    def _validate(self) -> None:
        if self.is_running():
            return
        problem = self.problem()
        self.export_button.setEnabled(problem is None)
        target = Path(self.path_edit.text().strip() or ".")
        note = " The existing file will be replaced." if problem is None and target.is_file() else ""
        self._set_status(problem or note.strip(), error=False)

    def _set_status(self, text: str, *, error: bool) -> None:
        self.status_label.setText(text)
        if self.status_label.property("error") != error:
            self.status_label.setProperty("error", error)
            self.status_label.style().unpolish(self.status_label)
            self.status_label.style().polish(self.status_label)

    # -- running ----------------------------------------------------------------------
    def is_running(self) -> bool:
        return self._task is not None and self._task.is_running()

    def start_export(self) -> None:
        if self.is_running() or self.problem() is not None:
            return
        out = Path(self.path_edit.text().strip()).expanduser()
        work = _export_in_worker(self.project_path, self.format_name(), out, self.export_filter(),
                                 self.split(), self.seed_spin.value())
        self._task = start_task(self, work, title="export")
        self._task.progressed.connect(self._on_progress)
        self._task.finished.connect(self._on_finished)
        self._task.failed.connect(self._on_failed)
        self._set_running(True)
        self._set_status("Exporting…", error=False)

    def _set_running(self, running: bool) -> None:
        self.export_button.setEnabled(not running and self.problem() is None)
        self.progress_bar.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.progress_bar.setRange(0, 0)  # busy until the first report gives a total
        for widget in (self.format_combo, self.annotator_list, self.path_edit, self.seed_spin,
                       *self.status_boxes.values(), *self.label_boxes.values()):
            widget.setEnabled(not running)
        self.split_edit.setEnabled(not running and self.format_name() != "pdf")
        self.seed_spin.setEnabled(self.split_edit.isEnabled())

    def _on_progress(self, done: int, total: int, message: str) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(min(done, max(total, 1)))
        self.status_label.setText(f"Exporting… {done:,} of {count(total, 'record')}")

    def _on_finished(self, result: object) -> None:
        self._task = None
        self._set_running(False)
        if getattr(result, "cancelled", False):
            self._set_status("Export cancelled; no file was written.", error=False)
        else:
            files = ", ".join(str(f) for f in getattr(result, "files", []))
            records, spans = getattr(result, "records", 0), getattr(result, "spans", 0)
            # Folder formats, splits and resolved overlaps need more than a count: the result says it.
            if hasattr(result, "skipped") or getattr(result, "splits", None) or getattr(result, "notes", None) \
                    or getattr(result, "folder", None):
                text = f"Exported {result.summary()}"
            else:
                text = f"Exported {count(records, 'record')} with {count(spans, 'span')} to {files}."
            # Warnings (an empty split file, say) must be seen, not lost in a long summary line.
            warnings = [w for w in getattr(result, "warnings", None) or [] if str(w) not in text]
            text += "".join(f"\nWarning: {w}" for w in warnings)
            self._set_status(text, error=bool(warnings))
            self.exported.emit(result)
        if self._close_when_done:
            super().reject()

    def _on_failed(self, message: str) -> None:
        self._task = None
        self._set_running(False)
        self._set_status(f"Export failed: {message}", error=True)
        if self._close_when_done:
            super().reject()

    def cancel_export(self) -> None:
        """Stop the running export; the exporter writes nothing when cancelled."""
        if self.is_running() and self._task is not None:
            self._task.cancel()
            self.cancel_button.setEnabled(False)
            self._set_status("Cancelling…", error=False)

    def reject(self) -> None:
        """Close; while exporting, cancel first and close once the worker has stopped."""
        if self.is_running():
            self._close_when_done = True
            self.close_button.setEnabled(False)
            self.cancel_export()
            return
        super().reject()
