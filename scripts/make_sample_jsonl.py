#!/usr/bin/env python
"""Generate sample_corpus/preannotated.jsonl: two short original articles with seed spans.

    .venv/bin/python scripts/make_sample_jsonl.py

Each record has the canonical import form:

    {"text": ..., "spans": [{"start", "end", "label", "text"}...],
     "meta": {"title", "source"}, "annotator": "seed-reviewer",
     "status": "in_progress", "answer": "accept"}

Offsets are Python str indices (Unicode code points), end exclusive. They are
computed here with str.find from (phrase, label) pairs; every phrase must occur
exactly once in its text, so the offsets are exact by construction. The second
article deliberately contains characters outside the Basic Multilingual Plane
(emoji) *before* some spans, so UTF-16 and code-point offsets differ.
Output is deterministic (fixed key order, no timestamps).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "sample_corpus" / "preannotated.jsonl"
LABELS = {"claim", "mechanism", "intervention", "citation", "disclaimer"}

ARTICLES = [
    {
        "title": "Magnesium for Night-Time Leg Cramps: Worth a Try?",
        "text": (
            "Magnesium for Night-Time Leg Cramps: Worth a Try?\n"
            "\n"
            "Few things jolt you awake like a calf muscle suddenly locking into a knot at 3 a.m. "
            "Night-time leg cramps become more common with age, and up to a third of adults over 60 "
            "report them at least once a week. Magnesium is the supplement most people reach for, "
            "but does it help?\n"
            "\n"
            "Why magnesium is in the frame\n"
            "Magnesium helps muscles relax after they contract. It competes with calcium at the "
            "muscle cell, and when magnesium is low, calcium floods in more easily and the fibres "
            "stay tense for longer. In theory, topping up magnesium should make cramps less likely.\n"
            "\n"
            "What the trials found\n"
            "The reality is more modest. A pooled analysis in the Journal of Neuromuscular Self-Care "
            "(Pemberton & Achebe, 2020) found that magnesium tablets did not reduce cramp frequency "
            "in older adults compared with placebo. Pregnant women may be an exception: a small "
            "trial reported fewer cramps with 300 mg of magnesium daily, although the results were "
            "inconsistent across studies.\n"
            "\n"
            "What you can try tonight\n"
            "- Stretch your calves for two minutes before bed, holding each stretch for 30 seconds.\n"
            "- Keep well hydrated during the day, especially in hot weather.\n"
            "- Eat magnesium-rich foods such as pumpkin seeds, spinach and almonds.\n"
            "- Review your medicines: some diuretics and statins are linked to cramps.\n"
            "\n"
            "Key takeaway: stretching has better support than supplements for most people.\n"
            "\n"
            "This article is for general information only. Frequent or severe cramps, cramps with "
            "swelling or weakness, or cramps that started with a new medicine should be checked by "
            "your doctor. People with kidney disease should not take magnesium supplements without "
            "medical advice.\n"
        ),
        "spans": [
            ("Night-time leg cramps become more common with age", "claim"),
            ("up to a third of adults over 60 report them at least once a week", "claim"),
            (
                "It competes with calcium at the muscle cell, and when magnesium is low, calcium "
                "floods in more easily and the fibres stay tense for longer",
                "mechanism",
            ),
            ("Pemberton & Achebe, 2020", "citation"),
            (
                "magnesium tablets did not reduce cramp frequency in older adults compared with placebo",
                "claim",
            ),
            ("300 mg of magnesium daily", "intervention"),
            ("Stretch your calves for two minutes before bed", "intervention"),
            ("Eat magnesium-rich foods such as pumpkin seeds, spinach and almonds", "intervention"),
            ("This article is for general information only.", "disclaimer"),
            (
                "People with kidney disease should not take magnesium supplements without medical advice.",
                "disclaimer",
            ),
        ],
    },
    {
        "title": "Green Tea, L-Theanine and Everyday Stress",
        "text": (
            "Green Tea, L-Theanine and Everyday Stress 🍵🧠\n"
            "\n"
            "Swapping your third coffee for a cup of green tea is one of the gentlest changes you "
            "can make on a stressful day 😌. Green tea contains L-theanine, an amino acid that is "
            "almost unique to the tea plant, and many drinkers say it gives them \u201ccalm focus\u201d "
            "rather than the jittery buzz of espresso.\n"
            "\n"
            "How it works 🔬\n"
            "L-theanine crosses from the blood into the brain, where it increases alpha-wave "
            "activity, the electrical rhythm linked to relaxed but alert states. It also appears "
            "to raise levels of GABA, a calming neurotransmitter, while softening the "
            "stimulating edge of the caffeine that tea naturally contains.\n"
            "\n"
            "The evidence 📚\n"
            "In a crossover study of 48 office workers reported in Applied Psychophysiology of "
            "Nutrition (Sørensen, Mbeki & Laurent, 2022), a single 200 mg dose of L-theanine "
            "lowered self-rated stress and resting heart rate during a timed mental-arithmetic task "
            "compared with placebo. People who drink three or more cups of green tea a day also "
            "report lower levels of psychological distress in survey studies, although such "
            "surveys cannot prove cause and effect.\n"
            "\n"
            "Try this ✅\n"
            "Brew two to three cups of green tea spread across the day, steeping each for about "
            "three minutes at just below boiling. If you prefer capsules, most studies used "
            "100\u2013200 mg of L-theanine.\n"
            "\n"
            "Please note ⚠️: this post is not medical advice. Green tea extracts in high doses have "
            "been linked to liver problems, and L-theanine may interact with blood-pressure "
            "medicines, so talk to your pharmacist or doctor first.\n"
        ),
        "spans": [
            (
                "Green tea contains L-theanine, an amino acid that is almost unique to the tea plant",
                "claim",
            ),
            (
                "it increases alpha-wave activity, the electrical rhythm linked to relaxed but alert states",
                "mechanism",
            ),
            ("It also appears to raise levels of GABA, a calming neurotransmitter", "mechanism"),
            ("Sørensen, Mbeki & Laurent, 2022", "citation"),
            ("a single 200 mg dose of L-theanine", "intervention"),
            (
                "lowered self-rated stress and resting heart rate during a timed mental-arithmetic task",
                "claim",
            ),
            ("Brew two to three cups of green tea spread across the day", "intervention"),
            ("this post is not medical advice", "disclaimer"),
            ("talk to your pharmacist or doctor first", "disclaimer"),
        ],
    },
]


def build_record(article: dict) -> dict:
    text: str = article["text"]
    spans = []
    for phrase, label in article["spans"]:
        assert label in LABELS, label
        start = text.find(phrase)
        assert start != -1, f"phrase not found in {article['title']!r}: {phrase!r}"
        assert text.find(phrase, start + 1) == -1, f"phrase occurs more than once: {phrase!r}"
        end = start + len(phrase)
        assert text[start:end] == phrase
        spans.append({"start": start, "end": end, "label": label, "text": phrase})
    spans.sort(key=lambda s: (s["start"], s["end"]))
    for a, b in zip(spans, spans[1:]):
        assert a["end"] <= b["start"], f"overlapping spans: {a} / {b}"
    assert {s["label"] for s in spans} == LABELS, f"{article['title']!r} lacks a label"
    words = len(text.split())
    assert 200 <= words <= 400, f"{article['title']!r} has {words} words"
    return {
        "text": text,
        "spans": spans,
        "meta": {"title": article["title"], "source": "preannotated.jsonl"},
        "annotator": "seed-reviewer",
        "status": "in_progress",
        "answer": "accept",
    }


def main() -> int:
    records = [build_record(a) for a in ARTICLES]
    with OUT.open("w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    # read back and verify
    for line in OUT.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        for s in rec["spans"]:
            assert rec["text"][s["start"] : s["end"]] == s["text"]
        print(f"{rec['meta']['title']}: {len(rec['text'].split())} words, {len(rec['spans'])} spans")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
