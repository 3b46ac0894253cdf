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
deflates each Doc's arrays into temporary files next to the output as they come and holds
only the string table (the corpus's distinct tokens) and four bytes per Doc.

Speed: no ``spacy.tokens.Doc`` is built, and spaCy is not even imported (:mod:`spacy_parts`
has its string ids, attribute ids and msgpack; ``check`` only looks for it), so export
workers fork and pay nothing for it. A document's words, trailing spaces and ORTH column
come as bytes from the cache the import made (:mod:`spacy_words`: the text split by
``WORDS``, each word's spaCy 3 id), with its distinct words for the string table. A group
whose span edges all fall on those words' edges (:meth:`spacy_words.WordRow.locate`) uses
them as they are. A span edge elsewhere (inside a word, on a trailing space or just after
it, in a whitespace word) sends its group the long way: ``WORDS.split`` of the text, then
each token and gap holding a misfit edge cut again by the rules of
:func:`words_and_spaces` (:func:`recut`), with an id looked up per word (one dict lookup;
the dict's keys join the string table, and a worker keeps it from batch to batch). SPACY
is the trailing-space flags, ``doc.spans`` is packed as spaCy packs it, and with
``--ents`` the ENT_IOB/ENT_TYPE columns are those ``doc.ents`` would give (B 3, I 1, O 2).
A worker hands each string over to the main process once (``StreamingDocBin.take``).
Tests compare the decoded DocBin with one spaCy builds through Doc and DocBin. Spans that
are empty or outside the text (never stored by the app) go the slow way, through a Doc,
so they fare exactly as before.
"""

from __future__ import annotations

import importlib.util
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from itertools import accumulate, chain, repeat
from operator import lt
from pathlib import Path
from typing import Any, BinaryIO

from annotator.exporters.base import ExportError
from annotator.exporters.docbin_stream import StreamingDocBin
from annotator.exporters.hf_bio import cut_tokens
from annotator.exporters.sink import SPAN_LABEL, Context, DatasetFormat, Document, Sink
from annotator.exporters.spacy_parts import (ENT_IOB, ENT_TYPE, ORTH, bounds, installed_spacy, locate, map_header,
                                             packb, spacy_version, str_header)
from annotator.exporters.spacy_words import WORDS, WordRow
from annotator.storage.repository import ExportGroup

SPANS_KEY = "sc"
VOCAB_DOCS = 500
MISSING = ("the spacy format needs spaCy, an optional extra: pip install \"annotator[spacy]\" "
           "(or pip install \"spacy>=3.7\" msgpack numpy)")
# doc.user_data's keys packed (the map's header first), for its values to go in between.
# msgpack's bytes for these short ASCII strings, made here: importing this module must not
# need the msgpack package (check() says what is missing).
_USER_DATA_KEYS = [str_header(len(k)) + k.encode() for k in ("document_id", "annotator", "status", "title", "notes")]
_USER_DATA_KEYS[0] = map_header(5) + _USER_DATA_KEYS[0]


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


def recut(text: str, parts: list[str], starts: Sequence[int], ends: Sequence[int]) -> list[str]:
    """``parts`` with each token whose word or gap holds a misfit span edge redone by the
    rules of :func:`words_and_spaces` (the same words it gives for the whole text)."""
    bounds = list(accumulate(map(len, parts)))
    heads = bounds[0:-1:3]
    n = len(heads)
    span_starts, span_ends = set(starts), set(ends)
    edges = sorted(span_starts | span_ends)
    words = parts[1::3]
    misfits = set()  # words a span starts or ends inside (or on a trailing space: it counts as inside)
    for s in span_starts:
        k = bisect_right(heads, s) - 1
        if heads[k] != s:
            misfits.add(k)
    for e in span_ends:
        k = bisect_right(heads, e - 1) - 1
        if bounds[3 * k + 1] != e:
            misfits.add(k)
    # A whitespace word belongs to the token before it (its gap), or leads the text (-1).
    owners = {k - 1 if words[k][:1].isspace() else k for k in misfits}
    pieces: list[list[str]] = []
    done = 0
    for u in sorted(owners):
        if u < 0:
            hi, new_words, spaces = 1, [], []
            _gap(text, 0, heads[1] if n > 1 else len(text), new_words, spaces, edges, span_starts, span_ends)
        else:
            hi = u + 2 if u + 1 < n and words[u + 1][:1].isspace() else u + 1
            new_words, spaces = _unit(text, heads[u], bounds[3 * u + 1], heads[hi] if hi < n else len(text),
                                      edges, span_starts, span_ends)
        pieces.append(parts[3 * done:3 * max(u, 0)])
        pieces.append([x for w, sp in zip(new_words, spaces) for x in ("", w, " " if sp else "")])
        done = hi
    pieces.append(parts[3 * done:])
    return list(chain.from_iterable(pieces))


def _unit(text: str, start: int, end: int, nxt: int, edges: list[int], span_starts: set[int],
          span_ends: set[int]) -> tuple[list[str], list[bool]]:
    """The words of the token [start, end) and of the gap up to ``nxt``, as :func:`words_and_spaces` makes them."""
    words: list[str] = []
    spaces: list[bool] = []
    pos = start
    for stop in [*edges[bisect_right(edges, start):bisect_left(edges, end)], end]:
        words.append(text[pos:stop])
        spaces.append(False)
        pos = stop
    if nxt > end:
        if nxt == end + 1 and text[end] == " " and end not in span_starts and nxt not in span_ends:
            spaces[-1] = True
        else:
            _gap(text, end, nxt, words, spaces, edges, span_starts, span_ends)
    return words, spaces


class _SpacySink(Sink):
    def __init__(self, fh: BinaryIO, ctx: Context) -> None:
        super().__init__()
        self._fh = fh
        self.ents = ctx.options.ents
        self.order = ctx.label_order()
        self.vocab: Any = None
        # The last document's text, its cached words (or None), and whether their strings joined the table.
        self._last: list[Any] | None = None
        # Cached words hold spaCy 3's ids: another spaCy (none exists yet) splits every text.
        self._cached = (installed_spacy() or "3.").startswith("3.")
        attrs = ["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE"] if self.ents else ["ORTH", "SPACY"]
        carry = ctx.carry
        # What a worker keeps from one batch to the next: the ids of words met, the strings handed over.
        self.bin = StreamingDocBin(attrs, None if ctx.worker else ctx.folder,
                                   None if carry is None else carry.setdefault("words", {}),
                                   None if carry is None else carry.setdefault("sent", set()))
        self._columns = [{ORTH: 0, ENT_IOB: 1, ENT_TYPE: 2}[a] for a in self.bin.attrs]
        self.written: Counter[str] = Counter()
        self.counts["spans_written"] = self.written
        if self.ents:
            self.counts["left_out_of_ents"] = {}

    def write(self, group: ExportGroup, doc: Document) -> None:
        text, spans = doc.text, group.spans
        starts: Sequence[int] = ()
        ends: Sequence[int] = ()
        labels: Sequence[str] = ()
        if spans:
            _ids, starts, ends, labels, _notes = zip(*spans)
            if min(starts) < 0 or max(ends) > len(text) or not all(map(lt, starts, ends)):
                self.write_through_doc(group, doc)  # never stored by the app: let spaCy decide
                return
        bin_ = self.bin
        last = self._last
        if last is None or last[0] is not text:  # a document's groups come one after another
            last = self._last = [text, self._words(doc), False]
        row: WordRow | None = last[1]
        located = None if row is None else row.locate(starts, ends)
        if located is None:  # an edge off the words' edges (or no cached words): the long way
            words, spaces, located = self._recut(doc, starts, ends)
            length = len(words)
            orth: Any = bin_.ids(words) if self.ents else bin_.row(words)
        else:
            assert row is not None
            spaces, length = row.spaces, row.count
            if not last[2]:  # the document's first group here: its words join the string table
                bin_.add_strings(row.strings)
                last[2] = True
            orth = row.ids() if self.ents else row.orth
        first, stop = located
        if self.ents:  # the ids as one column of several
            orth = self._rows(orth, *self._ent_columns(length, first, stop, labels, bin_.ids(labels)))
        keys, noted = _USER_DATA_KEYS, [[s, e, lb, n] for _i, s, e, lb, n in spans if n is not None]
        user_data = b"".join((keys[0], packb(doc.key), keys[1], packb(group.annotator), keys[2], packb(group.status),
                              keys[3], packb(doc.row.title), keys[4], packb(noted)))
        bin_.add_parts(orth, spaces, length,
                       bin_.span_groups(SPANS_KEY, labels, first, stop, starts, ends), user_data)
        self.written.update(labels)
        self.counts["records"] += 1

    def _words(self, doc: Document) -> WordRow | None:
        """The document's words as the cache keeps them (made and handed to it if it lacks
        them, or if its row's parts disagree), or None (then each group splits the text)."""
        if not self._cached:
            return None
        try:
            return WordRow(doc.spacy_words(), len(doc.text))
        except ValueError:  # a damaged row under a current stamp: made again, and replaced
            return WordRow(doc.spacy_words(remake=True), len(doc.text))

    @staticmethod
    def _recut(doc: Document, starts: Sequence[int], ends: Sequence[int]
               ) -> tuple[list[str], bytes, tuple[list[int], list[int]]]:
        """Words and trailing spaces split from the text, recut where a span edge falls inside
        one, and where each span's words are."""
        text = doc.text
        parts = WORDS.split(text)
        words, spaces = parts[1::3], bytes(map(len, parts[2::3]))
        located = locate(*bounds(words, spaces), starts, ends)
        if located is None:
            parts = recut(text, parts, starts, ends)
            words, spaces = parts[1::3], bytes(map(len, parts[2::3]))
            located = locate(*bounds(words, spaces), starts, ends)
            if located is None or "".join(parts) != text:
                raise ExportError(f"document {doc.id} ({doc.row.title!r}): a span does not fall on spaCy "
                                  "token boundaries (a bug: please report it)")
        return words, spaces, located

    def _ent_columns(self, n: int, first: list[int], stop: list[int], labels: Sequence[str],
                     label_ids: list[int]) -> tuple[list[int], list[int]]:
        """ENT_IOB and ENT_TYPE as ``doc.ents`` gives them: first start, then longer, then label order win."""
        order, last = self.order, len(self.order)
        iob, kind = [2] * n, [0] * n
        reach = 0
        for i in sorted(range(len(first)), key=lambda i: (first[i], first[i] - stop[i], order.get(labels[i], last))):
            a, b = first[i], stop[i]
            if a >= reach and b > a:
                iob[a] = 3
                iob[a + 1:b] = repeat(1, b - a - 1)
                kind[a:b] = repeat(label_ids[i], b - a)
                reach = b
            else:
                self.bump("left_out_of_ents", labels[i])
        return iob, kind

    def _rows(self, *columns: list[int]) -> bytes:
        """The token rows, columns interleaved in the DocBin's attrs order."""
        width = len(self._columns)
        flat = [0] * (width * len(columns[0]))
        for c, which in enumerate(self._columns):
            flat[c::width] = columns[which]
        return array("Q", flat).tobytes()

    def write_through_doc(self, group: ExportGroup, doc: Document) -> None:
        """The slow, obvious way: a spaCy Doc with the spans, added to the bin."""
        from spacy.tokens import Doc
        from spacy.vocab import Vocab

        text, spans = doc.text, group.spans
        texts, starts, ends = doc.tokens()
        if spans:
            texts, starts, ends = cut_tokens(texts, starts, ends, [x for s in spans for x in (s[1], s[2])])
        words, spaces = words_and_spaces(text, texts, starts, ends, {s[1] for s in spans}, {s[2] for s in spans})
        if self.vocab is None or self.counts["records"] % VOCAB_DOCS == 0:
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
        self.written.update(map(SPAN_LABEL, spans))
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

    def batch(self) -> Any:
        return self.bin.take()

    def absorb(self, batch: Any) -> None:
        self.bin.absorb(batch)

    def dispose(self) -> None:
        self.bin.close()


class SpacyFormat(DatasetFormat):
    name = "spacy"
    parallel = True  # a worker's batch is its Docs' parts, appended to the one DocBin here
    suffix = ".spacy"

    def check(self, ctx: Context) -> None:
        # Found, not imported: spaCy's import starts BLAS threads (numpy's), and a process with
        # threads does not fork export workers (see workers.py).
        try:
            found = all(importlib.util.find_spec(name) is not None for name in ("spacy", "msgpack", "numpy"))
        except (ImportError, ValueError):
            found = False
        if not found:
            raise ExportError(MISSING)
        installed_spacy()  # known before the workers fork (reading the metadata takes 30 ms)

    def open(self, out: BinaryIO | Path, ctx: Context) -> Sink:
        assert not isinstance(out, Path)
        return _SpacySink(out, ctx)

    def details(self, ctx: Context) -> dict[str, Any]:
        rules = [
            f"One Doc per document and annotator; all spans in doc.spans[{SPANS_KEY!r}], overlaps included.",
            "doc.text is the canonical text; tokens are the app's, cut at span edges, so span.text is exact.",
            "doc.user_data: document_id, annotator, status, title, notes. Read with "
            "DocBin().from_disk(path).get_docs(nlp.vocab).",
        ]
        if ctx.options.ents:
            rules.append("doc.ents: the non-overlapping spans (first start, longer, label order win); "
                         "the rest are only in doc.spans, counted as left_out_of_ents.")
        return {"spans_key": SPANS_KEY, "spacy_version": spacy_version(), "ents": ctx.options.ents,
                "rules": rules}
