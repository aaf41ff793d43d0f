"""Warm paths as a service: peer-level preference for executive targets, events where our
people meet the targets, on both backends."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import event, select

from crestline.db.database import Database
from crestline.db.models import Account, Person
from crestline.services.auth.auth import LOCAL_ADMIN, Actor
from crestline.services.auth.policy import visible_owner_ids
from crestline.services.decisions.insights import resolve_as_of
from crestline.services.imports.import_events import import_events
from crestline.services.paths.relationship_graph import build_graph
from crestline.services.paths.warm_paths import (
    HIDDEN,
    OUTSIDE,
    _Hops,
    _Names,
    executive_pairs,
    peer_costs,
    warm_paths,
)

DATA = Path(__file__).resolve().parent.parent / "data"
AS_OF = dt.date(2026, 9, 30)

SELLERS = {
    1: ("c_suite", "finance"),
    2: ("c_suite", "sales"),
    3: ("individual_contributor", "sales"),
}


@pytest.mark.parametrize(
    ("seniority", "function", "expected"),
    [
        ("c_suite", "finance", {2: 0.15, 3: 1.4}),  # our CFO is their CFO's peer: no extra cost
        ("board", "general_management", {1: 0.15, 2: 0.15, 3: 1.4}),
        ("evp", "sales", {1: 0.15, 3: 1.0}),
        ("director", "finance", {}),  # not an executive: every path on its strength alone
    ],
)
def test_peer_costs(seniority: str, function: str, expected: dict[int, float]) -> None:
    assert peer_costs(SELLERS, seniority, function) == pytest.approx(expected)


def test_paths_on_both_backends(small_world: Database) -> None:
    with small_world.reader() as session:
        found = warm_paths(session, LOCAL_ADMIN, "1", k=2)
    assert found and all(len(t.paths) <= 2 for t in found)
    for target in found:
        for path in target.paths:
            assert path.hops[0].source.endswith("(ours)")
            assert path.hops[-1].target == target.name


@pytest.fixture
def crm_with_events(crm: Database, tmp_path: Path) -> Database:
    """The Salesforce quirks export and the three event lists of tests/data/events."""
    shutil.copytree(DATA / "events", tmp_path / "lists")
    for name in ("attendees.csv", "attendees-semicolon.csv", "attendees.xlsx"):
        import_events(crm, LOCAL_ADMIN, tmp_path / "lists" / name)
    return crm


def test_events_where_our_people_meet_the_target(crm_with_events: Database) -> None:
    with crm_with_events.reader() as session:
        (lena,) = warm_paths(
            session, LOCAL_ADMIN, "Nordstern Bank AG", to="Lena Vogel", as_of=AS_OF
        )
        later = warm_paths(
            session, LOCAL_ADMIN, "Nordstern Bank AG", to="Lena Vogel", as_of=dt.date(2027, 4, 1)
        )[0]
        siobhan = warm_paths(
            session,
            LOCAL_ADMIN,
            "Nordstern Bank AG",
            to="Lena Vogel",
            from_seller="siobhan.oconnor@northbeam.io",
            as_of=AS_OF,
        )[0]
    # upcoming first, then the most recent past ones
    assert [(e.name, e.starts_on.isoformat(), e.upcoming) for e in lena.events] == [
        ("Finance Leaders Summit 2026", "2026-10-14", True),
        ("Banking Tech Dinner", "2026-06-18", False),
        ("Retail Innovation Forum", "2026-03-03", False),
    ]
    summit = lena.events[0]
    # Jürgen Weiß is on the list too, but no longer active: not shown
    assert [(o.name, o.title) for o in summit.ours] == [
        ("José Núñez", "Regional Vice President"),
        ("Renée Müller", "Chief Revenue Officer"),
    ]
    assert (summit.place, summit.ends_on) == ("Frankfurt am Main", dt.date(2026, 10, 15))
    as_dict = lena.as_dict()
    assert list(as_dict) == ["target", "paths", "events"]
    assert as_dict["events"][0] == {
        "id": summit.id,
        "name": "Finance Leaders Summit 2026",
        "starts_on": "2026-10-14",
        "ends_on": "2026-10-15",
        "place": "Frankfurt am Main",
        "upcoming": True,
        "ours": [
            {"id": summit.ours[0].id, "name": "José Núñez", "title": "Regional Vice President"},
            {"id": summit.ours[1].id, "name": "Renée Müller", "title": "Chief Revenue Officer"},
        ],
    }
    # a year on: all past, latest first, and March 2026 is more than a year ago
    assert [e.name for e in later.events] == ["Finance Leaders Summit 2026", "Banking Tech Dinner"]
    # with one of ours only, the events where she goes
    assert [e.name for e in siobhan.events] == ["Retail Innovation Forum"]


def test_events_for_all_targets_in_one_query_five_at_most(
    crm_with_events: Database, tmp_path: Path
) -> None:
    rows = ["Event,Date,Name,Company"]
    for month in range(1, 9):  # Anna Schmidt and Renée Müller at a dinner every month to August
        for who in ("Anna Schmidt,Nordstern Bank AG", "Renée Müller,Northbeam Systems"):
            rows.append(f"Monthly Dinner,2026-{month:02d}-20,{who}")
    (tmp_path / "dinners.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    import_events(crm_with_events, LOCAL_ADMIN, tmp_path / "dinners.csv")
    statements: list[str] = []

    def count(conn: object, cursor: object, sql: str, *args: object) -> None:
        if "event_attendees" in sql:
            statements.append(sql)

    event.listen(crm_with_events.engine, "before_cursor_execute", count)
    try:
        with crm_with_events.reader() as session:
            found = warm_paths(session, LOCAL_ADMIN, "Nordstern Bank AG", as_of=AS_OF)
    finally:
        event.remove(crm_with_events.engine, "before_cursor_execute", count)
    assert len(statements) == 1  # one query for every target
    anna = next(t for t in found if t.name == "Anna Schmidt")
    assert [(e.name, e.starts_on.isoformat(), e.upcoming) for e in anna.events] == [
        ("Finance Leaders Summit 2026", "2026-10-14", True),
        ("CIO Roundtable DACH", "2026-11-12", True),
        ("Monthly Dinner", "2026-08-20", False),
        ("Monthly Dinner", "2026-07-20", False),
        ("Monthly Dinner", "2026-06-20", False),
    ]
    lena = next(t for t in found if t.name == "Lena Vogel")
    assert len(lena.events) == 3


def test_hops_name_their_people_and_put_the_strongest_tie_first(small_world: Database) -> None:
    words = {"linkedin": "connected on LinkedIn", "meeting": "met", "call": "spoke by phone"}
    with small_world.reader() as session:
        found = warm_paths(session, LOCAL_ADMIN, "1", k=3)
    hops = [h for t in found for p in t.paths for h in p.hops]
    assert hops
    for target in found:
        for path in target.paths:
            assert path.hops[0].source_ref[0] == "seller"
            assert path.hops[-1].target_ref == ("person", target.id)
            for a, b in zip(path.hops, path.hops[1:], strict=False):
                assert a.target_ref == b.source_ref and b.source_ref[0] == "person"
    for hop in hops:
        if hop.via in words:
            assert hop.evidence.startswith(words[hop.via]), hop


def test_people_at_accounts_the_actor_does_not_see_relay_but_stay_unnamed(
    small_world: Database,
) -> None:
    with small_world.reader() as session:
        owner = session.scalar(select(Account.owner_id).where(Account.id == 1))
        assert owner is not None
        seller = Actor(login="seller", role="seller", seller_id=owner)
        mine = visible_owner_ids(session, seller)
        assert mine is not None
        inside = session.scalar(select(Person.id).where(Person.account_id == 1).limit(1))
        outside = session.scalar(
            select(Person.id)
            .join(Account, Account.id == Person.account_id)
            .where(Account.owner_id.not_in(mine))
            .limit(1)
        )
        assert inside is not None and outside is not None
        conn = session.connection()
        rg = build_graph(conn, as_of=resolve_as_of(conn, None))
        names = _Names(session, rg, seller)
        assert names[outside] == OUTSIDE and names.ref(outside) == HIDDEN
        assert names[inside] != OUTSIDE and names.ref(inside) == ("person", inside)
        hops = _Hops(session, rg, names, [])
        hops.read(session, {(rg.seller_node(owner), outside)})
        hop = hops.hop(rg.seller_node(owner), outside)
        assert hop.target == OUTSIDE and "outside your accounts" in hop.evidence
        admin = _Names(session, rg, LOCAL_ADMIN)
        assert admin[outside] != OUTSIDE and admin.ref(outside) == ("person", outside)


def test_executive_pairs_show_the_events_both_attend(crm_with_events: Database) -> None:
    with crm_with_events.reader() as session:
        pairs = executive_pairs(session, LOCAL_ADMIN, "Nordstern Bank AG", as_of=AS_OF)
    lena = next(p for p in pairs if p.theirs == "Lena Vogel")
    assert lena.ours == "Renée Müller"  # our only executive at the summit with their CFO
    assert [e.name for e in lena.events] == ["Finance Leaders Summit 2026"]
    for pair in pairs:  # only the pair's own executive is named at their events
        assert all([o.id for o in e.ours] == [pair.ours_id] for e in pair.events)
        assert pair.as_dict()["events"] == [e.as_dict() for e in pair.events]
