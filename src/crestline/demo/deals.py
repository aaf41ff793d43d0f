"""Five years of opportunities, contact roles and activities, whose outcomes follow a causal model.

The model (docs/demo-world.md) in one paragraph: an owner who habitually goes to the top asks the
economic buyer for a meeting early; the request is accepted far more often through a warm path
(someone on our side already knows the buyer or a colleague next to them). An executive engaged
early raises the win rate, the deal size and shortens the cycle *in proportion to the account's
hierarchy index*: a lot in a large, tall account, not at all in a small, flat one. Offerings that
match a priority the account states win more often; larger deals win less often.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass

from crestline.demo.ourorg import OurPerson

RANK = {
    "board": 0,
    "c_suite": 1,
    "evp": 2,
    "vp": 3,
    "director": 4,
    "manager": 5,
    "individual_contributor": 6,
    "entry": 7,
}
OPEN_STAGES = (
    ("Prospecting", 10, "Pipeline"),
    ("Qualification", 10, "Pipeline"),
    ("Needs Analysis", 20, "Pipeline"),
    ("Value Proposition", 50, "Best Case"),
    ("Id. Decision Makers", 60, "Best Case"),
    ("Perception Analysis", 70, "Best Case"),
    ("Proposal/Price Quote", 75, "Commit"),
    ("Negotiation/Review", 90, "Commit"),
)


@dataclass(frozen=True)
class CausalModel:
    """The parameters of the demo world's causal model; stored with the world as ground truth."""

    base_win_logit: float = -0.7
    exec_early_win_max: float = 1.7  # added to the logit at hierarchy index 1
    exec_early_win_flat: float = -0.1  # added at hierarchy index 0
    warm_path_win: float = 0.3
    aligned_win: float = 0.5
    size_win_per_decade: float = -0.35
    early_attempt_logit: float = -0.5
    early_attempt_per_style: float = 0.9
    early_attempt_strategic: float = 0.6
    accept_cold: float = 0.2
    accept_warm: float = 0.6
    late_exec_meeting: float = 0.35
    cycle_median_days: float = 55.0
    cycle_exec_early_factor: float = 0.5  # cycle × exp(-factor × hierarchy index)
    amount_median_usd: float = 60_000.0
    amount_exec_early_factor: float = 0.35  # amount × exp(factor × hierarchy index)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def hierarchy_index(depth: int, employees: int) -> float:
    """0 for a small, flat account; 1 for a very large, tall one."""
    tall = min(1.0, max(0.0, (depth - 3) / 4))
    big = min(1.0, max(0.0, (math.log10(max(employees, 1)) - 2.5) / 2.5))
    return round(0.5 * tall + 0.5 * big, 4)


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@dataclass(frozen=True)
class AccountView:
    """What the deal generator needs of one account."""

    account_id: int
    short_name: str
    employees: int
    strategic: bool
    hierarchy: float
    themes: tuple[str, ...]
    people: list[int]  # global ids
    seniority: list[str]
    function: list[str]
    manager: list[int]  # global id of the true manager, -1 for tops
    known_by_us: dict[int, list[int]]  # person id -> ids of our people connected to them


@dataclass(frozen=True)
class Offering:
    id: int
    name: str
    themes: tuple[str, ...]
    functions: tuple[str, ...]


@dataclass
class DealRows:
    opportunities: list[tuple[object, ...]]
    contact_roles: list[tuple[object, ...]]
    activities: list[tuple[object, ...]]
    activity_people: list[tuple[object, ...]]
    truth: list[tuple[object, ...]]


@dataclass
class Counters:
    opportunity: int = 0
    contact_role: int = 0
    activity: int = 0


class DealMaker:
    def __init__(
        self,
        *,
        model: CausalModel,
        offerings: list[Offering],
        ours: list[OurPerson],
        as_of: dt.date,
        years: int,
        opportunities_per_account: float,
        activities_per_opportunity: float,
        external_id: Callable[[str, int], str],
        stamp: str,
    ) -> None:
        self.stamp = stamp
        self.model = model
        self.offerings = offerings
        self.as_of = as_of
        self.start = as_of - dt.timedelta(days=365 * years)
        self.opa = opportunities_per_account
        self.apo = activities_per_opportunity
        self.ids = Counters()
        self.make_id = external_id
        self.by_id = {p.id: p for p in ours}
        self.execs = [p for p in ours if p.role in ("ceo", "cro", "executive")]
        self.team: dict[str, dict[str, list[OurPerson]]] = {}
        for p in ours:
            if p.territory:
                self.team.setdefault(p.territory, {}).setdefault(p.role, []).append(p)

    # --- people of a deal -------------------------------------------------------------------

    def _economic_buyer(self, rng: random.Random, view: AccountView, fn: str, big: bool) -> int:
        best, best_rank = -1, 99
        chiefs = [
            i for i, s in enumerate(view.seniority) if s == "c_suite" and view.manager[i] != -1
        ]
        for i in chiefs:
            if view.function[i] == fn:
                best = i
        if big and best >= 0:
            return best
        for i, s in enumerate(view.seniority):
            if view.function[i] == fn and 2 <= RANK[s] <= 4 and RANK[s] < best_rank:
                best, best_rank = i, RANK[s]
        if best >= 0:
            return best
        for i in chiefs:
            if view.function[i] == "finance":
                return i
        return 0

    def _deal_people(
        self, rng: random.Random, view: AccountView, eb: int, fn: str
    ) -> tuple[list[int], list[int], list[int]]:
        eb_id = view.people[eb]
        below = [i for i, m in enumerate(view.manager) if m == eb_id]
        below_ids = {view.people[b] for b in below}
        below2 = [i for i, m in enumerate(view.manager) if m in below_ids]
        deciders = [i for i in below + below2 if RANK[view.seniority[i]] <= 4]
        rng.shuffle(deciders)
        dms = deciders[: rng.randint(1, 2)]
        pool = [
            i
            for i, s in enumerate(view.seniority)
            if RANK[s] >= 5 and view.function[i] in (fn, "technology", "data")
        ] or [i for i, s in enumerate(view.seniority) if RANK[s] >= 5]
        evaluators = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
        return dms, evaluators, [i for i in below2 if RANK[view.seniority[i]] in (4, 5)][:1]

    # --- one account ------------------------------------------------------------------------

    def account_deals(
        self, rng: random.Random, view: AccountView, owner: OurPerson, region: str
    ) -> DealRows:
        out = DealRows([], [], [], [], [])
        m = self.model
        lam = self.opa * (view.employees / 1_800) ** 0.25
        team = self.team.get(region, {})
        aes = team.get("account_executive", [owner])
        ses = team.get("solution_engineer", [])
        sdrs = team.get("sdr", [])
        span_days = (self.as_of - self.start).days
        for _ in range(poisson(rng, lam)):
            offering = rng.choice(self.offerings)
            fn = rng.choice(offering.functions)
            deal_owner = owner if rng.random() < 0.8 else rng.choice(aes)
            created = self.start + dt.timedelta(days=rng.randrange(span_days))
            aligned = any(t in view.themes for t in offering.themes)
            h = view.hierarchy
            amount_usd = m.amount_median_usd * (view.employees / 2_000) ** 0.35
            amount_usd *= rng.lognormvariate(0, 0.8)
            big = amount_usd >= 300_000
            eb = self._economic_buyer(rng, view, fn, big)
            eb_id = view.people[eb]
            dms, evaluators, champions = self._deal_people(rng, view, eb, fn)
            close_circle = {view.manager[eb]} | {view.people[i] for i in dms}
            warm = bool(view.known_by_us.get(eb_id)) or any(
                deal_owner.id in view.known_by_us.get(p, ()) for p in close_circle
            )
            attempt = rng.random() < sigmoid(
                m.early_attempt_logit
                + m.early_attempt_per_style * deal_owner.style
                + (m.early_attempt_strategic if view.strategic else 0.0)
            )
            accepted = attempt and rng.random() < (m.accept_warm if warm else m.accept_cold)
            exec_early = accepted
            if exec_early:
                amount_usd *= math.exp(m.amount_exec_early_factor * h)
            effect = m.exec_early_win_flat + (m.exec_early_win_max - m.exec_early_win_flat) * h
            logit = (
                m.base_win_logit
                + (effect if exec_early else 0.0)
                + (m.warm_path_win if warm else 0.0)
                + (m.aligned_win if aligned else 0.0)
                + m.size_win_per_decade * math.log10(max(amount_usd, 1_000) / 100_000)
            )
            p_win = sigmoid(logit)
            cycle = m.cycle_median_days * (max(amount_usd, 5_000) / 50_000) ** 0.3
            cycle *= rng.lognormvariate(0, 0.4)
            if exec_early:
                cycle *= math.exp(-m.cycle_exec_early_factor * h)
            cycle_days = max(7, round(cycle))
            close = created + dt.timedelta(days=cycle_days)
            closed = close <= self.as_of
            won = closed and rng.random() < p_win
            late_exec = not exec_early and rng.random() < m.late_exec_meeting
            self.ids.opportunity += 1
            opp_id = self.ids.opportunity
            if closed:
                stage, prob, forecast = (
                    ("Closed Won", 100, "Closed")
                    if won
                    else (
                        "Closed Lost",
                        0,
                        "Omitted",
                    )
                )
            else:
                progress = (self.as_of - created).days / cycle_days
                stage, prob, forecast = OPEN_STAGES[min(7, int(progress * 8))]
            out.opportunities.append(
                (
                    opp_id,
                    "demo",
                    self.make_id("006", opp_id),
                    view.account_id,
                    deal_owner.id,
                    offering.id,
                    f"{view.short_name} — {offering.name}",
                    round(amount_usd) * 100,
                    "USD",
                    stage,
                    prob,
                    forecast,
                    "New Business" if rng.random() < 0.6 else "Existing Business",
                    created.isoformat(),
                    close.isoformat(),
                    closed,
                    won,
                    None,
                    self.stamp,
                )
            )
            out.truth.append(
                (
                    opp_id,
                    eb_id,
                    "[" + ",".join(str(view.people[i]) for i in dms) + "]",
                    exec_early,
                    warm,
                    h,
                    round(p_win, 4),
                )
            )
            self._roles(rng, out, opp_id, view, eb, dms, evaluators, champions, exec_early)
            self._activities(
                rng,
                out,
                opp_id=opp_id,
                view=view,
                owner=deal_owner,
                ses=ses,
                sdrs=sdrs,
                eb=eb,
                dms=dms,
                others=evaluators + champions,
                created=created,
                end=min(close, self.as_of),
                attempt=attempt,
                exec_early=exec_early,
                late_exec=late_exec,
                fn=fn,
                offering=offering,
            )
        return out

    def _roles(
        self,
        rng: random.Random,
        out: DealRows,
        opp_id: int,
        view: AccountView,
        eb: int,
        dms: list[int],
        evaluators: list[int],
        champions: list[int],
        exec_early: bool,
    ) -> None:
        recorded: list[tuple[int, str]] = []
        r = rng.random()
        if r < 0.45:
            recorded.append((eb, "Economic Buyer"))
        elif r < 0.65:
            recorded.append((eb, "Decision Maker"))
        elif r < 0.70:
            recorded.append((eb, "Economic Decision Maker"))
        elif r < 0.75 and exec_early:
            recorded.append((eb, "Executive Sponsor"))
        for i in dms:
            r = rng.random()
            if r < 0.6:
                recorded.append((i, "Decision Maker"))
            elif r < 0.7:
                recorded.append((i, "Influencer"))
        for i in evaluators:
            if rng.random() < 0.8:
                recorded.append((i, rng.choice(("Evaluator", "Technical Buyer", "Business User"))))
        for i in champions:
            r = rng.random()
            if r < 0.6:
                recorded.append((i, "Influencer"))
            elif r < 0.7:
                recorded.append((i, "Champion"))  # a custom picklist value, as orgs add
        seen: set[int] = set()
        for n, (i, role) in enumerate(recorded):
            if i in seen:
                continue
            seen.add(i)
            self.ids.contact_role += 1
            cid = self.ids.contact_role
            out.contact_roles.append(
                (
                    cid,
                    "demo",
                    self.make_id("00K", cid),
                    opp_id,
                    view.people[i],
                    role,
                    n == 0,
                    self.stamp,
                )
            )

    def _activities(
        self,
        rng: random.Random,
        out: DealRows,
        *,
        opp_id: int,
        view: AccountView,
        owner: OurPerson,
        ses: list[OurPerson],
        sdrs: list[OurPerson],
        eb: int,
        dms: list[int],
        others: list[int],
        created: dt.date,
        end: dt.date,
        attempt: bool,
        exec_early: bool,
        late_exec: bool,
        fn: str,
        offering: Offering,
    ) -> None:
        days = max(1, (end - created).days)
        eb_id = view.people[eb]

        def add(
            kind: str, day: float, seller: OurPerson, attendees: list[int], subject: str
        ) -> None:
            when = dt.datetime.combine(
                created + dt.timedelta(days=min(days, int(day))), dt.time(rng.randint(7, 17))
            ) + dt.timedelta(minutes=15 * rng.randint(0, 3))
            self.ids.activity += 1
            aid = self.ids.activity
            duration = {"meeting": rng.choice((30, 45, 60)), "call": rng.choice((15, 30))}.get(kind)
            out.activities.append(
                (
                    aid,
                    "demo",
                    self.make_id("00U" if kind == "meeting" else "00T", aid),
                    kind,
                    when.strftime("%Y-%m-%d %H:%M:%S.000000"),
                    duration,
                    subject,
                    seller.id,
                    view.account_id,
                    opp_id,
                    self.stamp,
                )
            )
            for person in dict.fromkeys(attendees):
                out.activity_people.append((aid, person))

        if attempt:
            add(
                "email",
                rng.uniform(0, 0.08) * days,
                owner,
                [eb_id],
                f"Introduction: {offering.name}",
            )
        if exec_early:
            peers = [e for e in self.execs if e.function == fn] or self.execs
            host = rng.choice(peers) if rng.random() < 0.4 else owner
            add("meeting", rng.uniform(0.05, 0.2) * days, host, [eb_id], "Executive briefing")
        if late_exec:
            add("meeting", rng.uniform(0.6, 0.95) * days, owner, [eb_id], "Executive alignment")
        people = [view.people[i] for i in dms + others] or [eb_id]
        n = max(2, poisson(rng, self.apo * min(2.5, max(0.4, days / 90))) - 3)
        for _ in range(n):
            kind = rng.choices(("email", "call", "meeting"), (0.5, 0.25, 0.25))[0]
            seller = owner
            if kind == "meeting" and ses and rng.random() < 0.3:
                seller = rng.choice(ses)
            elif kind != "meeting" and sdrs and rng.random() < 0.1:
                seller = rng.choice(sdrs)
            attendees = rng.sample(people, min(len(people), rng.randint(1, 3)))
            subject = {"email": "Follow-up", "call": "Discovery call", "meeting": "Workshop"}[kind]
            add(kind, rng.uniform(0, 1) * days, seller, attendees, subject)
