"""Warm paths to an account's decision-makers: who of ours can reach them, through whom, and why;
and pairs of our executives with theirs for executive-sponsor programmes.

Targets are one person (``to``) or the most powerful people of the account's power map; sources
are every active seller, one seller, or our executives only. Each path is explained hop by hop:
who, how they know each other (the evidence in words), since when, last contact.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from crestline.db.models import Account, Event, EventAttendee, Person, Seller
from crestline.engines.csr_paths import best_paths
from crestline.engines.orgchart import PARENT_FUNCTIONS, RANK
from crestline.engines.paths import MAX_HOPS, K, Path
from crestline.errors import AmbiguousError, BadInputError, NotFoundError
from crestline.services.auth.auth import Actor
from crestline.services.auth.policy import visible_owner_ids
from crestline.services.decisions.decision_makers import decision_makers, resolve_person
from crestline.services.decisions.insights import resolve_as_of
from crestline.services.paths.hop_evidence import explain, hops_evidence
from crestline.services.paths.relationship_graph import RelationshipGraph, build_graph

EXECUTIVE_ROLES = ("ceo", "cro", "executive")
EXECUTIVE_LEVELS = ("board", "c_suite", "evp")
PEER_LEVEL_COST = 0.25  # per level our first person sits below an executive target
PEER_FUNCTION_COST = 0.15  # when their function differs from the executive target's
TOP_TARGETS = 5
EVENTS_PAST_DAYS = 365  # events shown beside the paths: any upcoming, past ones this recent
EVENTS_SHOWN = 5
ALTERNATIVES = (
    "no warm path: look for an event they attend where our people go, "
    "or write to them directly about their own priorities (targeted outreach)"
)


@dataclass(frozen=True)
class Hop:
    source: str  # name
    target: str
    via: str  # the strongest kind of tie on this hop
    strength: float
    evidence: str  # the pieces in words, the strongest first
    source_ref: tuple[str, int] = ("person", 0)  # ("seller" or "person", id)
    target_ref: tuple[str, int] = ("person", 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "to": self.target,
            "via": self.via,
            "strength": round(self.strength, 4),
            "evidence": self.evidence,
            "from_kind": self.source_ref[0],
            "from_id": self.source_ref[1],
            "to_kind": self.target_ref[0],
            "to_id": self.target_ref[1],
        }


@dataclass(frozen=True)
class WarmPath:
    strength: float
    hops: list[Hop]
    note: str | None = None  # e.g. a peer-level introduction, ranked ahead of stronger paths


@dataclass(frozen=True)
class OursAttending:
    id: int
    name: str
    title: str | None


@dataclass(frozen=True)
class SharedEvent:
    """An event a target attends where some of our people go too."""

    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date | None
    place: str | None
    upcoming: bool
    ours: tuple[OursAttending, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
            "place": self.place,
            "upcoming": self.upcoming,
            "ours": [{"id": o.id, "name": o.name, "title": o.title} for o in self.ours],
        }


@dataclass(frozen=True)
class TargetPaths:
    id: int
    name: str
    title: str | None
    seniority: str
    paths: list[WarmPath]
    events: tuple[SharedEvent, ...] = ()  # events they attend where ours go: a way in too

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": {
                "id": self.id,
                "name": self.name,
                "title": self.title,
                "seniority": self.seniority,
            },
            "paths": [
                {
                    "strength": round(p.strength, 4),
                    "hops": [h.as_dict() for h in p.hops],
                    **({"note": p.note} if p.note else {}),
                }
                for p in self.paths
            ],
            "events": [e.as_dict() for e in self.events],
        }


_ALIASES = threading.local()  # an alias costs a panel 2 ms to make: once per thread, not per
# call; not shared by threads (an alias fills its memos on first use, and two threads doing so at
# once were seen to compile a join wrongly)


def _attendee_aliases() -> tuple[Any, Any]:
    found = getattr(_ALIASES, "pair", None)
    if found is None:
        found = _ALIASES.pair = (
            aliased(EventAttendee, name="theirs"),
            aliased(EventAttendee, name="mine"),
        )
    return found


def shared_events(
    session: Session,
    targets: Sequence[int],
    ours: Select[Any],
    as_of: dt.date,
) -> dict[int, tuple[SharedEvent, ...]]:
    """For each target person, the events they attend where one of ``ours`` (a select of seller
    ids) attends too: upcoming ones first, soonest first, then past ones of the last year, latest
    first; five at most. One query for all targets."""
    if not targets:
        return {}
    theirs, mine = _attendee_aliases()
    rows = session.execute(
        select(
            theirs.person_id,
            Event.id,
            Event.name,
            Event.starts_on,
            Event.ends_on,
            Event.place,
            Seller.id,
            Seller.full_name,
            Seller.title,
        )
        .join(Event, Event.id == theirs.event_id)
        .join(mine, mine.event_id == Event.id)
        .join(Seller, Seller.id == mine.seller_id)
        .where(
            theirs.person_id.in_(sorted(set(targets))),
            Event.starts_on >= as_of - dt.timedelta(days=EVENTS_PAST_DAYS),
            Seller.id.in_(select(ours.subquery())),
        )
        .order_by(theirs.person_id, Event.starts_on, Event.id, Seller.full_name, Seller.id)
    ).all()
    described: dict[int, tuple[str, dt.date, dt.date | None, str | None]] = {}
    ours_at: dict[int, dict[int, OursAttending]] = {}
    attends: dict[int, dict[int, None]] = {}  # person → their events, earliest first
    for person, eid, name, starts, ends, place, sid, seller, title in rows:
        described[eid] = (name, starts, ends, place)
        ours_at.setdefault(eid, {}).setdefault(sid, OursAttending(sid, seller, title))
        if person is not None:  # always: the query asks for targets' rows
            attends.setdefault(person, {})[eid] = None
    events = {
        eid: SharedEvent(
            eid, name, starts, ends, place, (ends or starts) >= as_of, tuple(ours_at[eid].values())
        )
        for eid, (name, starts, ends, place) in described.items()
    }
    out = {}
    for person, ids in attends.items():
        theirs_all = [events[e] for e in ids]
        upcoming = [e for e in theirs_all if e.upcoming]
        recent = [e for e in reversed(theirs_all) if not e.upcoming]
        out[person] = tuple([*upcoming, *recent][:EVENTS_SHOWN])
    return out


def resolve_seller(session: Session, key: str) -> Seller:
    """One of ours by id, email or exact name (any case); ambiguity lists candidates."""
    key = key.strip()
    if key.isdigit():
        seller = session.get(Seller, int(key))
        if seller is not None:
            return seller
    found = list(
        session.scalars(
            select(Seller)
            .where(
                or_(
                    func.lower(Seller.full_name) == key.lower(),
                    func.lower(Seller.email) == key.lower(),
                )
            )
            .order_by(Seller.id)
            .limit(9)
        )
    )
    if not found:
        raise NotFoundError(f"no seller {key!r} (give an id, an email or a name)")
    if len(found) > 1:
        names = "; ".join(f"{s.id} {s.full_name} ({s.email or '-'})" for s in found)
        raise AmbiguousError(f"{key!r} names {len(found)} sellers: {names} — use an id")
    return found[0]


def warm_paths(
    session: Session,
    actor: Actor,
    account: str,
    *,
    to: str | None = None,
    from_seller: str | None = None,
    execs_only: bool = False,
    k: int = K,
    max_hops: int = MAX_HOPS,
    as_of: dt.date | None = None,
    graph: RelationshipGraph | None = None,
) -> list[TargetPaths]:
    """The best ``k`` paths, with different introducers, to each target at the account."""
    if k < 1 or not 1 <= max_hops <= 6:
        raise BadInputError("k must be at least 1 and max hops between 1 and 6")
    dm = decision_makers(session, actor, account, as_of=as_of, committees=False)
    if to is not None:
        here = [p.id for p in dm.people if to.strip().lower() in (p.name.lower(), str(p.id))]
        person_id = here[0] if len(here) == 1 else resolve_person(session, actor, to).id
        if person_id not in {p.id for p in dm.people}:
            raise BadInputError(f"{to!r} is not at {dm.account_name}")
        targets = [dm.person(person_id)]
    else:
        targets = dm.people[:TOP_TARGETS]
    conn = session.connection()
    rg = graph or build_graph(conn, as_of=resolve_as_of(conn, as_of))
    stmt = select(Seller.id).where(Seller.active.is_(True))
    if from_seller is not None:
        stmt = select(Seller.id).where(Seller.id == resolve_seller(session, from_seller).id)
    elif execs_only:
        stmt = stmt.where(Seller.role.in_(EXECUTIVE_ROLES))
    sellers = {
        rg.seller_node(i): (seniority or "", function or "")
        for i, seniority, function in session.execute(
            select(Seller.id, Seller.seniority, Seller.function).where(
                Seller.id.in_(select(stmt.subquery()))
            )
        )
    }
    sources = sorted(sellers)
    ours = np.zeros(rg.graph.nodes, dtype=bool)
    ours[rg.offset :] = True  # none of our people relays a path
    names = _Names(session, rg, actor)
    events = shared_events(session, [t.id for t in targets], stmt, rg.as_of)
    found = {
        t.id: best_paths(
            rg.graph,
            sources,
            t.id,
            k=k,
            max_hops=max_hops,
            ours=ours,
            source_cost=peer_costs(sellers, t.seniority, t.function),
        )
        if sources
        else []
        for t in targets
    }
    hops = _Hops(session, rg, names, [p for paths in found.values() for p in paths])
    out = []
    for t in targets:
        paths = [
            WarmPath(
                p.strength,
                hops.of(p),
                _peer_note(sellers[p.nodes[0]], t.seniority, t.function),
            )
            for p in found[t.id]
        ]
        out.append(TargetPaths(t.id, t.name, t.title, t.seniority, paths, events.get(t.id, ())))
    return out


def peer_costs(
    sellers: dict[int, tuple[str, str]], seniority: str, function: str
) -> dict[int, float]:
    """For an executive target, an extra cost on each of ours by how far from a peer they are:
    so our CFO introduces herself to their CFO before an account executive does."""
    if seniority not in EXECUTIVE_LEVELS:
        return {}
    target_rank = RANK[seniority]
    costs = {}
    for node, (level, fn) in sellers.items():
        gap = max(0, RANK.get(level, RANK["individual_contributor"]) - max(target_rank, 1))
        cost = PEER_LEVEL_COST * gap + (PEER_FUNCTION_COST if fn != function else 0.0)
        if cost:
            costs[node] = cost
    return costs


def _peer_note(seller: tuple[str, str], seniority: str, function: str) -> str | None:
    level, fn = seller
    if seniority not in EXECUTIVE_LEVELS or level not in EXECUTIVE_LEVELS:
        return None
    if fn == function:
        return "peer-level introduction: their counterpart among our executives"
    return "peer-level introduction: one of our executives"


def _pairs(nodes: tuple[int, ...]) -> list[tuple[int, int]]:
    return list(itertools.pairwise(nodes))


OUTSIDE = "someone at an account outside yours"
HIDDEN = ("outside", 0)  # a hop's end who is not shown


class _Names(dict[int, str]):
    """Names of the graph's nodes. A path may pass through people at accounts the actor does not
    see (another team's): they relay it, but their name, id and ties stay hidden — a manager who
    sees both accounts can arrange that introduction."""

    def __init__(self, session: Session, rg: RelationshipGraph, actor: Actor) -> None:
        super().__init__()
        self.session, self.rg = session, rg
        self.owners = visible_owner_ids(session, actor)
        self.hidden: set[int] = set()

    def __missing__(self, node: int) -> str:
        self.read([node])
        return self[node]

    def read(self, nodes: Iterable[int]) -> None:
        """Look up the names of ``nodes`` not known yet, all at once."""
        who = [self.rg.who(n) for n in nodes if n not in self]
        sellers = sorted({i for kind, i in who if kind == "seller"})
        people = sorted({i for kind, i in who if kind == "person"})
        if sellers:
            found = dict(
                self.session.execute(
                    select(Seller.id, Seller.full_name).where(Seller.id.in_(sellers))
                ).all()
            )
            for i in sellers:
                self[self.rg.seller_node(i)] = f"{found.get(i) or self.rg.seller_node(i)} (ours)"
        if people:
            rows = {
                i: (name, account, owner)
                for i, name, account, owner in self.session.execute(
                    select(Person.id, Person.full_name, Person.account_id, Account.owner_id)
                    .outerjoin(Account, Account.id == Person.account_id)
                    .where(Person.id.in_(people))
                )
            }
            for i in people:
                name, account, owner = rows.get(i, (str(i), None, None))
                if self.owners is not None and account is not None and owner not in self.owners:
                    self.hidden.add(i)
                    name = OUTSIDE
                self[i] = name

    def ref(self, node: int) -> tuple[str, int]:
        _ = self[node]  # looking the node up decides whether it is hidden
        return HIDDEN if node in self.hidden else self.rg.who(node)


class _Hops:
    """The hops of a set of paths, explained: their evidence and their ends' names read for all
    of them at once (a few queries a panel, not a few a hop)."""

    def __init__(
        self, session: Session, rg: RelationshipGraph, names: _Names, paths: Iterable[Path]
    ) -> None:
        self.rg, self.names = rg, names
        self.read(session, {pair for p in paths for pair in _pairs(p.nodes)})

    def read(self, session: Session, pairs: set[tuple[int, int]]) -> None:
        names = self.names
        names.read({node for pair in pairs for node in pair})
        self.evidence = hops_evidence(session.connection(), self.rg, pairs)

    def of(self, path: Path) -> list[Hop]:
        return [self.hop(a, b) for a, b in _pairs(path.nodes)]

    def hop(self, a: int, b: int) -> Hop:
        rg, names = self.rg, self.names
        evidence = sorted(self.evidence[a, b], key=lambda e: -rg.model.piece(e, rg.as_of))
        strength = rg.graph.strength(a, b) or 0.0
        source, target = names.ref(a), names.ref(b)
        hidden = HIDDEN in (source, target)
        return Hop(
            names[a],
            names[b],
            evidence[0].source if evidence else "unknown",
            strength,
            "known to each other (not shown: outside your accounts)"
            if hidden
            else explain(evidence, rg.as_of),
            source,
            target,
        )


# --- executive pairing -----------------------------------------------------------------------

THEIR_EXECUTIVES = ("board", "c_suite", "evp")
MAX_PAIRS = 8


@dataclass(frozen=True)
class ExecutivePair:
    ours_id: int
    ours: str
    ours_title: str | None
    theirs_id: int
    theirs: str
    theirs_title: str | None
    theirs_level: str
    match: str  # why these two: same function, related function, the chief executives …
    path: WarmPath | None
    events: tuple[SharedEvent, ...] = ()  # events both attend: a way to meet without a path

    def as_dict(self) -> dict[str, Any]:
        return {
            "ours": {"id": self.ours_id, "name": self.ours, "title": self.ours_title},
            "theirs": {
                "id": self.theirs_id,
                "name": self.theirs,
                "title": self.theirs_title,
                "seniority": self.theirs_level,
            },
            "match": self.match,
            "path": None
            if self.path is None
            else {
                "strength": round(self.path.strength, 4),
                "hops": [h.as_dict() for h in self.path.hops],
            },
            "events": [e.as_dict() for e in self.events],
        }


def _match(ours: Seller, function: str) -> tuple[int, str]:
    """How well one of our executives matches one of theirs: (score, reason)."""
    mine = ours.function or ""
    label = function.replace("_", " ")
    if mine == function:
        return 3, f"same function: {label}"
    if mine in PARENT_FUNCTIONS.get(function, ()) or function in PARENT_FUNCTIONS.get(mine, ()):
        return 2, f"related functions: {mine.replace('_', ' ')} and {label}"
    if ours.role == "ceo":
        return 1, "our chief executive"
    return 0, "no match of function"


def executive_pairs(
    session: Session,
    actor: Actor,
    account: str,
    *,
    as_of: dt.date | None = None,
    graph: RelationshipGraph | None = None,
) -> list[ExecutivePair]:
    """Pairs of our executives and theirs by level and function, each with its best path.

    Their executives (board, C-suite, EVPs) are taken strongest first, up to eight; each gets the
    executive of ours whose function is the same (then a related one; else our chief executive,
    who also pairs with their chief executive and board), ties broken by the warmer path.
    """
    dm = decision_makers(session, actor, account, as_of=as_of, committees=False)
    execs = list(
        session.scalars(
            select(Seller)
            .where(Seller.active.is_(True), Seller.role.in_(EXECUTIVE_ROLES))
            .order_by(Seller.id)
        )
    )
    if not execs:
        return []
    conn = session.connection()
    rg = graph or build_graph(conn, as_of=resolve_as_of(conn, as_of))
    ours = np.zeros(rg.graph.nodes, dtype=bool)
    ours[rg.offset :] = True
    names = _Names(session, rg, actor)
    theirs = [p for p in dm.people if p.seniority in THEIR_EXECUTIVES][:MAX_PAIRS]
    chosen = []
    for person in theirs:
        function = "general_management" if person.seniority == "board" else person.function
        matches = [(*_match(seller, function), seller) for seller in execs]
        top = max(score for score, _, _ in matches)
        options = []
        for score, why, seller in matches:
            if score < top:  # the match comes first: no path makes a weaker match win
                continue
            found = best_paths(rg.graph, [rg.seller_node(seller.id)], person.id, k=1, ours=ours)
            strength = found[0].strength if found else 0.0
            options.append((strength, -seller.id, seller, why, found))
        _, _, seller, why, found = max(options, key=lambda o: o[:2])
        chosen.append((person, seller, why, found[0] if found else None))
    hops = _Hops(session, rg, names, [path for *_, path in chosen if path is not None])
    out = [
        ExecutivePair(
            seller.id,
            seller.full_name,
            seller.title,
            person.id,
            person.name,
            person.title,
            person.seniority,
            why,
            None if path is None else WarmPath(path.strength, hops.of(path)),
        )
        for person, seller, why, path in chosen
    ]
    return _with_events(session, out, resolve_as_of(conn, as_of))


def _with_events(
    session: Session, pairs: list[ExecutivePair], as_of: dt.date
) -> list[ExecutivePair]:
    """Each pair with the events both of them attend (one query for all pairs)."""
    chosen = {p.ours_id for p in pairs}
    found = shared_events(
        session, [p.theirs_id for p in pairs], select(Seller.id).where(Seller.id.in_(chosen)), as_of
    )
    out = []
    for pair in pairs:
        both = tuple(
            dataclasses.replace(e, ours=tuple(o for o in e.ours if o.id == pair.ours_id))
            for e in found.get(pair.theirs_id, ())
            if any(o.id == pair.ours_id for o in e.ours)
        )
        out.append(dataclasses.replace(pair, events=both))
    return out
