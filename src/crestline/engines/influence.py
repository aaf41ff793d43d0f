"""Who has power over a deal: a ranking of an account's people, every score with its factors.

A person's power is a weighted sum of five factors, each in [0, 1]:

- **seniority** — the level from the title (or from the org chart when the title says nothing),
  read as authority to sign *this* deal: a deal of at least :data:`C_LEVEL_SIGN_OFF` needs the
  C-suite, a smaller one is signed by the budget holder — the most senior person of a target
  function below the C-suite — so for those the budget holder counts as much as a chief;
- **function relevance** — whether the person's function is one the offering targets, a parent or
  a sub-function of one (security sits under technology), finance (which approves spend) or general
  management; neutral (0.5) when no offering is given;
- **reach** — the share of the account's known organisation below the person (log-scaled);
- **buying roles** — the roles the CRM recorded for the person on deals: Economic Buyer, Economic
  Decision Maker, Decision Maker, Executive Sponsor weigh most; a role on the opportunity being
  ranked weighs twice a role on another one;
- **engagement** — touches with our people (meetings, calls, emails), each fading with a
  half-life.

The weights are data (:data:`DEFAULT_WEIGHTS`) and every score carries its factors with the
evidence in words, so a seller can see why someone ranks where they do. Pure: ``as_of`` is an
argument, no clock, no database.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from crestline.engines.orgchart import PARENT_FUNCTIONS, UNKNOWN
from crestline.vocab import BUYING_ROLES

SENIORITY_VALUE: Mapping[str, float] = {
    "board": 0.75,
    "c_suite": 1.0,
    "evp": 0.88,
    "vp": 0.75,
    "director": 0.58,
    "manager": 0.36,
    "individual_contributor": 0.14,
    "entry": 0.05,
    UNKNOWN: 0.2,
}
# How much a recorded role says about power over the deal, by its lower-case spelling.
ROLE_POWER: Mapping[str, float] = {name.lower(): power for name, power, _ in BUYING_ROLES}
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "seniority": 0.30,
    "function_relevance": 0.22,
    "reach": 0.08,
    "buying_roles": 0.14,
    "deal_role": 0.18,  # only when ranking for an opportunity
    "engagement": 0.08,
}
ENGAGEMENT_HALF_LIFE_DAYS = 90.0
C_LEVEL_SIGN_OFF = 250_000.0  # in the deal's currency (amounts are not converted)
CHIEF_ON_SMALL_DEAL = 0.8  # a chief's authority value on a deal the budget holder can sign
RANK_BELOW_CHIEFS = {"evp": 0, "vp": 1, "director": 2}


@dataclass(frozen=True)
class Stakeholder:
    """One person of an account as the ranking needs them."""

    id: int
    name: str
    seniority: str
    function: str
    subtree: int = 1  # the person and everyone below them in the org chart
    roles: tuple[tuple[str, str], ...] = ()  # (recorded role, scope: "this", "offering", "other")
    touches: tuple[dt.date, ...] = ()  # days our people met, called or wrote to them


class Factor(NamedTuple):
    name: str
    value: float  # 0 … 1
    weight: float
    evidence: str

    @property
    def contribution(self) -> float:
        return self.value * self.weight


@dataclass(frozen=True)
class PowerScore:
    person_id: int
    name: str
    score: float  # 0 … 1, the sum of the factors' contributions
    factors: tuple[Factor, ...]

    def reasons(self, top: int = 3) -> list[str]:
        ranked = sorted(self.factors, key=lambda f: -f.contribution)
        return [f.evidence for f in ranked[:top] if f.contribution > 0]


@dataclass(frozen=True)
class Relevance:
    """How much each function matters to an offering (or to the account, with no offering)."""

    targets: frozenset[str] = field(default_factory=frozenset)

    def of(self, function: str) -> tuple[float, str]:
        return _relevance(self.targets, function)


@lru_cache(maxsize=8192)
def _relevance(targets: frozenset[str], function: str) -> tuple[float, str]:
    label = function.replace("_", " ")
    if not targets:
        return 0.5, "no offering: every function counts the same"
    if function in targets:
        return 1.0, f"{label} is a target function"
    parents = PARENT_FUNCTIONS.get(function, ())
    if any(p in targets for p in parents):
        return 0.6, f"{label} sits under a target function"
    if any(function in PARENT_FUNCTIONS.get(t, ()) for t in targets):
        return 0.7, f"{label} is the home of a target function"
    if function == "finance":
        return 0.55, "finance approves the spend"
    if function == "general_management":
        return 0.5, "general management"
    if function == UNKNOWN:
        return 0.2, "function unknown"
    return 0.1, f"{label} is not a target function"


def _seniority(
    person: Stakeholder, w: Mapping[str, float], *, small_deal: bool, signer: str | None
) -> Factor:
    value = SENIORITY_VALUE.get(person.seniority, SENIORITY_VALUE[UNKNOWN])
    label = person.seniority.replace("_", " ") if person.seniority != UNKNOWN else "level unknown"
    if signer is not None:
        value, label = 1.0, f"{label}, {signer}"
    elif small_deal and person.seniority in ("board", "c_suite"):
        value, label = value * CHIEF_ON_SMALL_DEAL, f"{label}, above the sign-off this deal needs"
    return Factor("seniority", value, w["seniority"], label)


def _reach(person: Stakeholder, w: Mapping[str, float], people: int) -> Factor:
    value = math.log1p(person.subtree - 1) / math.log1p(max(people - 1, 1)) if people > 1 else 0.0
    below = person.subtree - 1
    evidence = (
        f"{below} {'person' if below == 1 else 'people'} below them" if below else "no reports"
    )
    return Factor("reach", round(min(1.0, value), 4), w["reach"], evidence)


ROLE_SCOPE: Mapping[str, tuple[float, str]] = {
    "offering": (1.0, "on a deal for the same offering"),
    "other": (0.6, "on another deal"),
}


def _past_roles(person: Stakeholder, w: Mapping[str, float]) -> Factor:
    """Roles on other deals: the strongest counts, each further one adds a little."""
    past = [(r, s) for r, s in person.roles if s != "this"]
    weighed = sorted(
        (
            (
                ROLE_POWER.get(role.strip().lower(), 0.05)
                * ROLE_SCOPE.get(scope, ROLE_SCOPE["other"])[0],
                role,
                scope,
            )
            for role, scope in past
        ),
        reverse=True,
    )
    if not weighed:
        return Factor("buying_roles", 0.0, w["buying_roles"], "no buying role on other deals")
    value = weighed[0][0] + sum(w for w, _, _ in weighed[1:]) * 0.1
    _, role, scope = weighed[0]
    more = f" (+{len(weighed) - 1} more)" if len(weighed) > 1 else ""
    evidence = f"{role} {ROLE_SCOPE.get(scope, ROLE_SCOPE['other'])[1]}{more}"
    return Factor("buying_roles", round(min(1.0, value), 4), w["buying_roles"], evidence)


def _deal_role(person: Stakeholder, w: Mapping[str, float]) -> Factor:
    """The strongest role recorded for the person on the opportunity being ranked."""
    here = [role for role, scope in person.roles if scope == "this"]
    if not here:
        return Factor("deal_role", 0.0, w["deal_role"], "no role recorded on this deal")
    role = max(here, key=lambda r: ROLE_POWER.get(r.strip().lower(), 0.05))
    value = ROLE_POWER.get(role.strip().lower(), 0.05)
    return Factor("deal_role", value, w["deal_role"], f"{role} on this deal")


def _engagement(person: Stakeholder, w: Mapping[str, float], as_of: dt.date) -> Factor:
    total = 0.0
    last: dt.date | None = None
    for day in person.touches:
        age = (as_of - day).days
        if age < 0:
            continue
        total += 0.5 ** (age / ENGAGEMENT_HALF_LIFE_DAYS)
        last = day if last is None or day > last else last
    value = 1.0 - math.exp(-total / 2.0)
    if last is None:
        evidence = "never engaged"
    else:
        evidence = f"{len(person.touches)} touches, last {(as_of - last).days} days ago"
    return Factor("engagement", round(value, 4), w["engagement"], evidence)


def score_person(
    person: Stakeholder,
    *,
    people: int,
    relevance: Relevance,
    as_of: dt.date,
    small_deal: bool = False,
    signer: str | None = None,
    for_deal: bool = False,
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
) -> PowerScore:
    w = weights if weights is DEFAULT_WEIGHTS else {**DEFAULT_WEIGHTS, **weights}
    rel, why = relevance.of(person.function)
    factors = [
        _seniority(person, w, small_deal=small_deal, signer=signer),
        Factor("function_relevance", rel, w["function_relevance"], why),
        _reach(person, w, people),
        _past_roles(person, w),
        _engagement(person, w, as_of),
    ]
    if for_deal:
        factors.insert(4, _deal_role(person, w))
    total = weight = 0.0
    for f in factors:
        total += f.value * f.weight
        weight += f.weight
    score = total / max(weight, 1e-9)
    return PowerScore(person.id, person.name, round(score, 4), tuple(factors))


def _most_senior(people: Iterable[Stakeholder], levels: Mapping[str, int]) -> list[int]:
    best: tuple[int, list[int]] | None = None
    for p in people:
        rank = levels.get(p.seniority)
        if rank is None:
            continue
        if best is None or rank < best[0]:
            best = (rank, [p.id])
        elif rank == best[0]:
            best[1].append(p.id)
    return best[1] if best else []


def likely_signers(
    people: Iterable[Stakeholder], functions: Iterable[str], *, large: bool
) -> dict[int, str]:
    """Who can sign for each target function, and why.

    A large deal is signed by the function's chief; a smaller one by its budget holder, the most
    senior person below the C-suite; a function with neither is signed by the chief financial
    officer, else by the most senior person of the account.
    """
    group = list(people)
    by_function: dict[str, list[Stakeholder]] = {}
    for p in group:
        by_function.setdefault(p.function, []).append(p)
    out: dict[int, str] = {}
    for fn in sorted(set(functions)):
        label = fn.replace("_", " ")
        members = by_function.get(fn, [])
        chiefs = [p.id for p in members if p.seniority == "c_suite"] if large else []
        if chiefs:
            out.update((i, f"chief of {label}: signs a deal this size") for i in chiefs)
            continue
        holders = _most_senior(members, RANK_BELOW_CHIEFS)
        if holders:
            out.update((i, f"budget holder of {label}") for i in holders if i not in out)
            continue
        cfo = [p.id for p in by_function.get("finance", []) if p.seniority == "c_suite"]
        if cfo:
            out.update((i, f"nobody senior in {label}: finance signs") for i in cfo if i not in out)
            continue
        top = _most_senior(group, {"c_suite": 0, "evp": 1, "vp": 2, "director": 3})
        out.update((i, f"nobody senior in {label} or finance") for i in top if i not in out)
    return out


def rank_power(
    people: Iterable[Stakeholder],
    *,
    as_of: dt.date,
    target_functions: Iterable[str] = (),
    deal_amount: float | None = None,
    for_deal: bool = False,
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
) -> list[PowerScore]:
    """The people ranked by power, strongest first (ties: the lower id).

    With ``deal_amount`` below :data:`C_LEVEL_SIGN_OFF` the budget holders of the target
    functions count as much as a chief (see the module's documentation).
    """
    group = list(people)
    targets = frozenset(target_functions)
    relevance = Relevance(targets)
    large = deal_amount is None or deal_amount >= C_LEVEL_SIGN_OFF
    signers = likely_signers(group, targets, large=large) if targets else {}
    scores = [
        score_person(
            p,
            people=len(group),
            relevance=relevance,
            as_of=as_of,
            small_deal=not large,
            signer=signers.get(p.id),
            for_deal=for_deal,
            weights=weights,
        )
        for p in group
    ]
    scores.sort(key=lambda s: (-s.score, s.person_id))
    return scores
