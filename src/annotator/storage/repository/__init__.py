"""Every query the application runs. Nothing else opens a session or writes SQL.

Methods take and return plain records (``annotator.records``); each write runs in its own
transaction and is committed before the method returns. One class, :class:`Repository`,
assembled from one module per concern: ``base`` (tables, labels, annotators), ``documents``,
``spans`` (and statuses) and ``export`` (statistics, export reads, the token cache).
"""

from __future__ import annotations

from annotator.storage.repository.base import RepositoryBase, new_span_id
from annotator.storage.repository.documents import DocumentQueries
from annotator.storage.repository.export import ExportDocument, ExportFilter, ExportGroup, ExportQueries, TokenCache
from annotator.storage.repository.spans import SpanQueries
from annotator.storage.repository.suggestion_ui import SuggestionRejections
from annotator.storage.repository.team_view import DocumentReviewer, TeamViewQueries

__all__ = ["DocumentReviewer", "ExportDocument", "ExportFilter", "ExportGroup", "Repository", "RepositoryBase",
           "TokenCache", "new_span_id"]


class Repository(ExportQueries, SpanQueries, DocumentQueries, TeamViewQueries, SuggestionRejections):
    """The project database: every read and write of the application."""
