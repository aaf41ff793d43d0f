"""Job titles as people really write them, from a person's true level and function.

The true seniority and function are kept as ground truth; the title carries the mess real CRM and
LinkedIn data has: abbreviations, regions, "Head of", combined roles, headline noise, acting and
interim roles, former roles, assistants, typos, and the local language mixed with English.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from crestline.demo import vocab

NOISE_ICONS = ("🚀", "✨", "🌍", "📈", "💡")
FORMER_WORDS = {
    "en": ("ex-", "Former "),
    "de": ("ehem. ", "ex-"),
    "fr": ("ex-", "ancien "),
    "es": ("ex-", "antiguo "),
    "nl": ("ex-", "voormalig "),
    "pt": ("ex-", "antigo "),
    "it": ("ex-", "già "),
}
SHORT_CHIEFS = {
    "general_management": "CEO",
    "finance": "CFO",
    "technology": "CTO",
    "operations": "COO",
    "marketing": "CMO",
    "human_resources": "CHRO",
    "sales": "CRO",
    "legal": "General Counsel",
}


@dataclass(frozen=True)
class TitleLexicon:
    lang: str
    data: dict[str, Any]

    def nouns(self, function: str) -> list[str]:
        return list(self.data["function_nouns"][function])

    def chief(self, function: str) -> list[str]:
        return list(self.data["chief"][function])

    def patterns(self, seniority: str) -> list[str]:
        return list(self.data["patterns"][seniority])

    def ics(self, function: str) -> list[str]:
        return list(self.data["individual_contributor"][function])


def lexicon(lang: str) -> TitleLexicon:
    data = vocab.titles()
    return TitleLexicon(lang, data[lang] if lang in data else data["en"])


def _fill(pattern: str, rng: random.Random, lex: TitleLexicon, function: str) -> str:
    out = pattern
    if "{fn}" in out:
        nouns = lex.nouns(function)
        noun = nouns[0] if rng.random() < 0.55 else rng.choice(nouns)
        out = out.replace("{fn}", noun)
    if "{region}" in out:
        out = out.replace("{region}", rng.choice(lex.data["regions"]))
    if "{ic}" in out:
        out = out.replace("{ic}", rng.choice(lex.ics(function)))
    return " ".join(out.split())


def _typo(rng: random.Random, title: str) -> str:
    words = [w for w in title.split(" ") if len(w) > 5 and w.isalpha()]
    if not words:
        return title
    word = rng.choice(words)
    i = rng.randrange(1, len(word) - 2)
    swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return title.replace(word, swapped, 1)


def base_title(
    rng: random.Random, lex: TitleLexicon, seniority: str, function: str, *, is_top: bool
) -> str:
    """A clean title for a true (seniority, function), in the lexicon's language."""
    if seniority == "board":
        return str(rng.choice(lex.data["board"]))
    if seniority == "c_suite":
        fn = "general_management" if is_top else function
        return str(rng.choice(lex.chief(fn)))
    if seniority == "individual_contributor":
        return str(rng.choice(lex.ics(function)))
    if seniority == "entry":
        return _fill(rng.choice(lex.data["entry"]), rng, lex, function)
    return _fill(rng.choice(lex.patterns(seniority)), rng, lex, function)


def messy_title(
    rng: random.Random,
    *,
    local: TitleLexicon,
    english: TitleLexicon,
    english_share: float,
    seniority: str,
    function: str,
    company: str,
    is_top: bool = False,
) -> str:
    """The title a person of this level and function shows in a CRM or on LinkedIn."""
    lex = english if rng.random() < english_share else local
    roll = rng.random()
    if seniority == "individual_contributor" and function == "administration" and roll < 0.25:
        chief = rng.choice(list(SHORT_CHIEFS.values())[:4])
        return str(rng.choice(english.data["assistant_forms"])).replace("{chief}", chief)
    if seniority == "evp" and roll < 0.05 and function in SHORT_CHIEFS:
        return f"Deputy {SHORT_CHIEFS[function]}"
    title = base_title(rng, lex, seniority, function, is_top=is_top)
    if seniority == "c_suite" and not is_top and roll < 0.04:
        other = rng.choice([f for f in SHORT_CHIEFS if f not in (function, "general_management")])
        title = f"{title} & {SHORT_CHIEFS[other]}"
    elif seniority in ("c_suite", "evp", "vp", "director") and roll < 0.025:
        title = f"{rng.choice(('Acting', 'Interim'))} {title}"
    noise = rng.random()
    if noise < 0.035:
        title = f"{title} | {rng.choice(('Growth', 'Transformation', 'Leadership', 'Innovation'))}"
    elif noise < 0.06:
        title = f"{title} @ {company}" if noise < 0.05 else f"{title} at {company}"
    elif noise < 0.07:
        title = f"{rng.choice(NOISE_ICONS)} {title}"
    elif noise < 0.08:
        marker = rng.choice(FORMER_WORDS.get(lex.lang, FORMER_WORDS["en"]))
        if rng.random() < 0.5:
            title = f"{title} ({marker}{rng.choice(('Deloitte', 'McKinsey', 'SAP', 'Accenture'))})"
        else:  # a former role is not the current one
            title = f"{title} | {marker}{rng.choice(list(SHORT_CHIEFS.values()))}"
    elif noise < 0.09:
        title = title.upper()
    elif noise < 0.10:
        title = title.lower()
    if rng.random() < 0.012:
        title = _typo(rng, title)
    return title
