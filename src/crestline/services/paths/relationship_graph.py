"""The relationship graph of everyone we know, built from the database, and its evidence.

Nodes are the people at accounts (node = person id) and our sellers (node = offset + seller id).
Edges come from every source, each piece weighed by ``engines/relationships.py``'s model and the
pieces of one pair combined:

- connections (LinkedIn and others imported), seller ↔ person and person ↔ person;
- meetings, calls, emails and events: our seller and each person who took part, by kind, with
  how often and how recently;
- contact roles: the opportunity's owner and each person with a role on it;
- reporting lines, manager ↔ report: the one a user confirmed, else the CRM's, else the line
  Crestline inferred when it completed the org chart (weighed by its confidence);
- peers in a leadership team: people at director level and above with the same manager;
- former colleagues: people who worked at the same company at the same time (career data), each
  linked to the few whose time there overlapped longest.

Reading is built for millions of rows: every source comes straight from the driver's cursor into
NumPy arrays (dates as day numbers computed by the database), grouping is done on the arrays, and
the pieces of a pair are combined while SciPy compresses the edge list into sparse rows — no
Python object per row. The graph keeps only strengths; the evidence of a hop is read back when a
path is explained. :func:`update_graph` re-reads only the edges of the people whose data changed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import BigInteger, Connection, case, func, literal, or_, select

from crestline.db.arrays import (
    NULL,
    ApartReader,
    apart,
    day_number,
    day_of,
    in_chunks,
    read_in_chunks,
    read_ints,
)
from crestline.db.models import (
    Activity,
    ActivityPerson,
    ContactRole,
    Opportunity,
    PastEmployment,
    Person,
    PersonAssessment,
    PersonInsight,
    Seller,
)
from crestline.db.models import (
    Connection as Link,
)
from crestline.engines.csr_paths import CsrGraph, distinct, upper_misses
from crestline.engines.relationships import (
    ONCE,
    SOURCES,
    StrengthModel,
    piece_array,
)

KINDS = ("meeting", "call", "email", "event")
CONNECTION_SOURCES = {"colleague": "peer"}  # a connection source → the model's source
LEADERSHIP = ("board", "c_suite", "evp", "vp", "director")  # peers are linked at these levels
MAX_TEAM = 15  # a larger group under one manager is not one team: its peers are not linked
FORMER_COLLEAGUES = 3  # each person's former colleagues: the ones they overlapped with longest
MIN_OVERLAP_DAYS = 90
PAIRS_AT_ONCE = 2_000_000  # former colleagues are paired in batches of this many (memory)
_DAY_SHIFT = 2**41  # makes every day number (NULL's too) positive, to pack it beside a code

Ints = npt.NDArray[np.int64]
Compact = npt.NDArray[np.signedinteger[Any]]  # ids and codes held in as few bytes as they fit
Floats = npt.NDArray[np.float64]


@dataclass
class RelationshipGraph:
    graph: CsrGraph
    offset: int  # seller nodes start here
    as_of: dt.date
    model: StrengthModel
    sellers: int = 0  # the largest seller id when read
    stats: dict[str, int] = field(default_factory=dict)  # pieces read, by source
    seconds: dict[str, float] = field(default_factory=dict)  # time taken, by step

    def seller_node(self, seller_id: int) -> int:
        return self.offset + seller_id

    def who(self, node: int) -> tuple[str, int]:
        return ("seller", node - self.offset) if node >= self.offset else ("person", node)


@dataclass
class _Pieces:
    """A reading of the database (only the edges of ``persons`` when given) and the pieces of
    evidence it found, as parallel arrays: node a, node b, the piece's strength."""

    conn: Connection
    model: StrengthModel
    as_of: dt.date
    offset: int
    persons: Ints | None = None
    a: list[npt.NDArray[np.int32]] = field(default_factory=list)
    b: list[npt.NDArray[np.int32]] = field(default_factory=list)
    p: list[npt.NDArray[np.float32]] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # reading time, by reader
    touch_rows: Future[tuple[Compact, Compact, Compact, Compact, Compact]] | None = (
        None  # read meanwhile
    )

    def add(self, source: str, a: Ints, b: Ints, pieces: Floats) -> None:
        self.a.append(a.astype(np.int32))  # compact: node ids fit, pieces need no more
        self.b.append(b.astype(np.int32))
        self.p.append(pieces.astype(np.float32))
        self.stats[source] = self.stats.get(source, 0) + len(a)

    def arrays(
        self,
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.float32]]:
        """All pieces in three arrays; the parts are let go one column at a time (memory)."""
        a = np.concatenate(self.a) if self.a else np.zeros(0, np.int32)
        self.a.clear()
        b = np.concatenate(self.b) if self.b else np.zeros(0, np.int32)
        self.b.clear()
        p = np.concatenate(self.p) if self.p else np.zeros(0, np.float32)
        self.p.clear()
        return a, b, p


def _ages(as_of: dt.date, days: Ints) -> Floats:
    """Day numbers as days before ``as_of`` (NaN where there is no date)."""
    ages = (day_of(as_of) - days).astype(np.float64)
    ages[days <= NULL] = np.nan
    return ages


def _groups(keys: Ints) -> tuple[Ints, Ints]:
    """For keys sorted: where each run of equal keys starts, and its length."""
    start = np.ones(len(keys), dtype=bool)
    start[1:] = keys[1:] != keys[:-1]
    at = np.flatnonzero(start)
    return at, np.diff(np.append(at, len(keys)))


def _connections(out: _Pieces) -> None:
    """Imported connections, every source in one pass. One column says both the source (its
    code, in the low four bits) and, for the kinds that count it, the day of the last contact
    (above them): a simple CASE that LinkedIn rows — most of them — leave at the first test,
    so the database parses dates only where they matter."""
    conn, model, as_of, offset, persons = out.conn, out.model, out.as_of, out.offset, out.persons
    kinds = ["linkedin", *sorted({*SOURCES, *CONNECTION_SOURCES} - {"linkedin"})]
    dated = {k for k in kinds if CONNECTION_SOURCES.get(k, k) not in ONCE}
    day = day_number(conn, Link.last_seen) + literal(_DAY_SHIFT, BigInteger)
    code = case(
        {k: (i + day * 16) if k in dated else i for i, k in enumerate(kinds)},
        value=Link.source,
        else_=-1,  # a source of no known kind is not read
    )
    origin = func.coalesce(Link.seller_id + offset, Link.from_person_id, -1)
    columns = (origin, Link.person_id, func.coalesce(Link.count, 1), code)
    if persons is None:
        left, right, counts, packed = read_ints(conn, select(*columns))
    else:  # a connection between two changed people of different chunks is read by both: once
        parts = [
            read_ints(
                conn,
                select(Link.id, *columns).where(
                    or_(Link.person_id.in_(chunk), Link.from_person_id.in_(chunk))
                ),
            )
            for chunk in in_chunks(persons)
            if chunk is not None
        ]
        ids = np.concatenate([part[0] for part in parts])
        _, once = np.unique(ids, return_index=True)
        left, right, counts, packed = (
            np.concatenate([part[i] for part in parts])[once] for i in range(1, 5)
        )
        del parts, ids, once
    source = np.where(packed >= 0, packed & 15, -1)
    for i, name in enumerate(kinds):
        at = (source == i) & (left >= 0)
        if not at.any():
            continue
        kind = CONNECTION_SOURCES.get(name, name)
        ages = _ages(as_of, (packed[at] >> 4) - _DAY_SHIFT) if name in dated else None
        pieces = piece_array(model, kind, age_days=ages, counts=counts[at])
        out.add(kind, left[at], right[at], pieces)


def _touches(out: _Pieces) -> None:
    """Meetings, calls, emails and events: one piece per (kind, seller, person), from how often
    and how recently — grouped on arrays, not by the database."""
    model, as_of, offset = out.model, out.as_of, out.offset
    if out.touch_rows is not None:  # read by another thread while the others were read
        activity, person, seller_of, kind_of, day_at = out.touch_rows.result()
    else:
        activity, person, seller_of, kind_of, day_at = _touch_rows(out.conn, as_of, out.persons)
    known = activity < len(seller_of)
    activity, person = activity[known], person[known]
    who = seller_of[activity]
    mine = who >= 0
    activity, person, who = activity[mine], person[mine], who[mine]
    sellers_width = int(seller_of.max(initial=0)) + 1
    width = int(person.max(initial=0)) + 1
    key = (kind_of[activity].astype(np.int64) * sellers_width + who) * width + person
    keys, counts, last = _count_and_latest(key, day_at[activity].astype(np.int64))
    del activity, person, who, key
    pair, person = np.divmod(keys, width)
    kinds, sellers = np.divmod(pair, sellers_width)
    ages = _ages(as_of, last)
    for i, name in enumerate(KINDS):
        at = kinds == i
        if at.any():
            pieces = piece_array(model, name, age_days=ages[at], counts=counts[at])
            out.add(name, sellers[at] + offset, person[at], pieces)


def _touch_rows(
    conn: Connection | ApartReader, as_of: dt.date, persons: Ints | None
) -> tuple[Compact, Compact, Compact, Compact, Compact]:
    """Who took part in which activity (of ``persons`` when given), and per activity id its
    seller, kind and day (:func:`_activities`)."""
    activity, person = (
        column.astype(np.int32)  # compact while the rest is read (ids fit)
        for column in read_in_chunks(
            conn,
            select(ActivityPerson.activity_id, ActivityPerson.person_id),
            ActivityPerson.person_id,
            persons,
        )
    )
    seller_of, kind_of, day_at = _activities(
        conn, as_of, None if persons is None else distinct(activity.astype(np.int64))
    )
    return activity, person, seller_of, kind_of, day_at


def _activities(
    conn: Connection | ApartReader, as_of: dt.date, ids: Ints | None
) -> tuple[Compact, Compact, Compact]:
    """Per activity id (all, or ``ids``): its seller (−1: none, or not a meeting, call, email or
    event, or later than ``as_of``), its kind's index in KINDS and its day number."""
    code = case({k: i for i, k in enumerate(KINDS)}, value=Activity.kind, else_=-1)  # simple CASE:
    # one value read, then compared (cheaper than a test per kind)
    columns = (Activity.id, Activity.seller_id, code, day_number(conn, Activity.occurred_at))
    found, seller, kind, day = read_in_chunks(  # kind and date filtered here: cheaper
        conn, select(*columns).where(Activity.seller_id.is_not(None)), Activity.id, ids
    )
    wanted = (kind >= 0) & (day <= day_of(as_of))
    found, seller, kind, day = found[wanted], seller[wanted], kind[wanted], day[wanted]
    size = int(found.max(initial=-1)) + 1
    seller_of = np.full(size, -1, dtype=np.int32)  # compact: an entry per activity id
    seller_of[found] = seller
    kind_of = np.zeros(size, dtype=np.int8)
    kind_of[found] = kind
    day_at = np.zeros(size, dtype=np.int32)
    day_at[found] = day
    return seller_of, kind_of, day_at


def _count_and_latest(key: Ints, day: Ints) -> tuple[Ints, Ints, Ints]:
    """Per distinct key: the key, how many rows, and the latest day. The day rides in the low
    bits of the sort key when it fits (one sort of plain integers, no argsort)."""
    if not len(key):
        return key, key, key
    low = int(day.min())
    span = int(day.max()) - low + 1
    bits = max(1, span.bit_length())
    if int(key.max()).bit_length() + bits <= 62:
        packed = np.sort((key << bits) | (day - low))
        keys = packed >> bits
        at, counts = _groups(keys)
        ends = at + counts - 1
        return keys[at], counts, (packed[ends] & ((1 << bits) - 1)) + low
    order = np.lexsort((day, key))
    keys, days = key[order], day[order]
    at, counts = _groups(keys)
    return keys[at], counts, days[at + counts - 1]


def _roles(out: _Pieces) -> None:
    """Contact roles: the opportunity's owner and each person with a role on it (once a pair)."""
    conn, model, offset, persons = out.conn, out.model, out.offset, out.persons
    owner, person = read_in_chunks(
        conn,
        select(Opportunity.owner_id, ContactRole.person_id)
        .join(Opportunity, Opportunity.id == ContactRole.opportunity_id)
        .where(Opportunity.owner_id.is_not(None)),
        ContactRole.person_id,
        persons,
    )
    width = int(person.max(initial=0)) + 1
    owner, person = np.divmod(distinct(owner * width + person), width)
    out.add("crm_role", owner + offset, person, piece_array(model, "crm_role", size=len(owner)))


def _touching(persons: Ints | None, *columns: Ints) -> npt.NDArray[np.bool_]:
    """Which rows have one of ``persons`` in any of ``columns`` (all rows without a filter)."""
    if persons is None:
        return np.ones(len(columns[0]), dtype=bool)
    hit = np.zeros(len(columns[0]), dtype=bool)
    for column in columns:
        hit |= np.isin(column, persons)
    return hit


LINE_SOURCES = ("crm", "confirmed", "inferred")


def _lines(conn: Connection, accounts: Ints | None = None) -> tuple[Ints, Ints, Floats, Ints]:
    """Every effective reporting line (of the org charts of ``accounts`` when given): person,
    manager, how sure (1 when known), and whether the person sits in a leadership team (for
    peers). The org chart's line where Crestline completed it (confirmed, else the CRM's, else
    inferred); the CRM's for anyone else."""
    level = case(dict.fromkeys(LEADERSHIP, 1), value=PersonInsight.seniority, else_=0)
    source = case(
        {s: i for i, s in enumerate(LINE_SOURCES)}, value=PersonInsight.line_source, else_=2
    )
    person, manager, how, sure, leader = read_in_chunks(
        conn,
        select(
            PersonInsight.person_id,
            PersonInsight.manager_id,
            source,
            func.coalesce(func.round(PersonInsight.line_confidence * 1000), 0),
            level,
        ).where(PersonInsight.manager_id.is_not(None)),
        PersonInsight.account_id,
        accounts,
    )
    confidence = np.where(how < 2, 1.0, np.clip(sure / 1000.0, 0.05, 1.0))
    crm_person = crm_manager = np.zeros(0, dtype=np.int64)
    people = conn.execute(select(func.count()).select_from(Person)).scalar_one()
    if people > conn.execute(select(func.count()).select_from(PersonInsight)).scalar_one():
        crm_person, crm_manager = _lines_outside_charts(conn)
    return (
        np.concatenate([person, crm_person]),
        np.concatenate([manager, crm_manager]),
        np.concatenate([confidence, np.ones(len(crm_person))]),
        np.concatenate([leader, np.zeros(len(crm_person), dtype=np.int64)]),
    )


def _lines_outside_charts(conn: Connection) -> tuple[Ints, Ints]:
    """The lines of people no org chart holds (no account): confirmed, else the CRM's."""
    outside = ~select(PersonInsight.person_id).where(PersonInsight.person_id == Person.id).exists()
    crm_person, crm_manager = read_ints(
        conn,
        select(
            Person.id,
            func.coalesce(
                select(PersonAssessment.manager_id)
                .where(PersonAssessment.person_id == Person.id)
                .scalar_subquery(),
                Person.reports_to_id,
            ),
        ).where(
            outside,
            or_(
                Person.reports_to_id.is_not(None),
                Person.id.in_(
                    select(PersonAssessment.person_id).where(
                        PersonAssessment.manager_id.is_not(None)
                    )
                ),
            ),
        ),
    )
    return crm_person, crm_manager


def _chart(out: _Pieces) -> None:
    """Reporting lines (weighed by how sure the line is) and peers in leadership teams."""
    conn, model, persons = out.conn, out.model, out.persons
    accounts = None  # an update: lines and peers stay within a chart, an account's
    if persons is not None:
        (accounts,) = read_in_chunks(
            conn,
            select(PersonInsight.account_id).distinct(),
            PersonInsight.person_id,
            persons,
        )
        accounts = distinct(accounts)
    person, manager, confidence, leader = _lines(conn, accounts)
    keep = _touching(persons, person, manager) & (manager >= 0)
    pieces = piece_array(model, "manager", size=int(keep.sum())) * confidence[keep]
    out.add("manager", person[keep], manager[keep], pieces)
    team = leader == 1
    a, b = _pairs_within(manager[team], person[team], MAX_TEAM)
    keep = _touching(persons, a, b)
    out.add("peer", a[keep], b[keep], piece_array(model, "peer", size=int(keep.sum())))


def _pairs_within(group: Ints, member: Ints, largest: int) -> tuple[Ints, Ints]:
    """Every pair of members of the same group, for groups of 2 to ``largest`` members."""
    order = np.argsort(group, kind="stable")
    group, member = group[order], member[order]
    at, sizes = _groups(group)
    left: list[Ints] = []
    right: list[Ints] = []
    for size in range(2, largest + 1):
        starts = at[sizes == size]
        if not len(starts):
            continue
        i, j = np.triu_indices(size, 1)
        left.append(member[(starts[:, None] + i[None, :]).ravel()])
        right.append(member[(starts[:, None] + j[None, :]).ravel()])
    if not left:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(left), np.concatenate(right)


def _former_colleagues(out: _Pieces) -> None:
    """People who worked at the same company at the same time (at least ``MIN_OVERLAP_DAYS``):
    each linked to the ``FORMER_COLLEAGUES`` whose time there overlapped longest."""
    conn, model, persons = out.conn, out.model, out.persons
    ids, person, account, start, end = read_ints(
        conn,
        select(
            PastEmployment.id,
            PastEmployment.person_id,
            func.coalesce(PastEmployment.account_id, -1),
            day_number(conn, PastEmployment.started_on),
            day_number(conn, PastEmployment.ended_on),
        ).order_by(PastEmployment.id),
    )
    if not len(person):
        return
    employer = account.copy()
    unnamed = np.flatnonzero(account < 0)
    if len(unnamed):  # no account: the company's name, in lower case, is the employer
        names: dict[int, str] = {
            int(i): str(name)
            for i, name in conn.execute(
                select(PastEmployment.id, func.lower(PastEmployment.company_name)).where(
                    PastEmployment.account_id.is_(None)
                )
            )
        }
        codes: dict[str, int] = {}
        for row in unnamed.tolist():
            name = names.get(int(ids[row]), "").strip()
            employer[row] = -1 - codes.setdefault(name, len(codes))
    known = (start != NULL) & (end != NULL)
    order = np.argsort(employer, kind="stable")
    at, sizes = _groups(employer[order])
    later = np.repeat(at + sizes, sizes) - np.arange(len(order)) - 1  # partners after each
    kept: list[tuple[Ints, Ints, Ints]] = []
    bounds = np.searchsorted(np.cumsum(later), np.arange(PAIRS_AT_ONCE, later.sum(), PAIRS_AT_ONCE))
    for lo_row, hi_row in itertools.pairwise([0, *bounds.tolist(), len(order)]):
        counts = later[lo_row:hi_row]
        left = np.repeat(np.arange(lo_row, hi_row), counts)
        right = left + 1 + np.arange(len(left)) - np.repeat(np.cumsum(counts) - counts, counts)
        ri, rj = order[left], order[right]
        del left, right
        both = np.minimum(end[ri], end[rj]) - np.maximum(start[ri], start[rj])
        both = np.where(known[ri] & known[rj], both, MIN_OVERLAP_DAYS)  # no dates: the least
        ok = (both >= MIN_OVERLAP_DAYS) & (person[ri] != person[rj])
        pi, pj, days = person[ri][ok], person[rj][ok], both[ok]
        kept.append(
            _longest(
                np.concatenate([pi, pj]), np.concatenate([pj, pi]), np.concatenate([days, days])
            )
        )
    if not kept:
        return
    # each person keeps the longest overlaps; a pair is kept when either side keeps it
    who, other, _ = _longest(*(np.concatenate(part) for part in zip(*kept, strict=True)))
    chosen = np.ones(len(who), dtype=bool)
    lo = np.minimum(who[chosen], other[chosen])
    hi = np.maximum(who[chosen], other[chosen])
    width = int(hi.max(initial=0)) + 1
    lo, hi = np.divmod(distinct(lo * width + hi), width)
    keep = _touching(persons, lo, hi)
    out.add("alumni", lo[keep], hi[keep], piece_array(model, "alumni", size=int(keep.sum())))


def _longest(who: Ints, other: Ints, days: Ints) -> tuple[Ints, Ints, Ints]:
    """Per person (``who``), the ``FORMER_COLLEAGUES`` others with the most ``days`` together.

    The three columns ride in one integer when they fit (a sort of plain integers is several
    times faster than sorting rows by three keys)."""
    if not len(who):
        return who, other, days
    ids = max(int(who.max()), int(other.max())).bit_length()
    span = 1 << 16
    days = np.minimum(days, span - 1)
    if 2 * ids + 16 <= 62:
        packed = np.sort((who << (ids + 16)) | ((span - 1 - days) << ids) | other)
        who = packed >> (ids + 16)
        days = span - 1 - ((packed >> ids) & (span - 1))
        other = packed & ((1 << ids) - 1)
    else:
        order = np.lexsort((other, -days, who))
        who, other, days = who[order], other[order], days[order]
    at, sizes = _groups(who)
    first = np.arange(len(who)) - np.repeat(at, sizes) < FORMER_COLLEAGUES
    return who[first], other[first], days[first]


def read_pieces(
    conn: Connection,
    *,
    as_of: dt.date,
    model: StrengthModel,
    offset: int,
    persons: Ints | None = None,
) -> _Pieces:
    """Every piece of evidence (only those touching ``persons`` when given), as arrays."""
    out = _Pieces(conn, model, as_of, offset, persons)
    reader = apart(conn) if persons is None else None
    with ThreadPoolExecutor(1, thread_name_prefix="crestline-read") as pool:
        if reader is not None:  # the largest reads (meetings and their people) on the second
            # core, through a connection of their own, while this thread reads the rest
            out.touch_rows = pool.submit(_touch_rows, reader, as_of, None)
        for source in (_connections, _roles, _chart, _former_colleagues, _touches):
            started = time.perf_counter()
            source(out)
            out.seconds[source.__name__.strip("_")] = round(time.perf_counter() - started, 2)
    return out


def build_graph(
    conn: Connection, *, as_of: dt.date, model: StrengthModel | None = None
) -> RelationshipGraph:
    """Everyone's relationships as one graph (see the module's documentation)."""
    model = model or StrengthModel()
    top_person = conn.execute(select(func.max(Person.id))).scalar() or 0
    top_seller = conn.execute(select(func.max(Seller.id))).scalar() or 0
    offset = top_person + max(1_000, top_person // 10) + 1  # room for people imported later
    pieces = read_pieces(conn, as_of=as_of, model=model, offset=offset)
    started = time.perf_counter()
    upper = upper_misses(offset + top_seller + 1, *pieces.arrays())  # the pieces go here
    graph = CsrGraph.from_upper(upper, cap=model.cap)
    del upper
    pieces.seconds["combine"] = round(time.perf_counter() - started, 2)
    return RelationshipGraph(graph, offset, as_of, model, top_seller, pieces.stats, pieces.seconds)


def update_graph(
    conn: Connection, rg: RelationshipGraph, persons: Iterable[int]
) -> RelationshipGraph | None:
    """``rg`` with the edges of ``persons`` read again (their data changed); None when the graph
    cannot hold the change (a person or seller beyond its size): read it all again then."""
    changed = np.unique(np.fromiter(persons, dtype=np.int64))
    top_seller = conn.execute(select(func.max(Seller.id))).scalar() or 0
    if top_seller > rg.sellers or (len(changed) and int(changed[-1]) >= rg.offset):
        return None
    if not len(changed):
        return rg
    pieces = read_pieces(conn, as_of=rg.as_of, model=rg.model, offset=rg.offset, persons=changed)
    a, b, p = pieces.arrays()
    fresh = CsrGraph.from_pieces(rg.graph.nodes, a, b, p, cap=rg.model.cap)
    graph = rg.graph.replaced(changed, fresh)
    return RelationshipGraph(graph, rg.offset, rg.as_of, rg.model, rg.sellers, pieces.stats)
