"""The relationship graph of everyone we know, built from the database, and its evidence.

Nodes are the people at accounts (node = person id) and our sellers (node = offset + seller id).
Edges come from every source, each piece weighed by ``engines/relationships.py``'s model and the
pieces of one pair combined:

- connections (LinkedIn and others imported), seller ↔ person and person ↔ person;
- meetings, calls, emails and events: our seller and each person who took part, by kind, with
  how often and how recently;
- contact roles: the opportunity's owner and each person with a role on it;
- reporting lines the CRM holds or a user confirmed: manager ↔ report.

The graph keeps only strengths; the evidence of a hop is read back when a path is explained.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from sqlalchemy import Connection, func, select

from crestline.db.models import (
    Activity,
    ActivityPerson,
    ContactRole,
    Opportunity,
    Person,
    PersonAssessment,
    Seller,
)
from crestline.db.models import (
    Connection as Link,
)
from crestline.engines.csr_paths import CsrGraph
from crestline.engines.relationships import (
    ONCE,
    Evidence,
    StrengthModel,
    combine,
    describe,
    piece_array,
)

KINDS = ("meeting", "call", "email", "event")
CONNECTION_SOURCES = {"colleague": "peer"}  # a connection source → the model's source


@dataclass
class RelationshipGraph:
    graph: CsrGraph
    offset: int  # seller nodes start here
    as_of: dt.date
    model: StrengthModel

    def seller_node(self, seller_id: int) -> int:
        return self.offset + seller_id

    def who(self, node: int) -> tuple[str, int]:
        return ("seller", node - self.offset) if node >= self.offset else ("person", node)


def _int_columns(conn: Connection, stmt: Any, chunk: int = 500_000) -> list[np.ndarray]:
    """Integer columns of a large result as arrays, read in chunks (no list of rows in between)."""
    parts: list[np.ndarray] = []
    width = len(stmt.selected_columns)
    result = conn.execution_options(stream_results=True).execute(stmt)
    for rows in result.partitions(chunk):
        flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows) * width)
        parts.append(flat.reshape(-1, width))
    table = np.concatenate(parts) if parts else np.zeros((0, width), dtype=np.int64)
    return [table[:, i] for i in range(width)]


def _days(as_of: dt.date, values: Iterable[object]) -> np.ndarray:
    out = []
    for v in values:
        if v is None:
            out.append(np.nan)
            continue
        day = v.date() if isinstance(v, dt.datetime) else v
        if isinstance(day, str):
            day = dt.date.fromisoformat(day[:10])
        assert isinstance(day, dt.date)
        out.append(float((as_of - day).days))
    return np.asarray(out, dtype=np.float64)


def build_graph(
    conn: Connection, *, as_of: dt.date, model: StrengthModel | None = None
) -> RelationshipGraph:
    """Everyone's relationships as one graph (see the module's documentation)."""
    model = model or StrengthModel()
    top_person = conn.execute(select(func.max(Person.id))).scalar() or 0
    top_seller = conn.execute(select(func.max(Seller.id))).scalar() or 0
    offset = top_person + 1
    a: list[np.ndarray] = []
    b: list[np.ndarray] = []
    p: list[np.ndarray] = []

    def add(left: list[int], right: list[int], pieces: np.ndarray) -> None:
        a.append(np.asarray(left, dtype=np.int64))
        b.append(np.asarray(right, dtype=np.int64))
        p.append(pieces)

    origin = func.coalesce(Link.seller_id + offset, Link.from_person_id)
    for source in conn.execute(select(Link.source).distinct()).scalars():
        kind = CONNECTION_SOURCES.get(source, source)
        where = (Link.source == source, origin.is_not(None))
        ids = _int_columns(
            conn, select(origin, Link.person_id, func.coalesce(Link.count, 1)).where(*where)
        )
        ages = None
        if kind not in ONCE:  # a dated kind: how long ago, row by row (these sources are small)
            ages = _days(as_of, conn.execute(select(Link.last_seen).where(*where)).scalars())
        pieces = piece_array(model, kind, age_days=ages, counts=ids[2], size=len(ids[0]))
        a.append(ids[0])
        b.append(ids[1])
        p.append(pieces)
    until = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    for kind in KINDS:
        touches = conn.execute(
            select(
                Activity.seller_id,
                ActivityPerson.person_id,
                func.count(),
                func.max(Activity.occurred_at),
            )
            .join(ActivityPerson, ActivityPerson.activity_id == Activity.id)
            .where(
                Activity.kind == kind,
                Activity.seller_id.is_not(None),
                Activity.occurred_at < until,
            )
            .group_by(Activity.seller_id, ActivityPerson.person_id)
        ).all()
        touches = [t for t in touches if t[0] is not None]
        if touches:
            pieces = piece_array(
                model,
                kind,
                age_days=_days(as_of, [t[3] for t in touches]),
                counts=np.asarray([t[2] for t in touches], dtype=np.int64),
            )
            add([offset + (t[0] or 0) for t in touches], [t[1] for t in touches], pieces)
    roles = conn.execute(
        select(Opportunity.owner_id, ContactRole.person_id)
        .join(Opportunity, Opportunity.id == ContactRole.opportunity_id)
        .where(Opportunity.owner_id.is_not(None))
        .group_by(Opportunity.owner_id, ContactRole.person_id)
    ).all()
    roles = [r for r in roles if r[0] is not None]
    if roles:
        add(
            [offset + (r[0] or 0) for r in roles],
            [r[1] for r in roles],
            piece_array(model, "crm_role", size=len(roles)),
        )
    lines: dict[int, int] = {}
    for query in (
        select(Person.id, Person.reports_to_id),
        select(PersonAssessment.person_id, PersonAssessment.manager_id),
    ):
        lines.update((pid, man) for pid, man in conn.execute(query) if man is not None)
    if lines:
        add(list(lines), list(lines.values()), piece_array(model, "manager", size=len(lines)))
    if a:
        lo, hi, strength = combine(np.concatenate(a), np.concatenate(b), np.concatenate(p), model)
    else:
        lo = hi = np.zeros(0, dtype=np.int64)
        strength = np.zeros(0)
    graph = CsrGraph.from_edges(offset + top_seller + 1, lo, hi, strength)
    return RelationshipGraph(graph, offset, as_of, model)


def hop_evidence(conn: Connection, rg: RelationshipGraph, left: int, right: int) -> list[Evidence]:
    """How two nodes of the graph know each other, piece by piece (for explaining a hop)."""
    (kind_l, id_l), (kind_r, id_r) = rg.who(left), rg.who(right)
    if kind_l == "seller" and kind_r == "seller":
        return []
    if kind_r == "seller":
        (kind_l, id_l), (kind_r, id_r) = (kind_r, id_r), (kind_l, id_l)
    out: list[Evidence] = []
    if kind_l == "seller":
        links = select(Link.source, Link.first_seen, Link.last_seen, Link.count).where(
            Link.seller_id == id_l, Link.person_id == id_r
        )
    else:
        links = select(Link.source, Link.first_seen, Link.last_seen, Link.count).where(
            ((Link.from_person_id == id_l) & (Link.person_id == id_r))
            | ((Link.from_person_id == id_r) & (Link.person_id == id_l))
        )
    for source, first, last, count in conn.execute(links):
        out.append(Evidence(CONNECTION_SOURCES.get(source, source), first, last, count or 1))
    if kind_l == "seller":
        until = dt.datetime.combine(rg.as_of + dt.timedelta(days=1), dt.time())
        for kind, count, first, last in conn.execute(
            select(
                Activity.kind,
                func.count(),
                func.min(Activity.occurred_at),
                func.max(Activity.occurred_at),
            )
            .join(ActivityPerson, ActivityPerson.activity_id == Activity.id)
            .where(
                Activity.seller_id == id_l,
                ActivityPerson.person_id == id_r,
                Activity.occurred_at < until,
            )
            .group_by(Activity.kind)
        ):
            out.append(Evidence(kind, _as_date(first), _as_date(last), count))
        deals = conn.execute(
            select(func.count())
            .select_from(ContactRole)
            .join(Opportunity, Opportunity.id == ContactRole.opportunity_id)
            .where(Opportunity.owner_id == id_l, ContactRole.person_id == id_r)
        ).scalar()
        if deals:
            out.append(Evidence("crm_role", count=int(deals)))
    else:
        managers = conn.execute(
            select(Person.id, Person.reports_to_id).where(Person.id.in_([id_l, id_r]))
        ).all()
        if any({pid, man} == {id_l, id_r} for pid, man in managers):
            out.append(Evidence("manager"))
    return out


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value if isinstance(value, dt.date) else None


def explain(evidence: list[Evidence], as_of: dt.date) -> str:
    return "; ".join(describe(e, as_of) for e in evidence) or "known to each other"
