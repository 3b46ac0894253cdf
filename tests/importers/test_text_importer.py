"""Plain text import: decoding, canonical newlines and the errors a user can act on."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.importers import base
from annotator.importers.base import DocumentImportError, ImportedDocument
from annotator.importers.text import TextImporter, plain_text_to_text


def write(tmp_path: Path, data: bytes | str, name: str = "article.txt") -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def load(path: Path) -> ImportedDocument:
    docs = TextImporter().load(path)
    assert len(docs) == 1
    return docs[0]


def test_suffixes() -> None:
    assert TextImporter.suffixes == (".txt",)


def test_utf8_text_title_and_meta(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "Gut health\n\nProbiotics may help.\n"))
    assert doc.text == "Gut health\n\nProbiotics may help."
    assert doc.title == "Gut health"
    assert doc.format == "txt"
    assert doc.source == str(tmp_path / "article.txt")
    assert doc.meta["encoding"] == "utf-8"
    assert doc.meta["bom"] is False
    assert doc.meta["word_count"] == 5


@pytest.mark.parametrize("top", ["Skip to content", "Skip to main content", "MENU", "Search…",
                                 "Home / Head Health / Sleep", "You are here: Home › Gut"])
def test_title_skips_page_navigation(tmp_path: Path, top: str) -> None:
    doc = load(write(tmp_path, f"{top}\n\nHome\n\nWhy Migraines Start in Your Bedroom\n\nBody text."))
    assert doc.title == "Why Migraines Start in Your Bedroom"
    assert doc.text.startswith(top)  # the text itself is never cut


@pytest.mark.parametrize("title", ["Search for a cure: what MS trials found", "Home remedies for reflux",
                                   "Pain / fatigue: a two-way street"])
def test_titles_that_only_look_like_navigation_stay(tmp_path: Path, title: str) -> None:
    assert load(write(tmp_path, f"{title}\n\nBody.")).title == title


def test_a_page_of_navigation_only_keeps_its_first_line(tmp_path: Path) -> None:
    assert load(write(tmp_path, "Skip to content\nMenu")).title == "Skip to content"


def test_title_is_first_non_empty_line(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "\n\n   \n  Real title  \nbody"))
    assert doc.title == "Real title"
    assert doc.text == "  Real title\nbody"


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    doc = load(write(tmp_path, codecs.BOM_UTF8 + "Titre été\nx".encode()))
    assert doc.text == "Titre été\nx"
    assert doc.meta["bom"] is True
    assert not doc.text.startswith("\ufeff")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_accepted(tmp_path: Path, codec: str) -> None:
    text = "Heading 😀\r\nBody 𝑝 text\r\n"
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(codec, b"")
    doc = load(write(tmp_path, bom + text.encode(codec)))
    assert doc.text == "Heading 😀\nBody 𝑝 text"
    assert doc.meta["encoding"].startswith("utf-16")


def test_utf16_without_bom_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match="binary"):
        load(write(tmp_path, "Hello world".encode("utf-16-le")))


def test_invalid_utf8_names_byte_and_line(tmp_path: Path) -> None:
    raw = b"first line\nsecond line\nthird caf\xe9 line\n"
    with pytest.raises(DocumentImportError) as info:
        load(write(tmp_path, raw))
    message = str(info.value)
    assert "not valid UTF-8 at byte 32 (line 3)" in message
    assert "re-save the file as UTF-8" in message
    assert message.startswith("article.txt:")
    assert info.value.path == str(tmp_path / "article.txt")


def test_invalid_utf8_line_counts_crlf_and_cr_once(tmp_path: Path) -> None:
    raw = b"a\r\nb\rc\n\xff"
    with pytest.raises(DocumentImportError, match=r"at byte 7 \(line 4\)"):
        load(write(tmp_path, raw))


def test_invalid_utf8_after_bom_reports_file_offset(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match=r"at byte 5 \(line 1\)"):
        load(write(tmp_path, codecs.BOM_UTF8 + b"ab\xc3("))


def test_no_silent_latin1_fallback(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match="not valid UTF-8"):
        load(write(tmp_path, "naïve café".encode("cp1252")))


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", codecs.BOM_UTF8, codecs.BOM_UTF8 + b" \n"])
def test_empty_or_blank_file(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(DocumentImportError, match="file is empty"):
        load(write(tmp_path, data))


def test_nul_bytes_mean_binary(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match="looks like a binary file"):
        load(write(tmp_path, b"PK\x03\x04\x00\x00\x08\x00hello"))


def test_control_characters_mean_binary(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match="looks like a binary file"):
        load(write(tmp_path, bytes(range(1, 32)) * 20 + b"some text"))


def test_invalid_binary_junk_is_called_binary_not_bad_utf8(tmp_path: Path) -> None:
    junk = bytes([0x89, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0xFF, 0x10]) * 50
    with pytest.raises(DocumentImportError, match="looks like a binary file"):
        load(write(tmp_path, junk))


def test_a_few_control_characters_are_tolerated(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "Form\x0cfeed and escape \x1b in a long enough line of text"))
    assert "\x0c" in doc.text


def test_mixed_line_endings_are_normalised(tmp_path: Path) -> None:
    doc = load(write(tmp_path, b"one\r\ntwo\rthree\nfour\r\n\r\nfive"))
    assert doc.text == "one\ntwo\nthree\nfour\n\nfive"
    assert "\r" not in doc.text


def test_trailing_whitespace_and_blank_edges_are_stripped(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "\n\n  Title \t\nline with  two  spaces\u00a0\n\n\n\nlast\n\n\n"))
    # A .txt keeps the author's layout: inner spacing and blank-line runs stay.
    assert doc.text == "  Title\nline with  two  spaces\n\n\n\nlast"


def test_emoji_and_astral_characters_survive_exactly(tmp_path: Path) -> None:
    source = "Emoji 😀 title\n\nMaths 𝑝 < 0.05, flag 🇫🇷, family 👨\u200d👩\u200d👧, e\u0301 vs é"
    doc = load(write(tmp_path, source))
    assert doc.text == source
    start = doc.text.index("𝑝")
    assert doc.text[start : start + 1] == "𝑝"  # code point offsets
    assert "e\u0301" in doc.text and "é" in doc.text  # no Unicode normalisation


def test_size_limit_constant() -> None:
    assert base.MAX_TEXT_BYTES == 50 * 1024 * 1024


def test_file_over_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "MAX_TEXT_BYTES", 16)
    with pytest.raises(DocumentImportError, match=r"too large \(17 bytes\); the limit is 16 bytes"):
        load(write(tmp_path, "x" * 17))


def test_size_limit_message_in_megabytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "MAX_TEXT_BYTES", 1024 * 1024)
    with pytest.raises(DocumentImportError, match=r"the limit is 1 MB"):
        load(write(tmp_path, "x" * (2 * 1024 * 1024)))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentImportError, match="cannot read the file"):
        load(tmp_path / "nope.txt")


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(DocumentImportError, match="cannot read the file"):
        load(folder)


def test_pure_function() -> None:
    assert plain_text_to_text("\ufeffTitle\r\nBody  \r\n") == ("Title\nBody", "Title")
    assert plain_text_to_text(" \n ") == ("", None)
    # Only \n splits lines: U+2028 and \x85 are content, not line breaks.
    assert plain_text_to_text("a\u2028b\x85c") == ("a\u2028b\x85c", "a\u2028b\x85c")


PIECES = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(["\r\n", "\r", "\n", "\t", "  ", "😀", "𝑝", "\ufeff", "\u00a0", "\x00"]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PIECES, max_size=60).map("".join))
def test_random_text_never_crashes(tmp_path: Path, source: str) -> None:
    path = write(tmp_path, source.encode("utf-8"), "random.txt")
    try:
        doc = load(path)
    except DocumentImportError:
        return
    assert "\r" not in doc.text
    assert doc.text.strip()
    assert all(line == line.rstrip() for line in doc.text.split("\n"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_random_bytes_never_crash(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data, "random.txt")
    try:
        doc = load(path)
    except DocumentImportError:
        return
    assert "\r" not in doc.text
