"""The label schema: name, colour, shortcut, definition and example."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

from annotator.resource_files import read_text

_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


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
        specs.append(spec)
    if not specs:
        raise LabelSchemaError("labels file defines no [[label]]")
    for attr in ("name", "shortcut"):
        values = [getattr(s, attr) for s in specs if getattr(s, attr)]
        if len(values) != len(set(values)):
            raise LabelSchemaError(f"labels file repeats a {attr}")
    return specs


def default_labels() -> list[LabelSpec]:
    return parse_labels(read_text("labels.toml"))
