"""Health-article-like prose from a small seeded vocabulary, with span positions.

Everything here is a pure function of its arguments and a seed (``random.Random``), so the
same call always yields the same text and spans, on every machine and Python version that
keeps ``random``'s documented sequence for ``Random(seed)``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

LABELS: tuple[str, ...] = ("claim", "mechanism", "intervention", "citation", "disclaimer")
_LABEL_WEIGHTS = (40, 15, 25, 10, 10)

_SUBJECTS = (
    "Probiotics", "Vitamin D", "Intermittent fasting", "Green tea extract", "Omega-3 fatty acids",
    "Turmeric", "A Mediterranean diet", "Regular walking", "Magnesium", "Melatonin", "Zinc lozenges",
    "Apple cider vinegar", "Collagen peptides", "Cold-water swimming", "Ashwagandha", "Fermented foods",
    "Strength training", "A low-sodium diet", "Dark chocolate", "Vitamin B12",
)
_VERBS = (
    "may reduce", "is linked to lower", "appears to improve", "was associated with reduced",
    "does not significantly change", "could support", "modestly lowers", "is claimed to boost",
    "was found to worsen", "seems to stabilise",
)
_OBJECTS = (
    "blood pressure", "LDL cholesterol", "gut inflammation", "fasting glucose", "sleep quality",
    "the risk of type 2 diabetes", "symptoms of anxiety", "joint pain", "the immune response",
    "markers of oxidative stress", "resting heart rate", "bone density", "cognitive decline",
    "nerve pain in irritable bowel syndrome",
)
_QUALIFIERS = (
    "in adults over 50", "in a small 12-week trial", "according to a 2019 meta-analysis (n = 2,347)",
    "in mice", "in people with mild hypertension", "after 8 weeks at 500 µg a day",
    "when taken with food", "in a cohort of 14,000 nurses", "at doses of 2–4 g/day",
    "in postmenopausal women", "compared with placebo", "at 37 °C in vitro",
)
_MECHANISMS = (
    "it blocks the release of pro-inflammatory cytokines", "it feeds short-chain-fatty-acid producers",
    "it relaxes the smooth muscle of the arteries", "it slows gastric emptying",
    "it raises nitric oxide levels", "it improves insulin sensitivity in muscle",
    "it shifts the balance of the gut microbiome", "it reduces cortisol at night",
)
_CITATIONS = (
    "(Smith et al., 2021)", "[12]", "(Nguyen & Patel, 2018, p. 44)", "doi:10.1000/jhn.2020.113",
    "(WHO, 2023)", "[3, 7–9]", "(Cochrane Review, 2017)",
)
_DISCLAIMERS = (
    "Talk to your doctor before starting any supplement.",
    "This article is not medical advice.",
    "Results in animals do not always carry over to people.",
    "Stop and seek help if symptoms get worse.",
)
# Astral characters (two UTF-16 units in Qt) and a ZWJ sequence, so offset conversions
# at the UI's edge are exercised by every benchmark that uses this prose.
_EMOJI = (" 💊", " 🥦", " 🧠", " 🏃‍♀️", " 🦠", " 𝛼-linolenic")


def sentence_pool(seed: int, size: int = 4000, *, latin1: bool = False) -> list[str]:
    """``size`` distinct-ish sentences; ``latin1`` keeps to what PDF base-14 fonts can draw."""
    rng = random.Random(f"pool-{seed}")
    out: list[str] = []
    for _ in range(size):
        kind = rng.random()
        if kind < 0.55:
            s = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_QUALIFIERS)}"
            if rng.random() < 0.4:
                s += f" {rng.choice(_CITATIONS)}"
            s += "."
        elif kind < 0.75:
            s = f"This is thought to happen because {rng.choice(_MECHANISMS)}."
        elif kind < 0.88:
            s = (f"Researchers gave {rng.randrange(20, 900)} volunteers {rng.choice(_SUBJECTS).lower()} "
                 f"for {rng.randrange(2, 52)} weeks {rng.choice(_CITATIONS)}.")
        else:
            s = rng.choice(_DISCLAIMERS)
        if not latin1 and rng.random() < 0.04:
            s = s[:-1] + rng.choice(_EMOJI) + s[-1]
        if latin1:
            s = s.translate(_LATIN1)
        out.append(s)
    return out


_LATIN1 = str.maketrans({"–": "-", "—": "-", "’": "'"})


@dataclass(frozen=True, slots=True)
class GeneratedDoc:
    index: int
    title: str
    text: str
    spans: list[tuple[int, int, str]]  # start, end (exclusive, code points), label


def compose(rng: random.Random, pool: list[str], title: str, chars: int) -> tuple[str, list[tuple[int, int]]]:
    """A title line and paragraphs of pooled sentences, about ``chars`` long; sentence offsets."""
    parts = [title, "\n\n"]
    pos = len(title) + 2
    sentences: list[tuple[int, int]] = []
    in_para = 0
    while pos < chars:
        s = pool[rng.randrange(len(pool))]
        if in_para:
            parts.append(" ")
            pos += 1
        sentences.append((pos, pos + len(s)))
        parts.append(s)
        pos += len(s)
        in_para += 1
        if in_para >= 3 and rng.random() < 0.3:
            parts.append("\n\n")
            pos += 2
            in_para = 0
    return "".join(parts), sentences


def pick_spans(rng: random.Random, text: str, sentences: list[tuple[int, int]], count: int) -> list[tuple[int, int, str]]:
    """``count`` distinct (start, end, label) spans on whole sentences or word-aligned phrases.

    Some overlap each other (a claim containing a citation), as real annotations do.
    """
    spans: set[tuple[int, int, str]] = set()
    attempts, max_attempts = 0, count * 50 + 100  # a tiny text cannot hold every count
    while len(spans) < count and sentences and attempts < max_attempts:
        attempts += 1
        a, b = sentences[rng.randrange(len(sentences))]
        label = rng.choices(LABELS, _LABEL_WEIGHTS)[0]
        if rng.random() < 0.4:
            spans.add((a, b, label))
            continue
        # A phrase: a few whole words inside the sentence, so it is token-aligned.
        words = text[a:b].split(" ")
        i = rng.randrange(len(words))
        j = min(len(words), i + rng.randrange(1, 6))
        start = a + sum(map(len, words[:i])) + i
        end = start + sum(map(len, words[i:j])) + (j - i - 1)
        if end > start:
            spans.add((start, end, label))
    return sorted(spans)


def split_counts(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` items spread over ``parts`` bins unevenly (each item drops in a random bin)."""
    counts = [0] * parts
    if parts:
        for _ in range(total):
            counts[rng.randrange(parts)] += 1
    return counts


def documents(n_docs: int, n_spans: int, seed: int, chars: int) -> list[tuple[int, int]]:
    """Per document: (target length in characters, span count). Lengths vary 0.5x-1.5x."""
    rng = random.Random(f"layout-{seed}-{n_docs}-{n_spans}-{chars}")
    counts = split_counts(rng, n_spans, n_docs)
    return [(int(chars * (0.5 + rng.random())), k) for k in counts]


def generate_doc(index: int, target_chars: int, span_count: int, seed: int, pool: list[str]) -> GeneratedDoc:
    # Each document has its own RNG, so any one of them can be rebuilt without the others.
    rng = random.Random(f"doc-{seed}-{index}")
    title = f"Article {index + 1}: what we know about {rng.choice(_SUBJECTS).lower()}"
    text, sentences = compose(rng, pool, title, target_chars)
    return GeneratedDoc(index, title, text, pick_spans(rng, text, sentences, span_count))


def article(chars: int, span_count: int, seed: int) -> GeneratedDoc:
    """One long article (e.g. 1 MB with 20,000 spans) for the tagging benchmarks."""
    pool = sentence_pool(seed)
    rng = random.Random(f"article-{seed}-{chars}-{span_count}")
    text, sentences = compose(rng, pool, f"A very long review ({chars} characters)", chars)
    return GeneratedDoc(0, f"Long review {chars}", text, pick_spans(rng, text, sentences, span_count))


def wrap_lines(rng: random.Random, paragraph: str, width: int) -> list[str]:
    """Greedy wrap; long words at a line end are sometimes hyphenated, as typeset PDFs are."""
    lines: list[str] = []
    line = ""
    for word in paragraph.split(" "):
        if line and len(line) + 1 + len(word) > width:
            room = width - len(line) - 2
            if len(word) > 8 and room >= 3 and rng.random() < 0.15:
                lines.append(f"{line} {word[:room]}-")
                word = word[room:]
            else:
                lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines
