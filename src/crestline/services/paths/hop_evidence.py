"""How two nodes of the relationship graph know each other, piece by piece: the evidence behind
each hop of a path, read back from the database when paths are shown (the graph keeps only
strengths).

Every hop of a panel is read together — a handful of queries for all of them, whatever their
number — since a panel shows dozens of hops and a query per hop and source cost more than the
path search itself.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Select, func, select

from crestline.db.models import (
    Activity,
    ActivityPerson,
    ContactRole,
    Opportunity,
    PastEmployment,
    Person,
    PersonAssessment,
    PersonInsight,
)
from crestline.db.models import Connection as Link
from crestline.engines.relationships import ONCE, Evidence, describe
from crestline.services.paths.relationship_graph import (
    CONNECTION_SOURCES,
    KINDS,
    LEADERSHIP,
    MAX_TEAM,
    MIN_OVERLAP_DAYS,
    RelationshipGraph,
)

Pair = tuple[int, int]
_Line = tuple[int | None, str, float]  # manager, where the line comes from, how sure


def hops_evidence(
    conn: Connection, rg: RelationshipGraph, hops: Iterable[Pair]
) -> dict[Pair, list[Evidence]]:
    """The evidence of every hop (a pair of graph nodes, as a path gives them), read at once."""
    out: dict[Pair, list[Evidence]] = {}
    ours: dict[Pair, list[Pair]] = defaultdict(list)  # (seller, person) → the hops asking
    theirs: dict[Pair, list[Pair]] = defaultdict(list)  # (person, person) → the hops asking
    for hop in hops:
        out[hop] = []
        (kind_l, id_l), (kind_r, id_r) = rg.who(hop[0]), rg.who(hop[1])
        if kind_l == "seller" and kind_r == "seller":
            continue
        if kind_r == "seller":
            (kind_l, id_l), (kind_r, id_r) = (kind_r, id_r), (kind_l, id_l)
        (ours if kind_l == "seller" else theirs)[id_l, id_r].append(hop)
    for found, asking in ((_ours(conn, rg.as_of, ours), ours), (_theirs(conn, theirs), theirs)):
        for key, evidence in found.items():
            for hop in asking[key]:
                out[hop] = evidence
    return out


def hop_evidence(conn: Connection, rg: RelationshipGraph, left: int, right: int) -> list[Evidence]:
    """How two nodes of the graph know each other, piece by piece (for explaining a hop)."""
    return hops_evidence(conn, rg, [(left, right)])[left, right]


def explain(evidence: list[Evidence], as_of: dt.date) -> str:
    return "; ".join(describe(e, as_of) for e in evidence) or "known to each other"


def _ours(conn: Connection, as_of: dt.date, keys: Iterable[Pair]) -> dict[Pair, list[Evidence]]:
    """Our seller and a person: imported connections, meetings, calls, emails and events, and
    deals the seller owns on which the person has a role."""
    out: dict[Pair, list[Evidence]] = {key: [] for key in keys}
    if not out:
        return out
    sellers = sorted({s for s, _ in out})
    people = sorted({p for _, p in out})
    links = (
        select(Link.seller_id, Link.person_id, Link.source, Link.first_seen, Link.last_seen)
        .add_columns(Link.count)
        .where(Link.seller_id.in_(sellers), Link.person_id.in_(people))
        .order_by(Link.id)
    )
    for seller, person, source, first, last, count in conn.execute(links):
        if (seller, person) in out:
            kind = CONNECTION_SOURCES.get(source, source)  # an undated kind: since when, no last
            out[seller, person].append(
                Evidence(kind, first, None if kind in ONCE else last, count or 1)
            )
    until = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    touches = (
        select(
            Activity.seller_id,
            ActivityPerson.person_id,
            Activity.kind,
            func.count(),
            func.min(Activity.occurred_at),
            func.max(Activity.occurred_at),
        )
        .join(ActivityPerson, ActivityPerson.activity_id == Activity.id)
        .where(
            Activity.seller_id.in_(sellers),
            ActivityPerson.person_id.in_(people),
            Activity.kind.in_(KINDS),  # as the graph reads them: a task is no tie
            Activity.occurred_at < until,
        )
        .group_by(Activity.seller_id, ActivityPerson.person_id, Activity.kind)
        .order_by(Activity.seller_id, ActivityPerson.person_id, Activity.kind)
    )
    for seller, person, kind, count, first, last in conn.execute(touches):
        if seller is not None and (seller, person) in out:
            out[seller, person].append(Evidence(kind, _as_date(first), _as_date(last), count))
    deals = (
        select(Opportunity.owner_id, ContactRole.person_id, func.count())
        .join(Opportunity, Opportunity.id == ContactRole.opportunity_id)
        .where(Opportunity.owner_id.in_(sellers), ContactRole.person_id.in_(people))
        .group_by(Opportunity.owner_id, ContactRole.person_id)
    )
    for seller, person, count in conn.execute(deals):
        if seller is not None and (seller, person) in out and count:
            out[seller, person].append(Evidence("crm_role", count=int(count)))
    return out


def _theirs(conn: Connection, keys: Iterable[Pair]) -> dict[Pair, list[Evidence]]:
    """Two people: imported connections either way, a reporting line or a leadership team, a
    former employer in common."""
    out: dict[Pair, list[Evidence]] = {key: [] for key in keys}
    if not out:
        return out
    people = sorted({p for pair in out for p in pair})
    links = (
        select(Link.from_person_id, Link.person_id, Link.source, Link.first_seen, Link.last_seen)
        .add_columns(Link.count)
        .where(Link.from_person_id.in_(people), Link.person_id.in_(people))
        .order_by(Link.id)
    )
    for a, b, source, first, last, count in conn.execute(links):
        kind = CONNECTION_SOURCES.get(source, source)
        for key in {(a, b), (b, a)} & out.keys():
            out[key].append(Evidence(kind, first, None if kind in ONCE else last, count or 1))
    lines, levels = _lines(conn, people)
    peers = _peers(conn, out, lines, levels)
    jobs = _jobs(conn, people)
    for (a, b), evidence in out.items():
        evidence.extend(_line_between(lines, a, b) or peers.get((a, b), []))
        evidence.extend(_alumni(jobs.get(a, []), jobs.get(b, [])))
    return out


def _lines(
    conn: Connection, people: Sequence[int]
) -> tuple[dict[int, _Line], dict[int, tuple[str, int]]]:
    """Each person's effective reporting line (the org chart's, else a confirmed or the CRM's
    line) and, from the org chart, their level and account."""
    lines: dict[int, _Line] = {}
    levels: dict[int, tuple[str, int]] = {}
    for person, manager, recorded, sure, level, account in conn.execute(
        select(
            PersonInsight.person_id,
            PersonInsight.manager_id,
            PersonInsight.line_source,
            PersonInsight.line_confidence,
            PersonInsight.seniority,
            PersonInsight.account_id,
        ).where(PersonInsight.person_id.in_(people))
    ):
        source = recorded or "crm"
        lines[person] = (
            manager,
            source,
            1.0 if source in ("crm", "confirmed") else float(sure or 0.05),
        )
        levels[person] = (level or "", account)
    missing = [p for p in people if p not in lines]
    if missing:  # people outside every chart read so far: the line as recorded
        confirmed = _as_dict(
            conn,
            select(PersonAssessment.person_id, PersonAssessment.manager_id).where(
                PersonAssessment.person_id.in_(missing),
                PersonAssessment.manager_id.is_not(None),
            ),
        )
        crm = _as_dict(conn, select(Person.id, Person.reports_to_id).where(Person.id.in_(missing)))
        for person in missing:
            lines[person] = (
                (confirmed[person], "confirmed", 1.0)
                if confirmed.get(person)
                else (crm.get(person), "crm", 1.0)
            )
    return lines, levels


def _line_between(lines: dict[int, _Line], a: int, b: int) -> list[Evidence]:
    """One of the two reports to the other."""
    for (manager, source, sure), other in ((lines[a], b), (lines[b], a)):
        if manager == other:
            detail = {
                "crm": None,
                "confirmed": "confirmed by our team",
                "inferred": f"inferred by Crestline, {sure:.0%} sure",
            }.get(source)
            return [Evidence("manager", confidence=max(0.05, min(sure, 1.0)), detail=detail)]
    return []


def _peers(
    conn: Connection,
    pairs: Iterable[Pair],
    lines: dict[int, _Line],
    levels: dict[int, tuple[str, int]],
) -> dict[Pair, list[Evidence]]:
    """Pairs in one leadership team, as the graph links them: the same manager, both at
    director level or above, a team of at most ``MAX_TEAM`` leaders."""
    candidates = [
        (a, b, lines[a][0], levels[a][1])
        for a, b in pairs
        if lines[a][0] is not None
        and lines[a][0] == lines[b][0]
        and all(levels.get(p, ("", 0))[0] in LEADERSHIP for p in (a, b))
    ]
    if not candidates:
        return {}
    managers = sorted({c[2] for c in candidates if c[2] is not None})
    accounts = sorted({c[3] for c in candidates})
    teams = {
        (account, manager): count
        for account, manager, count in conn.execute(
            select(PersonInsight.account_id, PersonInsight.manager_id, func.count())
            .where(
                PersonInsight.account_id.in_(accounts),  # a chart is an account's (indexed)
                PersonInsight.manager_id.in_(managers),
                PersonInsight.seniority.in_(LEADERSHIP),
            )
            .group_by(PersonInsight.account_id, PersonInsight.manager_id)
        )
    }
    bosses = _as_dict(conn, select(Person.id, Person.full_name).where(Person.id.in_(managers)))
    return {
        (a, b): [Evidence("peer", detail=f"both report to {bosses.get(manager)}")]
        for a, b, manager, account in candidates
        if teams.get((account, manager), 0) <= MAX_TEAM
    }


_Job = tuple[Any, ...]  # person, account, company in lower case, company, started, ended


def _jobs(conn: Connection, people: Sequence[int]) -> dict[int, list[_Job]]:
    out: dict[int, list[_Job]] = defaultdict(list)
    for job in conn.execute(
        select(
            PastEmployment.person_id,
            PastEmployment.account_id,
            func.lower(PastEmployment.company_name),
            PastEmployment.company_name,
            PastEmployment.started_on,
            PastEmployment.ended_on,
        )
        .where(PastEmployment.person_id.in_(people))
        .order_by(PastEmployment.id)
    ):
        out[job[0]].append(tuple(job))
    return out


def _alumni(mine: list[_Job], theirs: list[_Job]) -> list[Evidence]:
    """A former employer in common, with the time they were both there (the longest)."""
    best: tuple[int, Evidence] | None = None
    for x in mine:
        for y in theirs:
            if _employer(x) != _employer(y):
                continue
            if None in (x[4], x[5], y[4], y[5]):
                days, since, until = MIN_OVERLAP_DAYS, None, None
            else:
                since, until = max(x[4], y[4]), min(x[5], y[5])
                days = (until - since).days
            if days < MIN_OVERLAP_DAYS:
                continue
            years = f", {since.year}–{until.year}" if since and until else ""
            evidence = Evidence("alumni", detail=f"{x[3]}{years}")
            if best is None or days > best[0]:
                best = (days, evidence)
    return [best[1]] if best else []


def _employer(job: Sequence[Any]) -> tuple[str, object]:
    """Who a past employment was at, as the graph pairs former colleagues: the account, else
    the company's name in lower case."""
    return ("account", job[1]) if job[1] is not None else ("name", str(job[2] or "").strip())


def _as_dict(conn: Connection, stmt: Select[Any, Any]) -> dict[Any, Any]:
    return dict(conn.execute(stmt).all())


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value if isinstance(value, dt.date) else None
