"""Account documents — annual reports, news, interview notes — with planted strategic priorities.

Each account has two to four priority themes. Its documents state some of them, each in one
sentence, among filler sentences that state none; the planted sentences and their character offsets
are the ground truth for priority extraction.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from crestline.demo import vocab
from crestline.demo.companies import Company

INDUSTRY_THEMES = {
    "banking": ("regulatory_compliance", "cybersecurity", "cost_efficiency", "data_analytics"),
    "insurance": ("regulatory_compliance", "customer_experience", "data_analytics"),
    "software": ("product_innovation", "revenue_growth", "international_expansion"),
    "manufacturing": ("supply_chain_resilience", "sustainability", "cost_efficiency"),
    "automotive": ("supply_chain_resilience", "sustainability", "product_innovation"),
    "retail": ("customer_experience", "supply_chain_resilience", "digital_transformation"),
    "energy": ("sustainability", "regulatory_compliance", "digital_transformation"),
    "healthcare": ("regulatory_compliance", "data_analytics", "talent_workforce"),
    "public_sector": ("digital_transformation", "cost_efficiency", "cybersecurity"),
    "telecommunications": ("customer_experience", "cloud_migration", "cost_efficiency"),
    "logistics": ("supply_chain_resilience", "cost_efficiency", "data_analytics"),
    "pharmaceuticals": ("product_innovation", "regulatory_compliance", "supply_chain_resilience"),
}
DOC_KINDS = ("annual_report", "news", "interview_notes")
TITLES = {
    "annual_report": "{company} Annual Report {year}",
    "news": "{company}: company news, {month} {year}",
    "interview_notes": "Meeting notes — {company}, {month} {year}",
}


@dataclass(frozen=True)
class PlantedDoc:
    kind: str
    title: str
    published_on: dt.date
    text: str
    planted: tuple[tuple[str, str, int, int], ...]  # (theme, sentence, start, end)


def account_themes(rng: random.Random, company: Company) -> list[str]:
    themes = sorted(vocab.documents()["themes"])
    weights = [3.0 if t in INDUSTRY_THEMES.get(company.industry, ()) else 1.0 for t in themes]
    chosen: list[str] = []
    while len(chosen) < rng.randint(2, 4):
        theme = rng.choices(themes, weights)[0]
        if theme not in chosen:
            chosen.append(theme)
    return chosen


def _millions(value: float, currency: str) -> str:
    """An amount as reports write it: two significant figures, in millions or billions."""
    millions = max(1.0, value / 1e6)
    if millions >= 1_000:
        return f"{currency} {float(f'{millions / 1_000:.2g}'):g} billion"
    return f"{currency} {float(f'{millions:.2g}'):g} million"


def _fill(rng: random.Random, sentence: str, company: Company, year: int) -> str:
    currency = "EUR" if company.country not in ("US", "CA", "GB", "AU", "MX", "BR") else "USD"
    share = rng.choice((0.01, 0.02, 0.03, 0.05, 0.08, 0.12, 0.2))
    amount = _millions(company.revenue_usd * share, currency)
    return (
        sentence.replace("{company}", company.short_name)
        .replace("{year}", str(year + rng.randint(1, 4)))
        .replace("{pct}", str(rng.choice((5, 8, 10, 12, 15, 20, 25, 30))))
        .replace("{amount}", amount)
        .replace("{city}", company.city)
    )


def write_documents(
    rng: random.Random, company: Company, themes: list[str], as_of: dt.date
) -> list[PlantedDoc]:
    data = vocab.documents()
    kinds = []
    if rng.random() < (0.9 if company.employees >= 2_000 else 0.35):
        kinds.append("annual_report")
    if rng.random() < 0.6:
        kinds.append("news")
    if rng.random() < 0.5 or not kinds:
        kinds.append("interview_notes")
    docs = []
    for kind in kinds:
        published = as_of - dt.timedelta(days=rng.randint(10, 400))
        year = published.year
        filler = data["filler"][kind]
        headings = [h for h in data["section_headings"][kind] if h]
        n_planted = {"annual_report": 3, "news": 1, "interview_notes": 2}[kind]
        planted_themes = rng.sample(themes, min(len(themes), rng.randint(1, n_planted)))
        body = [
            ("filler", _fill(rng, rng.choice(filler), company, year))
            for _ in range(rng.randint(14, 34) if kind == "annual_report" else rng.randint(6, 14))
        ]
        for theme in planted_themes:
            statement = rng.choice(data["themes"][theme]["statements"])
            body.insert(rng.randrange(len(body) + 1), (theme, _fill(rng, statement, company, year)))
        parts: list[str] = []
        planted: list[tuple[str, str, int, int]] = []
        offset = 0
        per_section = max(3, len(body) // max(1, len(headings))) if headings else len(body)
        for i, (theme, sentence) in enumerate(body):
            if headings and i % per_section == 0 and i // per_section < len(headings):
                heading = headings[i // per_section] + "\n\n"
                if parts:
                    heading = "\n\n" + heading
                parts.append(heading)
                offset += len(heading)
            elif parts and i % 4 == 0:
                parts.append("\n\n")
                offset += 2
            elif parts:
                parts.append(" ")
                offset += 1
            if theme != "filler":
                planted.append((theme, sentence, offset, offset + len(sentence)))
            parts.append(sentence)
            offset += len(sentence)
        title = TITLES[kind].format(
            company=company.short_name, year=year, month=published.strftime("%B")
        )
        docs.append(PlantedDoc(kind, title, published, "".join(parts), tuple(planted)))
    return docs
