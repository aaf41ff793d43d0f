"""Derived insights per account — title classes, the completed org chart, power — kept fresh.

:func:`refresh_insights` fingerprints each account's inputs (people, titles, reporting lines, our
corrections, recorded buying roles, recent touches, the open deals' offerings) and recomputes only
the accounts whose fingerprint changed, inside the caller's transaction: the importers call it
before they commit, so an import and the insights it changes land together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from crestline.db.bulk import bulk_insert
from crestline.db.models import (
    Account,
    AccountInsight,
    Activity,
    ActivityPerson,
    Base,
    ContactRole,
    Opportunity,
    Person,
    PersonAssessment,
    ValueProposition,
)
from crestline.engines.influence import (
    DEFAULT_WEIGHTS,
    Factor,
    PowerScore,
    Stakeholder,
    rank_power,
)
from crestline.engines.orgchart import Member, OrgChart, build_orgchart
from crestline.engines.titles import TitleClass, TitleClassifier
from crestline.services.collector import collector_paused
from crestline.services.decisions.titles import classifier

CHUNK = 500  # accounts loaded at a time
IN_CHUNK = 1_000
TOUCH_WINDOW_DAYS = 730  # older touches weigh less than 1 % (half-life 90 days)
TOUCH_KINDS = ("meeting", "call", "email", "event")


@dataclass(frozen=True)
class RefreshSummary:
    accounts: int  # checked
    refreshed: int  # recomputed because their inputs changed
    people: int  # rows written
    as_of: dt.date
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "accounts": self.accounts,
            "refreshed": self.refreshed,
            "people": self.people,
            "as_of": self.as_of.isoformat(),
            "seconds": round(self.seconds, 2),
        }


@dataclass
class PersonRow:
    id: int
    name: str
    title: str | None
    department: str | None
    reports_to_id: int | None


@dataclass
class AccountInputs:
    """Everything the insights of one account are computed from."""

    id: int
    employees: int | None
    people: list[PersonRow] = field(default_factory=list)
    confirmed: dict[int, tuple[str | None, str | None, int | None]] = field(default_factory=dict)
    roles: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # person → (opp, role)
    # person → (day, opportunity or None) of each meeting, call, email or event with our people
    touches: dict[int, list[tuple[dt.date, int | None]]] = field(default_factory=dict)
    open_offerings: set[int] = field(default_factory=set)

    def fingerprint(self, targets: Mapping[int, frozenset[str]]) -> str:
        h = hashlib.blake2b(digest_size=16)
        for p in self.people:
            h.update(repr((p.id, p.name, p.title, p.department, p.reports_to_id)).encode())
        for key in sorted(self.confirmed):
            h.update(repr((key, self.confirmed[key])).encode())
        for key in sorted(self.roles):
            h.update(repr((key, sorted(self.roles[key]))).encode())
        for key in sorted(self.touches):
            days = self.touches[key]
            h.update(repr((key, len(days), max(d for d, _ in days))).encode())
        h.update(repr(sorted(self.target_functions(targets))).encode())
        h.update(repr(self.employees).encode())
        return h.hexdigest()

    def target_functions(self, targets: Mapping[int, frozenset[str]]) -> set[str]:
        out: set[str] = set()
        for offering in self.open_offerings:
            out.update(targets.get(offering, ()))
        return out


def data_day(conn: Connection) -> dt.date | None:
    """The day the data speaks of: its latest activity that is not in the future (a meeting
    planned for next week does not move it). None when there is no activity yet."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    latest: Any = conn.execute(
        select(func.max(Activity.occurred_at)).where(Activity.occurred_at <= now)
    ).scalar()
    if isinstance(latest, str):  # SQLite hands back text where the column was not typed
        latest = dt.datetime.fromisoformat(latest)
    return latest.date() if latest is not None else None


def resolve_as_of(conn: Connection, as_of: dt.date | None) -> dt.date:
    """The date engagement is measured at: the one given (``--as-of``, ``?as_of=``), else the
    data's own day (its latest activity, so an export a few months old is read as of when it was
    taken, not as if everyone had gone quiet since), else today (UTC)."""
    return as_of or data_day(conn) or dt.datetime.now(dt.UTC).date()


def offering_targets(conn: Connection) -> dict[int, frozenset[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    for offering_id, functions in conn.execute(
        select(ValueProposition.offering_id, ValueProposition.target_functions)
    ):
        out[offering_id].update(str(f) for f in functions or ())
    return {k: frozenset(v) for k, v in out.items()}


def _chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def load_inputs(
    conn: Connection,
    account_ids: Sequence[int],
    *,
    as_of: dt.date,
    touch_window_days: int | None = TOUCH_WINDOW_DAYS,
) -> dict[int, AccountInputs]:
    """The inputs of some accounts (a few hundred at a time keeps memory flat); touches of the
    last ``touch_window_days`` up to ``as_of`` (all of them with None). Roles and touches count
    where the deal or the activity belongs to the person's own account."""
    accounts = {
        a: AccountInputs(a, e)
        for a, e in conn.execute(
            select(Account.id, Account.employees).where(Account.id.in_(account_ids))
        )
    }
    owner: dict[int, int] = {}
    for pid, acc, name, title, dept, rep in conn.execute(
        select(
            Person.id,
            Person.account_id,
            Person.full_name,
            Person.title,
            Person.department,
            Person.reports_to_id,
        )
        .where(Person.account_id.in_(account_ids))
        .order_by(Person.id)
    ):
        if acc is not None:
            accounts[acc].people.append(PersonRow(pid, name, title, dept, rep))
            owner[pid] = acc
    for pid, sen, fn, man in conn.execute(
        select(
            PersonAssessment.person_id,
            PersonAssessment.seniority,
            PersonAssessment.function,
            PersonAssessment.manager_id,
        )
        .join(Person, Person.id == PersonAssessment.person_id)
        .where(Person.account_id.in_(account_ids))
    ):
        if sen or fn or man:
            accounts[owner[pid]].confirmed[pid] = (sen, fn, man)
    for _opp, acc, offering, closed in conn.execute(
        select(
            Opportunity.id, Opportunity.account_id, Opportunity.offering_id, Opportunity.is_closed
        ).where(Opportunity.account_id.in_(account_ids))
    ):
        if not closed and offering is not None:
            accounts[acc].open_offerings.add(offering)
    roles, touches = load_engagement(
        conn, account_ids, owner, as_of=as_of, touch_window_days=touch_window_days
    )
    for pid, held in roles.items():
        accounts[owner[pid]].roles[pid] = held
    for pid, days in touches.items():
        accounts[owner[pid]].touches[pid] = days
    return accounts


def load_engagement(
    conn: Connection,
    account_ids: Sequence[int],
    owner: Mapping[int, int],
    *,
    as_of: dt.date,
    touch_window_days: int | None = TOUCH_WINDOW_DAYS,
) -> tuple[dict[int, list[tuple[int, str]]], dict[int, list[tuple[dt.date, int | None]]]]:
    """Per person of ``owner`` (person → account): buying roles (opportunity, role) and touches
    (day, opportunity or None), counted where the deal or the activity is at their account."""
    roles: dict[int, list[tuple[int, str]]] = {}
    for pid, opp, role, acc in conn.execute(
        select(
            ContactRole.person_id,
            ContactRole.opportunity_id,
            ContactRole.role,
            Opportunity.account_id,
        )
        .join(Opportunity, Opportunity.id == ContactRole.opportunity_id)
        .where(Opportunity.account_id.in_(account_ids))
    ):
        if owner.get(pid) == acc:
            roles.setdefault(pid, []).append((opp, role))
    since = dt.datetime.combine(
        as_of - dt.timedelta(days=touch_window_days) if touch_window_days else dt.date.min,
        dt.time(),
    )
    until = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    touches: dict[int, list[tuple[dt.date, int | None]]] = {}
    for pid, when, deal, where in conn.execute(
        select(
            ActivityPerson.person_id,
            Activity.occurred_at,
            Activity.opportunity_id,
            Activity.account_id,
        )
        .join(Activity, Activity.id == ActivityPerson.activity_id)
        .where(
            Activity.account_id.in_(account_ids),
            Activity.occurred_at >= since,
            Activity.occurred_at < until,
            Activity.kind.in_(TOUCH_KINDS),
        )
    ):
        if where is not None and owner.get(pid) == where:
            touches.setdefault(pid, []).append((when.date(), deal))
    return roles, touches


@dataclass(frozen=True)
class AccountAnalysis:
    """One account's people as Crestline sees them: title classes, chart, power."""

    inputs: AccountInputs
    titles: Mapping[int, TitleClass]
    chart: OrgChart
    power: list[PowerScore]


def _effective_title(
    engine: TitleClassifier,
    person: PersonRow,
    confirmed: tuple[str | None, str | None, int | None] | None,
) -> tuple[TitleClass, str, str]:
    tc = engine.classify(person.title or "")
    seniority, function = tc.seniority, tc.function
    if confirmed is not None:
        seniority = confirmed[0] or seniority
        function = confirmed[1] or function
    return tc, seniority, function


def build_chart(
    inputs: AccountInputs, engine: TitleClassifier
) -> tuple[dict[int, TitleClass], OrgChart]:
    titles: dict[int, TitleClass] = {}
    members = []
    for p in inputs.people:
        confirmed = inputs.confirmed.get(p.id)
        tc, seniority, function = _effective_title(engine, p, confirmed)
        titles[p.id] = tc
        manager = p.reports_to_id
        line_confirmed = False
        if confirmed is not None and confirmed[2] is not None:
            manager, line_confirmed = confirmed[2], True
        members.append(
            Member(p.id, manager, seniority, function, p.department, line_confirmed=line_confirmed)
        )
    return titles, build_orgchart(members, employees=inputs.employees)


def stakeholders(
    inputs: AccountInputs,
    chart: OrgChart,
    *,
    opportunity: int | None = None,
    offerings: Mapping[int, int] | None = None,
) -> list[Stakeholder]:
    """The account's people as the power ranking needs them, roles scoped to ``opportunity``."""
    names = {p.id: p.name for p in inputs.people}
    members = (
        (pid, names[pid], pos.seniority, pos.function, pos.subtree)
        for pid, pos in chart.positions.items()
    )
    return scoped_stakeholders(
        members, inputs.roles, inputs.touches, opportunity=opportunity, offerings=offerings
    )


def scoped_stakeholders(
    members: Iterable[tuple[int, str, str, str, int]],
    roles: Mapping[int, Sequence[tuple[int, str]]],
    touches: Mapping[int, Sequence[tuple[dt.date, int | None]]],
    *,
    opportunity: int | None = None,
    offerings: Mapping[int, int] | None = None,
) -> list[Stakeholder]:
    """Stakeholders from people placed in the chart — (id, name, seniority, function, subtree) —
    their roles (opportunity, role) scoped to ``opportunity``, and their touches."""
    offerings = offerings or {}
    offering = offerings.get(opportunity) if opportunity is not None else None
    out = []
    for pid, name, seniority, function, subtree in members:
        scoped = []
        for opp, role in roles.get(pid, ()):
            if opp == opportunity:
                scope = "this"
            elif offering is not None and offerings.get(opp) == offering:
                scope = "offering"
            else:
                scope = "other"
            scoped.append((role, scope))
        out.append(
            Stakeholder(
                pid,
                name,
                seniority,
                function,
                subtree,
                tuple(scoped),
                tuple(day for day, _ in touches.get(pid, ())),
            )
        )
    return out


def analyse(
    inputs: AccountInputs,
    *,
    engine: TitleClassifier,
    targets: Mapping[int, frozenset[str]],
    as_of: dt.date,
) -> AccountAnalysis:
    titles, chart = build_chart(inputs, engine)
    power = rank_power(
        stakeholders(inputs, chart), as_of=as_of, target_functions=inputs.target_functions(targets)
    )
    return AccountAnalysis(inputs, titles, chart, power)


INSIGHT_COLUMNS = (
    "person_id",
    "account_id",
    "seniority",
    "function",
    "title_seniority",
    "title_function",
    "title_confidence",
    "normalised_title",
    "title_rules",
    "level_source",
    "manager_id",
    "line_source",
    "line_confidence",
    "line_reason",
    "depth",
    "span",
    "subtree",
    "power",
    "power_factors",
    "power_rank",
)


def factor_dicts(score: PowerScore) -> list[dict[str, Any]]:
    """A score's factors as stored and shown: name, value, weight, contribution, evidence."""
    return [
        {
            "name": f.name,
            "value": f.value,
            "weight": f.weight,
            "contribution": round(f.contribution, 4),
            "evidence": f.evidence,
        }
        for f in score.factors
    ]


def level_source(analysis: AccountAnalysis, person_id: int) -> str:
    """Where a person's effective level comes from: confirmed, chart or title."""
    confirmed = analysis.inputs.confirmed.get(person_id)
    if confirmed is not None and confirmed[0]:
        return "confirmed"
    return "chart" if analysis.chart.positions[person_id].level_inferred else "title"


def line_of(
    analysis: AccountAnalysis, person_id: int
) -> tuple[str | None, float | None, str | None]:
    """A person's reporting line: source (confirmed, inferred, crm), confidence and reason."""
    pos = analysis.chart.positions[person_id]
    if pos.manager_id is None:
        return None, None, None
    confirmed = analysis.inputs.confirmed.get(person_id)
    if confirmed is not None and confirmed[2] is not None and pos.manager_id == confirmed[2]:
        return "confirmed", 1.0, "confirmed by a user"
    line = analysis.chart.inferred_line(person_id)
    if line is not None:
        return "inferred", line.confidence, line.reason
    return "crm", 1.0, None


def insight_rows(analysis: AccountAnalysis) -> Iterator[tuple[Any, ...]]:
    """Rows of ``person_insights`` (JSON columns as text, which both backends' bulk paths take)."""
    chart = analysis.chart
    ranks = {s.person_id: (n + 1, s) for n, s in enumerate(analysis.power)}
    for pid, pos in chart.positions.items():
        tc = analysis.titles[pid]
        line_source, confidence, reason = line_of(analysis, pid)
        rank, score = ranks[pid]
        # compact: [name, value, evidence] (the weights are the engine's, shown on the pages)
        factors = [[f.name, f.value, f.evidence] for f in score.factors]
        yield (
            pid,
            analysis.inputs.id,
            pos.seniority,
            pos.function,
            tc.seniority,
            tc.function,
            tc.confidence,
            tc.normalised or None,
            json.dumps(list(tc.rules), ensure_ascii=False, separators=(",", ":")),
            level_source(analysis, pid),
            pos.manager_id,
            line_source,
            confidence,
            reason,
            pos.depth,
            pos.span,
            pos.subtree,
            score.score,
            json.dumps(factors, ensure_ascii=False, separators=(",", ":")),
            rank,
        )


@dataclass(frozen=True)
class StoredPerson:
    """One row of ``person_insights`` with the person's name, title and line as the CRM has it."""

    id: int
    name: str
    title: str | None
    crm_manager_id: int | None
    seniority: str
    function: str
    title_seniority: str
    title_function: str
    level_source: str
    manager_id: int | None
    line_source: str | None
    line_confidence: float | None
    line_reason: str | None
    depth: int
    span: int
    subtree: int
    rank: int
    score: PowerScore  # the factors with the engine's weights, as :func:`analyse` made them


@dataclass(frozen=True)
class StoredInsights:
    """An account's insights as the last refresh wrote them: its chart figures and its people,
    strongest first."""

    account_id: int
    input_hash: str
    as_of: dt.date
    top_id: int | None
    depth: int
    mean_span: float
    hierarchy_index: float
    inferred_lines: int
    broken_lines: int
    people: list[StoredPerson]


def _score(pid: int, name: str, power: float, factors: Any) -> PowerScore:
    if isinstance(factors, str):  # a JSON column some drivers hand back as text
        factors = json.loads(factors)
    return PowerScore(
        pid,
        name,
        power,
        tuple(Factor(n, v, DEFAULT_WEIGHTS[n], e) for n, v, e in factors),
    )


def insights_of(analysis: AccountAnalysis, input_hash: str, as_of: dt.date) -> StoredInsights:
    """What a refresh would store of ``analysis``, without writing it."""
    chart = analysis.chart
    rows = {p.id: p for p in analysis.inputs.people}
    people = []
    for rank, score in enumerate(analysis.power, start=1):
        pid = score.person_id
        pos = chart.positions[pid]
        tc = analysis.titles[pid]
        line_source, confidence, reason = line_of(analysis, pid)
        people.append(
            StoredPerson(
                pid,
                score.name,
                rows[pid].title,
                rows[pid].reports_to_id,
                pos.seniority,
                pos.function,
                tc.seniority,
                tc.function,
                level_source(analysis, pid),
                pos.manager_id,
                line_source,
                confidence,
                reason,
                pos.depth,
                pos.span,
                pos.subtree,
                rank,
                score,
            )
        )
    return StoredInsights(
        account_id=analysis.inputs.id,
        input_hash=input_hash,
        as_of=as_of,
        top_id=chart.top,
        depth=chart.depth,
        mean_span=chart.mean_span,
        hierarchy_index=chart.hierarchy_index,
        inferred_lines=len(chart.inferred),
        broken_lines=len(chart.broken),
        people=people,
    )


def _stored_person(row: Any) -> StoredPerson:
    (pid, name, title, crm, sen, fn, t_sen, t_fn, source, manager) = row[:10]
    (line, confidence, reason, depth, span, subtree, rank, power, factors) = row[10:]
    return StoredPerson(
        pid,
        name,
        title,
        crm,
        sen,
        fn,
        t_sen,
        t_fn,
        source,
        manager,
        line,
        confidence,
        reason,
        depth,
        span,
        subtree,
        rank,
        _score(pid, name, power, factors),
    )


def stored_summary(conn: Connection, account_id: int) -> tuple[str, dt.date] | None:
    """The fingerprint and the day of an account's stored insights, if it has any."""
    summaries = Base.metadata.tables["account_insights"]
    row = conn.execute(
        select(summaries.c.input_hash, summaries.c.as_of).where(
            summaries.c.account_id == account_id
        )
    ).one_or_none()
    return (row[0], row[1]) if row is not None else None


def stored_insights(conn: Connection, account_id: int) -> StoredInsights | None:
    """The stored insights of one account (two indexed reads), or None when it has none or they
    do not cover its people (written before someone joined or left without a refresh)."""
    summaries = Base.metadata.tables["account_insights"]
    insights = Base.metadata.tables["person_insights"]
    summary = conn.execute(
        select(summaries).where(summaries.c.account_id == account_id)
    ).one_or_none()
    if summary is None:
        return None
    i = insights.c
    rows = conn.execute(
        select(
            i.person_id,
            Person.full_name,
            Person.title,
            Person.reports_to_id,
            i.seniority,
            i.function,
            i.title_seniority,
            i.title_function,
            i.level_source,
            i.manager_id,
            i.line_source,
            i.line_confidence,
            i.line_reason,
            i.depth,
            i.span,
            i.subtree,
            i.power_rank,
            i.power,
            i.power_factors,
        )
        .join(Person, Person.id == i.person_id)
        .where(i.account_id == account_id, Person.account_id == account_id)
        .order_by(i.power_rank, i.person_id)
    ).all()
    people_now = conn.execute(
        select(func.count()).select_from(Person).where(Person.account_id == account_id)
    ).scalar_one()
    if len(rows) != summary.people or people_now != summary.people:
        return None
    return StoredInsights(
        account_id=account_id,
        input_hash=summary.input_hash,
        as_of=summary.as_of,
        top_id=summary.top_person_id,
        depth=summary.depth,
        mean_span=summary.mean_span,
        hierarchy_index=summary.hierarchy_index,
        inferred_lines=summary.inferred_lines,
        broken_lines=summary.broken_lines,
        people=[_stored_person(row) for row in rows],
    )


def _touched_since(conn: Connection) -> dict[int, dt.datetime]:
    """Per account, when any of its inputs was last written (imported rows carry ``updated_at``)."""
    out: dict[int, dt.datetime] = {}
    queries = (
        select(Account.id, Account.updated_at),
        select(Person.account_id, func.max(Person.updated_at)).group_by(Person.account_id),
        select(Opportunity.account_id, func.max(Opportunity.updated_at)).group_by(
            Opportunity.account_id
        ),
        select(Opportunity.account_id, func.max(ContactRole.updated_at))
        .join(ContactRole, ContactRole.opportunity_id == Opportunity.id)
        .group_by(Opportunity.account_id),
        select(Activity.account_id, func.max(Activity.updated_at)).group_by(Activity.account_id),
        select(Person.account_id, func.max(PersonAssessment.updated_at))
        .join(PersonAssessment, PersonAssessment.person_id == Person.id)
        .group_by(Person.account_id),
    )
    for query in queries:
        for acc, value in conn.execute(query):
            if acc is None or value is None:
                continue
            # SQLite's aggregates come back as text
            when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
            if acc not in out or when > out[acc]:
                out[acc] = when
    return out


def refresh_insights(
    conn: Connection,
    *,
    account_ids: Iterable[int] | None = None,
    as_of: dt.date | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RefreshSummary:
    """Recompute the insights of the accounts whose inputs changed (all of them with ``force``).

    Two filters keep it cheap: only accounts with a row written since their insights were
    computed are loaded, and of those only the ones whose fingerprint differs are recomputed.
    """
    with collector_paused():
        return _refresh(conn, account_ids=account_ids, as_of=as_of, force=force, progress=progress)


def _refresh(
    conn: Connection,
    *,
    account_ids: Iterable[int] | None,
    as_of: dt.date | None,
    force: bool,
    progress: Callable[[int, int], None] | None,
) -> RefreshSummary:
    started = time.perf_counter()
    stamp = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    day = resolve_as_of(conn, as_of)
    if account_ids is None:
        ids = list(conn.execute(select(Account.id).order_by(Account.id)).scalars())
    else:
        ids = sorted(set(account_ids))
    known = {
        acc: (digest, computed)
        for acc, digest, computed in conn.execute(
            select(AccountInsight.account_id, AccountInsight.input_hash, AccountInsight.computed_at)
        )
    }
    checked = len(ids)
    if not force and known and account_ids is None:  # a few named accounts: fingerprints do
        written_at = _touched_since(conn)
        ids = [
            a for a in ids if a not in known or (a in written_at and written_at[a] >= known[a][1])
        ]
    targets = offering_targets(conn)
    engine = classifier()
    insights = Base.metadata.tables["person_insights"]
    summaries = Base.metadata.tables["account_insights"]
    refreshed = written = 0
    left: set[int] = set()  # accounts people moved away from: their charts changed too
    for done, chunk in enumerate(_chunks(ids, CHUNK)):
        inputs = load_inputs(conn, chunk, as_of=day)
        changed = []
        for acc in chunk:
            digest = inputs[acc].fingerprint(targets)
            if force or acc not in known or known[acc][0] != digest:
                changed.append((acc, digest))
        unchanged = [a for a in chunk if a in known and all(a != c for c, _ in changed)]
        for part in _chunks(unchanged, IN_CHUNK):  # looked at now: not again until rewritten
            conn.execute(
                update(summaries).where(summaries.c.account_id.in_(part)).values(computed_at=stamp)
            )
        if changed:
            stale = [a for a, _ in changed]
            for part in _chunks(stale, IN_CHUNK):
                conn.execute(delete(insights).where(insights.c.account_id.in_(part)))
                conn.execute(delete(summaries).where(summaries.c.account_id.in_(part)))
            moved = [p.id for a in stale for p in inputs[a].people]
            for part in _chunks(moved, IN_CHUNK):  # people who moved here from another account
                left.update(
                    conn.execute(
                        select(insights.c.account_id).where(
                            insights.c.person_id.in_(part), insights.c.account_id.not_in(stale)
                        )
                    ).scalars()
                )
                conn.execute(delete(insights).where(insights.c.person_id.in_(part)))
            rows: list[tuple[Any, ...]] = []
            account_rows = []
            for acc, digest in changed:
                analysis = analyse(inputs[acc], engine=engine, targets=targets, as_of=day)
                rows.extend(insight_rows(analysis))
                chart = analysis.chart
                account_rows.append(
                    {
                        "account_id": acc,
                        "input_hash": digest,
                        "top_person_id": chart.top,
                        "people": len(chart.positions),
                        "depth": chart.depth,
                        "mean_span": chart.mean_span,
                        "hierarchy_index": chart.hierarchy_index,
                        "inferred_lines": len(chart.inferred),
                        "broken_lines": len(chart.broken),
                        "computed_at": stamp,
                        "as_of": day,
                    }
                )
            written += bulk_insert(conn, insights, INSIGHT_COLUMNS, rows)
            conn.execute(summaries.insert(), account_rows)
            refreshed += len(changed)
        if progress is not None:
            progress(min(len(ids), (done + 1) * CHUNK), len(ids))
    if left:
        again = refresh_insights(conn, account_ids=left, as_of=as_of, force=True)
        refreshed, written = refreshed + again.refreshed, written + again.people
    return RefreshSummary(checked, refreshed, written, day, time.perf_counter() - started)
