"""README.md stays a guide that holds inside the repository: its links point to files here."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_links_stay_inside_the_repository_and_exist() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    assert links, "the README's links were not found"
    anchors = {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-")
               for h in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)}
    for link in links:
        assert "://" not in link and not link.startswith(("/", "..")), f"{link} points outside the repository"
        if link.startswith("#"):
            assert link[1:] in anchors, f"no heading for {link}"
        else:
            assert (ROOT / link).exists(), f"{link} does not exist"
