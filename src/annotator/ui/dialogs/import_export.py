"""Import with a progress dialog and a report; export with filters (the dialog lives in export.py).

Both run off the GUI thread through ``workers.start_task`` and open their own
:class:`Repository` on the project file there: SQLite in WAL mode lets the GUI keep
reading its own connection while the worker writes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.importing import ImportReport, import_paths
from annotator.storage.repository import Repository
from annotator.ui.dialogs.export import ExportDialog
from annotator.ui.pdf_password import unlock_and_import
from annotator.ui.workers import TaskContext, TaskHandle, start_task
from annotator.ui.plain_text import make_labels_plain, plain_message_box, plain_tooltip

__all__ = ["ExportDialog", "ImportReportDialog", "run_import"]

# Don't flash a progress dialog for an import that is over in a blink.
PROGRESS_DELAY_MS = 400


def _import_in_worker(project_path: str, paths: list[Path]) -> Callable[[TaskContext], ImportReport]:
    def work(ctx: TaskContext) -> ImportReport:
        repo, _ = Repository.open(project_path, create=False)
        try:
            return import_paths(repo, paths, progress=ctx.progress, cancelled=ctx.cancelled)
        finally:
            repo.close()

    return work


def run_import(parent: QWidget, project_path: str, paths: list[Path],
               on_done: Callable[[ImportReport], None]) -> TaskHandle:
    """Import ``paths`` into the project with progress and Cancel, then show what happened.

    ``on_done(report)`` runs on the GUI thread after the report dialog opens (also after a
    cancelled import: files finished before the cancel stay imported). If the import cannot
    run at all (project unreadable, database error) an error box is shown and ``on_done``
    is not called.
    """
    paths = [Path(p) for p in paths]
    progress = QProgressDialog("Preparing import…", "Cancel", 0, 0, parent)
    make_labels_plain(progress)  # it names each file
    progress.setObjectName("importProgress")
    progress.setWindowTitle("Importing")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(PROGRESS_DELAY_MS)
    progress.setAutoClose(False)
    progress.setAutoReset(False)
    progress.setMinimumWidth(420)

    handle = start_task(parent, _import_in_worker(project_path, paths), title="import")

    def show_progress(done: int, total: int, current: str) -> None:
        progress.setMaximum(max(total, 1))
        progress.setValue(min(done, total))
        if current:
            progress.setLabelText(f"Importing {Path(current).name}\n({done + 1} of {total} files)")
        elif total:
            progress.setLabelText(f"Imported {done} of {total} files")

    def cancel() -> None:
        handle.cancel()  # the import stops between files; what finished stays imported

    def finish(report: object) -> None:
        if not shiboken6.isValid(progress):
            return  # the parent window is gone (its destruction cancelled the import)
        progress.close()
        progress.deleteLater()
        assert isinstance(report, ImportReport)
        # Locked PDFs were refused for want of a password: ask for them and import those first.
        unlock_and_import(parent, project_path, report, show_report)

    def show_report(report: ImportReport) -> None:
        dialog = ImportReportDialog(parent, report)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        on_done(report)

    def fail(message: str) -> None:
        if not shiboken6.isValid(progress):
            return
        progress.close()
        progress.deleteLater()
        box = plain_message_box(QMessageBox.Icon.Warning, "Import failed",
                                f"The import could not run:\n\n{message}", QMessageBox.StandardButton.Close, parent)
        box.setObjectName("importError")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    progress.canceled.connect(cancel)
    handle.progressed.connect(show_progress)
    handle.finished.connect(finish)
    handle.failed.connect(fail)
    return handle


class ImportReportDialog(QDialog):
    """Counts, then every refused and skipped file with its reason (imported ones folded away)."""

    def __init__(self, parent: QWidget | None, report: ImportReport) -> None:
        super().__init__(parent)
        self.setObjectName("importReport")
        self.setWindowTitle("Import report")
        self.report = report
        headline = QLabel(self._headline(), self)
        headline.setObjectName("importSummary")
        headline.setWordWrap(True)
        font = headline.font()
        font.setBold(True)
        headline.setFont(font)

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("importDetails")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["File", "Reason"])
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self._add_group("Refused (nothing from these files was imported)", report.refused, expanded=True)
        self._add_group("Skipped", report.skipped, expanded=True)
        self._add_group("Imported", [(path, title) for path, title, _ in report.imported], expanded=False)
        self.tree.resizeColumnToContents(0)

        copy_button = QPushButton("Copy report", self)
        copy_button.setObjectName("copyImportReport")
        copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.as_text()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(headline)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.tree.setVisible(self.tree.topLevelItemCount() > 0)
        self.resize(640, 420 if self.tree.topLevelItemCount() else 120)

    def _headline(self) -> str:
        r = self.report
        parts = [f"{len(r.imported)} imported", f"{len(r.skipped)} skipped", f"{len(r.refused)} refused"]
        text = ", ".join(parts) + "."
        if r.cancelled:
            text = "Import cancelled. " + text
        return text

    def _add_group(self, title: str, rows: list[tuple[str, str]], *, expanded: bool) -> None:
        if not rows:
            return
        group = QTreeWidgetItem(self.tree, [f"{title}: {len(rows)}"])
        group.setFirstColumnSpanned(True)
        for path, reason in rows:
            name = Path(path).name
            # Importer messages start with the file name, which the first column already shows.
            item = QTreeWidgetItem(group, [name, reason.removeprefix(f"{name}: ")])
            item.setToolTip(0, plain_tooltip(path))
            item.setToolTip(1, plain_tooltip(reason))
        group.setExpanded(expanded)

    def rows(self, group_prefix: str) -> list[tuple[str, str]]:
        """(file name, reason) rows of the group whose title starts with ``group_prefix``."""
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            if group.text(0).startswith(group_prefix):
                return [(group.child(k).text(0), group.child(k).text(1)) for k in range(group.childCount())]
        return []

    def as_text(self) -> str:
        r = self.report
        lines = [self._headline()]
        lines += [f"refused  {path}: {reason}" for path, reason in r.refused]
        lines += [f"skipped  {path}: {reason}" for path, reason in r.skipped]
        lines += [f"imported {path}: {title}" for path, title, _ in r.imported]
        return "\n".join(lines)
