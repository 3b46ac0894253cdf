"""Label values: a labels file is checked strictly; values read back from a project fall back safely."""

from __future__ import annotations

import pytest

from annotator.labels import FALLBACK_COLOUR, LabelSchemaError, default_labels, parse_labels, stored_labels


def test_a_labels_file_with_a_shortcut_outside_the_fixed_set_is_refused() -> None:
    with pytest.raises(LabelSchemaError, match="one digit"):
        parse_labels('[[label]]\nname = "claim"\ncolour = "#112233"\nshortcut = "Ctrl+Q"\n')
    with pytest.raises(LabelSchemaError, match="#RRGGBB"):
        parse_labels('[[label]]\nname = "claim"\ncolour = "red;background:url(x)"\n')


def test_stored_values_fall_back_instead_of_reaching_qt() -> None:
    rows = [("claim", "red;background:url(/dev/zero)", "Ctrl+Q", "a\x1b[31mred\x07 <b>x</b>\n", "e" * 5000),
            ("mechanism", "#E69F00", "2", "fine", ""),
            ("citation", "#CC79A7", "2", "same key", "")]
    claim, mechanism, citation = stored_labels(rows)
    assert (claim.colour, claim.shortcut) == (FALLBACK_COLOUR, "")
    assert claim.definition == "a[31mred <b>x</b>\n"  # controls dropped; markup kept as text for plain display
    assert len(claim.example) == 2000
    assert (mechanism.colour, mechanism.shortcut) == ("#E69F00", "2")
    assert citation.shortcut == ""  # a key already taken is not given twice


def test_the_default_labels_pass_their_own_checks() -> None:
    specs = default_labels()
    assert stored_labels((s.name, s.colour, s.shortcut, s.definition, s.example) for s in specs) == specs
