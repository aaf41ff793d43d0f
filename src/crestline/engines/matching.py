"""Entity resolution: which account a company name means, which person a name at it means.

Names are compared folded: Unicode accents removed, ``ß`` → ``ss``, case and punctuation ignored,
legal suffixes (``GmbH``, ``S.A. de C.V.``, ``Inc.``) removed with cleanco. A company is matched to
an account by its exact folded name, then by domain, then by RapidFuzz similarity above a
threshold; every match says how it was made and with what score, in [0, 1].
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from cleanco import basename
from rapidfuzz import fuzz, process

COMPANY_THRESHOLD = 90.0  # RapidFuzz WRatio, 0–100
NOISE_WORDS = {"the", "group", "holding", "holdings", "company", "co", "and", "&"}


def fold(text: str) -> str:
    """Lower case, no accents, ``ß`` → ``ss``, punctuation as spaces, single spaces."""
    text = text.replace("ß", "ss").replace("ẞ", "SS").replace("ø", "o").replace("Ø", "O")
    text = text.replace("æ", "ae").replace("Æ", "AE").replace("ł", "l").replace("Ł", "L")
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", ascii_only.casefold()).split())


@lru_cache(maxsize=200_000)
def company_key(name: str) -> str:
    """A company name without its legal form and filler words, folded."""
    base = basename(name.strip()) or name
    words = [w for w in fold(base).split() if w not in NOISE_WORDS]
    return " ".join(words) or fold(name)


def person_key(first: str | None, last: str | None) -> str:
    return fold(f"{first or ''} {last or ''}")


def domain_stem(domain: str) -> str:
    """``nordstern-bank.de`` → ``nordstern bank``."""
    return fold(domain.rsplit(".", 1)[0].removeprefix("www.")) if domain else ""


@dataclass(frozen=True)
class AccountRef:
    id: int
    name: str
    domain: str | None


@dataclass(frozen=True)
class CompanyMatch:
    account_id: int
    method: str  # exact_name, domain, fuzzy_name
    score: float


class CompanyMatcher:
    """Matches company names to accounts; build once, ask many times (answers are cached)."""

    def __init__(self, accounts: Iterable[AccountRef], threshold: float = COMPANY_THRESHOLD):
        self.threshold = threshold
        self.by_key: dict[str, int] = {}
        self.by_stem: dict[str, int] = {}
        for account in accounts:
            self.by_key.setdefault(company_key(account.name), account.id)
            if account.domain:
                self.by_stem.setdefault(domain_stem(account.domain), account.id)
        self.keys = list(self.by_key)
        self.by_squashed = {s.replace(" ", ""): a for s, a in self.by_stem.items()}
        self._cache: dict[str, CompanyMatch | None] = {}

    def match(self, company: str | None, email_domain: str | None = None) -> CompanyMatch | None:
        if not company or not company.strip():
            return None
        cache_key = f"{company}\x00{email_domain or ''}"
        if cache_key not in self._cache:
            self._cache[cache_key] = self._match(company, email_domain)
        return self._cache[cache_key]

    def _match(self, company: str, email_domain: str | None) -> CompanyMatch | None:
        key = company_key(company)
        if key in self.by_key:
            return CompanyMatch(self.by_key[key], "exact_name", 1.0)
        if email_domain and domain_stem(email_domain) in self.by_stem:
            return CompanyMatch(self.by_stem[domain_stem(email_domain)], "domain", 1.0)
        squashed = key.replace(" ", "")
        if squashed in self.by_squashed:  # "Nordstern Bank" and nordsternbank.de
            return CompanyMatch(self.by_squashed[squashed], "domain", 0.98)
        if not self.keys:
            return None
        best = process.extractOne(key, self.keys, scorer=fuzz.WRatio, score_cutoff=self.threshold)
        if best is None:
            return None
        matched, score, _ = best
        # short names match long ones too easily: demand the shorter be most of the longer
        if min(len(key), len(matched)) < 0.6 * max(len(key), len(matched)):
            return None
        return CompanyMatch(self.by_key[matched], "fuzzy_name", round(score / 100, 3))


def name_similarity(a: str, b: str) -> float:
    """Similarity of two folded person names in [0, 1] (word order ignored)."""
    return float(fuzz.token_sort_ratio(a, b)) / 100


def closest_name(name: str, keys: Iterable[str], threshold: float) -> tuple[str, float] | None:
    """The folded name among ``keys`` most like ``name`` (word order ignored), with its
    similarity in [0, 1], when at least ``threshold``."""
    best = process.extractOne(
        name, list(keys), scorer=fuzz.token_sort_ratio, score_cutoff=threshold * 100
    )
    if best is None:
        return None
    return str(best[0]), round(float(best[1]) / 100, 3)


FREE_MAIL = frozenset(
    {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com"}
    | {"icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net"}
    | {"web.de", "t-online.de", "orange.fr", "free.fr", "libero.it"}
)


class OwnCompany:
    """Whether a company, as a list writes it, is our own organisation.

    Known by its names (``Northbeam Systems``) and by the email domains of our people
    (``northbeam.io``, free mail excluded): an email at one of them; the folded name without its
    legal form; or a name whose first words are a domain's stem (``Northbeam``,
    ``Northbeam Systems Inc.``).
    """

    def __init__(self, names: Iterable[str], domains: Iterable[str]) -> None:
        self.keys = {company_key(n) for n in names if n and n.strip()}
        self.domains = {d.strip().lower() for d in domains if d and d.strip()} - FREE_MAIL
        self.stems = {domain_stem(d) for d in self.domains} - {""}

    @property
    def canonical(self) -> str | None:
        """One key for our company, however a list writes it: its first name's, else a stem."""
        return min(self.keys or self.stems, default=None)

    def match(self, company: str | None, email_domain: str | None = None) -> str | None:
        """How the company was recognised as ours (``domain``, ``exact_name``), or None."""
        if email_domain and email_domain.lower() in self.domains:
            return "domain"
        if not company or not company.strip():
            return None
        key = company_key(company)
        if key in self.keys:
            return "exact_name"
        squashed = key.replace(" ", "")
        for stem in self.stems:
            if key == stem or key.startswith(stem + " ") or squashed == stem.replace(" ", ""):
                return "domain"
        return None
