"""Theme: forced light/dark switch the palette; "system" follows the platform's scheme."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from annotator.ui import theme
from annotator.ui.theme import apply_theme, is_dark


@pytest.fixture
def app(qapp: QApplication, tmp_path, monkeypatch) -> Iterator[QApplication]:
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path))
    palette, sheet, style = qapp.palette(), qapp.styleSheet(), qapp.style().name()
    yield qapp
    # Other test modules share this QApplication: leave it as we found it.
    apply_theme(qapp, "light")
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    if style:
        qapp.setStyle(style)
    qapp.styleHints().setColorScheme(Qt.ColorScheme.Unknown)


def window_lightness(app: QApplication) -> int:
    return app.palette().color(QPalette.ColorRole.Window).lightness()


def test_dark_and_light_switch_the_window_colour(app: QApplication) -> None:
    assert apply_theme(app, "dark") == "dark"
    dark = window_lightness(app)
    assert is_dark(app)
    assert apply_theme(app, "light") == "light"
    light = window_lightness(app)
    assert not is_dark(app)
    assert dark < 80 < 200 < light
    app.setStyleSheet("")  # a style sheet wraps the style and hides its name
    assert app.style().name().lower() == "fusion"


def test_stylesheet_comes_from_the_resource_files(app: QApplication) -> None:
    apply_theme(app, "dark")
    assert app.styleSheet() == theme.stylesheet("dark")
    assert "#findBar" in app.styleSheet()
    apply_theme(app, "light")
    assert app.styleSheet() == theme.stylesheet("light")
    assert theme.stylesheet("light") != theme.stylesheet("dark")


def test_text_stays_readable_on_both_schemes(app: QApplication) -> None:
    for scheme in ("light", "dark"):
        palette = theme.build_palette(scheme)
        text = palette.color(QPalette.ColorRole.Text).lightness()
        base = palette.color(QPalette.ColorRole.Base).lightness()
        assert abs(text - base) > 150, scheme


def test_system_follows_scheme_changes_until_a_scheme_is_forced(app: QApplication) -> None:
    hints = app.styleHints()
    assert apply_theme(app, "system") == theme.system_scheme()
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert is_dark(app)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert not is_dark(app)

    apply_theme(app, "dark")
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert is_dark(app), "a forced scheme must ignore the platform"


def test_unknown_preference_means_system(app: QApplication) -> None:
    assert apply_theme(app, "purple") == theme.system_scheme()


def test_repeated_calls_keep_one_follower(app: QApplication) -> None:
    for pref in ("system", "dark", "system", "light"):
        apply_theme(app, pref)
    assert len(app.findChildren(theme._SystemFollower)) == 1
