"""Loading the demo world on both backends: all or nothing, idempotent, ground truth kept."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crestline.db.database import Database
from crestline.db.models import (
    Account,
    Connection,
    ContactRole,
    DemoFact,
    Opportunity,
    Person,
    TruthDeal,
    TruthPerson,
    TruthPriority,
)
from crestline.demo.scales import SCALES
from crestline.errors import ConflictError, PermissionDeniedError
from crestline.services.auth.auth import LOCAL_ADMIN, Actor
from crestline.services.demo.setup import build_demo_world


def count(db: Database, model: type) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_small_world_has_every_part_and_its_truth(small_world: Database) -> None:
    for model in (Account, Person, Connection, Opportunity, ContactRole, TruthPriority):
        assert count(small_world, model) > 0, model.__tablename__
    assert count(small_world, TruthPerson) == count(small_world, Person)
    assert count(small_world, TruthDeal) == count(small_world, Opportunity)
    with small_world.reader() as session:
        world = session.get(DemoFact, "world")
        assert world is not None and world.value["scale"] == "small"
        hidden = session.scalar(select(func.count()).where(TruthPerson.line_hidden.is_(True)))
        with_manager = session.scalar(
            select(func.count()).where(TruthPerson.manager_id.is_not(None))
        )
        assert 0.09 < (hidden or 0) / (with_manager or 1) < 0.21
        visible = session.execute(
            select(Person.reports_to_id, TruthPerson.manager_id).join(
                TruthPerson, TruthPerson.person_id == Person.id
            )
        ).all()
        assert all(shown == true for shown, true in visible if shown is not None)


def test_a_failed_load_leaves_the_database_as_it_was(database: Database) -> None:
    calls = []

    def explode(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 2:
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        build_demo_world(database, LOCAL_ADMIN, scale=SCALES["small"], seed=3, progress=explode)
    assert calls and count(database, Account) == 0 and count(database, Person) == 0


def test_reload_is_refused_then_replaced_with_fresh(database: Database) -> None:
    first = build_demo_world(database, LOCAL_ADMIN, scale=SCALES["small"], seed=1)
    assert first.generated and first.rows["accounts"] == count(database, Account)
    people = count(database, Person)
    assert not build_demo_world(database, LOCAL_ADMIN, scale=SCALES["small"], seed=1).generated
    with pytest.raises(ConflictError):
        build_demo_world(database, LOCAL_ADMIN, scale=SCALES["small"], seed=2)
    assert count(database, Person) == people
    again = build_demo_world(database, LOCAL_ADMIN, scale=SCALES["small"], seed=2, fresh=True)
    assert again.generated and count(database, Person) == again.rows["people"]
    with database.transaction() as session:  # ids keep counting after explicit-id bulk loads
        account = Account(name="Added by hand", source="manual", external_id="m1")
        session.add(account)
        session.flush()
        assert account.id > again.rows["accounts"]


def test_only_an_admin_loads_the_demo(database: Database) -> None:
    with pytest.raises(PermissionDeniedError):
        build_demo_world(database, Actor("s", "seller", seller_id=1), scale=SCALES["small"], seed=1)
