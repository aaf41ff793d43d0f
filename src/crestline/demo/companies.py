"""Target accounts: names, domains, industries, countries and heavy-tailed sizes."""

from __future__ import annotations

import math
import random
import re
import unicodedata
from dataclasses import dataclass

from crestline.demo import vocab

SPANS = {"tall": 3.4, "medium": 5.0, "flat": 7.5}
CURRENCY = "USD"


@dataclass(frozen=True)
class Company:
    index: int
    id: int
    name: str
    short_name: str  # without the legal suffix
    domain: str
    industry: str
    country: str
    city: str
    language: str
    english_share: float
    employees: int
    revenue_usd: int
    tier: str
    hierarchy: str  # tall, medium, flat
    span: float
    people: int  # how many of its people are in our CRM


def ascii_fold(text: str) -> str:
    text = text.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("ł", "l")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def email_handle(first: str, last: str) -> str:
    """``first.last`` as mail systems write it: ASCII, lower case, no spaces or apostrophes."""
    return re.sub(r"[^a-z0-9.-]", "", f"{ascii_fold(first)}.{ascii_fold(last)}".lower())


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", ascii_fold(text).lower())


def tier_of(employees: int) -> str:
    if employees >= 20_000:
        return "strategic"
    if employees >= 3_000:
        return "enterprise"
    return "commercial"


def make_companies(rng: random.Random, count: int, total_people: int) -> list[Company]:
    """``count`` companies whose CRM people add up to about ``total_people``."""
    industries = vocab.industries()
    countries = vocab.countries()
    country_keys = sorted(countries)
    country_weights = [float(countries[c]["weight"]) for c in country_keys]
    industry_keys = sorted(industries)
    used_names: set[str] = set()
    used_domains: set[str] = set()
    drafts = []
    for i in range(count):
        country = rng.choices(country_keys, country_weights)[0]
        info = countries[country]
        industry = rng.choice(industry_keys)
        ind = industries[industry]
        employees = int(min(400_000, max(40, rng.lognormvariate(math.log(1_800), 1.45))))
        name = ""
        for attempt in range(50):
            root = rng.choice(info["name_roots"])
            word = rng.choice(ind["name_words"]) if rng.random() < 0.7 else ""
            if attempt > 3:
                root = f"{root} {rng.choice(info['name_roots'])}"
            base = f"{root} {word}".strip()
            if base not in used_names:
                name = base
                break
        if not name:
            name = f"{root} {i}"
        used_names.add(name)
        legal = rng.choice(info["legal_suffixes"])
        tld = "com" if info["tld"] in ("us",) else str(info["tld"])
        stem = slug(name)
        domain = f"{stem}.{tld}"
        n = 2
        while domain in used_domains:
            domain = f"{stem}{n}.{tld}"
            n += 1
        used_domains.add(domain)
        revenue = int(employees * float(ind["revenue_per_employee"]) * rng.lognormvariate(0, 0.3))
        hierarchy = str(ind["hierarchy"])
        if hierarchy == "medium" and employees >= 50_000:
            hierarchy = "tall"
        elif hierarchy == "medium" and employees < 300:
            hierarchy = "flat"
        drafts.append(
            (
                f"{name} {legal}",
                name,
                domain,
                industry,
                country,
                rng.choice(info["cities"]),
                str(info["language"]),
                float(info["english_share"]),
                employees,
                revenue,
                hierarchy,
                SPANS[hierarchy] * rng.uniform(0.85, 1.2),
            )
        )
    weights = [d[8] ** 0.5 for d in drafts]
    scale = total_people / sum(weights)
    return [
        Company(
            index=i,
            id=i + 1,
            name=d[0],
            short_name=d[1],
            domain=d[2],
            industry=d[3],
            country=d[4],
            city=d[5],
            language=d[6],
            english_share=d[7],
            employees=d[8],
            revenue_usd=d[9],
            tier=tier_of(d[8]),
            hierarchy=d[10],
            span=d[11],
            people=max(12, min(d[8], round(weights[i] * scale))),
        )
        for i, d in enumerate(drafts)
    ]
