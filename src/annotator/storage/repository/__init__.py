"""Every query the application runs. Nothing else opens a session or writes SQL.

Methods take and return plain records (``annotator.records``); each write runs in its own
transaction and is committed before the method returns. One class, :class:`Repository`,
assembled from one module per concern: ``base`` (tables, labels, annotators), ``documents``,
``spans`` (and statuses), ``export`` (statistics, export reads), ``progress`` (the
statistics view's counts, flag reasons), ``sources`` (stored original files), ``team``
(attaching others' work, merging, gold), ``team_view`` (who annotated a document, for the
app) and ``suggestions`` (trained models, the model's suggestions, rejections).
"""

from __future__ import annotations

from annotator.storage.repository.base import RepositoryBase, new_span_id
from annotator.storage.repository.documents import DocumentQueries
from annotator.storage.repository.export import ExportDocument, ExportFilter, ExportGroup, ExportQueries
from annotator.storage.repository.progress import ProgressOverview, ProgressQueries
from annotator.storage.repository.sources import SourceQueries
from annotator.storage.repository.spans import SpanQueries
from annotator.storage.repository.suggestions import SuggestionQueries
from annotator.storage.repository.team import AttachOutcome, IncomingSpan, StoreOutcome, TeamQueries
from annotator.storage.repository.team_view import DocumentReviewer, TeamViewQueries

__all__ = ["AttachOutcome", "DocumentReviewer", "ExportDocument", "ExportFilter", "ExportGroup", "IncomingSpan",
           "ProgressOverview", "Repository", "RepositoryBase", "StoreOutcome", "new_span_id"]


class Repository(SuggestionQueries, TeamQueries, TeamViewQueries, ProgressQueries, ExportQueries, SpanQueries,
                 SourceQueries, DocumentQueries):
    """The project database: every read and write of the application."""
