"""Who is reviewing, and the few preferences the window remembers between sessions."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from annotator.config import Preferences, os_user


def resolve_reviewer(parent: QWidget | None, explicit: str | None) -> str:
    """The given name, else the stored one, else ask once (default: the OS user) and store it."""
    if explicit and explicit.strip():
        return explicit.strip()
    prefs = Preferences.load()
    if prefs.reviewer.strip():
        return prefs.reviewer.strip()
    from annotator.ui.dialogs.reviewer import ask_reviewer_name

    name = (ask_reviewer_name(parent, os_user()) or "").strip() or os_user()
    update_preferences(reviewer=name)
    return name


def update_preferences(**changes: Any) -> None:
    # Load-modify-save each time: dialogs elsewhere may have saved other fields meanwhile.
    prefs = Preferences.load()
    for key, value in changes.items():
        setattr(prefs, key, value)
    prefs.save()
