"""The sizes of the demo world."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    accounts: int
    people: int  # people at accounts, in all
    sellers: int  # roughly: our whole selling organisation
    opportunities_per_account: float  # mean over five years, before the size effect
    activities_per_opportunity: float
    seller_links_per_person: float  # LinkedIn connections of our people, per person at accounts
    colleague_links_per_person: float
    alumni_share: float  # share of people with a former employer among the accounts
    chunk: int = 200  # accounts generated and written together


SCALES: dict[str, Scale] = {
    "small": Scale("small", 25, 1_500, 30, 6.0, 8.0, 0.5, 2.2, 0.15, chunk=25),
    "demo": Scale("demo", 400, 40_000, 150, 25.0, 17.0, 0.5, 4.5, 0.2, chunk=100),
    "enterprise": Scale(
        "enterprise", 20_000, 2_000_000, 2_500, 25.0, 17.0, 0.6, 7.5, 0.22, chunk=250
    ),
}

# The world is seen from this date, so a seed gives the same world on any day.
AS_OF = dt.date(2026, 9, 30)
YEARS = 5
