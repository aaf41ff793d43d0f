"""The relationship graph read from the database: every edge agrees with the evidence that
explains it, and an update of some people's edges equals reading everything again."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest
from sqlalchemy import func, insert, select, update

from crestline.db import arrays
from crestline.db.arrays import day_number, day_of, read_ints
from crestline.db.database import Database
from crestline.db.models import Account, Activity, ActivityPerson, PastEmployment, Person, Seller
from crestline.db.models import Connection as Link
from crestline.engines.csr_paths import CsrGraph
from crestline.services.decisions.insights import resolve_as_of
from crestline.services.paths import hop_evidence as hop_evidence_module
from crestline.services.paths import relationship_graph
from crestline.services.paths.hop_evidence import hop_evidence, hops_evidence
from crestline.services.paths.relationship_graph import (
    RelationshipGraph,
    build_graph,
    update_graph,
)


def edges(rg: RelationshipGraph) -> dict[tuple[int, int], float]:
    g = rg.graph
    rows = np.repeat(np.arange(g.nodes), np.diff(g.indptr))
    return {
        (int(a), int(b)): float(s)
        for a, b, s in zip(rows, g.indices, g.strengths, strict=True)
        if a < b
    }


def test_every_seller_edge_is_what_its_evidence_says(small_world: Database) -> None:
    with small_world.reader() as session:
        conn = session.connection()
        rg = build_graph(conn, as_of=resolve_as_of(conn, None))
        found = edges(rg)
        ours = [pair for pair in found if pair[1] >= rg.offset]
        assert len(ours) > 100
        for pair in random.Random(3).sample(ours, 150):
            evidence = hop_evidence(conn, rg, *pair)
            assert evidence, pair
            assert found[pair] == pytest.approx(rg.model.strength(evidence, rg.as_of), abs=1e-5)
        assert {"linkedin", "meeting", "crm_role", "manager", "peer", "alumni"} <= set(rg.stats)


def test_every_edge_between_their_people_is_explained(small_world: Database) -> None:
    """Lines, peers and former colleagues: the explanation gives the strength (a shared employer
    is in the graph only for the longest overlaps, so it may say more than the graph holds)."""
    with small_world.reader() as session:
        conn = session.connection()
        rg = build_graph(conn, as_of=resolve_as_of(conn, None))
        found = edges(rg)
        theirs = [pair for pair in found if pair[1] < rg.offset]
        kinds: set[str] = set()
        for pair in random.Random(5).sample(theirs, 200):
            evidence = hop_evidence(conn, rg, *pair)
            assert evidence, pair
            kinds.update(e.source for e in evidence)
            explained = rg.model.strength(evidence, rg.as_of)
            if any(e.source == "alumni" for e in evidence):
                assert found[pair] <= explained + 1e-5
            else:
                assert found[pair] == pytest.approx(explained, abs=1e-5), evidence
    assert {"manager", "peer", "alumni"} <= kinds


def test_graph_is_symmetric_and_strengths_are_in_range(small_world: Database) -> None:
    with small_world.reader() as session:
        conn = session.connection()
        g = build_graph(conn, as_of=resolve_as_of(conn, None)).graph
    rows = np.repeat(np.arange(g.nodes), np.diff(g.indptr))
    forward = set(zip(rows.tolist(), g.indices.tolist(), strict=True))
    assert forward == {(b, a) for a, b in forward}
    assert g.strengths.min() > 0 and g.strengths.max() <= 0.95
    assert not (rows == g.indices).any()


def test_an_update_equals_reading_everything_again(small_world: Database) -> None:
    with small_world.reader() as session:
        conn = session.connection()
        as_of = resolve_as_of(conn, None)
        before = build_graph(conn, as_of=as_of)
        people = list(conn.execute(select(Person.id, Person.account_id).order_by(Person.id)))
        seller = conn.execute(select(func.min(Seller.id))).scalar_one()
        a, b, c = people[3][0], people[40][0], people[77][0]
        conn.execute(insert(Link).values(seller_id=seller, person_id=a, source="linkedin"))
        activity = conn.execute(
            insert(Activity)
            .values(
                kind="meeting",
                occurred_at=dt.datetime.combine(as_of, dt.time(10)),
                seller_id=seller,
                account_id=people[40][1],
            )
            .returning(Activity.id)
        ).scalar_one()
        conn.execute(insert(ActivityPerson).values(activity_id=activity, person_id=b))
        conn.execute(update(Person).where(Person.id == c).values(reports_to_id=a))
        conn.execute(
            insert(PastEmployment).values(
                person_id=c,
                company_name="Harland & Rowe",
                started_on=dt.date(2015, 1, 1),
                ended_on=dt.date(2019, 1, 1),
            )
        )
        changed = [a, b, c]
        updated = update_graph(conn, before, changed)
        again = build_graph(conn, as_of=as_of)
        session.rollback()
    assert updated is not None and updated.offset == again.offset
    got, want = edges(updated), edges(again)
    assert got.keys() == want.keys()
    assert max(abs(got[p] - want[p]) for p in want) < 1e-6
    assert (a, before.seller_node(seller)) in got
    assert (b, before.seller_node(seller)) in got


def test_day_numbers_agree_with_python(database: Database) -> None:
    with database.transaction() as session:
        conn = session.connection()
        seller = conn.execute(
            insert(Seller).values(full_name="Ann Ours", email="ann@ours.test").returning(Seller.id)
        ).scalar_one()
        for when in ("2026-03-01 00:00:00", "2026-03-01 23:59:59", "1999-12-31 12:00:00"):
            conn.execute(
                insert(Activity).values(
                    kind="call", occurred_at=dt.datetime.fromisoformat(when), seller_id=seller
                )
            )
        ids, days = read_ints(
            conn,
            select(Activity.id, day_number(conn, Activity.occurred_at)).order_by(Activity.id),
        )
    assert days[:3].tolist() == [day_of(dt.date(2026, 3, 1))] * 2 + [day_of(dt.date(1999, 12, 31))]
    assert len(ids) == 3


def test_replaced_keeps_other_edges_and_takes_the_new_ones() -> None:
    old = CsrGraph.from_pieces(5, [0, 1, 2, 3], [1, 2, 3, 4], [0.5, 0.5, 0.5, 0.5])
    new = CsrGraph.from_pieces(5, [2, 2], [0, 4], [0.7, 0.3])
    merged = old.replaced([2], new)
    assert merged.strength(0, 1) == pytest.approx(0.5)
    assert merged.strength(3, 4) == pytest.approx(0.5)
    assert merged.strength(1, 2) is None  # 2's old edges are gone …
    assert merged.strength(2, 0) == pytest.approx(0.7)  # … and its new ones are in
    assert merged.strength(4, 2) == pytest.approx(0.3)


def test_an_update_of_many_people_reads_each_connection_once(
    small_world: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Changed people are read a chunk at a time: a connection between two of them in different
    chunks is still one piece of evidence (counted twice, its edge would be stronger)."""
    monkeypatch.setattr(arrays, "IDS_AT_ONCE", 40)
    with small_world.reader() as session:
        conn = session.connection()
        full = build_graph(conn, as_of=resolve_as_of(conn, None))
        people = conn.execute(select(Person.id).order_by(Person.id).limit(600)).scalars().all()
        updated = update_graph(conn, full, people)
    assert updated is not None
    got, want = edges(updated), edges(full)
    assert got.keys() == want.keys()
    assert max(abs(got[p] - want[p]) for p in want) < 1e-6


def test_evidence_says_only_what_the_graph_counts(
    small_world: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A task is no tie, a former employer is the account or else the company's name (as the
    graph pairs them), and a team too large for its peers to be linked has none."""
    monkeypatch.setattr(relationship_graph, "MAX_TEAM", 1)
    monkeypatch.setattr(hop_evidence_module, "MAX_TEAM", 1)  # the evidence follows the graph
    with small_world.reader() as session:
        conn = session.connection()
        as_of = resolve_as_of(conn, None)
        before = build_graph(conn, as_of=as_of)
        seller, person = next(
            (b - before.offset, a) for a, b in edges(before) if b >= before.offset
        )
        activity = conn.execute(
            insert(Activity)
            .values(
                kind="task", occurred_at=dt.datetime.combine(as_of, dt.time(9)), seller_id=seller
            )
            .returning(Activity.id)
        ).scalar_one()
        conn.execute(insert(ActivityPerson).values(activity_id=activity, person_id=person))
        account = conn.execute(select(Person.account_id).where(Person.id == person)).scalar_one()
        other = conn.execute(
            select(Person.id).where(Person.id != person).order_by(Person.id.desc()).limit(1)
        ).scalar_one()
        name = conn.execute(select(Account.name).where(Account.id == account)).scalar_one()
        for who, at in ((person, account), (other, None)):  # one at the account, one by name
            conn.execute(
                insert(PastEmployment).values(
                    person_id=who,
                    company_name=name,
                    account_id=at,
                    started_on=dt.date(2010, 1, 1),
                    ended_on=dt.date(2015, 1, 1),
                )
            )
        rg = build_graph(conn, as_of=as_of)
        found = edges(rg)
        pair = (person, rg.seller_node(seller))
        evidence = hop_evidence(conn, rg, *pair)
        assert "task" not in {e.source for e in evidence}
        assert found[pair] == pytest.approx(rg.model.strength(evidence, as_of), abs=1e-5)
        assert "alumni" not in {e.source for e in hop_evidence(conn, rg, person, other)}
        assert "peer" not in rg.stats or rg.stats["peer"] == 0
        theirs = [p for p in found if p[1] < rg.offset]
        for a, b in random.Random(8).sample(theirs, 100):
            assert "peer" not in {e.source for e in hop_evidence(conn, rg, a, b)}
        session.rollback()


def test_hops_read_together_say_what_each_says_alone(small_world: Database) -> None:
    """A panel reads all its hops' evidence in a few queries: read together, each hop gets
    exactly what it gets when read alone (nothing of a neighbouring pair leaks in)."""
    with small_world.reader() as session:
        conn = session.connection()
        rg = build_graph(conn, as_of=resolve_as_of(conn, None))
        pairs = random.Random(11).sample(sorted(edges(rg)), 300)
        hops = [(b, a) if i % 2 else (a, b) for i, (a, b) in enumerate(pairs)]  # both ways
        together = hops_evidence(conn, rg, hops)
        sources = set()
        for hop in hops:
            alone = hop_evidence(conn, rg, *hop)
            assert together[hop] == alone
            sources |= {e.source for e in alone}
    assert {"linkedin", "manager", "meeting"} <= sources  # people's and ours' pairs alike
