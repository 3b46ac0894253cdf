"""Titles as a person would pick them: metadata, then the first heading-like line; never navigation."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.importing import import_paths
from annotator.project import open_project

REFERENCE = Path("/work/shared/reference-articles")
PARAGRAPH = ("Neuropathy is a condition characterized by nerve damage, resulting in symptoms such as pain, "
             "numbness, and muscle weakness, and while traditional treatments have focused on symptom management, "
             "emerging research suggests that the gut microbiome may play a role in how nerve pain develops. ") * 2


def titles(tmp_path: Path, files: dict[str, str]) -> dict[str, str]:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    project = open_project(tmp_path / "p.annotator")
    report = import_paths(project.repo, [folder])
    project.close()
    assert not report.refused, report.refused
    return {Path(path).name: title for path, title, _ in report.imported}


def test_html_titles_come_from_the_page_not_its_furniture(tmp_path: Path) -> None:
    found = titles(tmp_path, {
        "header.html": "<html><body><header><a href='#c'>Skip to content</a><h1>Magnesium and migraine</h1>"
                       "</header><div id='c'><p>Body text about magnesium.</p></div></body></html>",
        "og.html": "<html><head><meta property='og:title' content='Fish oil and the heart'></head>"
                   "<body><p>Skip to content</p><p>Fish oil text.</p></body></html>",
        "entry.html": "<html><body><h2 class='entry-title'>Zinc for colds</h2><p>Zinc text.</p></body></html>",
        "site.html": "<html><head><title>Vitamin D and sleep | Health Site</title></head>"
                     "<body><p>Vitamin D text.</p></body></html>",
    })
    assert found == {"header.html": "Magnesium and migraine", "og.html": "Fish oil and the heart",
                     "entry.html": "Zinc for colds", "site.html": "Vitamin D and sleep"}


def test_text_titles_skip_boilerplate_and_paragraphs(tmp_path: Path) -> None:
    found = titles(tmp_path, {
        "top.txt": "top of page\n\nProbiotics and Gut Health\n\n0\n\nText.\n",
        "skip.txt": "Skip to content\n\nHow To Heal Gut Health\n\nText.\n",
        "para.txt": f"{PARAGRAPH}\n\nUnderstanding the Gut Microbiome\n\nMore text.\n",
        "only.txt": f"{PARAGRAPH}\n",
    })
    assert found["top.txt"] == "Probiotics and Gut Health"
    assert found["skip.txt"] == "How To Heal Gut Health"
    assert found["para.txt"] == "Understanding the Gut Microbiome"
    only = found["only.txt"]
    assert len(only) <= 120 and only.endswith("…") and PARAGRAPH.startswith(only[:-1].rstrip())
    assert only[:-1].rstrip() + " " in PARAGRAPH  # cut at a word boundary


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="no reference articles")
def test_reference_articles_get_the_titles_a_reader_sees(tmp_path: Path) -> None:
    project = open_project(tmp_path / "p.annotator")
    report = import_paths(project.repo, [REFERENCE])
    project.close()
    found = {Path(path).name: title for path, title, _ in report.imported}
    assert all(len(t) <= 120 and "skip to" not in t.lower() and t.lower() != "top of page" for t in found.values())
    assert found.get("002_66dbb739b64275ec.txt") == "Probiotics and Gut Health: Neuropathic and Chronic Pain"
    assert found.get("003_eebf799e02e15c59.txt") == "How To Heal Gut Health In Multiple Sclerosis"
