"""spaCy training data: DocBins with one Doc per document and annotator, made by spaCy itself.

Each Doc is the canonical text tokenized by spaCy (``spacy.blank("en")``'s tokenizer, or
that of the installed pipeline ``--spacy-model`` names), so training and inference see the
same tokens. Spans go in ``doc.spans["sc"]`` (the key spaCy's span categorizer reads),
overlaps included, each made by ``doc.char_span(start, end, alignment_mode="strict")``: a
span whose edges are not token edges is left out, never moved, and counted per label in
the card (``misaligned``). With ``--ents`` the non-overlapping spans also fill ``doc.ents``
(first start, then longer, then label order win; the others are counted as
``left_out_of_ents``). ``doc.user_data`` holds document_id, annotator, status, title and the
notes as ``[start, end, label, note]``.

Output: one ``.spacy`` file, or, when the export holds more Docs than one shard
(``shard_docs``, 2,000 by default), a folder of that name with ``shard-00000.spacy``, ...,
which ``spacy.training.Corpus`` reads as one corpus. spaCy is an optional extra
(``pip install "annotator[spacy]"``); without it this format refuses to start.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from annotator.exporters import sink
from annotator.exporters.base import ExportError
from annotator.exporters.sink import Context, Document
from annotator.storage.repository import ExportGroup

SPANS_KEY = "sc"
MISSING = "the spacy format needs spaCy, an optional extra: pip install \"annotator[spacy]\" (or pip install spacy)"


def check(ctx: Context) -> None:
    """Refuse before anything is written: spaCy missing, or the named pipeline not installed."""
    _pipeline(ctx.options.spacy_model)


def _pipeline(model: str | None) -> Any:
    try:
        import spacy
    except ImportError:
        raise ExportError(MISSING) from None
    if model is None:
        return spacy.blank("en")
    try:
        return spacy.load(model, exclude=["parser", "tagger", "ner", "lemmatizer", "textcat", "senter"])
    except (OSError, ImportError) as exc:
        raise ExportError(f"cannot load the spaCy pipeline {model!r} (is it installed?): {exc}") from None


def details(ctx: Context) -> dict[str, Any]:
    import spacy

    tokenizer = ctx.options.spacy_model or 'spacy.blank("en")'
    rules = [
        f"One Doc per document and annotator; spans in doc.spans[{SPANS_KEY!r}], overlaps included.",
        f"Tokens are spaCy's ({tokenizer}); doc.text is the canonical text.",
        "Spans are aligned with doc.char_span(alignment_mode='strict'); a span whose edges are not token "
        "edges is left out and counted as misaligned, never shifted.",
        "doc.user_data: document_id, annotator, status, title, notes. Read with "
        "DocBin().from_disk(path).get_docs(nlp.vocab), or spacy.training.Corpus(path) (file or folder of shards).",
    ]
    if ctx.options.ents:
        rules.append("doc.ents: the non-overlapping spans (first start, longer, label order win); "
                     "the rest are only in doc.spans, counted as left_out_of_ents.")
    return {"spans_key": SPANS_KEY, "spacy_version": spacy.__version__, "tokenizer": ctx.options.spacy_model
            or "blank:en", "ents": ctx.options.ents, "shard_docs": ctx.options.shard_docs, "rules": rules}


class Writer(sink.Writer):
    def __init__(self, out: Any, ctx: Context) -> None:
        super().__init__(out, ctx)
        self.nlp = _pipeline(ctx.options.spacy_model)
        self.order = ctx.label_order()
        self.counts.update(spans_written=Counter(), misaligned=Counter())
        if ctx.options.ents:
            self.counts["left_out_of_ents"] = Counter()
        # Only the columns a blank pipeline's Doc has: DocBin's default keeps a dozen per token.
        self._attrs = ["ORTH", "SPACY", *(["ENT_IOB", "ENT_TYPE"] if ctx.options.ents else [])]
        self._bin = self._new_bin()
        self._doc: tuple[int, Any] | None = None

    def _new_bin(self) -> Any:
        from spacy.tokens import DocBin

        return DocBin(attrs=self._attrs, store_user_data=True)

    def write(self, group: ExportGroup, doc: Document) -> None:
        if self._doc is None or self._doc[0] != doc.id:
            self._doc = (doc.id, self.nlp.make_doc(doc.text))
        sdoc = self._doc[1].copy()
        made = []
        for _id, start, end, label, _note in group.spans:
            span = sdoc.char_span(start, end, label=label, alignment_mode="strict")
            if span is None:
                self.count("misaligned", [label])
            else:
                made.append(span)
        self.count("spans_written", (s.label_ for s in made))
        sdoc.spans[SPANS_KEY] = made
        if self.ctx.options.ents:
            sdoc.ents = self._ents(made)
        sdoc.user_data.update({"document_id": doc.key, "annotator": group.annotator, "status": group.status,
                               "title": doc.row.title,
                               "notes": [[s, e, lb, n] for _i, s, e, lb, n in group.spans if n is not None]})
        self._bin.add(sdoc)
        self.counts["records"] += 1
        if not hasattr(self.out, "write") and len(self._bin) >= self.ctx.options.shard_docs:
            self._write_shard()

    def _ents(self, spans: list[Any]) -> list[Any]:
        """The spans doc.ents can hold: first start, then longer, then label order win."""
        order = self.order
        ranked = sorted(spans, key=lambda sp: (sp.start, sp.start - sp.end, order.get(sp.label_, len(order))))
        ents, reach = [], 0
        for span in ranked:
            if span.start >= reach and span.end > span.start:
                ents.append(span)
                reach = span.end
            else:
                self.count("left_out_of_ents", [span.label_])
        return ents

    def _write_shard(self) -> None:
        data = self._bin.to_bytes()
        name = f"shard-{len(self.files):05d}.spacy"
        (self.out / name).write_bytes(data)  # type: ignore[operator]
        self.files.append((name, hashlib.sha256(data).hexdigest(), len(data)))
        self._bin = self._new_bin()

    def close(self) -> None:
        if hasattr(self.out, "write"):
            self.out.write(self._bin.to_bytes())  # type: ignore[union-attr]
        elif len(self._bin):
            self._write_shard()
