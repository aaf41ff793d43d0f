"""Job titles → seniority and function, with the rules that fired and a confidence.

The lexicon is data (``engines/lexicon/titles.toml``; a user file adds to it). A title is folded
(accents, case, width), cut once into tokens, and read in a single pass: each token is looked up
in a phrase index keyed by first token (the longest phrase wins), after abbreviations are
expanded, compounds ("Vertriebsleiter") cut at a known head and typos repaired — all three
memoised by token. Strong separators (``|``, brackets, emojis) cut the title into segments; a
segment is cut at ``@``/"at Company" and into roles at conjunctions and commas. Each role is
ranked: a combined title takes its highest role; "Acting"/"Interim" keep the level; "Deputy" is
one level below; "Former"/"Ex-" roles are not current; "Assistant to the CEO" is an assistant.
Answers are memoised, so a column where a few titles repeat (as CRM columns do) costs little.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from crestline.vocab import LEVELS

RANK = {level: i for i, level in enumerate(LEVELS)}
UNKNOWN = "unknown"
IC_RANK = RANK["individual_contributor"]
INFERRED = 50  # the rank of a role known only by its function: below every named level

# Level-list keys that are modifiers, not levels, and the flag each sets on its phrases.
FORMER, ACTING, DEPUTY, JUNIOR, ASSISTANT, THINGS, LEAD, ALONE_TOP, DIVISION, LEVEL_ONLY = (
    1 << i for i in range(10)
)
MODIFIERS = {
    "former": FORMER,
    "acting": ACTING,
    "deputy": DEPUTY,
    "junior": JUNIOR,
    "assistant": ASSISTANT,
    "individual_managers": THINGS,
    "weak_lead": LEAD,
    "top_when_alone": ALONE_TOP,
    "division_head": DIVISION,
    "level_only": LEVEL_ONLY,
}
MODIFIER_LEVEL = {
    "assistant": "individual_contributor",
    "individual_managers": "individual_contributor",
}
MODIFIER_LEVEL["weak_lead"] = "manager"
# Function priority: a section's phrases, then a chief officer's own words, and the fallbacks.
SECTION_PRIORITY = {"functions_weak": 1, "functions": 2, "functions_strong": 3}
CHIEF_PRIORITY = 4
DEFAULT_GM = 0  # founders, owners, boards: general management unless another role says more

# Tokens: words (an inner "&", "/" or "+" kept: "R&D", "FP&A", "Founder/CEO") and separators;
# other punctuation only ends a word ("Co-Founder" → "co founder", "Sr." → "sr").
TOKEN = re.compile(r"[a-z0-9&+/]+|[|;()\[\]{}!?:@,]")
PLAIN = re.compile(r"[a-z0-9 ]*")  # words and spaces only: a split will do
STRONG = frozenset("|•·;()[]{}!?:")
WEAK = ","
CONJUNCTION = "&"
OTHER_THAN_ACCENTS = re.compile(r"[^\x00-\x7f\u0300-\u036f]")
FOLD_EXTRA = str.maketrans(
    {"ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ł": "l", "đ": "d"}
)


def fold(text: str) -> str:
    """Lower case ASCII without accents; symbols (emojis, bullets) become a ``|`` separator."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(FOLD_EXTRA))
    kept = OTHER_THAN_ACCENTS.sub(_fold_other, decomposed)
    return kept.encode("ascii", "ignore").decode("ascii").lower()


def _fold_other(match: re.Match[str]) -> str:
    c = match.group()
    if c in "•·":
        return " | "
    if c in "–—":
        return " - "  # a comma between roles, spaced or not
    if c.isspace():
        return " "
    if unicodedata.combining(c):
        return ""
    return " | " if unicodedata.category(c)[0] == "S" else " "


def split_title(text: str) -> list[str]:
    """A title's tokens: words and separators."""
    folded = fold(text)
    if PLAIN.fullmatch(folded):
        return folded.split()
    if " -" in folded:
        folded = folded.replace(" - ", " , ").replace(" -- ", " , ")  # a spaced dash: a comma
    return TOKEN.findall(folded)


def _phrase(text: str) -> tuple[str, ...]:
    """A lexicon phrase as its tokens (folded the same way titles are)."""
    return tuple(t for t in split_title(text) if t[0].isalnum())


@dataclass(frozen=True)
class Lexicon:
    abbreviations: dict[str, str]
    levels: dict[str, tuple[str, ...]]
    functions: dict[str, tuple[str, ...]]
    vocabulary: tuple[str, ...] = field(default=())
    functions_weak: dict[str, tuple[str, ...]] = field(default_factory=dict)
    functions_strong: dict[str, tuple[str, ...]] = field(default_factory=dict)
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: dict[str, Any], extra: dict[str, Any] | None = None) -> Lexicon:
        def merged(section: str) -> dict[str, tuple[str, ...]]:
            out: dict[str, list[str]] = {k: list(v) for k, v in data.get(section, {}).items()}
            for k, v in (extra or {}).get(section, {}).items():
                out.setdefault(k, []).extend(v)
            return {
                k: tuple(dict.fromkeys(" ".join(_phrase(p)) for p in v)) for k, v in out.items()
            }

        abbreviations = {
            " ".join(_phrase(k)): " ".join(_phrase(v))
            for k, v in {
                **data.get("abbreviations", {}),
                **(extra or {}).get("abbreviations", {}),
            }.items()
        }
        levels, functions = merged("levels"), merged("functions")
        weak, strong, words = merged("functions_weak"), merged("functions_strong"), merged("words")
        vocabulary = {
            w
            for section in (levels, functions, weak, strong)
            for phrases in section.values()
            for p in phrases
            for w in p.split()
            if len(w) >= 5 and w.isalpha()
        }
        return cls(abbreviations, levels, functions, tuple(sorted(vocabulary)), weak, strong, words)


@dataclass(frozen=True, slots=True)
class TitleClass:
    title: str
    seniority: str
    function: str
    confidence: float
    normalised: str
    rules: tuple[str, ...]


class _Memo(dict[str, "TitleClass"]):
    """Answers by title; a miss classifies (a plain dictionary: cheap to hit, cheap to keep)."""

    def __init__(self, classify: Callable[[str], TitleClass], size: int) -> None:
        super().__init__()
        self.compute = classify
        self.size = size

    def __missing__(self, title: str) -> TitleClass:
        if len(self) >= self.size:
            self.clear()
        answer = self[title] = self.compute(title)
        return answer


@dataclass(slots=True)
class _Entry:
    """What a phrase means: a level, a function (with its priority) and modifier flags."""

    level: str | None = None
    function: str | None = None
    priority: int = -1
    flags: int = 0
    rank: int = 99


@dataclass(frozen=True, slots=True)
class _Role:
    level: str | None
    rank: int
    function: str
    priority: int
    rules: tuple[str, ...]
    words: str  # as the rules saw them (a word the lexicon does not know is "_")


Hit = tuple[int, int, _Entry]  # start, end (exclusive), meaning
Segment = tuple[list[str], tuple[str, ...], int]  # words, shape, flags (abbreviated, may split)
# confidence by (level or function unknown, a typo repaired)
CONFIDENCE = {(False, False): 0.95, (True, False): 0.5, (False, True): 0.75, (True, True): 0.3}
UNSEEN = "_"  # in a segment's shape, a word the lexicon does not know
UNSEEN_ONLY = (UNSEEN,)
# A token's analysis: the tokens it stands for, the rule that changed it, and these flags.
ABBREVIATED, SPLITS, WORD, TYPO, SEPARATOR, AT, COMPANY, ONLY_UNSEEN = (1 << i for i in range(8))
SPECIAL = SEPARATOR | COMPANY  # tokens that are not words of the role
KEYED = ABBREVIATED | SPLITS  # the flags a segment's answer depends on
# level, function, confidence, rules, which segments hold a role
Answer = tuple[str, str, float, tuple[str, ...], tuple[bool, ...]]


class TitleClassifier:
    def __init__(self, lexicon: Lexicon, cache_size: int = 1_000_000) -> None:
        self.lex = lexicon
        words = lexicon.words
        self.now = frozenset(words.get("now", ()))
        self.conjunctions = frozenset(words.get("conjunctions", ())) | {"&", "/", "+"}
        self.company = frozenset(words.get("company", ()))
        self.principal_markers = frozenset(words.get("principal_markers", ()))
        self.always_principal = frozenset(words.get("always_principal", ()))
        self.principals = frozenset(words.get("principals", ()))
        self.objects = frozenset(words.get("individual_objects", ()))
        self.linking = tuple(words.get("compound_linking", ()))
        self.stop = frozenset(words.get("stopwords", ()))
        self.chief_open = frozenset(words.get("chief_open", ()))
        self.chief_close = frozenset(words.get("chief_close", ()))
        self.chief_entry = _Entry(level="c_suite", rank=RANK["c_suite"])
        self.splitters = self.now | self.conjunctions | {WEAK}
        self.separators = STRONG | {"@"}
        entries: dict[tuple[str, ...], _Entry] = {}

        def entry(phrase: str) -> _Entry:
            ab = lexicon.abbreviations
            key = tuple(x for w in phrase.split() for x in ab.get(w, w).split())
            return entries.setdefault(key, _Entry())

        for name, phrases in lexicon.levels.items():
            for phrase in filter(None, phrases):
                e = entry(phrase)
                if name in MODIFIERS:
                    e.flags |= MODIFIERS[name]
                    if name in MODIFIER_LEVEL and e.level is None:
                        e.level = MODIFIER_LEVEL[name]
                elif name in RANK and (e.level is None or RANK[name] < RANK[e.level]):
                    e.level = name
        for section, priority in SECTION_PRIORITY.items():
            for name, phrases in getattr(lexicon, section).items():
                for phrase in filter(None, phrases):
                    e = entry(phrase)
                    if priority >= e.priority:
                        e.function, e.priority = name, priority
        by_first: dict[str, dict[int, dict[tuple[str, ...], _Entry]]] = {}
        for key, e in entries.items():
            e.rank = RANK[e.level] if e.level is not None else 99
            by_first.setdefault(key[0], {}).setdefault(len(key), {})[key] = e
        # first token → (size, phrases of that size), longest first
        self.index = {
            first: tuple(sorted(sizes.items(), reverse=True)) for first, sizes in by_first.items()
        }
        self.single = frozenset(k[0] for k in entries if len(k) == 1)
        self.phrased = frozenset(w for key in entries for w in key)
        # single words with a function and no level, which a known head may still cut
        self.levelled = frozenset(
            k[0] for k, e in entries.items() if len(k) == 1 and len(k[0]) >= 4 and e.level
        )
        self.unlevelled = frozenset(
            k[0] for k, e in entries.items() if len(k) == 1 and e.level is None and not e.flags
        )
        self.heads = frozenset(w for w in self.single if len(w) >= 4 and w.isalpha())
        self.by_letter: dict[tuple[str, int], list[str]] = {}  # by first letter and length
        for w in lexicon.vocabulary:
            self.by_letter.setdefault((w[0], len(w)), []).append(w)
        self.known = (
            frozenset(w for key in entries for w in key)
            | self.splitters
            | self.company
            | self.principal_markers
            | self.principals
            | frozenset(words.get("noise", ()))
        )
        for word in self.unlevelled:  # "Personalleiterin": HR, and a director as a "Leiterin"
            split = self._decompound(word, exact=True) if len(word) >= 7 else None
            if split is not None:
                e, head = entries[(word,)], entries[(split[1],)]
                e.level, e.rank, e.flags = head.level, head.rank, head.flags
        self.tokens: dict[str, tuple[tuple[str, ...], str | None, int, tuple[str, ...]]] = {}
        # the words the rules look at; any other (a region, a company) only counts as "a word"
        self.shaped = (
            self.phrased
            | self.splitters
            | self.company
            | self.principal_markers
            | self.principals
            | self.objects
            | self.stop
            | self.chief_open
            | self.chief_close
            | self.always_principal
        )
        # segments repeat across titles ("VP Sales | Acme", "VP Sales | Globex"): their roles too
        self.segment_cache: dict[
            tuple[tuple[str, ...], int], tuple[tuple[_Role, ...], tuple[str, ...]]
        ] = {}
        self.cache_size = cache_size
        self.answers: dict[tuple[object, int], Answer] = {}
        self.memo = _Memo(self._classify, cache_size)
        # classify(title) -> TitleClass: a dictionary lookup for a title seen before
        self.classify: Callable[[str], TitleClass] = self.memo.__getitem__

    # --- tokens ------------------------------------------------------------------------------

    def _token(self, token: str) -> tuple[tuple[str, ...], str | None, int, tuple[str, ...]]:
        """A raw token → the tokens it stands for, the rule that changed it, flags, and the
        tokens as the rules see them: a word the lexicon does not know is only "a word" (memoised).
        """
        found = self.tokens.get(token)
        if found is None:
            mapped, rule = self._analyse(token)
            flags = 0
            if rule is not None:
                flags = ABBREVIATED if rule.startswith("abbreviation") else 0
                flags |= TYPO if "typo:" in rule else 0
            if any(w in self.splitters for w in mapped):
                flags |= SPLITS
            if any(w[0].isalnum() for w in mapped):
                flags |= WORD
            shape = tuple(w if w in self.shaped else UNSEEN for w in mapped)
            kept = tuple(w for w in mapped if w != WEAK)
            if shape == UNSEEN_ONLY:
                flags |= ONLY_UNSEEN
            if token in self.separators:
                flags = SEPARATOR | (AT if token == "@" else 0)
            elif token in self.company:
                flags |= COMPANY
            found = self.tokens[token] = (kept, rule, flags, shape)
        return found

    def _analyse(self, token: str) -> tuple[tuple[str, ...], str | None]:
        if token in self.lex.abbreviations:
            return tuple(self.lex.abbreviations[token].split()), f"abbreviation:{token}"
        if token in self.known or not token[0].isalpha():
            return (token,), None
        if any(c in token for c in "&/+"):
            parts: list[str] = []
            for piece in re.split(r"([&/+])", token):
                if piece in ("&", "/", "+"):
                    parts.append(piece)
                elif piece:
                    parts.extend(self._token(piece)[0])
            return tuple(parts), None
        if not token.isalpha() or len(token) < 5:
            return (token,), None
        split = self._decompound(token)
        if split is not None:
            return split, f"compound:{token}"
        fixed = self._repair(token)
        if fixed is not None:
            return (fixed,), f"typo:{token}->{fixed}"
        return (token,), None

    def _decompound(self, word: str, exact: bool = False) -> tuple[str, ...] | None:
        """``vertriebsleiter`` → ``vertrieb leiter``: a known head, a known (or repaired) stem;
        ``exact``: a head with a level and a stem the lexicon knows, nothing repaired."""
        heads = self.levelled if exact else self.heads
        for size in range(len(word) - 3, 3, -1):  # the longest head first
            head = word[-size:]
            if head not in heads:
                continue
            stem = word[:-size]
            for link in ("", *self.linking):
                if link and not stem.endswith(link):
                    continue
                base = stem[: len(stem) - len(link)] if link else stem
                if base in self.known:
                    return (base, head)
            if exact:
                continue
            if len(stem) >= 5:
                fixed = self._repair(stem) or (
                    self._repair(stem[:-1]) if stem[-1:] in ("s", "e") else None
                )
                if fixed is not None:
                    return (fixed, head)
            if head in self.levelled:
                return (stem, head)  # the head alone: "Syndikusrechtsanwalt" is a lawyer
        return None

    def _repair(self, word: str) -> str | None:
        """A typo: one edit (two from 10 letters), same first letter, in the lexicon's words."""
        size = len(word)
        limit = 1 if size < 10 else 2
        choices = [
            w
            for length in range(size - limit, size + limit + 1)
            for w in self.by_letter.get((word[0], length), ())
        ]
        if not choices:
            return None
        for choice, distance, _ in process.extract(
            word, choices, scorer=OSA.distance, score_cutoff=limit, limit=8
        ):
            # a short word is repaired only for a dropped or a swapped letter: "Manger",
            # "Cheif"; "Clair" is a name, not a chair
            if size >= 8 or distance == 0 or len(choice) == size + 1:
                return str(choice)
            if len(choice) == size and sorted(choice) == sorted(word):
                return str(choice)
        return None

    # --- reading -----------------------------------------------------------------------------

    def _segments(self, title: str, rules: list[str]) -> tuple[list[Segment], int]:
        """Each segment's words, its shape (as the rules see it: a run of words the lexicon does
        not know is one "_") and flags; and the flags of all tokens."""
        out: list[Segment] = []
        words: list[str] = []
        shape: list[str] = []
        flags = seen = 0
        company: list[str] | None = None  # after "@"/"at": the company, to the segment's end
        tokens, token = self.tokens, self._token
        for raw in split_title(title):
            found = tokens.get(raw) or token(raw)
            kind = found[2]
            if kind & SPECIAL:
                if kind & SEPARATOR:
                    if company:
                        self._end_company(words, shape, company, rules)
                    if flags & WORD:
                        out.append((words, tuple(shape), flags & KEYED))
                    seen |= flags
                    words, shape, flags = [], [], 0
                    company = [] if kind & AT else None
                    continue
                if company is None and words:  # "at", "bei", "chez": a company follows
                    company = []
                    continue
            if company is not None:
                company.append(raw)
                continue
            if found[1] is not None:
                rules.append(found[1])
            flags |= kind
            words += found[0]
            if not kind & ONLY_UNSEEN or not shape or shape[-1] != UNSEEN:
                shape += found[3]  # a run of unknown words is one "_"
        if company:
            self._end_company(words, shape, company, rules)
        if flags & WORD:
            out.append((words, tuple(shape), flags & KEYED))
        return out, seen | flags

    def _end_company(
        self, segment: list[str], shape: list[str], company: list[str], rules: list[str]
    ) -> None:
        """A company after "at"/"@" is dropped, unless it is all lexicon words ("em Finanças")."""
        words = [w for w in company if w[0].isalnum()]
        if words and all(w in self.known for w in words) and any(w in self.phrased for w in words):
            segment.extend(words)
            shape.extend(words)
        elif words:
            rules.append("company dropped")

    def _hits(self, words: list[str]) -> tuple[list[Hit], list[Hit]]:
        """One pass: the longest level phrase and the longest function phrase at each token."""
        levels: list[Hit] = []
        functions: list[Hit] = []
        level_end = function_end = 0
        n = len(words)
        index = self.index
        for i, word in enumerate(words):
            candidates = index.get(word)
            if candidates is None:
                continue
            for size, table in candidates:
                if size == 1:
                    e = table[(word,)]
                elif i + size > n:
                    continue
                else:
                    found = table.get(tuple(words[i : i + size]))
                    if found is None:
                        continue
                    e = found
                if i >= level_end and (e.level is not None or e.flags):
                    levels.append((i, i + size, e))
                    level_end = i + size
                if i >= function_end and (e.function is not None or e.flags & LEVEL_ONLY):
                    if e.function is not None:
                        functions.append((i, i + size, e))
                    function_end = i + size  # "assistant vice president": no assistant here
                if i < level_end and i < function_end:
                    break
        return levels, functions

    def _roles(self, shape: tuple[str, ...], splits: bool, rules: list[str]) -> list[_Role]:
        """A segment's roles: cut at conjunctions and commas, pieces without a level joined."""
        base = 1 if shape[0] in self.now else 0
        words = list(shape[base:])
        levels, functions = self._hits(words)
        stop = self._principal(words, levels)
        if stop < len(words):
            rules.append("works for: " + " ".join(words[stop:]).replace(UNSEEN, "…"))
            words = words[:stop]
            levels = [h for h in levels if h[0] < stop]
            functions = [h for h in functions if h[0] < stop]
        if not splits:
            if levels and levels[0][0] == 0 and levels[0][2].flags & FORMER:
                rules.append("former role dropped")
                return []
            return [self._role(words, levels, functions, base)]
        covered = {i for s, e, _ in levels for i in range(s + 1, e)}
        bounds: list[tuple[str, int, int]] = []  # the joiner before, start, end
        start, joiner = 0, ""
        splitters, now = self.splitters, self.now
        for i, w in enumerate(words):
            if w in splitters and i not in covered:
                if i > start:
                    bounds.append((joiner, start, i))
                start, joiner = i + 1, WEAK if w in now else w
        if start < len(words):
            bounds.append((joiner, start, len(words)))
        spans: list[tuple[int, int] | None] = []  # None: a dropped former role, a boundary
        pending: int | None = None
        for at, (_joiner, a, b) in enumerate(bounds):
            mine = [h for h in levels if a <= h[0] < b]
            if mine and mine[0][0] == a and mine[0][2].flags & FORMER:
                rules.append("former role dropped")
                spans.append(None)
                pending = None
                continue
            first = a if pending is None else pending
            pending = None
            if not any(h[2].level is not None for h in mine):
                following = bounds[at + 1][0] if at + 1 < len(bounds) else None
                if following is not None and following != WEAK and following in self.conjunctions:
                    pending = first  # "Finance & Ops Director": joins the next role
                    continue
                last = spans[-1] if spans else None
                if last is not None:
                    spans[-1] = (last[0], b)  # "Director, Finance & Ops": qualifies the role
                    continue
            spans.append((first, b))
        if pending is not None:
            spans.append((pending, len(words)))
        out = []
        for span in spans:
            if span is None:
                continue
            a, b = span
            out.append(
                self._role(
                    words[a:b],
                    [(s - a, e - a, x) for s, e, x in levels if a <= s < b],
                    [(s - a, min(e, b) - a, x) for s, e, x in functions if a <= s < b],
                    base + a,
                )
            )
        return out

    def _principal(self, words: list[str], levels: list[Hit]) -> int:
        """Where the person an assistant (or a chief of staff) works for starts, else the end."""
        if not levels:
            return len(words)
        assisted = [h for h in levels if h[2].flags & ASSISTANT]
        # an individual contributor "of the management" (Referent der Geschäftsführung) too
        first = levels[0][2]
        staff = not assisted and first.rank == IC_RANK and not first.flags & THINGS
        if not assisted and not staff and self.always_principal.isdisjoint(words):
            return len(words)
        for i in range(levels[0][1], len(words)):
            if words[i] in self.always_principal:
                return i
        if assisted or staff:
            end = (assisted or levels)[0][1]
            top = IC_RANK if assisted else RANK["evp"]  # whom staff work for: the top only
            for i in range(end, min(end + 3, len(words))):
                if words[i] in self.principal_markers and (
                    not self.principals.isdisjoint(words[i + 1 :])
                    or any(s > i and x.rank < top for s, _, x in levels)
                ):
                    return i
        return len(words)

    def _manages_things(self, words: list[str], start: int, end: int) -> bool:
        """A bare "manager" of a product, accounts, a project: the object just before it, or
        just after a preposition ("Gerente de Contas")."""
        objects = self.objects
        if start > 0 and words[start - 1] in objects:
            return True
        return (
            end + 1 < len(words)
            and words[end] in self.principal_markers
            and words[end + 1] in objects
        )

    def _chief(self, words: list[str], levels: list[Hit]) -> list[Hit]:
        """A "chief … officer" the lexicon does not list is still a chief officer."""
        opens, closes = self.chief_open, self.chief_close
        for i, w in enumerate(words):
            if w in opens:
                for j in range(i + 1, min(i + 6, len(words))):
                    if words[j] in closes:
                        if any(s <= i < e and x.level == "c_suite" for s, e, x in levels):
                            return levels
                        hit = (i, j + 1, self.chief_entry)
                        kept = [h for h in levels if h[1] <= i or h[0] > j]
                        return sorted([*kept, hit], key=lambda h: h[0])
        return levels

    def _role(
        self, words: list[str], levels: list[Hit], functions: list[Hit], offset: int
    ) -> _Role:
        rules: list[str] = []
        if not self.chief_open.isdisjoint(words):
            levels = self._chief(words, levels)
        flags = 0
        best: Hit | None = None
        best_rank = 99
        entry_word = False
        last = len(levels) - 1
        for at, hit in enumerate(levels):
            e = hit[2]
            flags |= e.flags
            if e.level is None:
                continue
            if e.level == "entry":
                entry_word = True
            if (
                e.flags & LEAD
                and at < last
                and any(h[2].level is not None for h in levels[at + 1 :])
            ):
                continue  # "Lead Developer" is a developer
            if e.rank < best_rank:
                best, best_rank = hit, e.rank
        level = best[2].level if best is not None else None
        function, priority = UNKNOWN, -1
        chief = best is not None and best_rank == 1 and best[1] - best[0] >= 3
        for start, end, e in functions:
            p = e.priority
            if chief and best is not None and best[0] < start and end <= best[1]:
                p = CHIEF_PRIORITY  # the words of a "chief … officer"
            elif e.function == "general_management" and any(
                s < start and end <= t for s, t, _ in levels
            ):
                continue  # the "president" of "vice president" names a level, not a function
            if p > priority:
                function, priority = e.function or UNKNOWN, p
        if best is not None:
            b0, b1, e = best
            phrase = " ".join(words[b0:b1])
            rules.append(f"{level}:{phrase.replace(UNSEEN, '…')}")
            if e.flags & ALONE_TOP and all(b0 <= s and t <= b1 for s, t, _ in functions):
                level, function, priority = "c_suite", "general_management", 1
                rules.append("alone: the head of the organisation")
            if (
                e.flags & DIVISION
                and level == "c_suite"
                and any(w not in self.stop and w not in self.splitters for w in words[b1:])
            ):
                level = "evp"
                rules.append("division president")
            if level == "manager" and b1 - b0 == 1 and self._manages_things(words, b0, b1):
                rules.append("manages things, not people")
                level = "individual_contributor"
            if e.flags & ASSISTANT:
                if priority < 2 or function == "general_management":
                    function, priority = "administration", 2
                rules.append("assistant")
        if level in ("board", "c_suite") and (priority < 0 or level == "board"):
            function, priority = "general_management", DEFAULT_GM
        if flags:
            if level is not None and flags & DEPUTY and 0 < RANK[level] <= RANK["manager"]:
                lower = LEVELS[RANK[level] + 1]
                rules.append(f"deputy:{level}->{lower}")
                level = lower
            if flags & ACTING:
                rules.append("acting/interim: level kept")
            if flags & JUNIOR and level in (None, "individual_contributor", "manager"):
                level = "entry"
                rules.append("junior: entry")
        if entry_word and level is not None and RANK[level] > RANK["vp"]:
            level = "entry"
        if level is not None:
            rank = RANK[level]
        elif priority >= 1:
            rank, level = INFERRED, "individual_contributor"
            rules.append("no level word: individual contributor")
        else:
            rank = 99
        if function != UNKNOWN:
            rules.append(f"function:{function}")
        return _Role(level, rank, function, priority, tuple(rules), " ".join(words))

    def _classify(self, title: str) -> TitleClass:
        rules: list[str] = []
        raw = title or ""
        segments, seen = self._segments(raw, rules)
        if len(segments) == 1:  # most titles: the segment's shape is the title's
            key: tuple[object, int] = (segments[0][1], segments[0][2] | (seen & TYPO))
        else:
            key = (tuple([(s[1], s[2]) for s in segments]), seen & TYPO)
        answer = self.answers.get(key)
        if answer is None:
            answer = self._decide(segments, seen)
            if len(self.answers) < self.cache_size:
                self.answers[key] = answer
        level, function, confidence, tail, kept = answer
        if len(segments) == 1:
            normalised = " ".join(segments[0][0])
        else:
            normalised = " | ".join(
                " ".join(s[0]) for s, k in zip(segments, kept, strict=True) if k
            )
        return TitleClass(raw, level, function, confidence, normalised, (*rules, *tail))

    def _decide(self, segments: list[Segment], seen: int) -> Answer:
        """The answer for titles of this shape: level, function, confidence, rules, and which
        segments hold a role."""
        rules: list[str] = []
        roles: list[tuple[_Role, bool]] = []  # a role, whether its segment was abbreviated
        kept: list[bool] = []
        cache = self.segment_cache
        for _words, shape, flags in segments:
            key = (shape, flags & SPLITS)
            found = cache.get(key)
            if found is None:
                seg_rules: list[str] = []
                read = self._roles(shape, bool(flags & SPLITS), seg_rules)
                found = (
                    tuple(r for r in read if r.level is not None or r.function != UNKNOWN),
                    tuple(seg_rules),
                )
                if len(cache) < self.cache_size:
                    cache[key] = found
            if found[1]:
                rules.extend(found[1])
            kept.append(bool(found[0]))
            abbreviated = bool(flags & ABBREVIATED)
            for r in found[0]:
                roles.append((r, abbreviated))
        if not roles:
            rules.append(
                "only former roles"
                if "former role dropped" in rules
                else "no level or function word recognised"
            )
            return UNKNOWN, UNKNOWN, 0.1, tuple(rules), tuple(True for _ in segments)
        picked = roles[0]
        if len(roles) > 1:
            picked = min(roles, key=lambda r: (r[0].rank, r[0].priority < 1, r[1]))
        best = picked[0]
        function = best.function
        if best.priority < 1:
            others = [  # another named role: not the function words of a company's name
                r
                for r, _ in roles
                if r is not best and r.priority >= 1 and r.rank < INFERRED and r.level != "board"
            ]
            if others:
                top = max(others, key=lambda r: r.priority)
                function = top.function
                rules.append(f"function from another role: {top.words.replace(UNSEEN, '…')}")
        level = best.level or UNKNOWN
        confidence = CONFIDENCE[UNKNOWN in (level, function), bool(seen & TYPO)]
        if best.rank == INFERRED:
            confidence = round(confidence - 0.15, 2)
        return level, function, confidence, (*rules, *best.rules), tuple(kept)
