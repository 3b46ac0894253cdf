"""Light and dark appearance: a Fusion palette plus a small stylesheet from resources/styles/.

Fusion is used everywhere so the explicit palettes look the same on every platform; native
styles ignore parts of the palette (notably on Windows and macOS).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from annotator.resource_files import read_text

LIGHT, DARK, SYSTEM = "light", "dark", "system"
PREFERENCES = (SYSTEM, LIGHT, DARK)

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup

# role -> (light, dark). Greys chosen for body-text contrast above 7:1 on Base.
_COLOURS: dict[QPalette.ColorRole, tuple[str, str]] = {
    _Role.Window: ("#f3f3f1", "#26282b"),
    _Role.WindowText: ("#1f2328", "#e4e6e8"),
    _Role.Base: ("#ffffff", "#1d1f21"),
    _Role.AlternateBase: ("#f6f7f8", "#232528"),
    _Role.ToolTipBase: ("#ffffe8", "#33363a"),
    _Role.ToolTipText: ("#1f2328", "#e4e6e8"),
    _Role.PlaceholderText: ("#6e7781", "#8b949e"),
    _Role.Text: ("#1f2328", "#e4e6e8"),
    _Role.Button: ("#e9e9e6", "#31343a"),
    _Role.ButtonText: ("#1f2328", "#e4e6e8"),
    _Role.BrightText: ("#d1242f", "#ff7b72"),
    _Role.Light: ("#ffffff", "#3d4046"),
    _Role.Midlight: ("#e3e3e0", "#35383d"),
    _Role.Mid: ("#b8b8b4", "#505459"),
    _Role.Dark: ("#9a9a96", "#15171a"),
    _Role.Shadow: ("#5c5c58", "#000000"),
    _Role.Highlight: ("#2f6fb3", "#3d7cc4"),
    _Role.HighlightedText: ("#ffffff", "#ffffff"),
    _Role.Link: ("#0b62c4", "#6cb6ff"),
    _Role.LinkVisited: ("#6639ba", "#c297ff"),
}
_DISABLED: dict[QPalette.ColorRole, tuple[str, str]] = {
    _Role.WindowText: ("#8c959f", "#6e7681"),
    _Role.Text: ("#8c959f", "#6e7681"),
    _Role.ButtonText: ("#8c959f", "#6e7681"),
    _Role.Highlight: ("#c4c4c0", "#44474d"),
    _Role.HighlightedText: ("#ffffff", "#c9d1d9"),
}


# The text and page views select in slate grey, not the palette's blue: a selection must never
# be mistaken for a span, and the label colours (claim is blue) are all saturated.
_SELECTION = ("#5a6270", "#7d8696")


def use_selection_colour(widget: QWidget) -> None:
    """Give a document view the selection colour that no label colour resembles (per scheme)."""
    palette = widget.palette()
    dark = palette.color(_Role.Base).lightness() < 128
    for group in (_Group.Active, _Group.Inactive):
        palette.setColor(group, _Role.Highlight, QColor(_SELECTION[1 if dark else 0]))
        palette.setColor(group, _Role.HighlightedText, QColor("#ffffff"))
    widget.setPalette(palette)


def build_palette(scheme: str) -> QPalette:
    which = 1 if scheme == DARK else 0
    palette = QPalette()
    for role, pair in _COLOURS.items():
        palette.setColor(role, QColor(pair[which]))
    for role, pair in _DISABLED.items():
        palette.setColor(_Group.Disabled, role, QColor(pair[which]))
    return palette


def stylesheet(scheme: str) -> str:
    return read_text("styles", f"{scheme}.qss")


def system_scheme() -> str:
    """The platform's scheme; an unknown one (headless, old desktops) counts as light."""
    return DARK if QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark else LIGHT


class _SystemFollower(QObject):
    """Re-applies the system scheme when it changes, while the preference says "system"."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.preference = SYSTEM
        app.styleHints().colorSchemeChanged.connect(self.on_scheme_changed)

    def on_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self.preference == SYSTEM:
            _apply_scheme(self.app, DARK if scheme == Qt.ColorScheme.Dark else LIGHT)


_FOLLOWER_NAME = "annotatorThemeFollower"


def _follower(app: QApplication) -> _SystemFollower:
    found = app.findChild(_SystemFollower, _FOLLOWER_NAME)
    if found is None:
        found = _SystemFollower(app)
        found.setObjectName(_FOLLOWER_NAME)
    return found


def _apply_scheme(app: QApplication, scheme: str) -> None:
    app.setStyle("Fusion")
    app.setPalette(build_palette(scheme))
    app.setStyleSheet(stylesheet(scheme))
    app.setProperty("annotatorScheme", scheme)


def apply_theme(app: QApplication, preference: str) -> str:
    """Apply "system", "light" or "dark" (anything else means "system"); returns the scheme used."""
    preference = preference if preference in PREFERENCES else SYSTEM
    follower = _follower(app)
    follower.preference = preference
    hints = app.styleHints()
    if hasattr(hints, "setColorScheme"):
        # Lets the platform match window decorations; Unknown hands the choice back to it.
        requested = {LIGHT: Qt.ColorScheme.Light, DARK: Qt.ColorScheme.Dark}.get(preference, Qt.ColorScheme.Unknown)
        hints.setColorScheme(requested)
    scheme = system_scheme() if preference == SYSTEM else preference
    _apply_scheme(app, scheme)
    return scheme


def is_dark(app: QApplication) -> bool:
    return app.palette().color(_Role.Window).lightness() < 128
