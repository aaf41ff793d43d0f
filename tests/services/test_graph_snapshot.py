"""The relationship graph shared by the web app's workers: one process reads it and writes a
snapshot, the others map it; after a change one updates it and the others map the update."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, insert, select

from crestline.db.database import Database
from crestline.db.models import Connection as Link
from crestline.db.models import Person, Seller
from crestline.errors import BadInputError
from crestline.services.decisions.insights import resolve_as_of
from crestline.services.paths.graph_cache import GraphCache
from crestline.services.paths.graph_snapshot import GraphStore, default_folder
from crestline.services.paths.relationship_graph import build_graph
from tests.services.test_relationship_graph import edges


def _worker(folder: Path) -> GraphCache:
    """What each worker of the web app holds: a cache over the shared folder."""
    return GraphCache(margin=dt.timedelta(0), store=GraphStore(folder))


def test_one_worker_reads_the_others_map_its_snapshot(
    small_world: Database, tmp_path: Path
) -> None:
    one, two = _worker(tmp_path / "graph"), _worker(tmp_path / "graph")
    with small_world.reader() as session:
        conn = session.connection()
        as_of = resolve_as_of(conn, None)
        first = one.graph(conn, as_of=as_of)
        second = two.graph(conn, as_of=as_of)
        assert (one.builds, one.mapped, two.builds, two.mapped) == (1, 0, 0, 1)
        for array in (second.graph.indices, second.graph.strengths, second.graph.weights):
            assert isinstance(array.base, np.memmap)  # pages shared, not a copy of its own
            assert not array.flags.owndata and not array.flags.writeable
        assert edges(second) == edges(first) == edges(build_graph(conn, as_of=as_of))
        np.testing.assert_array_equal(second.graph.weights, first.graph.weights)
        assert second.offset == first.offset and second.model == first.model
        assert two.graph(conn, as_of=as_of) is second  # nothing changed: no new look


def test_after_a_change_one_worker_updates_and_the_other_maps_the_update(
    small_world: Database, tmp_path: Path
) -> None:
    one, two = _worker(tmp_path / "graph"), _worker(tmp_path / "graph")
    with small_world.reader() as session:
        conn = session.connection()
        as_of = resolve_as_of(conn, None)
        one.graph(conn, as_of=as_of)
        two.graph(conn, as_of=as_of)
        seller = conn.execute(select(func.max(Seller.id))).scalar_one()
        person = conn.execute(select(func.max(Person.id))).scalar_one()
        conn.execute(insert(Link).values(seller_id=seller, person_id=person, source="linkedin"))
        updated = two.graph(conn, as_of=as_of)  # the second worker is asked first this time
        assert (two.builds, two.updates) == (0, 1)  # it updated the snapshot the first wrote
        seen = one.graph(conn, as_of=as_of)
        assert (one.builds, one.updates, one.mapped) == (1, 0, 1)
        assert seen.graph.strength(person, seen.seller_node(seller)) is not None
        assert edges(seen) == edges(updated) == edges(build_graph(conn, as_of=as_of))
        session.rollback()
    kept = sorted(p.name for p in (tmp_path / "graph").iterdir() if p.name.startswith("g-"))
    assert len(kept) == 2  # the first read and its update; nothing half-written beside them


def test_a_folder_others_may_write_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "open"
    shared.mkdir()
    os.chmod(shared, 0o777)
    with pytest.raises(BadInputError, match="others may write here"):
        GraphStore(shared)
    private = GraphStore(tmp_path / "mine")
    assert (private.folder.stat().st_mode & 0o777) == 0o700


def test_each_database_has_its_own_default_folder(tmp_path: Path) -> None:
    a, b = default_folder(str(tmp_path / "a.db")), default_folder(str(tmp_path / "b.db"))
    assert a != b and a.parent == b.parent
    assert default_folder(f"sqlite:///{tmp_path / 'a.db'}") == a  # a path or its URL: one
    assert default_folder("postgresql://u@h/db") == default_folder("postgresql+psycopg://u@h/db")
