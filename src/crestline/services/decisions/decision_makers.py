"""Who decides at an account: people ranked by power, the org chart, committee coverage per deal.

Read side: :func:`decision_makers` reads one account as of a date (the demo world's date in the
demo, else today) from its stored insights when they were computed for that day, else analyses
it; each worker keeps the result by the fingerprint of the account's inputs. Write side:
:func:`assess_person` records what our people know — support, coverage, relationship, a
confirmed level, function or reporting line — and :func:`set_role` records a buying role on an
opportunity; both refresh the account's stored insights.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crestline.db.models import (
    Account,
    ContactRole,
    InfluenceLine,
    Opportunity,
    Person,
    PersonAssessment,
)
from crestline.engines.committee import (
    ENGAGED_DAYS,
    Committee,
    Participant,
    Suggestion,
    assess,
)
from crestline.engines.influence import PowerScore, rank_power
from crestline.errors import (
    AmbiguousError,
    BadInputError,
    ConflictError,
    NotFoundError,
)
from crestline.services.accounts.accounts import MAX_CANDIDATES, resolve_account
from crestline.services.auth.auth import Actor
from crestline.services.auth.policy import in_scope, scoped, visible_owner_ids
from crestline.services.decisions.insights import (
    AccountInputs,
    StoredInsights,
    analyse,
    build_chart,
    factor_dicts,
    insights_of,
    load_engagement,
    load_inputs,
    offering_targets,
    refresh_insights,
    resolve_as_of,
    scoped_stakeholders,
    stored_insights,
    stored_summary,
)
from crestline.services.decisions.titles import classifier
from crestline.services.memo import Memo
from crestline.vocab import BUYING_ROLES
from crestline.vocab import COVERAGE as COVERAGE
from crestline.vocab import FUNCTIONS as FUNCTIONS
from crestline.vocab import LEVELS as LEVELS
from crestline.vocab import RELATIONSHIP as RELATIONSHIP
from crestline.vocab import SUPPORT as SUPPORT

CRM_ROLES = tuple(name for name, _, _ in BUYING_ROLES)  # as the forms offer them
COMMITTEE_TOP = 5


@dataclass(frozen=True)
class RankedPerson:
    id: int
    name: str
    title: str | None
    seniority: str
    function: str
    title_seniority: str  # what the title alone says
    title_function: str
    level_source: str  # title, chart, confirmed
    manager_id: int | None
    line_source: str | None  # crm, inferred, confirmed
    line_confidence: float | None
    line_reason: str | None
    depth: int
    reports: int
    below: int
    power: float
    rank: int
    factors: list[dict[str, Any]]
    reasons: list[str]
    last_touch: str | None
    engaged: bool  # touched in the last 90 days
    support: str | None
    coverage: str | None
    relationship: str | None
    crm_manager_id: int | None = None  # the line as the CRM has it
    inferred_manager_id: int | None = None  # what Crestline would infer without a confirmed line
    inferred_line_reason: str | None = None


@dataclass(frozen=True)
class InfluenceView:
    """Influence outside the hierarchy: ``from`` sways ``to``."""

    from_id: int
    from_name: str
    to_id: int
    to_name: str
    strength: str
    note: str | None


@dataclass(frozen=True)
class OpportunityCoverage:
    id: int
    name: str
    stage: str
    amount_minor: int | None
    currency: str
    target_functions: list[str]
    likely_deciders: list[dict[str, Any]]  # id, name, power, reasons
    committee: Committee

    def as_dict(self) -> dict[str, Any]:
        c = self.committee
        return {
            "id": self.id,
            "name": self.name,
            "stage": self.stage,
            "amount_minor": self.amount_minor,
            "currency": self.currency,
            "target_functions": self.target_functions,
            "likely_deciders": self.likely_deciders,
            "health": c.health,
            "warnings": list(c.warnings),
            "roles": [
                {
                    "role": r.role,
                    "status": r.status,
                    "people": [{"id": i, "name": n} for i, n in r.people],
                    "engaged": list(r.engaged),
                    "suggestion": asdict(r.suggestion) if r.suggestion else None,
                }
                for r in c.roles
            ],
        }


@dataclass(frozen=True)
class DecisionMakers:
    account_id: int
    account_name: str
    as_of: dt.date
    top_id: int | None
    depth: int
    mean_span: float
    hierarchy_index: float
    known_lines: int
    inferred_lines: int
    broken_lines: int
    people: list[RankedPerson]  # strongest first
    opportunities: list[OpportunityCoverage]
    confirmed: dict[int, tuple[str | None, str | None, int | None]]  # seniority, function, line
    fingerprint: str  # of the inputs the ranking came from: keys what is drawn from it
    influence: list[InfluenceView] = field(default_factory=list)

    def person(self, person_id: int) -> RankedPerson:
        return next(p for p in self.people if p.id == person_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "account": {"id": self.account_id, "name": self.account_name},
            "as_of": self.as_of.isoformat(),
            "org_chart": {
                "top_id": self.top_id,
                "depth": self.depth,
                "mean_span": self.mean_span,
                "hierarchy_index": self.hierarchy_index,
                "known_lines": self.known_lines,
                "inferred_lines": self.inferred_lines,
                "broken_lines": self.broken_lines,
            },
            "people": [asdict(p) for p in self.people],
            "opportunities": [o.as_dict() for o in self.opportunities],
            "influence_lines": [asdict(i) for i in self.influence],
        }


def _major(amount_minor: int | None) -> float | None:
    # compared with the sign-off threshold in the deal's own currency (no FX table yet)
    return amount_minor / 100 if amount_minor is not None else None


# What is computed once per worker and kept by the fingerprint of its inputs (see services/memo):
# an account's ranking (everything but what our people recorded of support, coverage and
# relationship, which the fingerprint leaves out and each request reads) and each open deal's
# ranking of likely deciders. Bounded by the people they hold: about 3 KB each (their factors
# with the evidence), so at most some 60 MB a worker.
_RANKINGS: Memo[DecisionMakers] = Memo(
    max_items=256, max_size=20_000, size=lambda found: len(found.people)
)
_DEAL_RANKINGS: Memo[list[PowerScore]] = Memo(max_items=4_096)
Roles = dict[int, list[tuple[int, str]]]
Touches = dict[int, list[tuple[dt.date, int | None]]]


def decision_makers(
    session: Session,
    actor: Actor,
    key: str,
    *,
    as_of: dt.date | None = None,
    committees: bool = True,
    recompute: bool = False,
) -> DecisionMakers:
    """The account's people ranked by power, its org chart figures, and committee coverage
    (``committees=False`` leaves the open deals out, for a drawing).

    The ranking is read from the stored insights when they were computed for the day asked (the
    refresh after every import and correction keeps them current), else computed from the
    account's inputs (always with ``recompute``); either is kept per worker by the inputs'
    fingerprint and the day, for the next request.
    """
    account = resolve_account(session, actor, key)
    conn = session.connection()
    day = resolve_as_of(conn, as_of)
    engagement: tuple[Roles, Touches] | None = None  # every touch, when read for the ranking
    ranking = None
    if not recompute:
        ranking, engagement = _stored_ranking(session, account, day)
    if ranking is None:
        inputs = load_inputs(conn, [account.id], as_of=day)[account.id]
        engagement = inputs.roles, inputs.touches
        targets = offering_targets(conn)
        digest = inputs.fingerprint(targets)
        ranking = None if recompute else _RANKINGS.get((account.id, digest, day))
        if ranking is None:
            analysis = analyse(inputs, engine=classifier(), targets=targets, as_of=day)
            found = insights_of(analysis, digest, day)
            ranking = _ranking(account, found, inputs.touches, _without_confirmed_lines(inputs))
            if not recompute:
                _RANKINGS.put((account.id, digest, day), ranking)
    assessments = {
        a.person_id: a
        for a in session.scalars(
            select(PersonAssessment)
            .join(Person, Person.id == PersonAssessment.person_id)
            .where(Person.account_id == account.id)
        )
    }
    people = ranking.people
    if assessments:
        recorded = {pid: (a.support, a.coverage, a.relationship) for pid, a in assessments.items()}
        people = [
            replace(p, support=r[0], coverage=r[1], relationship=r[2])
            if (r := recorded.get(p.id))
            else p
            for p in people
        ]
    opportunities: list[OpportunityCoverage] = []
    if committees:
        owner = dict.fromkeys((p.id for p in people), account.id)

        @cache
        def all_touches() -> Touches:  # for a deal's ranking, when it is not kept
            if engagement is not None:
                return engagement[1]
            return load_engagement(conn, [account.id], owner, as_of=day)[1]

        # a committee only asks whether someone was touched lately: the last 90 days will do
        if engagement is not None:
            since = day - dt.timedelta(days=ENGAGED_DAYS)
            roles = engagement[0]
            recent = {p: [t for t in ts if t[0] >= since] for p, ts in engagement[1].items()}
        else:
            roles, recent = load_engagement(
                conn, [account.id], owner, as_of=day, touch_window_days=ENGAGED_DAYS
            )
        opportunities = _committees(
            session, account.id, ranking, {p.id: p for p in people}, roles, recent, all_touches
        )
    return replace(
        ranking,
        account_name=account.name,  # not in the fingerprint: read each time
        people=people,
        opportunities=opportunities,
        confirmed={
            pid: (a.seniority, a.function, a.manager_id)
            for pid, a in assessments.items()
            if a.seniority or a.function or a.manager_id
        },
        influence=_influence(session, account.id, people),
    )


def _stored_ranking(
    session: Session, account: Account, day: dt.date
) -> tuple[DecisionMakers | None, tuple[Roles, Touches] | None]:
    """The account's ranking as kept for the fingerprint its stored insights carry (which the
    refresh keeps current), or read from them when they were computed for ``day`` (with the
    roles and touches read for it); None when it must be computed (the caller keeps it under
    the same key: a day after the refresh, the account is analysed once per worker, not on
    every request)."""
    conn = session.connection()
    summary = stored_summary(conn, account.id)
    if summary is None:
        return None, None
    ranking = _RANKINGS.get((account.id, summary[0], day))
    if ranking is not None or summary[1] != day:
        return ranking, None
    found = stored_insights(conn, account.id)
    if found is None:
        return None, None
    owner = dict.fromkeys((p.id for p in found.people), account.id)
    engagement = load_engagement(conn, [account.id], owner, as_of=day)
    confirmed_lines = session.scalar(
        select(func.count())
        .select_from(PersonAssessment)
        .join(Person, Person.id == PersonAssessment.person_id)
        .where(Person.account_id == account.id, PersonAssessment.manager_id.is_not(None))
    )
    alternative = {}
    if confirmed_lines:
        alternative = _without_confirmed_lines(
            load_inputs(conn, [account.id], as_of=day)[account.id]
        )
    ranking = _ranking(account, found, engagement[1], alternative)
    return _RANKINGS.put((account.id, found.input_hash, day), ranking), engagement


def _ranking(
    account: Account,
    found: StoredInsights,
    touches: Touches,
    alternative: dict[int, tuple[int, str]],
) -> DecisionMakers:
    """The account's reading from its insights and its touches, before what our people recorded
    (support, coverage, relationship), its deals and its influence lines are read."""
    day = found.as_of
    since = day - dt.timedelta(days=ENGAGED_DAYS)
    last = {pid: max(d for d, _ in days) for pid, days in touches.items() if days}
    people = []
    for p in found.people:
        touch = last.get(p.id)
        people.append(
            RankedPerson(
                id=p.id,
                name=p.name,
                title=p.title,
                seniority=p.seniority,
                function=p.function,
                title_seniority=p.title_seniority,
                title_function=p.title_function,
                level_source=p.level_source,
                manager_id=p.manager_id,
                line_source=p.line_source,
                line_confidence=p.line_confidence,
                line_reason=p.line_reason,
                depth=p.depth,
                reports=p.span,
                below=p.subtree - 1,
                power=p.score.score,
                rank=p.rank,
                factors=factor_dicts(p.score),
                reasons=p.score.reasons(),
                last_touch=touch.isoformat() if touch else None,
                engaged=touch is not None and touch >= since,
                support=None,
                coverage=None,
                relationship=None,
                crm_manager_id=p.crm_manager_id,
                inferred_manager_id=alternative.get(p.id, (None, None))[0],
                inferred_line_reason=alternative.get(p.id, (None, None))[1],
            )
        )
    return DecisionMakers(
        account_id=account.id,
        account_name=account.name,
        as_of=day,
        top_id=found.top_id,
        depth=found.depth,
        mean_span=found.mean_span,
        hierarchy_index=found.hierarchy_index,
        known_lines=sum(1 for p in found.people if p.crm_manager_id is not None),
        inferred_lines=found.inferred_lines,
        broken_lines=found.broken_lines,
        people=people,
        opportunities=[],
        confirmed={},
        fingerprint=found.input_hash,
    )


def _without_confirmed_lines(inputs: AccountInputs) -> dict[int, tuple[int, str]]:
    """For people whose line a user confirmed over a missing one: what Crestline would infer."""
    confirmed = {pid: c for pid, c in inputs.confirmed.items() if c[2] is not None}
    if not confirmed:
        return {}
    plain = {pid: (c[0], c[1], None) for pid, c in confirmed.items()}
    _, chart = build_chart(replace(inputs, confirmed={**inputs.confirmed, **plain}), classifier())
    out = {}
    for line in chart.inferred:
        if line.person_id in confirmed:
            out[line.person_id] = (line.manager_id, line.reason)
    return out


def _influence(
    session: Session, account_id: int, people: list[RankedPerson]
) -> list[InfluenceView]:
    rows = list(
        session.scalars(
            select(InfluenceLine)
            .join(Person, Person.id == InfluenceLine.from_person_id)
            .where(Person.account_id == account_id)
            .order_by(InfluenceLine.id)
        )
    )
    names = {p.id: p.name for p in people} if rows else {}
    return [
        InfluenceView(
            r.from_person_id,
            names.get(r.from_person_id, str(r.from_person_id)),
            r.to_person_id,
            names.get(r.to_person_id, str(r.to_person_id)),
            r.strength,
            r.note,
        )
        for r in rows
    ]


def _committees(
    session: Session,
    account_id: int,
    ranking: DecisionMakers,
    people: dict[int, RankedPerson],
    roles_of: Roles,
    recent: Touches,
    all_touches: Callable[[], Touches],
) -> list[OpportunityCoverage]:
    """Each open deal's committee from the touches of the last :data:`ENGAGED_DAYS` days, and
    its likely deciders, ranked with every touch (``all_touches``) when they are not kept."""
    day = ranking.as_of
    opps = list(
        session.scalars(
            select(Opportunity)
            .where(Opportunity.account_id == account_id, Opportunity.is_closed.is_(False))
            .order_by(Opportunity.close_date, Opportunity.id)
        )
    )
    if not opps:
        return []
    conn = session.connection()
    targets = offering_targets(conn)
    offerings = {
        o: f
        for o, f in session.execute(
            select(Opportunity.id, Opportunity.offering_id).where(
                Opportunity.account_id == account_id, Opportunity.offering_id.is_not(None)
            )
        )
        if f is not None
    }
    since = day - dt.timedelta(days=ENGAGED_DAYS)
    latest: dict[int | None, dict[int, dt.date]] = {}  # deal (None: none named) → person → day
    for pid, days in recent.items():
        for d, o in days:
            seen = latest.setdefault(o, {})
            if pid not in seen or d > seen[pid]:
                seen[pid] = d
    deal_roles: dict[int, dict[int, list[str]]] = {}  # deal → person → roles
    for pid, held in roles_of.items():
        for o, role in held:
            deal_roles.setdefault(o, {}).setdefault(pid, []).append(role)
    supporters = {pid for pid, p in people.items() if p.support}
    anywhere = latest.get(None, {})
    out = []
    for opp in opps:
        opp_id = opp.id
        fns = sorted(targets.get(opp.offering_id, ())) if opp.offering_id else []

        def rank(opp: Opportunity = opp, fns: list[str] = fns) -> list[PowerScore]:
            members = [
                (p.id, p.name, p.seniority, p.function, p.below + 1) for p in people.values()
            ]
            group = scoped_stakeholders(
                members, roles_of, all_touches(), opportunity=opp.id, offerings=offerings
            )
            ranked = rank_power(
                group,
                as_of=day,
                target_functions=fns,
                deal_amount=_major(opp.amount_minor),
                for_deal=True,
            )
            return ranked[:COMMITTEE_TOP]

        # the ranking reads the chart, the roles and touches (all in the fingerprint), the deal's
        # amount and the offerings of the account's deals (which scope the roles)
        key = (
            account_id,
            ranking.fingerprint,
            day,
            opp_id,
            opp.amount_minor,
            tuple(fns),
            tuple(sorted(offerings.items())),
        )
        ranked = _DEAL_RANKINGS.get_or_make(key, rank)
        roles = deal_roles.get(opp_id, {})
        # engaged on this deal: touches logged on it, or on the account with no deal named
        here = latest.get(opp_id, {})
        touched = {pid: max(d, anywhere.get(pid, d)) for pid, d in here.items()}
        touched.update((pid, d) for pid, d in anywhere.items() if pid not in here)
        involved = set(roles) | supporters | {pid for pid, d in touched.items() if d >= since}
        participants = [
            Participant(
                pid,
                people[pid].name,
                people[pid].seniority,
                tuple(roles.get(pid, ())),
                touched.get(pid),
                people[pid].support,
            )
            for pid in sorted(involved)
            if pid in people
        ]
        best = ranked[0] if ranked else None
        suggestion = (
            Suggestion(best.person_id, best.name, "; ".join(best.reasons())) if best else None
        )
        out.append(
            OpportunityCoverage(
                id=opp.id,
                name=opp.name,
                stage=opp.stage,
                amount_minor=opp.amount_minor,
                currency=opp.currency,
                target_functions=fns,
                likely_deciders=[
                    {"id": s.person_id, "name": s.name, "power": s.score, "reasons": s.reasons()}
                    for s in ranked
                ],
                committee=assess(participants, as_of=day, likely_economic_buyer=suggestion),
            )
        )
    return out


# --- corrections and the relationship map ------------------------------------------------------


def _person_in_scope(session: Session, actor: Actor, person_id: int) -> Person:
    person = session.get(Person, person_id)
    missing = NotFoundError(f"no person with id {person_id} at an account")
    if person is None or person.account_id is None:
        raise missing
    owners = visible_owner_ids(session, actor)
    if owners is not None:  # out of scope is answered as not there (ids cannot be probed)
        account = session.get(Account, person.account_id)
        if account is None or not in_scope(owners, account.owner_id):
            raise missing
    return person


def resolve_person(session: Session, actor: Actor, key: str) -> Person:
    """A person at an account by id, email or exact name (any case); ambiguity lists candidates."""
    key = key.strip()
    found: list[Person] = []
    if key.isdigit():
        person = session.get(Person, int(key))
        found = [person] if person is not None else []
    if not found:
        column = Person.email if "@" in key else Person.full_name
        stmt = select(Person).where(func.lower(column) == key.lower())
        owners = visible_owner_ids(session, actor)
        stmt = scoped(stmt.join(Account, Account.id == Person.account_id), owners)
        found = list(session.scalars(stmt.order_by(Person.id).limit(MAX_CANDIDATES + 1)))
    if not found:
        raise NotFoundError(f"no person {key!r} at an account (give an id, an email or a name)")
    if len(found) > 1:
        names = "; ".join(
            f"{p.id} {p.full_name} ({p.company_name or p.email or '-'})" for p in found
        )
        raise AmbiguousError(f"{key!r} names {len(found)} people: {names} — use an id")
    return _person_in_scope(session, actor, found[0].id)


def _check(value: str | None, allowed: tuple[str, ...], name: str) -> str | None:
    if value is None or value == "":
        return None
    v = value.strip().lower().replace(" ", "_").replace("-", "_")
    if v not in allowed:
        raise BadInputError(f"{name} {value!r} is not one of: {', '.join(allowed)}")
    return v


@dataclass(frozen=True)
class Assessment:
    """What our people recorded about a person."""

    person_id: int
    support: str | None
    coverage: str | None
    relationship: str | None
    seniority: str | None
    function: str | None
    manager_id: int | None
    note: str | None
    updated_by: str | None


@dataclass(frozen=True)
class RoleRecorded:
    """A buying role recorded on an opportunity."""

    opportunity_id: int
    person_id: int
    role: str
    source: str


@dataclass(frozen=True)
class InfluenceRecorded:
    """An influence line as recorded: ``from_id`` sways ``to_id``."""

    from_id: int
    to_id: int
    strength: str
    note: str | None
    created_by: str | None


def assess_person(
    session: Session,
    actor: Actor,
    person_id: int,
    *,
    changes: dict[str, str | int | None],
) -> Assessment:
    """Record what our people know about a person; an empty value clears a field.

    ``changes`` keys: support, coverage, relationship, seniority, function, manager_id, note.
    The account's insights are refreshed in the same transaction.
    """
    person = _person_in_scope(session, actor, person_id)
    known = {"support", "coverage", "relationship", "seniority", "function", "manager_id", "note"}
    unknown = set(changes) - known
    if unknown:
        raise BadInputError(f"cannot set {', '.join(sorted(unknown))} on a person")
    a = session.get(PersonAssessment, person_id) or PersonAssessment(person_id=person_id)
    for name, allowed in (
        ("support", SUPPORT),
        ("coverage", COVERAGE),
        ("relationship", RELATIONSHIP),
        ("seniority", tuple(LEVELS)),
        ("function", FUNCTIONS),
    ):
        if name in changes:
            value = changes[name]
            setattr(a, name, _check(str(value) if value is not None else None, allowed, name))
    if "manager_id" in changes:
        a.manager_id = _manager(session, person, changes["manager_id"])
    if "note" in changes:
        a.note = str(changes["note"]) if changes["note"] else None
    a.updated_by = actor.login
    session.add(a)
    session.flush()
    assert person.account_id is not None
    refresh_insights(session.connection(), account_ids=[person.account_id])
    return Assessment(
        person_id=a.person_id,
        support=a.support,
        coverage=a.coverage,
        relationship=a.relationship,
        seniority=a.seniority,
        function=a.function,
        manager_id=a.manager_id,
        note=a.note,
        updated_by=a.updated_by,
    )


def _manager(session: Session, person: Person, value: str | int | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        manager_id = int(value)
    except ValueError:
        raise BadInputError(f"manager {value!r} is not a person id") from None
    manager = session.get(Person, manager_id)
    if manager is None or manager.account_id != person.account_id:
        raise BadInputError(f"person {manager_id} is not at the same account")
    if manager_id == person.id:
        raise BadInputError("a person cannot report to themself")
    chain = _effective_lines(session, person.account_id)
    chain[person.id] = manager_id
    seen, current = {person.id}, chain.get(manager_id)
    while current is not None:
        if current in seen:
            raise ConflictError(
                f"person {manager_id} reports, through the lines known, to person {person.id}: "
                "confirming this line would make a cycle — correct the other line first"
            )
        seen.add(current)
        current = chain.get(current)
    return manager_id


def _effective_lines(session: Session, account_id: int | None) -> dict[int, int | None]:
    """Each person's manager as the CRM has it, with confirmed lines over it."""
    lines: dict[int, int | None] = dict(
        session.execute(
            select(Person.id, Person.reports_to_id).where(Person.account_id == account_id)
        ).all()
    )
    for pid, manager in session.execute(
        select(PersonAssessment.person_id, PersonAssessment.manager_id)
        .join(Person, Person.id == PersonAssessment.person_id)
        .where(Person.account_id == account_id, PersonAssessment.manager_id.is_not(None))
    ):
        lines[pid] = manager
    return lines


def set_role(
    session: Session, actor: Actor, opportunity_id: int, person_id: int, role: str
) -> RoleRecorded:
    """Record ``person``'s buying role on an opportunity (replacing the role Crestline recorded
    before; a CRM's own roles are kept as imported)."""
    person = _person_in_scope(session, actor, person_id)
    opp = session.get(Opportunity, opportunity_id)
    if opp is None or opp.account_id != person.account_id:
        raise BadInputError(f"opportunity {opportunity_id} is not at this person's account")
    wanted = {r.lower(): r for r in CRM_ROLES}
    canonical = wanted.get(role.strip().lower())
    if canonical is None:
        raise BadInputError(f"role {role!r} is not one of: {', '.join(CRM_ROLES)}")
    existing = session.scalars(
        select(ContactRole).where(
            ContactRole.opportunity_id == opportunity_id,
            ContactRole.person_id == person_id,
            ContactRole.source == "crestline",
        )
    ).first()
    row = existing or ContactRole(
        opportunity_id=opportunity_id, person_id=person_id, source="crestline"
    )
    row.role = canonical
    session.add(row)
    session.flush()
    refresh_insights(session.connection(), account_ids=[opp.account_id])
    return RoleRecorded(opportunity_id, person_id, canonical, row.source)


INFLUENCE_STRENGTH = ("low", "medium", "high")


def add_influence(
    session: Session,
    actor: Actor,
    from_id: int,
    to_id: int,
    *,
    strength: str = "medium",
    note: str | None = None,
) -> InfluenceRecorded:
    """Record that ``from_id`` sways ``to_id`` outside the reporting line (or update it)."""
    source = _person_in_scope(session, actor, from_id)
    target = _person_in_scope(session, actor, to_id)
    if from_id == to_id:
        raise BadInputError("a person cannot influence themself")
    if source.account_id != target.account_id:
        raise BadInputError(f"person {to_id} is not at the same account as person {from_id}")
    level = _check(strength, INFLUENCE_STRENGTH, "strength") or "medium"
    row = session.scalars(
        select(InfluenceLine).where(
            InfluenceLine.from_person_id == from_id, InfluenceLine.to_person_id == to_id
        )
    ).first() or InfluenceLine(from_person_id=from_id, to_person_id=to_id)
    row.strength = level
    row.note = note or None
    row.created_by = actor.login
    session.add(row)
    session.flush()
    return InfluenceRecorded(from_id, to_id, level, row.note, row.created_by)


def remove_influence(session: Session, actor: Actor, from_id: int, to_id: int) -> None:
    """Remove an influence line; not found when there was none."""
    _person_in_scope(session, actor, from_id)
    row = session.scalars(
        select(InfluenceLine).where(
            InfluenceLine.from_person_id == from_id, InfluenceLine.to_person_id == to_id
        )
    ).first()
    if row is None:
        raise NotFoundError(f"no influence line from person {from_id} to person {to_id}")
    session.delete(row)
    session.flush()


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
