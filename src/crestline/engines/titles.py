"""Job titles → seniority and function, with the rules that fired and a confidence.

The lexicon is data (``engines/lexicon/titles.toml``; a user file adds to it). A title is folded
(accents, case, punctuation), cut into segments (``|``, ``@ Company``, ``at Company``, brackets,
dashes), former roles are dropped, abbreviations expanded, and each role found is ranked: a
combined title takes its highest role; "Acting"/"Interim" keep the level; "Deputy" is one level
below; "Assistant to the CEO" is an assistant. Answers are memoised, so a column where a few
titles repeat (as CRM columns do) costs little per row.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

LEVELS = ("board", "c_suite", "evp", "vp", "director", "manager", "individual_contributor", "entry")
RANK = {level: i for i, level in enumerate(LEVELS)}
UNKNOWN = "unknown"
PRESIDENT = ("president", "presidente", "praesident", "prasident")
VICE_PRESIDENT = ("vice president", "vice presidente", "vicepresidente", "vicepresident")
CHIEF_FUNCTIONS = (
    ("information security", "security"),
    ("security", "security"),
    ("information", "technology"),
    ("technology", "technology"),
    ("technical", "technology"),
    ("digital", "technology"),
    ("financial", "finance"),
    ("finance", "finance"),
    ("accounting", "finance"),
    ("investment", "finance"),
    ("operating", "operations"),
    ("operations", "operations"),
    ("marketing", "marketing"),
    ("growth", "marketing"),
    ("human resources", "human_resources"),
    ("people", "human_resources"),
    ("revenue", "sales"),
    ("sales", "sales"),
    ("commercial", "sales"),
    ("data", "data"),
    ("analytics", "data"),
    ("strategy", "strategy"),
    ("transformation", "strategy"),
    ("legal", "legal"),
    ("procurement", "procurement"),
    ("purchasing", "procurement"),
    ("product", "product"),
    ("customer", "customer_success"),
    ("risk", "risk_compliance"),
    ("compliance", "risk_compliance"),
    ("communications", "communications"),
    ("supply chain", "supply_chain"),
    ("scientific", "research"),
    ("medical", "research"),
    ("research", "research"),
    ("administrative", "administration"),
)
SEPARATORS = re.compile(
    r"\s+[|•·–—]\s+|\s*[|•·]\s*|\s+-\s+|;|\(|\)|\[|\]"
    r"|,\s*(?=(?:jetzt|now|currently|actuellement|ahora|ora|nu|agora)\b)"
)
COMPANY = re.compile(r"\s(?:@|at|bei|chez|en|presso|bij|na|em)\s.*$")
CHIEF = re.compile(r"\bchief\b(.*?)\bofficer\b")
SPLIT_ROLES = re.compile(r"\s(?:and|und|et|y|e|en|&)\s|\s*/\s*|\s*&\s*|\s*\+\s*")


def fold(text: str) -> str:
    text = text.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("&", " & ")
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(
        c
        for c in decomposed
        if (not unicodedata.combining(c) and unicodedata.category(c)[0] not in ("S", "C"))
        or c in "&|/+@"
    )
    kept = kept.casefold()
    kept = re.sub(r"[^0-9a-z&|/+@;()\[\]\-–—•·,.\s]", " ", kept)
    return kept


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z&]+", " ", text).split())


@dataclass(frozen=True)
class Lexicon:
    abbreviations: dict[str, str]
    levels: dict[str, tuple[str, ...]]
    functions: dict[str, tuple[str, ...]]
    vocabulary: tuple[str, ...] = field(default=())

    @classmethod
    def from_mapping(cls, data: dict[str, Any], extra: dict[str, Any] | None = None) -> Lexicon:
        def merged(section: str) -> dict[str, list[str]]:
            out: dict[str, list[str]] = {k: list(v) for k, v in data.get(section, {}).items()}
            for k, v in (extra or {}).get(section, {}).items():
                out.setdefault(k, []).extend(v)
            return out

        abbreviations = dict(data.get("abbreviations", {}))
        abbreviations.update((extra or {}).get("abbreviations", {}))
        levels = {
            k: tuple(sorted({_words(p) for p in v}, key=len, reverse=True))
            for k, v in merged("levels").items()
        }
        functions = {
            k: tuple(sorted({_words(p) for p in v}, key=len, reverse=True))
            for k, v in merged("functions").items()
        }
        words = {
            w
            for phrases in (*levels.values(), *functions.values())
            for p in phrases
            for w in p.split()
            if len(w) >= 5
        }
        return cls(abbreviations, levels, functions, tuple(sorted(words)))


@dataclass(frozen=True)
class TitleClass:
    title: str
    seniority: str
    function: str
    confidence: float
    normalised: str
    rules: tuple[str, ...]


# Heads of German (and Dutch) compound titles: "Vertriebsleiter" is a "leiter" of "Vertrieb".
COMPOUND_HEADS = (
    "leiterin",
    "leiter",
    "managerin",
    "manager",
    "mitarbeiterin",
    "mitarbeiter",
    "ingenieurin",
    "ingenieur",
    "beraterin",
    "berater",
    "technikerin",
    "techniker",
    "informatikerin",
    "informatiker",
    "beauftragte",
    "beauftragter",
    "assistentin",
    "assistent",
    "planerin",
    "planer",
    "controllerin",
    "controller",
    "administratorin",
    "administrator",
    "spezialistin",
    "spezialist",
    "referentin",
    "referent",
    "vorstand",
    "einkaufer",
    "kaufmann",
    "kauffrau",
    "medewerker",
    "adviseur",
    "manager",
)


def _decompound(word: str) -> str:
    """``vertriebsleiter`` → ``vertrieb leiter``; words that are only a head stay whole."""
    for head in COMPOUND_HEADS:
        if word.endswith(head) and len(word) >= len(head) + 3:
            stem = word[: -len(head)].rstrip("-")
            if stem.endswith("s") and len(stem) > 4:
                stem = stem[:-1]  # the linking s of Vertrieb-s-leiter
            return f"{stem} {head}"
    return word


def _has(text: str, phrase: str) -> bool:
    return f" {phrase} " in f" {text} "


_INDEXES: dict[int, tuple[tuple[str, ...], dict[str, list[tuple[int, str]]]]] = {}


def _index(phrases: tuple[str, ...]) -> dict[str, list[tuple[int, str]]]:
    """Phrases by their first word, with their position in ``phrases`` (longest first)."""
    found = _INDEXES.get(id(phrases))
    if found is not None and found[0] is phrases:
        return found[1]
    index: dict[str, list[tuple[int, str]]] = {}
    for at, phrase in enumerate(phrases):
        index.setdefault(phrase.split(" ", 1)[0], []).append((at, phrase))
    _INDEXES[id(phrases)] = (phrases, index)
    return index


def _first(text: str, phrases: tuple[str, ...]) -> str | None:
    """The first of ``phrases`` (the longest, as they are sorted) found in ``text``."""
    index = _index(phrases)
    best: tuple[int, str] | None = None
    for word in set(text.split()):
        for at, phrase in index.get(word, ()):
            if (best is None or at < best[0]) and _has(text, phrase):
                best = (at, phrase)
    return best[1] if best else None


class TitleClassifier:
    def __init__(self, lexicon: Lexicon, cache_size: int = 1_000_000) -> None:
        self.lex = lexicon
        lv = lexicon.levels
        self.higher = lv["vp"] + lv["evp"] + lv["board"] + lv["director"]
        self.leaders = lv["c_suite"] + lv["director"] + lv["manager"]
        self.real_entry = tuple(p for p in lv["entry"] if p != "junior")
        self.known_words = {  # single-word phrases: never cut into a compound's parts
            p
            for phrases in (*lexicon.levels.values(), *lexicon.functions.values())
            for p in phrases
            if " " not in p
        }
        self.function_index: dict[str, list[tuple[str, str]]] = {}
        for name, phrases in lexicon.functions.items():
            for phrase in phrases:
                self.function_index.setdefault(phrase.split(" ", 1)[0], []).append((name, phrase))
        self.classify = lru_cache(maxsize=cache_size)(self._classify)

    # --- steps -------------------------------------------------------------------------------

    def _expand(self, text: str) -> str:
        words = [self.lex.abbreviations.get(w, w) for w in text.split()]
        return " ".join(w if w in self.known_words else _decompound(w) for w in words)

    def _fix_typos(self, text: str, rules: list[str]) -> str:
        out = []
        for word in text.split():
            fixed = word
            if len(word) >= 5 and word not in self.lex.vocabulary:
                best = process.extractOne(
                    word, self.lex.vocabulary, scorer=fuzz.ratio, score_cutoff=85
                )
                if best is not None:
                    rules.append(f"typo:{word}->{best[0]}")
                    fixed = best[0]
            out.append(fixed)
        return " ".join(out)

    def _president(self, text: str) -> str | None:
        """``President`` alone leads a company; ``President, Americas`` leads a division."""
        if any(_has(text, v) for v in VICE_PRESIDENT):
            return "skip"  # a vice president, found further down
        if _has(text, "president and chief executive officer") or _has(
            text, "chief executive officer"
        ):
            return None
        if re.search(r"presidente?\s+(?:of|for|de|del|di|da|,)?\s*\w", text):
            return "evp"
        return None

    def _level(self, text: str, rules: list[str]) -> str | None:
        lv = self.lex.levels
        head = text.split(" to ", 1)[0]
        if _first(text, lv["assistant"]) and not CHIEF.search(head):
            rules.append("assistant")
            return "individual_contributor"
        higher = self.higher
        things = bool(_first(text, lv["individual_managers"])) and not _first(text, higher)
        if things:
            rules.append("manages things, not people")
        level: str | None = None
        if CHIEF.search(text):
            rules.append("chief … officer")
            level = "c_suite"
        for name in ("board", "c_suite", "evp", "vp", "director", "manager", "entry"):
            if level is not None:
                break
            phrase = _first(text, lv[name])
            if phrase is None or (name == "manager" and things):
                continue
            if name == "c_suite" and phrase in PRESIDENT:
                verdict = self._president(text)
                if verdict == "skip":
                    continue
                if verdict == "evp":
                    rules.append("division president")
                    level = "evp"
                    break
            chair_only = phrase == "chair" and not _has(text, "chair of the board")
            if name == "board" and chair_only and _first(text, lv["c_suite"]):
                continue
            lead_only = phrase == "lead" and not (
                _has(text, "team lead") or text.startswith("lead ")
            )
            if name == "manager" and lead_only:
                continue
            rules.append(f"{name}:{phrase}")
            level = name
        if level is None and things:
            level = "individual_contributor"
        if level is None and _first(text, lv["individual_contributor"]):
            rules.append("role noun: individual contributor")
            level = "individual_contributor"
        real_entry = tuple(p for p in lv["entry"] if p != "junior")
        if (
            level == "entry"
            and _first(text, lv["c_suite"] + lv["director"] + lv["manager"])
            and not _first(text, real_entry)
        ):
            level = None  # "Junior" before a manager's title: no level from "Junior"
        return self._deputy(text, level, rules)

    def _deputy(self, text: str, level: str | None, rules: list[str]) -> str | None:
        """A deputy is one level below the role they deputise for."""
        if level not in ("c_suite", "evp", "vp", "director", "manager"):
            return level
        deputy = _first(text, self.lex.levels["deputy"])
        if not deputy or _has(text, "vice chairman"):
            return level
        if deputy == "vice" and any(_has(text, v) for v in VICE_PRESIDENT):
            return level
        lower = LEVELS[min(RANK[level] + 1, RANK["manager"])]
        rules.append(f"deputy:{level}->{lower}")
        return lower

    def _function(self, text: str, level: str | None, rules: list[str]) -> str:
        chief = CHIEF.search(text)
        if chief:
            inner = chief.group(1).strip()
            if inner in ("executive", ""):
                return "general_management"
            for words, name in CHIEF_FUNCTIONS:
                if inner.startswith(words):
                    rules.append(f"function:{name} (chief {words} officer)")
                    return name
        best: str | None = None
        best_score = float("-inf")
        padded = f" {text} "
        for word in set(text.split()):
            for name, phrase in self.function_index.get(word, ()):
                pos = padded.find(f" {phrase} ")
                if pos < 0:
                    continue
                score = len(phrase) / 1000 - pos  # earlier words name the role first
                if chief and phrase in chief.group(1):
                    score += 1000
                if score > best_score:
                    best, best_score = name, score
        if best is not None:
            rules.append(f"function:{best}")
            return best
        if level in ("board", "c_suite"):
            return "general_management"
        return UNKNOWN

    def _classify(self, title: str) -> TitleClass:
        rules: list[str] = []
        raw = title or ""
        folded = fold(raw)
        if not _words(folded):
            return TitleClass(raw, UNKNOWN, UNKNOWN, 0.0, "", ("blank",))
        segments = [s for s in SEPARATORS.split(folded) if s and _words(s)]
        kept: list[str] = []
        for seg in segments:
            seg_words = _words(COMPANY.sub("", f" {seg} ").strip()) or _words(seg)
            first = seg_words.split(" ")[0] if seg_words else ""
            if first in self.lex.levels["former"] or seg.strip().startswith("ex-"):
                rules.append("former role dropped")
                continue
            if first in ("jetzt", "now", "currently", "actuellement", "ahora", "ora"):
                seg_words = seg_words.split(" ", 1)[1] if " " in seg_words else ""
            kept.append(seg_words)
        if not kept:
            kept = [_words(segments[0])] if segments else []
        best: tuple[int, str, str, list[str]] | None = None
        for seg in kept:
            expanded = self._expand(seg)
            for acting in self.lex.levels["acting"]:
                if expanded.startswith(acting + " "):
                    expanded = expanded[len(acting) + 1 :]
                    rules.append("acting/interim: level kept")
            parts = [p.strip() for p in SPLIT_ROLES.split(expanded) if p.strip()] or [expanded]
            if len(parts) > 1 and sum(1 for p in parts if self._level(p, []) is not None) < 2:
                parts = [expanded]
            for part in parts:
                part_rules: list[str] = []
                level = self._level(part, part_rules)
                text = part
                if level is None:
                    fixed = self._fix_typos(part, part_rules)
                    if fixed != part:
                        level = self._level(fixed, part_rules)
                        text = fixed
                used = next(
                    (r.split(":", 1)[1] for r in part_rules if r.split(":", 1)[0] in LEVELS), None
                )
                rest = f" {text} ".replace(f" {used} ", " ", 1).strip() if used else text
                function = self._function(rest or text, level, part_rules)
                if function == UNKNOWN and rest != text:
                    function = self._function(text, level, part_rules)
                if level is None and function != UNKNOWN:
                    level = "individual_contributor"
                    part_rules.append("no level word: individual contributor")
                inferred = "no level word: individual contributor" in part_rules
                rank = 50 if inferred else (RANK.get(level, 99) if level else 99)
                if best is None or rank < best[0]:
                    best = (rank, level or UNKNOWN, function, [*part_rules])
                elif rank == best[0] and best[2] == UNKNOWN and function != UNKNOWN:
                    best = (rank, best[1], function, [*best[3], *part_rules])
        assert best is not None
        _, level, function, part_rules = best
        rules.extend(part_rules)
        if "assistant" in part_rules:
            function = "administration"  # an assistant to the CFO works in administration
        if level == UNKNOWN and function == UNKNOWN:
            rules.append("no level or function word recognised")
            return TitleClass(raw, UNKNOWN, UNKNOWN, 0.1, " ".join(kept), tuple(rules))
        confidence = 0.95
        if UNKNOWN in (level, function):
            confidence = 0.5
        if any(r.startswith("typo:") for r in rules):
            confidence -= 0.2
        if "no level word: individual contributor" in rules:
            confidence -= 0.15
        return TitleClass(raw, level, function, round(confidence, 2), " ".join(kept), tuple(rules))
