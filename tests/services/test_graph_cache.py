"""The graph a long-running process keeps: read once, patched after a change, equal to a fresh
read."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import delete, func, insert, select, update

from crestline.db.database import Database
from crestline.db.models import (
    AccountInsight,
    Activity,
    ActivityPerson,
    ImportRun,
    Person,
    PersonInsight,
    Seller,
)
from crestline.db.models import Connection as Link
from crestline.services.decisions.insights import resolve_as_of
from crestline.services.paths.graph_cache import GraphCache
from crestline.services.paths.relationship_graph import RelationshipGraph, build_graph
from tests.services.test_relationship_graph import edges


def test_the_graph_is_read_once_then_patched(small_world: Database) -> None:
    cache = GraphCache(margin=dt.timedelta(0))  # the world was written seconds ago
    with small_world.reader() as session:
        conn = session.connection()
        as_of = resolve_as_of(conn, None)
        first = cache.graph(conn, as_of=as_of)
        assert cache.graph(conn, as_of=as_of) is first
        assert (cache.builds, cache.updates) == (1, 0)

        seller = conn.execute(select(func.max(Seller.id))).scalar_one()
        person, other = conn.execute(
            select(Person.id).order_by(Person.id.desc()).limit(2)
        ).scalars()
        conn.execute(insert(Link).values(seller_id=seller, person_id=person, source="linkedin"))
        conn.execute(update(Person).where(Person.id == other).values(reports_to_id=person))
        patched = cache.graph(conn, as_of=as_of)
        assert (cache.builds, cache.updates) == (1, 1)
        assert patched.graph.strength(person, patched.seller_node(seller)) is not None
        assert edges(patched) == edges(build_graph(conn, as_of=as_of))

        later = cache.graph(conn, as_of=as_of + dt.timedelta(days=1))  # recency moved: all again
        assert later.as_of == as_of + dt.timedelta(days=1) and cache.builds == 2
        session.rollback()


def test_someone_taken_off_a_rewritten_meeting_loses_the_tie(small_world: Database) -> None:
    """An import that rewrites a meeting replaces its people: whoever it drops is found through
    the meeting's seller, and the patched graph equals a fresh read."""
    cache = GraphCache(margin=dt.timedelta(0))
    with small_world.reader() as session:
        conn = session.connection()
        as_of = resolve_as_of(conn, None)
        first = cache.graph(conn, as_of=as_of)
        (activity, seller, person), *_ = conn.execute(
            select(Activity.id, Activity.seller_id, ActivityPerson.person_id)
            .join(ActivityPerson, ActivityPerson.activity_id == Activity.id)
            .where(Activity.kind == "meeting", Activity.seller_id.is_not(None))
            .order_by(Activity.id)
        ).all()
        assert first.graph.strength(person, first.seller_node(seller)) is not None
        conn.execute(
            delete(ActivityPerson).where(
                ActivityPerson.activity_id == activity, ActivityPerson.person_id == person
            )
        )
        conn.execute(
            update(Activity)
            .where(Activity.id == activity)
            .values(updated_at=dt.datetime.now(dt.UTC).replace(tzinfo=None))
        )
        conn.execute(insert(ImportRun).values(source="activities", location="x.ics"))
        patched = cache.graph(conn, as_of=as_of)
        assert (cache.builds, cache.updates) == (1, 1)
        assert edges(patched) == edges(build_graph(conn, as_of=as_of))
        assert edges(patched) != edges(first)
        session.rollback()


def test_an_import_running_while_the_graph_was_read_reads_it_all_again(
    small_world: Database,
) -> None:
    """Its rows were written (and stamped) before the graph was read but committed after: the
    time of a write no longer says whether the graph saw it."""
    cache = GraphCache(margin=dt.timedelta(0))
    with small_world.reader() as session:
        conn = session.connection()
        as_of = resolve_as_of(conn, None)
        first = cache.graph(conn, as_of=as_of)
        long_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=10)
        person, account = conn.execute(
            select(PersonInsight.person_id, PersonInsight.account_id)
            .where(PersonInsight.manager_id.is_not(None))
            .order_by(PersonInsight.person_id)
            .limit(1)
        ).one()
        other = next(
            p
            for p in conn.execute(
                select(Person.id).where(Person.account_id == account, Person.id != person)
            ).scalars()
            if first.graph.strength(person, p) is None
        )
        conn.execute(  # the import's org chart, recomputed as it began
            update(PersonInsight)
            .where(PersonInsight.person_id == person)
            .values(manager_id=other, line_source="crm")
        )
        conn.execute(
            update(AccountInsight)
            .where(AccountInsight.account_id == account)
            .values(computed_at=long_ago)
        )
        conn.execute(
            insert(ImportRun).values(
                source="salesforce",
                location="export",
                started_at=long_ago,
                finished_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            )
        )
        again = cache.graph(conn, as_of=as_of)
        assert (cache.builds, cache.updates) == (2, 0)
        assert again.graph.strength(person, other) is not None
        session.rollback()


def test_threads_share_one_read(small_world: Database) -> None:
    """Requests at once wait for the one read instead of each reading the graph."""
    cache = GraphCache()
    with small_world.reader() as session:
        as_of = resolve_as_of(session.connection(), None)

    def one(_: int) -> RelationshipGraph:
        with small_world.reader() as session:
            return cache.graph(session.connection(), as_of=as_of)

    with ThreadPoolExecutor(6) as pool:
        graphs = list(pool.map(one, range(12)))
    assert cache.builds == 1 and all(g is graphs[0] for g in graphs)
