"""The label schema: name, colour, shortcut, definition and example."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace

from annotator.resource_files import read_text

_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
# A label's key is one digit: letters are the app's own keys and menus' Alt mnemonics.
SHORTCUT_KEYS = frozenset("1234567890")
FALLBACK_COLOUR = "#808080"
MAX_LABEL_TEXT = 2000  # characters of a definition or example
# C0 controls (but tab and newline), DEL and C1 controls: never part of a definition.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class LabelSchemaError(ValueError):
    pass


@dataclass(frozen=True)
class LabelSpec:
    name: str
    colour: str
    shortcut: str
    definition: str
    example: str = ""


def parse_labels(source: str) -> list[LabelSpec]:
    """Parse and check a labels TOML document (``[[label]]`` tables)."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise LabelSchemaError(f"labels file is not valid TOML: {exc}") from exc
    specs: list[LabelSpec] = []
    for i, row in enumerate(data.get("label", []), start=1):
        try:
            spec = LabelSpec(
                name=str(row["name"]),
                colour=str(row["colour"]),
                shortcut=str(row.get("shortcut", "")),
                definition=str(row.get("definition", "")),
                example=str(row.get("example", "")),
            )
        except KeyError as exc:
            raise LabelSchemaError(f"label #{i} lacks {exc.args[0]!r}") from exc
        if not _NAME.match(spec.name):
            raise LabelSchemaError(f"label #{i}: bad name {spec.name!r} (lower-case letters, digits, - and _)")
        if not _COLOUR.match(spec.colour):
            raise LabelSchemaError(f"label {spec.name!r}: colour must look like #RRGGBB, not {spec.colour!r}")
        if spec.shortcut and spec.shortcut not in SHORTCUT_KEYS:
            raise LabelSchemaError(f"label {spec.name!r}: shortcut must be one digit (0-9), not {spec.shortcut!r}")
        specs.append(spec)
    if not specs:
        raise LabelSchemaError("labels file defines no [[label]]")
    for attr in ("name", "shortcut"):
        values = [getattr(s, attr) for s in specs if getattr(s, attr)]
        if len(values) != len(set(values)):
            raise LabelSchemaError(f"labels file repeats a {attr}")
    return specs


def label_text(value: object) -> str:
    """A definition or example as plain text: control characters dropped, length capped."""
    text = _CONTROLS.sub("", str(value or ""))
    return text if len(text) <= MAX_LABEL_TEXT else text[: MAX_LABEL_TEXT - 1] + "…"


def safe_colour(colour: str) -> str:
    """``colour`` if it is ``#rrggbb``, else grey: the only form ever put into a style sheet."""
    return colour if _COLOUR.match(colour) else FALLBACK_COLOUR


def stored_label(name: str, colour: object, shortcut: object, definition: object, example: object) -> LabelSpec:
    """A label as read back from a project file, every value checked.

    A project file is input like any other: a colour that is not ``#rrggbb`` becomes grey, a
    shortcut outside :data:`SHORTCUT_KEYS` is dropped, and the texts lose control characters,
    so nothing from the file is ever applied as a style sheet or a key sequence. The name is
    kept as stored (spans point at it); the app shows it as plain text.
    """
    colour_text = str(colour or "")
    shortcut_text = str(shortcut or "")
    return LabelSpec(
        name=str(name),
        colour=colour_text if _COLOUR.match(colour_text) else FALLBACK_COLOUR,
        shortcut=shortcut_text if shortcut_text in SHORTCUT_KEYS else "",
        definition=label_text(definition),
        example=label_text(example),
    )


def stored_labels(rows: Iterable[tuple[str, object, object, object, object]]) -> list[LabelSpec]:
    """:func:`stored_label` for each (name, colour, shortcut, definition, example) row; a
    shortcut already taken by an earlier label is dropped, so no key means two things."""
    specs: list[LabelSpec] = []
    taken: set[str] = set()
    for row in rows:
        spec = stored_label(*row)
        if spec.shortcut in taken:
            spec = replace(spec, shortcut="")
        taken.add(spec.shortcut)
        specs.append(spec)
    return specs


def default_labels() -> list[LabelSpec]:
    return parse_labels(read_text("labels.toml"))
