"""The demo world's events: industry conferences, executive forums and partner dinners, and who
attends them — people of the accounts (executives far more often than others), our own people,
and people from companies that are not accounts.

Everything here draws from generators of its own (seeded by the world's seed and the account's
index), so the rest of the world is the same with or without events.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from crestline.demo import vocab
from crestline.demo.companies import Company
from crestline.demo.ourorg import OUR_COMPANY, REGION_LANGUAGE, REGIONS, OurPerson, region_of
from crestline.demo.scales import Scale
from crestline.engines.matching import company_key, fold
from crestline.engines.orgchart import PARENT_FUNCTIONS

EVENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "events": ("id", "name", "name_key", "starts_on", "ends_on", "place", "source", "updated_at"),
    "event_attendees": (
        "id",
        "event_id",
        "full_name",
        "name_key",
        "company",
        "company_key",
        "title",
        "email",
        "person_id",
        "seller_id",
        "account_id",
        "match_method",
        "match_score",
        "updated_at",
    ),
}
PAST_DAYS = 730  # events from two years before the world's date …
FUTURE_DAYS = 180  # … to six months after it
# Chance that a person of each level is on some event's list in the window.
ATTEND_RATE = {
    "board": 0.35,
    "c_suite": 0.55,
    "evp": 0.4,
    "vp": 0.2,
    "director": 0.07,
    "manager": 0.03,
    "individual_contributor": 0.008,
    "entry": 0.003,
}
SENIOR = ("board", "c_suite", "evp", "vp")
EMAIL_SHARE = 0.3  # attendee lists give an email for some attendees only
FORUMS = {  # executive forums by the function they are for
    "general_management": "CEO Summit",
    "finance": "CFO Forum",
    "technology": "CIO Symposium",
    "data": "Chief Data Officer Summit",
    "operations": "COO Roundtable",
    "human_resources": "CHRO Exchange",
    "marketing": "CMO Council",
    "supply_chain": "Supply Chain Leaders Forum",
}
CONFERENCES = ("{label} Leaders Summit", "{label} Innovation Forum", "Future of {label}")
OUTSIDE = (
    ("Brightwater Advisory", "Partner"),
    ("Kestrel Analytics", "Research Director"),
    ("Harbour & Lane Consulting", "Managing Consultant"),
    ("Meridian Research Group", "Principal Analyst"),
    ("Stealth Startup", "Founder"),
    ("Independent", "Advisor"),
    ("Alder Ventures", "Investment Partner"),
    ("Quarry Point Partners", "Senior Manager"),
)


@dataclass(frozen=True)
class DemoEvent:
    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date | None
    place: str
    region: str | None  # None: international
    industry: str | None  # None: every industry
    function: str | None  # an executive forum's function
    weight: float  # how many it draws
    executive: bool  # only senior people attend (forums, dinners)


Row = tuple[object, ...]


class EventPlanner:
    """Plans the events of a world, then says who attends, account by account."""

    def __init__(
        self,
        seed: int,
        scale: Scale,
        ours: Sequence[OurPerson],
        *,
        as_of: dt.date,
        stamp: str,
    ) -> None:
        self.seed = seed
        self.stamp = stamp
        self.ours = ours
        self.names = vocab.names()
        self.next_attendee = 1
        self.listed: set[tuple[int, str, str]] = set()  # event, folded name, company key
        rng = random.Random(f"crestline-events:{seed}")
        per_year = max(10, round(scale.accounts / 15))
        count = round(per_year * (PAST_DAYS + FUTURE_DAYS) / 365)
        self.events = self._plan(rng, count, as_of)
        self.for_region: dict[tuple[str, str], list[DemoEvent]] = {}

    def _plan(self, rng: random.Random, count: int, as_of: dt.date) -> list[DemoEvent]:
        industries = vocab.industries()
        countries = vocab.countries()
        regions = sorted(REGIONS)
        out: list[DemoEvent] = []
        seen: set[tuple[str, dt.date]] = set()
        while len(out) < count:
            starts = as_of + dt.timedelta(days=rng.randint(-PAST_DAYS, FUTURE_DAYS))
            region = None if rng.random() < 0.25 else rng.choice(regions)
            country = rng.choice(REGIONS[region] if region else sorted(countries))
            cities = countries[country]["cities"]
            city = rng.choice(cities if region else cities[:3])  # the big cities host the world
            roll = rng.random()
            industry = function = None
            if roll < 0.5:
                industry = rng.choice(sorted(industries))
                label = " ".join(
                    w[:1].upper() + w[1:] for w in industries[industry]["label"].split()
                )
                name = f"{rng.choice(CONFERENCES).format(label=label)} {starts.year}"
                days, weight, executive = rng.choice((1, 2, 2, 3)), 3.0, False
            elif roll < 0.8:
                function = rng.choice(sorted(FORUMS))
                name = f"{FORUMS[function]} {region or 'International'} {starts.year}"
                days, weight, executive = rng.choice((1, 2)), 1.5, True
            else:
                region = region or region_of(country)
                name = f"{OUR_COMPANY.split()[0]} Executive Dinner {city}"
                days, weight, executive = 1, 0.5, True
            if (fold(name), starts) in seen:
                continue
            seen.add((fold(name), starts))
            ends = starts + dt.timedelta(days=days - 1) if days > 1 else None
            out.append(
                DemoEvent(
                    len(out) + 1,
                    name,
                    starts,
                    ends,
                    city,
                    region,
                    industry,
                    function,
                    weight,
                    executive,
                )
            )
        return sorted(out, key=lambda e: e.id)

    # --- rows ----------------------------------------------------------------------------------

    def _attendee(
        self,
        event: DemoEvent,
        name: str,
        company: str,
        title: str | None,
        email: str | None,
        *,
        person: int | None = None,
        seller: int | None = None,
        account: int | None = None,
    ) -> Row | None:
        key = (event.id, fold(name), company_key(company))
        if key in self.listed:
            return None  # one row a name and company at an event
        self.listed.add(key)
        row_id = self.next_attendee
        self.next_attendee += 1
        matched = person is not None or seller is not None
        return (
            row_id,
            event.id,
            name,
            key[1],
            company,
            key[2],
            title,
            email,
            person,
            seller,
            account,
            "demo" if matched else None,
            1.0 if matched else None,
            self.stamp,
        )

    def header_rows(self) -> dict[str, list[Row]]:
        """The events, and on their lists our people and people from companies we do not know."""
        rng = random.Random(f"crestline-events:{self.seed}:lists")
        rows: dict[str, list[Row]] = {"events": [], "event_attendees": []}
        execs = {p.function: p for p in self.ours if p.role in ("ceo", "cro", "executive")}
        leaders = [p for p in self.ours if p.role in ("ceo", "cro")]
        teams: dict[str, list[OurPerson]] = {}
        for p in self.ours:
            sells = p.role in ("account_executive", "rvp") or p.title.startswith("Sales Director")
            if p.territory and sells:
                teams.setdefault(p.territory, []).append(p)
        field = [p for team in teams.values() for p in team]
        for e in self.events:
            rows["events"].append(
                (
                    e.id,
                    e.name,
                    fold(e.name),
                    e.starts_on.isoformat(),
                    e.ends_on.isoformat() if e.ends_on else None,
                    e.place,
                    "demo",
                    self.stamp,
                )
            )
            ours: list[OurPerson] = []
            team = teams.get(e.region, field) if e.region else field
            if e.weight >= 3.0 and rng.random() < 0.15:
                pass  # a conference none of ours goes to
            elif e.function is not None:
                if e.function in execs and rng.random() < 0.7:
                    ours.append(execs[e.function])
                ours += rng.sample(team, min(len(team), rng.randint(0, 2)))
            elif e.weight < 1.0:  # our own dinner: a leader and the region's team
                ours.append(rng.choice(leaders))
                ours += rng.sample(team, min(len(team), rng.randint(1, 3)))
            else:
                ours += rng.sample(team, min(len(team), rng.randint(1, 4)))
                if rng.random() < 0.4:
                    ours.append(rng.choice(list(execs.values())))
            for p in ours:
                email = p.email if rng.random() < 0.5 else None
                row = self._attendee(e, p.full_name, OUR_COMPANY, p.title, email, seller=p.id)
                if row is not None:
                    rows["event_attendees"].append(row)
            for _ in range(round(e.weight * rng.randint(1, 4))):
                lang = REGION_LANGUAGE.get(e.region or "", "en")
                pool = self.names[lang if rng.random() < 0.7 else "en"]
                name = f"{rng.choice(pool['first_names'])} {rng.choice(pool['last_names'])}"
                company, title = rng.choice(OUTSIDE)
                row = self._attendee(e, name, company, title, None)
                if row is not None:
                    rows["event_attendees"].append(row)
        return rows

    def account_rows(
        self,
        c: Company,
        roster: Sequence[tuple[int, str, str, str | None, str | None, str, str]],
    ) -> list[Row]:
        """Who of the account is on an event's list: (person id, first, last, title, email,
        seniority, function) each; the senior far more often, at events of their region or
        international ones, of their industry or none, a forum of their own function first."""
        rng = random.Random(f"crestline-events:{self.seed}:{c.index}")
        region = region_of(c.country)
        key = (region, c.industry)
        if key not in self.for_region:
            self.for_region[key] = [
                e
                for e in self.events
                if e.region in (None, region) and e.industry in (None, c.industry)
            ]
        candidates = self.for_region[key]
        rows: list[Row] = []
        for person, first, last, title, email, seniority, function in roster:
            rate = ATTEND_RATE.get(seniority, 0.0)
            times = (rng.random() < rate) + (rng.random() < rate * 0.3)
            open_to = [
                (e, e.weight * fit)
                for e in candidates
                if (not e.executive or seniority in SENIOR) and (fit := _fit(e, function)) > 0
            ]
            for _ in range(times if open_to else 0):
                event = rng.choices([e for e, _ in open_to], [w for _, w in open_to])[0]
                row = self._attendee(
                    event,
                    f"{first} {last}",
                    c.name,
                    title,
                    email if email and rng.random() < EMAIL_SHARE else None,
                    person=person,
                    account=c.id,
                )
                if row is not None:
                    rows.append(row)
        return rows


def _fit(event: DemoEvent, function: str) -> float:
    """How likely someone goes to an event: a forum is for its own function (a CFO goes to the
    CFO Forum) and for related ones (a CTO to the Chief Data Officer Summit), not for others."""
    if event.function is None:
        return 1.0
    if event.function == function:
        return 4.0
    related = PARENT_FUNCTIONS.get(function, ()) + PARENT_FUNCTIONS.get(event.function, ())
    return 1.0 if function in related or event.function in related else 0.0
