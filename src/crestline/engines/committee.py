"""The buying committee of an open opportunity: which roles are covered, engaged, or missing.

Six roles make a committee: economic buyer, executive sponsor, decision maker, technical buyer,
champion and user. A role is *identified* when the CRM records someone in it (Salesforce contact
roles, mapped by :data:`ROLE_OF`) or a user confirmed it; *engaged* when one of them had a touch
with our people in the last :data:`ENGAGED_DAYS` days; *missing* otherwise. Someone who holds a
role on the deal and is marked mentor or supporter on the relationship map is a champion too. A
missing economic buyer is suggested from the power ranking.

Warnings and a red / amber / green health follow from the coverage (see :func:`assess`).
Pure: ``as_of`` is an argument.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from crestline.vocab import BUYING_ROLES, COMMITTEE_ROLES

ROLES = COMMITTEE_ROLES
# CRM contact-role values (lower case) → committee roles; "user" is a common custom spelling.
ROLE_OF: Mapping[str, tuple[str, ...]] = {
    name.lower(): fills for name, _, fills in BUYING_ROLES if fills
} | {"user": ("user",)}
ENGAGED_DAYS = 90
POWER_LEVELS = frozenset({"board", "c_suite", "evp", "vp", "director"})
CHAMPION_SUPPORT = frozenset({"mentor", "supporter"})
OPPOSITION = frozenset({"non_supporter", "enemy"})


@dataclass(frozen=True)
class Participant:
    """Someone of the account involved in the opportunity (or marked on the relationship map)."""

    id: int
    name: str
    seniority: str
    crm_roles: tuple[str, ...] = ()  # contact-role values recorded on this opportunity
    last_touch: dt.date | None = None  # last meeting, call or email with our people
    support: str | None = None  # mentor, supporter, neutral, non_supporter, enemy


@dataclass(frozen=True)
class Suggestion:
    person_id: int
    name: str
    reason: str


@dataclass(frozen=True)
class RoleCoverage:
    role: str
    people: tuple[tuple[int, str], ...]  # identified: (id, name)
    engaged: tuple[int, ...]  # of those, touched in the last 90 days
    status: str  # engaged, identified, missing
    suggestion: Suggestion | None = None


@dataclass(frozen=True)
class Committee:
    roles: tuple[RoleCoverage, ...]
    engaged_people: tuple[int, ...]
    warnings: tuple[str, ...]
    health: str  # red, amber, green

    def role(self, name: str) -> RoleCoverage:
        return next(r for r in self.roles if r.role == name)


def committee_roles(participant: Participant) -> set[str]:
    roles: set[str] = set()
    for value in participant.crm_roles:
        roles.update(ROLE_OF.get(value.strip().lower(), ()))
    if participant.support in CHAMPION_SUPPORT and participant.crm_roles:
        roles.add("champion")
    return roles


def assess(
    participants: Iterable[Participant],
    *,
    as_of: dt.date,
    likely_economic_buyer: Suggestion | None = None,
) -> Committee:
    """Coverage of the six roles, warnings and health for one opportunity.

    Warnings: *no power* (nobody at director level or above engaged in 90 days), *single-threaded*
    (one person engaged) or *not engaged* (nobody), *economic buyer not identified* / *not engaged*,
    *no champion*, and *opposition* for a committee member marked non-supporter or enemy.
    Health is red with no power, no economic buyer, or one thread or none; amber with any other
    warning or a missing decision maker; green otherwise.
    """
    group = list(participants)
    since = as_of - dt.timedelta(days=ENGAGED_DAYS)
    engaged = {p.id for p in group if p.last_touch is not None and since <= p.last_touch <= as_of}
    by_role: dict[str, list[Participant]] = {r: [] for r in ROLES}
    for p in group:
        for role in committee_roles(p):
            by_role[role].append(p)
    coverage = []
    for role in ROLES:
        people = by_role[role]
        hot = tuple(p.id for p in people if p.id in engaged)
        status = "engaged" if hot else "identified" if people else "missing"
        suggestion = likely_economic_buyer if role == "economic_buyer" and not people else None
        coverage.append(
            RoleCoverage(role, tuple((p.id, p.name) for p in people), hot, status, suggestion)
        )
    warnings: list[str] = []
    power = [p for p in group if p.id in engaged and p.seniority in POWER_LEVELS]
    if not power:
        warnings.append("no power: nobody at director level or above engaged in 90 days")
    if not engaged:
        warnings.append("not engaged: no contact with anyone in 90 days")
    elif len(engaged) == 1:
        warnings.append("single-threaded: one person engaged in 90 days")
    eb = coverage[0]
    if eb.status == "missing":
        hint = f" (likely {eb.suggestion.name})" if eb.suggestion else ""
        warnings.append(f"economic buyer not identified{hint}")
    elif eb.status == "identified":
        warnings.append("economic buyer not engaged in 90 days")
    if next(c for c in coverage if c.role == "champion").status == "missing":
        warnings.append("no champion")
    for p in group:
        if p.support in OPPOSITION and committee_roles(p):
            warnings.append(f"opposition: {p.name} is marked {p.support.replace('_', ' ')}")
    red = not power or eb.status == "missing" or len(engaged) <= 1
    dm_missing = next(c for c in coverage if c.role == "decision_maker").status == "missing"
    health = "red" if red else "amber" if warnings or dm_missing else "green"
    return Committee(tuple(coverage), tuple(sorted(engaged)), tuple(warnings), health)
