"""Encrypted PDFs met during an import: ask for each password, then import those files with it.

The importer refuses a locked PDF ("encrypted PDF: a password is needed"); the import
dialog hands its report here before showing it. Each password is checked as it is typed
(so a typo is asked again at once), the files are imported on a worker thread, and the
report then shows them as imported. Passwords stay in this process's memory only
(:func:`annotator.pdf_source.remember_password`), so the page view can draw the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QLineEdit, QWidget

from annotator.ui.plain_text import ask_text

from annotator.importing import ImportReport
from annotator.ui.workers import TaskContext, TaskHandle, start_task

_LOCKED = "encrypted PDF:"  # how the importer's refusal of a locked PDF starts (after the file name)


def is_locked_refusal(reason: str) -> bool:
    return _LOCKED in reason


def ask_password(parent: QWidget | None, path: Path, *, wrong: bool = False) -> str | None:
    """The password typed for ``path``, or None if the reviewer cancelled."""
    prompt = f"{path.name} is encrypted.\n\nPassword:"
    if wrong:
        prompt = f"That password does not open {path.name}. Try again.\n\nPassword:"
    text, ok = ask_text(parent, "Password needed", prompt, echo=QLineEdit.EchoMode.Password)
    return text if ok and text else None


def password_opens(path: Path, password: str) -> bool:
    from annotator.pdf_source import MUPDF_LOCK, PdfSourceError, open_pdf

    try:
        with MUPDF_LOCK:
            open_pdf(path, password).close()
    except PdfSourceError:
        return False
    return True


def unlock_and_import(parent: QWidget | None, project_path: str, report: ImportReport,
                      then: Callable[[ImportReport], None]) -> TaskHandle | None:
    """Ask for the passwords of the locked PDFs in ``report``, import them, call ``then(report)``.

    ``then`` runs once, with the report updated (a file whose password was not given
    stays refused, with the importer's reason).
    """
    passwords: dict[str, str] = {}
    for path_text, reason in report.refused:
        if not is_locked_refusal(reason):
            continue
        path = Path(path_text)
        password = ask_password(parent, path)
        while password is not None and not password_opens(path, password):
            password = ask_password(parent, path, wrong=True)
        if password is not None:
            passwords[path_text] = password
    if not passwords:
        then(report)
        return None

    def merge(result: object) -> None:
        assert isinstance(result, ImportReport)
        report.refused = [(p, r) for p, r in report.refused if p not in passwords] + result.refused
        report.imported += result.imported
        report.skipped += result.skipped
        then(report)

    def keep_refusals(_message: str) -> None:
        then(report)

    handle = start_task(parent, lambda ctx: _import_unlocked(ctx, project_path, passwords), title="import")
    handle.finished.connect(merge)
    handle.failed.connect(keep_refusals)
    return handle


def _import_unlocked(ctx: TaskContext, project_path: str, passwords: dict[str, str]) -> ImportReport:
    """What ``importing._import_file`` does, with a password (all or nothing per file)."""
    from annotator.importers.base import DocumentImportError
    from annotator.importers.pdf import PdfImporter
    from annotator.importing import check_document, sha256_text
    from annotator.pdf_source import MUPDF_LOCK, remember_password
    from annotator.storage.repository import Repository

    report = ImportReport()
    repo, _ = Repository.open(project_path, create=False)
    try:
        labels = {lr.name for lr in repo.labels()}
        for i, (path_text, password) in enumerate(passwords.items()):
            ctx.progress(i, len(passwords), path_text)
            path = Path(path_text).resolve()
            try:
                with MUPDF_LOCK:
                    docs = PdfImporter().load(path, password=password)
                for k, doc in enumerate(docs):
                    check_document(doc, labels, path, k)
                ids = repo.add_documents([(d, sha256_text(d.text)) for d in docs], path.read_bytes())
            except OSError as exc:
                report.refused.append((path_text, f"{path.name}: cannot read ({exc.strerror or exc})"))
                continue
            except DocumentImportError as exc:
                report.refused.append((path_text, str(exc)))
                continue
            remember_password(path, password)
            for doc, doc_id in zip(docs, ids):
                if doc_id is None:
                    report.skipped.append((path_text, f"{doc.title!r} is already in the project (same text)"))
                else:
                    report.imported.append((path_text, doc.title, doc_id))
    finally:
        repo.close()
    return report
