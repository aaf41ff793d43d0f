"""The graph a long-running process keeps: read once, patched after a change, equal to a fresh
read."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, insert, select, update

from crestline.db.database import Database
from crestline.db.models import Connection as Link
from crestline.db.models import Person, Seller
from crestline.services.graph_cache import GraphCache
from crestline.services.insights import resolve_as_of
from crestline.services.relationship_graph import build_graph
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
