#!/usr/bin/env python
"""Generate the two sample PDF articles in sample_corpus/.

    .venv/bin/python scripts/make_sample_pdfs.py

Writes:
  sample_corpus/b12-deficiency-and-neuropathy.pdf  (A4, 3+ pages, one column,
      title, headings, bullet list, words hyphenated across line breaks,
      running header/footer, references)
  sample_corpus/ms-diet-what-the-studies-say.pdf   (US Letter, exactly 2 pages,
      two text columns side by side on page 1, one column on page 2)

The article text is original and lives in this file. Layout is done here (greedy
line filling with a small hyphenation dictionary) and text is placed with
PyMuPDF's TextWriter using the built-in Base-14 faces ("helv"/"hebo"/"heit",
"tiro"/"tibo"/"tiit"), so curly quotes and dashes survive extraction. The
output is deterministic: fixed metadata, no new /ID, subset fonts, so re-running
gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "sample_corpus"

# --------------------------------------------------------------------------
# Hyphenation: allowed break points, marked with "-". Matching is on the
# lower-cased alphabetic core of a token; case and punctuation are preserved.
# Words that already contain a hard hyphen may also break after it.
# --------------------------------------------------------------------------
HYPHENATION = [
    "ab-sorp-tion", "ab-sorb", "ab-sorbed", "ac-cu-mu-lates", "anae-mia", "an-ti-ox-i-dants",
    "ap-proach-es", "as-so-ci-at-ed", "as-so-ci-a-tion", "aware-ness",
    "bal-ance", "ben-e-fit", "ben-e-fits", "car-bo-hy-drates",
    "clin-i-cal", "cli-ni-cians", "co-bal-a-min", "com-mu-ni-ty", "com-par-i-son",
    "con-cen-tra-tions", "con-sis-tent-ly", "con-trolled", "cy-to-kines", "de-fi-cien-cy",
    "de-fi-cien-cies", "de-gen-er-a-tion", "de-mye-li-na-tion", "di-ag-no-sis", "dis-abil-i-ty",
    "dif-fer-ence", "dif-fer-ent", "dis-com-fort", "el-der-ly", "en-cour-ag-ing", "es-pe-cial-ly",
    "ev-i-dence", "ex-per-i-ment", "fa-tigue", "fer-men-ta-tion", "func-tion-al", "gas-tric",
    "health-care", "ho-mo-cys-teine", "im-prove-ment", "im-prove-ments", "in-di-vid-u-al",
    "in-di-vid-u-als", "in-flam-ma-tion", "in-flam-ma-to-ry", "in-for-ma-tion",
    "in-jec-tions", "in-tra-mus-cu-lar", "in-ter-ven-tion", "in-ter-ven-tions", "in-ves-ti-ga-tors",
    "lab-o-ra-to-ry", "low-er-ing", "med-i-cal", "med-i-ca-tion", "med-i-ca-tions",
    "Med-i-ter-ra-nean", "me-tab-o-lism", "meth-yl-mal-on-ic", "met-for-min",
    "mi-cro-bi-ome", "mi-cro-grams", "mod-er-ate", "mul-ti-ple", "my-e-lin", "nerv-ous",
    "neu-ro-log-i-cal", "neu-rol-o-gist", "neu-ro-pa-thy", "nu-tri-tion", "nu-tri-tion-al",
    "par-tic-i-pants", "par-tic-u-lar-ly", "per-ni-cious", "pe-riph-er-al", "phys-i-cal",
    "pop-u-la-tion", "prac-ti-cal", "pre-scrip-tion", "pro-cessed", "pro-duc-tion",
    "pro-fes-sion-al", "pro-gres-sion", "pro-tec-tive", "ran-dom-ised", "rec-om-mend-ed",
    "re-duc-tion", "reg-u-la-to-ry", "re-lapse", "re-lapses", "re-search-ers", "sat-u-rat-ed",
    "scle-ro-sis", "sig-nif-i-cant-ly", "sin-gle", "sup-ple-ment", "sup-ple-ments",
    "sup-ple-men-ta-tion", "symp-toms", "treat-ment", "treat-ments", "un-der-stand-ing",
    "veg-e-tar-i-an", "veg-e-ta-bles", "veg-e-tar-i-ans", "vit-a-min", "whole-grain",
]
_HYPH = {w.replace("-", "").lower(): [m.start() - i for i, m in enumerate(re.finditer("-", w))] for w in HYPHENATION}


def break_options(token: str) -> list[tuple[str, str]]:
    """Ways to split `token` across a line end: (text at end of line, rest)."""
    options: list[tuple[str, str]] = []
    m = re.match(r"^([^A-Za-z]*)([A-Za-z]+)(.*)$", token)
    if m and m.group(2).lower() in _HYPH:
        lead, core = m.group(1), m.group(2)
        for p in _HYPH[core.lower()]:
            split = len(lead) + p
            options.append((token[:split] + "-", token[split:]))
    for i, ch in enumerate(token[:-1]):
        if ch == "-" and i >= 2 and token[i + 1].isalpha():
            options.append((token[: i + 1], token[i + 1 :]))
    # longest first-line part first
    options.sort(key=lambda o: len(o[0]), reverse=True)
    return options


# --------------------------------------------------------------------------
# A tiny flow layout
# --------------------------------------------------------------------------
@dataclass
class Style:
    font: str
    size: float
    leading: float  # line height as a multiple of size
    space_before: float = 0.0
    space_after: float = 0.0
    indent: float = 0.0  # left indent of the whole block
    hyphenate: bool = True
    color: tuple[float, float, float] = (0, 0, 0)


class Flow:
    """Pours blocks of text into a sequence of rectangular frames on pages."""

    def __init__(self, doc: pymupdf.Document, frames, max_frames: int | None = None):
        self.doc = doc
        self.frames = frames  # callable(index) -> (page, Rect)
        self.max_frames = max_frames
        self.frame_index = -1
        self.fonts: dict[str, pymupdf.Font] = {}
        self.writers: dict[int, pymupdf.TextWriter] = {}
        self.hyphenated: list[str] = []
        self._next_frame()

    def font(self, name: str) -> pymupdf.Font:
        if name not in self.fonts:
            self.fonts[name] = pymupdf.Font(name)
        return self.fonts[name]

    def _next_frame(self) -> None:
        self.frame_index += 1
        if self.max_frames is not None and self.frame_index >= self.max_frames:
            raise RuntimeError("text does not fit into the fixed frames; shorten it")
        self.page, self.rect = self.frames(self.frame_index)
        self.y = self.rect.y0

    def writer(self) -> pymupdf.TextWriter:
        key = self.page.number
        if key not in self.writers:
            self.writers[key] = pymupdf.TextWriter(self.page.rect)
        return self.writers[key]

    def _width(self, text: str, st: Style) -> float:
        return self.font(st.font).text_length(text, fontsize=st.size)

    def take_line(self, tokens: list[str], st: Style, width: float) -> str:
        """Remove and return one line's worth of `tokens` (may split a token)."""
        line: list[str] = []
        while tokens:
            tok = tokens[0]
            if self._width(" ".join(line + [tok]), st) <= width:
                line.append(tokens.pop(0))
                continue
            if st.hyphenate and line:
                gap = width - self._width(" ".join(line), st)
                if gap > 0.05 * width:
                    for head, rest in break_options(tok):
                        if self._width(" ".join(line + [head]), st) <= width:
                            line.append(head)
                            tokens[0] = rest
                            self.hyphenated.append(head + "|" + rest)
                            return " ".join(line)
            if not line:  # a single over-long token
                line.append(tokens.pop(0))
            break
        return " ".join(line)

    def space(self, amount: float) -> None:
        if self.y > self.rect.y0:
            self.y += amount

    def block(self, text: str, st: Style, bullet: str | None = None, keep_with_next: float = 0) -> None:
        """Place a paragraph; `bullet` hangs in the indent. Splits across frames,
        re-flowing the rest of the paragraph to the width of the new frame."""
        self.space(st.space_before)
        line_h = st.size * st.leading
        # don't leave a heading (or a lone first line) stranded at the bottom
        need = line_h * 2 + keep_with_next
        if self.y + need > self.rect.y1 and self.y > self.rect.y0:
            self._next_frame()
        tokens = text.split()
        first = True
        while tokens:
            if self.y + line_h > self.rect.y1:
                self._next_frame()
            x0 = self.rect.x0 + st.indent
            ln = self.take_line(tokens, st, self.rect.x1 - x0)
            baseline = self.y + st.size  # ascender ~ size
            if first and bullet:
                self.writer().append(
                    (x0 - st.size * 1.1, baseline), bullet, font=self.font(st.font), fontsize=st.size
                )
            first = False
            self.writer().append((x0, baseline), ln, font=self.font(st.font), fontsize=st.size)
            self.y += line_h
        self.y += st.space_after

    def rule(self, gray: float = 0.6) -> None:
        self.space(4)
        self.page.draw_line((self.rect.x0, self.y), (self.rect.x1, self.y), color=(gray, gray, gray), width=0.6)
        self.y += 8

    def finish(self) -> None:
        for page in self.doc:
            tw = self.writers.get(page.number)
            if tw is not None:
                tw.write_text(page)


def save(doc: pymupdf.Document, path: Path, title: str, author: str, subject: str) -> None:
    doc.set_metadata(
        {
            "title": title,
            "author": author,
            "subject": subject,
            "keywords": "sample corpus, health article, annotator",
            "creator": "scripts/make_sample_pdfs.py",
            "producer": "PyMuPDF (annotator sample corpus)",
            "creationDate": "D:20240301120000Z",
            "modDate": "D:20240301120000Z",
        }
    )
    doc.subset_fonts()
    doc.save(path, garbage=4, deflate=True, no_new_id=True)


# --------------------------------------------------------------------------
# Article 1: B12 and neuropathy (A4, one column, 3+ pages)
# --------------------------------------------------------------------------
B12_TITLE = "Vitamin B12 and Peripheral Neuropathy: The Deficiency Hiding in Plain Sight"
B12_BYLINE = "Patient Information Series No. 14  ·  Written by the Riverside Nerve Clinic education team  ·  Revised January 2024"

B12_BLOCKS: list[tuple[str, object]] = [
    ("p", "Tingling toes, numb fingertips, a wobbly walk in the dark: these are the classic signs of peripheral neuropathy, damage to the nerves that carry messages between the spinal cord and the rest of the body. Diabetes is the best-known culprit, but another cause is common, easy to test for and, in many cases, at least partly reversible. That cause is a shortage of vitamin B12, also called cobalamin. This leaflet explains why B12 matters for your nerves, who is most likely to run low, and what treatment usually involves."),
    ("h", "Key points at a glance"),
    ("bullets", [
        "Vitamin B12 deficiency is a well-established and treatable cause of peripheral neuropathy.",
        "Older adults, vegans and people taking metformin or long-term acid-reducing medicines are at higher risk.",
        "Nerve symptoms can appear before any change shows up in a routine blood count.",
        "Early treatment gives the best chance of recovery; long-standing damage may only partly improve.",
        "A simple blood test, sometimes with a follow-up test, can confirm the diagnosis.",
    ]),
    ("h", "Why your nerves need B12"),
    ("p", "Each peripheral nerve fibre is wrapped in myelin, a fatty sheath that works like the insulation on an electrical cable and lets signals travel quickly. Vitamin B12 is an essential helper for two enzymes involved in building and maintaining that sheath. When B12 runs short, one of them cannot recycle homocysteine, and the other cannot process methylmalonic acid. Both substances build up in the blood, and the production of healthy myelin slows. Without good insulation, nerve signals leak and misfire, which the brain interprets as pins and needles, burning or numbness."),
    ("p", "The longest nerves are affected first, which is why symptoms usually begin in the feet and later in the hands, in a so-called glove-and-stocking pattern. B12 deficiency can also damage the back part of the spinal cord that carries position sense, so some people notice that they are unsteady when they close their eyes or walk in a poorly lit room."),
    ("h", "Who is at risk?"),
    ("p", "Your body stores several years' worth of B12 in the liver, so deficiency tends to develop slowly. Absorption is surprisingly complicated: the vitamin must be released from food by stomach acid and then bound to a protein called intrinsic factor before it can be taken up at the end of the small intestine. Anything that interferes with these steps raises the risk. Groups our clinicians look out for include:"),
    ("bullets", [
        "people over 65, who produce less stomach acid;",
        "anyone with pernicious anaemia, an autoimmune condition that destroys intrinsic factor;",
        "long-term users of metformin for type 2 diabetes;",
        "people taking proton pump inhibitors or other acid-lowering medicines for years;",
        "vegans and some vegetarians who do not use fortified foods or supplements;",
        "people who have had weight-loss surgery or part of the bowel removed.",
    ]),
    ("h", "What the research tells us"),
    ("p", "A cross-sectional study published in the Journal of Peripheral Nerve Medicine measured B12 levels in 620 adults taking metformin. Those who had used the drug for more than four years were almost three times as likely to have low B12 as those on it for less than a year, and low B12 was linked to worse scores on a standard neuropathy questionnaire (Abernathy, Quaye and Sorel, 2019). The authors recommended yearly testing for long-term metformin users."),
    ("p", "Treatment appears to make a real difference. In an observational cohort reported in Clinical Neuro-Nutrition Letters, 118 patients with neuropathy and confirmed B12 deficiency were followed for a year after starting replacement. Around two-thirds reported meaningful improvement in tingling and balance, and nerve conduction tests improved in about half. Patients whose symptoms had lasted less than six months did noticeably better than those who had waited longer for a diagnosis (Fitzgerald-Oyelowo et al., 2021)."),
    ("p", "Oral treatment may be enough for many people. A randomised trial in the Scandinavian Review of Haematology and Nutrition compared high-dose tablets of 1,000 micrograms daily with the traditional course of intramuscular injections. After three months, blood levels and symptom scores were similar in both groups, even in several participants with absorption problems (Lindberg and Okonjo, 2020)."),
    ("h", "Getting tested"),
    ("p", "A standard serum B12 test is the usual starting point. Results in the borderline range can be hard to interpret, so your doctor may also order methylmalonic acid or homocysteine levels, which rise when the body is short of B12 at the tissue level. Folic acid supplements can mask the anaemia of B12 deficiency while nerve damage continues, so a normal blood count does not rule it out."),
    ("h", "Treatment: what to expect"),
    ("p", "If a deficiency is confirmed, treatment usually starts with a loading phase of injections, often several in the first two weeks, followed by maintenance injections every two to three months or daily high-dose tablets. People with pernicious anaemia generally need treatment for life. Many patients notice more energy within days, but nerves heal slowly, at roughly a millimetre a day, so improvement in tingling and balance can take six to twelve months."),
    ("p", "Alongside medical treatment, we encourage patients to check their feet daily for cuts or blisters, wear well-fitting shoes, keep floors clear of trip hazards and ask a physiotherapist about balance exercises. Good dietary sources of B12 include eggs, dairy products, fish and meat, and for plant-based eaters, fortified breakfast cereals, plant milks and nutritional yeast."),
    ("h", "A patient's experience"),
    ("p", "\u201cI thought the numbness in my feet was just my diabetes getting worse,\u201d one 71-year-old patient told us. \u201cIt turned out my B12 was very low after eight years on metformin. After the injections the burning settled, and I can walk to the shops again.\u201d"),
    ("h", "Take action"),
    ("p", "If you recognise yourself in the risk groups above and have new numbness, tingling or unsteadiness, ask your GP about a B12 test at your next appointment. Bring this leaflet with you."),
    ("h", "Important information"),
    ("small", "This leaflet gives general information and is not a substitute for advice from your own doctor. Neuropathy has many causes, and only a healthcare professional who knows your medical history can tell you what is causing your symptoms. Do not stop or change any prescribed medicine, including metformin or acid-reducing treatment, without speaking to your prescriber first. Seek urgent medical help if you develop sudden weakness, loss of bladder or bowel control, or rapidly worsening numbness."),
    ("h", "References"),
    ("refs", [
        "Abernathy L, Quaye K, Sorel D. (2019) Duration of metformin use, cobalamin status and neuropathy scores in type 2 diabetes. Journal of Peripheral Nerve Medicine 22(3):214–223.",
        "Fitzgerald-Oyelowo M, Brandt H, Chaudhry S, Evers T. (2021) Neurological recovery after cobalamin replacement: a one-year cohort. Clinical Neuro-Nutrition Letters 9(1):41–52.",
        "Lindberg A, Okonjo E. (2020) Oral versus intramuscular vitamin B12 for deficiency with neurological features: a randomised trial. Scandinavian Review of Haematology and Nutrition 31(4):388–397.",
        "Marwick P. (2018) Homocysteine, methylmalonic acid and myelin: a mechanistic review. Neurochemistry Horizons 6(2):95–108.",
    ]),
]


def make_b12(path: Path) -> dict:
    doc = pymupdf.open()
    W, H = pymupdf.paper_size("a4")
    margin_x, top, bottom = 72, 86, 74

    def frames(i):
        page = doc.new_page(width=W, height=H)
        return page, pymupdf.Rect(margin_x, top, W - margin_x, H - bottom)

    flow = Flow(doc, frames)
    title = Style("hebo", 20, 1.22, space_after=6, hyphenate=False)
    byline = Style("heit", 9.5, 1.35, space_after=4, hyphenate=False)
    h = Style("hebo", 13.5, 1.3, space_before=12, space_after=5, hyphenate=False)
    body = Style("helv", 11.5, 1.5, space_after=7)
    bullet = Style("helv", 11.5, 1.45, space_after=3, indent=18)
    small = Style("heit", 10.5, 1.45, space_after=6)
    ref = Style("helv", 10, 1.4, space_after=4, indent=20)

    flow.block(B12_TITLE, title)
    flow.block(B12_BYLINE, byline)
    flow.rule()
    for kind, content in B12_BLOCKS:
        if kind == "h":
            flow.block(content, h, keep_with_next=body.size * body.leading * 2)
        elif kind == "p":
            flow.block(content, body)
        elif kind == "small":
            flow.block(content, small)
        elif kind == "bullets":
            for item in content:
                flow.block(item, bullet, bullet="•")
            flow.space(5)
        elif kind == "refs":
            for n, item in enumerate(content, 1):
                flow.block(item, ref, bullet=f"{n}.")
    flow.finish()

    # running header and footer on every page
    n = doc.page_count
    hf = pymupdf.Font("helv")
    for page in doc:
        tw = pymupdf.TextWriter(page.rect)
        tw.append((margin_x, 48), "Riverside Nerve Clinic  |  Patient Information", font=hf, fontsize=8.5)
        footer = f"Page {page.number + 1} of {n}"
        tw.append((W - margin_x - hf.text_length(footer, fontsize=8.5), H - 40), footer, font=hf, fontsize=8.5)
        tw.write_text(page, color=(0.35, 0.35, 0.35))
        page.draw_line((margin_x, 54), (W - margin_x, 54), color=(0.7, 0.7, 0.7), width=0.5)

    save(doc, path, B12_TITLE, "Riverside Nerve Clinic (fictional)", "Vitamin B12 deficiency and peripheral neuropathy")
    return {"pages": n, "hyphenated": flow.hyphenated}


# --------------------------------------------------------------------------
# Article 2: MS and diet (Letter, 2 pages, two columns on page 1)
# --------------------------------------------------------------------------
MS_KICKER = "NUTRITION FEATURE"
MS_TITLE = "Eating Well With Multiple Sclerosis: What the Diet Studies Really Say"
MS_STANDFIRST = "From Mediterranean plates to salt shakers, we looked at the evidence behind the most popular MS eating plans. By Oriane Falk-Whitley, health journalist."

MS_BLOCKS_P1: list[tuple[str, object]] = [
    ("p", "Type \u201cMS diet\u201d into a search engine and you will find dozens of plans, each promising to calm relapses, restore energy or even halt the disease. Some are built on decades of observation, others on a single enthusiastic doctor's experience. No diet has been shown to cure multiple sclerosis, but a growing body of research suggests that what you eat can influence inflammation, fatigue and overall health, and people with MS are entitled to clear information about it."),
    ("h", "Why food might matter"),
    ("p", "Multiple sclerosis is an autoimmune disease in which the immune system attacks myelin in the brain and spinal cord. Diet can shape that immune activity in at least three ways. First, dietary fibre is fermented by gut bacteria into short-chain fatty acids, which encourage regulatory T cells, the cells that keep other immune cells in check. Second, excess body fat releases inflammatory signalling molecules that may make the immune system more trigger-happy. Third, diets high in saturated fat and sugar can alter the gut microbiome in ways that favour inflammatory bacteria."),
    ("h", "The Mediterranean pattern"),
    ("p", "The best-supported approach is also the least dramatic. A Mediterranean-style diet is rich in vegetables, fruit, legumes, whole grains, nuts, fish and olive oil, with modest amounts of dairy and little red or processed meat. In a cohort of 1,480 people with MS described in the Journal of Neuroimmunology and Diet, those with the highest diet-quality scores reported significantly less disability and depression than those with the lowest, even after accounting for age, disease duration and treatment (Rasmussen, Abiola and Pryce, 2020)."),
    ("p", "A small randomised trial added weight to these observations. Sixty participants with relapsing MS who followed a modified Mediterranean plan for six months reported less fatigue than a group given general healthy-eating leaflets, and their waist measurements fell as well (Castellano et al., 2022)."),
    ("h", "Low saturated fat and paleo-style plans"),
    ("p", "Two other approaches attract loyal followings. One restricts saturated fat to very low levels; the other removes grains, dairy and legumes while emphasising large amounts of vegetables and meat. A head-to-head trial reported in Multiple Sclerosis Nutrition Review compared the two over 24 weeks in 95 people with relapsing MS. Both groups reported less fatigue and better quality of life than at the start, and the difference between diets was small (Ng and Hartigan, 2023). Without a group that kept eating normally, it is hard to say how much of the benefit came from the diets themselves rather than from the attention and motivation of taking part."),
    ("h", "Salt: the open question"),
    ("p", "Laboratory experiments suggest that high salt concentrations push immune cells towards Th17 cells, a type linked to MS inflammation. Human studies have been inconsistent: some found more relapses in people with high sodium intake, while larger cohorts found no link. Keeping salt moderate is sensible for heart health either way."),
    ("h", "What about fasting?"),
    ("p", "In mice, cycles of calorie restriction reduced immune attacks on myelin, apparently by lowering leptin, a hormone that stimulates inflammatory T cells. A pilot in 36 people with MS found intermittent fasting was safe and lifted mood, but it was too small to detect any effect on relapses (Benedetti-Hume and Sarr, 2021)."),
]

MS_BLOCKS_P2: list[tuple[str, object]] = [
    ("h", "Five practical steps"),
    ("bullets", [
        "Fill half your plate with vegetables and fruit at most meals.",
        "Choose wholegrain bread, oats, beans and lentils for fibre that feeds gut bacteria.",
        "Eat oily fish such as salmon or sardines twice a week.",
        "Cut back on processed meat, sugary drinks and heavily salted snacks.",
        "Work with a dietitian before removing whole food groups, to avoid deficiencies.",
    ]),
    ("p", "Curious where to begin? Download our free seven-day Mediterranean meal planner, designed with input from people living with MS, at the link on our website."),
    ("h", "A note of caution"),
    ("small", "This article is for general information only and is not a substitute for medical advice. Diet changes should complement, not replace, disease-modifying treatments prescribed by your neurologist. Restrictive diets can lead to weight loss or nutritional deficiencies, so please talk to your MS team or a registered dietitian before making major changes."),
    ("h", "References"),
    ("refs", [
        "Rasmussen T, Abiola F, Pryce G. (2020) Diet quality and disability in a large multiple sclerosis cohort. Journal of Neuroimmunology and Diet 17(2):133–145.",
        "Castellano V, Heikkila P, Duarte M, Wren S. (2022) A modified Mediterranean diet for fatigue in relapsing MS: a randomised pilot. MS Lifestyle Research 5(3):210–219.",
        "Ng A, Hartigan J. (2023) Low-saturated-fat versus paleo-style diets in relapsing multiple sclerosis: a 24-week trial. Multiple Sclerosis Nutrition Review 8(1):12–27.",
        "Benedetti-Hume C, Sarr O. (2021) Intermittent fasting in relapsing MS: safety and mood outcomes of a pilot study. Clinical Neuroimmunology Pilot Studies 3(2):77–86.",
        "Kowalski B. (2019) Dietary sodium, Th17 polarisation and autoimmunity: a critical review. Immunonutrition Quarterly 11(4):301–314.",
    ]),
]


def make_ms(path: Path) -> dict:
    doc = pymupdf.open()
    W, H = pymupdf.paper_size("letter")
    mx, gutter = 54, 22
    col_w = (W - 2 * mx - gutter) / 2
    p1_top = 200  # below the full-width title block
    top, bottom = 64, 66
    pages: list[pymupdf.Page] = []

    def page(i):
        while len(pages) <= i:
            pages.append(doc.new_page(width=W, height=H))
        return pages[i]

    def frames(i):
        if i == 0:
            return page(0), pymupdf.Rect(mx, p1_top, mx + col_w, H - bottom)
        if i == 1:
            return page(0), pymupdf.Rect(mx + col_w + gutter, p1_top, W - mx, H - bottom)
        return page(1), pymupdf.Rect(mx, top, W - mx, H - bottom)

    body = Style("tiro", 10.5, 1.36, space_after=5)
    h = Style("tibo", 12, 1.3, space_before=8, space_after=3, hyphenate=False)
    small = Style("tiit", 10.5, 1.42, space_after=6)
    bullet = Style("tiro", 10.5, 1.42, space_after=3, indent=16)
    ref = Style("tiro", 9.5, 1.35, space_after=3, indent=18)

    # title block on page 1 spans both columns (a one-off frame)
    p0 = page(0)
    head = Flow(doc, lambda i: (p0, pymupdf.Rect(mx, 58, W - mx, p1_top - 10)), max_frames=1)
    head.block(MS_KICKER, Style("hebo", 9, 1.3, space_after=4, hyphenate=False))
    head.block(MS_TITLE, Style("tibo", 22, 1.18, space_after=8, hyphenate=False))
    head.block(MS_STANDFIRST, Style("tiit", 11.5, 1.35, hyphenate=False))
    head.finish()
    p0.draw_line((mx, p1_top - 12), (W - mx, p1_top - 12), color=(0.2, 0.2, 0.2), width=1)
    p0.draw_line((mx + col_w + gutter / 2, p1_top), (mx + col_w + gutter / 2, H - bottom), color=(0.75, 0.75, 0.75), width=0.5)

    def pour(flow, blocks):
        for kind, content in blocks:
            if kind == "h":
                flow.block(content, h, keep_with_next=body.size * body.leading * 2)
            elif kind == "p":
                flow.block(content, body)
            elif kind == "small":
                flow.block(content, small)
            elif kind == "bullets":
                for item in content:
                    flow.block(item, bullet, bullet="•")
                flow.space(4)
            elif kind == "refs":
                for n, item in enumerate(content, 1):
                    flow.block(item, ref, bullet=f"{n}.")

    flow = Flow(doc, frames, max_frames=3)
    pour(flow, MS_BLOCKS_P1)
    if flow.frame_index != 1:
        raise RuntimeError(f"page-1 text should end in column 2, ended in frame {flow.frame_index}")
    flow.frame_index = 1
    flow._next_frame()  # page 2 starts with the practical section
    pour(flow, MS_BLOCKS_P2)
    flow.finish()

    f = pymupdf.Font("tiit")
    for pg in doc:
        tw = pymupdf.TextWriter(pg.rect)
        tw.append((mx, H - 36), f"Living Well Magazine · Spring 2024 · {pg.number + 1}", font=f, fontsize=8.5)
        tw.write_text(pg, color=(0.4, 0.4, 0.4))

    if doc.page_count != 2:
        raise RuntimeError(f"expected 2 pages, got {doc.page_count}")
    save(doc, path, MS_TITLE, "Oriane Falk-Whitley (fictional)", "Diet and multiple sclerosis")
    return {"pages": doc.page_count, "hyphenated": flow.hyphenated}


def main() -> int:
    OUT_DIR.mkdir(exist_ok=True)
    jobs = [
        ("b12-deficiency-and-neuropathy.pdf", make_b12),
        ("ms-diet-what-the-studies-say.pdf", make_ms),
    ]
    for name, fn in jobs:
        path = OUT_DIR / name
        info = fn(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        print(f"{name}: {info['pages']} pages, {len(info['hyphenated'])} hyphenated line ends, sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
