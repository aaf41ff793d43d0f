"""The relationship graph kept in memory between requests (the web app), brought up to date when
the database changes.

Reading the whole graph costs seconds on a large database, a path query milliseconds: a
long-running process keeps one graph and, before answering, compares a cheap stamp of the
database (the largest ids and the latest writes of every table the graph is read from, each an
index look-up). When the stamp moved, it finds the people whose data changed since the graph was
read — rows added after the ids it saw, rows written after the time it read, and everyone tied to
the seller of a meeting or the owner of a deal rewritten since (an import replaces an activity's
attendees: whoever left it is no longer in the database to be found) — and re-reads only their
edges (:func:`~crestline.services.paths.relationship_graph.update_graph`). A change too large to
patch (over a quarter of the people, or a new seller beyond the graph's size), an import that was
still running when the graph was read (its rows carry write times, and on PostgreSQL ids, from
before the read), or a new day (recency is re-weighed), reads everything again.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, func, or_, select
from sqlalchemy.orm import Session

from crestline.db.arrays import Ints, read_in_chunks, read_ints
from crestline.db.models import (
    AccountInsight,
    Activity,
    ActivityPerson,
    ContactRole,
    ImportRun,
    Opportunity,
    PastEmployment,
    Person,
    PersonAssessment,
    PersonInsight,
    Seller,
)
from crestline.db.models import Connection as Link
from crestline.services.decisions.insights import resolve_as_of
from crestline.services.paths.graph_snapshot import GraphStore, stamp_key
from crestline.services.paths.relationship_graph import RelationshipGraph, build_graph, update_graph

Stamp = tuple[tuple[object, ...], ...]
MARGIN = dt.timedelta(seconds=5)  # rows written this close before a read are read again
LARGEST_UPDATE = 0.25  # of all people: a larger change reads everything again


_STAMPED = (  # each group is one row of the stamp
    (ImportRun.id, ImportRun.finished_at),
    (Link.id,),
    (Activity.id,),
    (ContactRole.id,),
    (Person.id,),
    (PastEmployment.id,),
    (Seller.id,),
    (PersonAssessment.updated_at,),
    (AccountInsight.computed_at,),
)
# one statement, built once (every page asks for the stamp): each maximum is its own subquery,
# answered from the column's index
_STAMP = select(*(select(func.max(c)).scalar_subquery() for columns in _STAMPED for c in columns))


def data_stamp(conn: Connection) -> Stamp:
    """What changes whenever anything the graph is read from changes."""
    values = iter(conn.execute(_STAMP).one())
    return tuple(tuple(next(values) for _ in columns) for columns in _STAMPED)


@dataclass(frozen=True)
class Marks:
    """Where the database stood when the graph was read: the largest ids, and the time."""

    at: dt.datetime
    connection: int
    activity: int
    role: int
    person: int
    employment: int

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "at": self.at.isoformat()}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Marks:
        return cls(**{**values, "at": dt.datetime.fromisoformat(values["at"])})

    @classmethod
    def now(cls, conn: Connection, margin: dt.timedelta = MARGIN) -> Marks:
        at = dt.datetime.now(dt.UTC).replace(tzinfo=None) - margin
        ids = [
            conn.execute(select(func.coalesce(func.max(column), 0))).scalar_one()
            for column in (Link.id, Activity.id, ContactRole.id, Person.id, PastEmployment.id)
        ]
        return cls(at, *ids)


def import_during(conn: Connection, since: Marks) -> bool:
    """Whether an import started before ``since`` and finished after it: its transaction was
    open when the graph was read, so its rows may be older than the marks say."""
    overlapping = (
        select(func.count())
        .select_from(ImportRun)
        .where(ImportRun.started_at < since.at, ImportRun.finished_at >= since.at)
    )
    return bool(conn.execute(overlapping).scalar_one())


def _partners(rg: RelationshipGraph, ours: Ints) -> Ints:
    """Everyone ``rg`` ties to these sellers (ids): whoever was taken off a meeting or deal of
    theirs that was rewritten is among them."""
    nodes = np.unique(ours[ours >= 0]) + rg.offset
    g = rg.graph
    near = [g.indices[g.indptr[n] : g.indptr[n + 1]] for n in nodes[nodes < g.nodes].tolist()]
    if not near:
        return np.zeros(0, dtype=np.int64)
    people = np.unique(np.concatenate(near)).astype(np.int64)
    return people[people < rg.offset]


def changed_people(conn: Connection, since: Marks, rg: RelationshipGraph | None = None) -> Ints:
    """The people whose edges may have changed since ``since``: in a connection, meeting or
    deal added or rewritten after it, written themselves, corrected, or in an org chart
    Crestline recomputed; with ``rg``, also everyone tied to the seller of a meeting, or the
    owner of a deal, rewritten since — an import replaces an activity's people, and whoever it
    took off is no longer in the database to be found. Each table is scanned once."""
    at = since.at
    activities, sellers = read_ints(
        conn,
        select(Activity.id, func.coalesce(Activity.seller_id, -1)).where(
            or_(Activity.id > since.activity, Activity.updated_at >= at)
        ),
    )
    roles, role_people, owners = read_ints(
        conn,
        select(ContactRole.id, ContactRole.person_id, func.coalesce(Opportunity.owner_id, -1))
        .join(Opportunity, Opportunity.id == ContactRole.opportunity_id)
        .where(
            or_(
                ContactRole.id > since.role,
                ContactRole.updated_at >= at,
                Opportunity.updated_at >= at,
            )
        ),
    )
    queries = (
        select(Link.person_id, func.coalesce(Link.from_person_id, -1)).where(
            Link.id > since.connection
        ),
        select(Person.id).where(or_(Person.id > since.person, Person.updated_at >= at)),
        select(PersonAssessment.person_id).where(PersonAssessment.updated_at >= at),
        select(PastEmployment.person_id).where(PastEmployment.id > since.employment),
        select(PersonInsight.person_id).where(  # the recomputed accounts first (few), then
            PersonInsight.account_id.in_(  # their people by the index
                select(AccountInsight.account_id).where(AccountInsight.computed_at >= at)
            )
        ),
    )
    found = [column for query in queries for column in read_ints(conn, query)]
    found += read_in_chunks(  # the meetings' people, by the index on activity ids
        conn, select(ActivityPerson.person_id), ActivityPerson.activity_id, activities
    )
    found.append(role_people)
    if rg is not None:
        rewritten = np.concatenate(
            [sellers[activities <= since.activity], owners[roles <= since.role]]
        )
        found.append(_partners(rg, rewritten))
    ids = np.unique(np.concatenate(found))
    return ids[ids >= 0]


class GraphCache:
    """One graph for a long-running process, safe to share between request threads; with a
    :class:`~crestline.services.paths.graph_snapshot.GraphStore`, shared with the other processes of
    the machine too (the web app's workers): one reads or updates it, every one maps it."""

    def __init__(
        self,
        build: Callable[..., RelationshipGraph] = build_graph,
        *,
        margin: dt.timedelta = MARGIN,
        store: GraphStore | None = None,
    ) -> None:
        self._build = build
        self._margin = margin
        self._store = store
        self._lock = threading.Lock()
        self._graph: RelationshipGraph | None = None
        self._stamp: Stamp | None = None
        self._marks: Marks | None = None
        self.builds = 0  # full reads so far
        self.updates = 0  # updates of some people's edges so far
        self.mapped = 0  # snapshots another process wrote, mapped instead of read
        self.last_seconds = 0.0  # how long the last read or update took

    def graph(self, conn: Connection, *, as_of: dt.date) -> RelationshipGraph:
        """The graph as of ``as_of``, brought up to date when the database changed."""
        stamp = data_stamp(conn)
        with self._lock:
            current = self._graph
            if current is not None and current.as_of == as_of and stamp == self._stamp:
                return current
            started = time.perf_counter()
            if self._store is None:
                fresh, marks = self._read(conn, as_of, current, self._marks)
            else:
                fresh, marks = self._shared(self._store, conn, as_of, stamp)
            self._graph, self._stamp, self._marks = fresh, stamp, marks
            self.last_seconds = time.perf_counter() - started
            return fresh

    def _read(
        self,
        conn: Connection,
        as_of: dt.date,
        base: RelationshipGraph | None,
        since: Marks | None,
    ) -> tuple[RelationshipGraph, Marks]:
        """The graph read again: only the changed people's edges when ``base`` (read at
        ``since``) can be brought up to date, else everything."""
        marks = Marks.now(conn, self._margin)
        fresh = None
        if (
            base is not None
            and base.as_of == as_of
            and since is not None
            and not import_during(conn, since)
        ):
            people = changed_people(conn, since, base)
            everyone = conn.execute(select(func.count()).select_from(Person)).scalar_one()
            if len(people) <= LARGEST_UPDATE * max(everyone, 1):
                fresh = update_graph(conn, base, people.tolist())
                self.updates += fresh is not None
        if fresh is None:
            fresh = self._build(conn, as_of=as_of)
            self.builds += 1
        return fresh, marks

    def _shared(
        self, store: GraphStore, conn: Connection, as_of: dt.date, stamp: Stamp
    ) -> tuple[RelationshipGraph, Marks]:
        """The snapshot for ``stamp`` when a process wrote it, else read (updating the newest
        snapshot when it can) and written for the others — one process at a time."""
        key = stamp_key(stamp, as_of)
        with store.locked():
            found = store.load(key)
            if found is not None:
                self.mapped += 1
            else:
                base = store.newest(as_of)
                if base is not None:
                    fresh, marks = self._read(
                        conn, as_of, base.graph, Marks.from_dict(base.extra["marks"])
                    )
                else:
                    fresh, marks = self._read(conn, as_of, self._graph, self._marks)
                found = store.save(key, fresh, {"marks": marks.as_dict()})
        return found.graph, Marks.from_dict(found.extra["marks"])

    def forget(self) -> None:
        with self._lock:
            self._graph = self._stamp = self._marks = None


def shared_graph(
    session: Session, store: GraphStore, *, as_of: dt.date | None = None
) -> RelationshipGraph:
    """The graph from the machine's shared snapshot — mapped when a process (the web app, an
    earlier command) wrote it for the data as it is, else read and written for the next one."""
    conn = session.connection()
    return GraphCache(store=store).graph(conn, as_of=resolve_as_of(conn, as_of))
