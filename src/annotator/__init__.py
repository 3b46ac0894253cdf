"""annotator: label claims, mechanisms, interventions, citations and disclaimers in health articles."""

from __future__ import annotations

__version__ = "0.1.0"
