"""spaCy training data: a DocBin (``.spacy``) with one Doc per document and annotator.

Each Doc reproduces the canonical text exactly (``doc.text == text``: the app's tokens,
with whitespace kept the way spaCy keeps it, one trailing space per token and longer runs
as whitespace tokens), cut again at every span edge inside a token so each span is whole
tokens and ``span.text`` equals the exported span's text. The spans go in
``doc.spans["sc"]`` (the key spaCy's span categorizer reads), all of them, overlaps
included. With ``--ents`` the non-overlapping ones also fill ``doc.ents`` (first start,
then longer, then label order wins; the others are left out of ``doc.ents`` only, and
counted). ``doc.user_data`` holds document_id, annotator, status and title, and the notes
as ``[start, end, label, note]``.

spaCy is an optional extra (``pip install "annotator[spacy]"``); without it this format
refuses to start, saying so, and nothing is written.

Memory: a DocBin is one compressed msgpack blob, which spaCy builds whole in memory; this
export writes the same bytes through :class:`docbin_stream.StreamingDocBin` instead, which
keeps each Doc's arrays in temporary files next to the output and holds only the string
table (the corpus's distinct tokens) and four bytes per Doc.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO

from annotator.exporters.base import ExportError
from annotator.exporters.hf_bio import cut_tokens
from annotator.exporters.sink import Context, DatasetFormat, Document, Sink
from annotator.storage.repository import ExportGroup

SPANS_KEY = "sc"
VOCAB_DOCS = 500
MISSING = ("the spacy format needs spaCy, an optional extra: pip install \"annotator[spacy]\" "
           "(or pip install \"spacy>=3.7\")")


def words_and_spaces(text: str, texts: list[str], starts: list[int], ends: list[int], span_starts: set[int],
                     span_ends: set[int]) -> tuple[list[str], list[bool]]:
    """spaCy words and trailing-space flags that rebuild ``text`` exactly.

    ``texts``/``starts``/``ends`` are the tokens (already cut at span edges). Whitespace
    between them becomes what spaCy's tokenizer makes of it: one space as the previous
    word's trailing space, anything more as a whitespace word. A span edge inside the
    whitespace makes its own word boundary there, and the trailing-space shortcut is
    skipped when a span starts on that space or ends just after it, so every span maps to
    whole words.
    """
    words: list[str] = []
    spaces: list[bool] = []
    edges = sorted(span_starts | span_ends)
    pos = 0
    for token, start, end in zip([*texts, ""], [*starts, len(text)], [*ends, len(text)]):
        if start > pos:
            # The common gap, one plain space no span starts or ends inside, costs one test.
            if (start == pos + 1 and words and text[pos] == " " and pos not in span_starts
                    and start not in span_ends):
                spaces[-1] = True
            else:
                pos = _gap(text, pos, start, words, spaces, edges, span_starts, span_ends)
        if token:
            words.append(token)
            spaces.append(False)
        pos = end
    return words, spaces


def _gap(text: str, pos: int, start: int, words: list[str], spaces: list[bool], edges: list[int],
         span_starts: set[int], span_ends: set[int]) -> int:
    """Whitespace [pos, start) as a trailing space and/or whitespace words cut at span edges."""
    if words and text[pos] == " " and pos not in span_starts and pos + 1 not in span_ends:
        spaces[-1] = True
        pos += 1
    for stop in [*edges[bisect_right(edges, pos):bisect_left(edges, start)], start]:
        if stop > pos:
            words.append(text[pos:stop])
            spaces.append(False)
            pos = stop
    return pos


class _SpacySink(Sink):
    def __init__(self, fh: BinaryIO, ctx: Context) -> None:
        super().__init__()
        from annotator.exporters.docbin_stream import StreamingDocBin

        self._fh = fh
        self.ents = ctx.options.ents
        self.order = ctx.label_order()
        self.vocab: Any = None
        attrs = ["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE"] if self.ents else ["ORTH", "SPACY"]
        self.bin = StreamingDocBin(attrs, ctx.folder)
        self.written: Counter[str] = Counter()
        self.counts["spans_written"] = self.written
        if self.ents:
            self.counts["left_out_of_ents"] = {}

    def write(self, group: ExportGroup, doc: Document) -> None:
        from spacy.tokens import Doc
        from spacy.vocab import Vocab

        text, spans = doc.text, group.spans
        texts, starts, ends = doc.tokens()
        if spans:
            texts, starts, ends = cut_tokens(texts, starts, ends, [x for s in spans for x in (s[1], s[2])])
        words, spaces = words_and_spaces(text, texts, starts, ends, {s[1] for s in spans}, {s[2] for s in spans})
        if self.counts["records"] % VOCAB_DOCS == 0:
            # DocBin stores string hashes, not vocabulary entries, so a fresh Vocab now and then
            # keeps its lexemes (one per distinct word so far) from growing with the corpus.
            self.vocab = Vocab()
        sdoc = Doc(self.vocab, words=words, spaces=spaces)
        made = []
        for _id, start, end, label, _note in spans:
            span = sdoc.char_span(start, end, label=label)
            if span is None or span.text != text[start:end]:
                raise ExportError(f"document {doc.id} ({doc.row.title!r}): span [{start}, {end}) does not "
                                  "fall on spaCy token boundaries (a bug: please report it)")
            made.append(span)
        self.written.update(map(itemgetter(3), spans))
        sdoc.spans[SPANS_KEY] = made
        if self.ents:
            sdoc.ents = self._ents(made)
        sdoc.user_data.update({"document_id": doc.key, "annotator": group.annotator, "status": group.status,
                               "title": doc.row.title,
                               "notes": [[s, e, lb, n] for _i, s, e, lb, n in spans if n is not None]})
        self.bin.add(sdoc, words)
        self.counts["records"] += 1

    def _ents(self, spans: list[Any]) -> list[Any]:
        """The spans doc.ents can hold: first start, then longer, then label order win."""
        order = self.order
        ranked = sorted(spans, key=lambda sp: (sp.start, sp.start - sp.end, order.get(sp.label_, len(order))))
        ents = []
        reach = 0
        for span in ranked:
            if span.start >= reach and span.end > span.start:
                ents.append(span)
                reach = span.end
            else:
                self.bump("left_out_of_ents", span.label_)
        return ents

    def close(self) -> None:
        self.bin.write(self._fh)

    def dispose(self) -> None:
        self.bin.close()


class SpacyFormat(DatasetFormat):
    name = "spacy"
    suffix = ".spacy"

    def check(self, ctx: Context) -> None:
        try:
            import spacy  # noqa: F401
        except ImportError:
            raise ExportError(MISSING) from None

    def open(self, out: BinaryIO | Path, ctx: Context) -> Sink:
        assert not isinstance(out, Path)
        return _SpacySink(out, ctx)

    def details(self, ctx: Context) -> dict[str, Any]:
        import spacy

        rules = [
            f"One Doc per document and annotator; all spans in doc.spans[{SPANS_KEY!r}], overlaps included.",
            "doc.text is the canonical text; tokens are the app's, cut at span edges, so span.text is exact.",
            "doc.user_data: document_id, annotator, status, title, notes. Read with "
            "DocBin().from_disk(path).get_docs(nlp.vocab).",
        ]
        if ctx.options.ents:
            rules.append("doc.ents: the non-overlapping spans (first start, longer, label order win); "
                         "the rest are only in doc.spans, counted as left_out_of_ents.")
        return {"spans_key": SPANS_KEY, "spacy_version": spacy.__version__, "ents": ctx.options.ents,
                "rules": rules}
