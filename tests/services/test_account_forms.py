"""The account page's forms as use cases: a buying role and influence lines, with the people
named as the forms' person fields hold them (a name, ``Name #id``, an id), in the actor's scope."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from crestline.db.database import Database, open_database
from crestline.db.models import Account, InfluenceLine, Opportunity, Person, Seller, User
from crestline.demo.scales import SCALES
from crestline.errors import AmbiguousError, BadInputError, NotFoundError
from crestline.services.accounts.people import (
    influence_at_account,
    remove_influence_at_account,
    role_at_account,
)
from crestline.services.auth.auth import LOCAL_ADMIN, Actor
from crestline.services.decisions.decision_makers import decision_makers
from crestline.services.demo.setup import build_demo_world


@pytest.fixture
def world(db_url: str) -> Iterator[Database]:
    """A small demo world of one's own, to write to."""
    db = open_database(db_url)
    build_demo_world(db, LOCAL_ADMIN, scale=SCALES["small"], seed=7)
    yield db
    db.close()


def test_a_role_and_influence_lines_as_the_account_page_sends_them(world: Database) -> None:
    with world.reader() as session:
        opp = session.scalars(
            select(Opportunity).where(Opportunity.is_closed.is_(False)).order_by(Opportunity.id)
        ).first()
        assert opp is not None
        account, opp_id = opp.account_id, opp.id
        (a, a_name), (b, b_name) = session.execute(
            select(Person.id, Person.full_name)
            .where(Person.account_id == account)
            .order_by(Person.id)
            .limit(2)
        ).all()
        elsewhere = session.scalars(
            select(Person.id).where(Person.account_id != account).limit(1)
        ).one()
    with world.transaction() as session:
        role = role_at_account(
            session, LOCAL_ADMIN, account, opp_id, person=a_name.upper(), role="economic buyer"
        )
        line = influence_at_account(
            session,
            LOCAL_ADMIN,
            account,
            source=f"{b_name} #{b}",
            target=str(a),
            strength="high",
            note="  ",
        )
    assert (role.name, role.role) == (a_name, "Economic Buyer")
    assert (line.source, line.target, line.strength) == (b_name, a_name, "high")
    with world.reader() as session:
        dm = decision_makers(session, LOCAL_ADMIN, str(account))
        (drawn,) = dm.influence
        assert (drawn.from_id, drawn.to_id, drawn.note) == (b, a, None)
        committee = next(o for o in dm.opportunities if o.id == opp_id).committee
        assert a in {i for i, _ in committee.role("economic_buyer").people}

    with world.transaction() as session:
        removed = remove_influence_at_account(session, LOCAL_ADMIN, account, b, a)
    assert (removed.source, removed.target) == (b_name, a_name)
    with world.reader() as session:
        assert session.scalars(select(InfluenceLine)).first() is None

    for fields, refusal in (
        ({"source": " ", "target": str(a)}, pytest.raises(BadInputError, match=r"^who: name")),
        ({"source": str(a), "target": "Nobody Here"}, pytest.raises(BadInputError, match="sways")),
        ({"source": str(a), "target": f"#{elsewhere}"}, pytest.raises(BadInputError, match="same")),
    ):
        with refusal, world.transaction() as session:
            influence_at_account(session, LOCAL_ADMIN, account, strength="low", note="", **fields)
    with pytest.raises(BadInputError, match=r"^person: name"), world.transaction() as session:
        role_at_account(session, LOCAL_ADMIN, account, opp_id, person="", role="Influencer")
    with world.transaction() as session:  # two people of one name: the form asks which
        session.add(
            Person(account_id=account, full_name=a_name, source="crestline", external_id="twin")
        )
    with pytest.raises(AmbiguousError, match="pick one"), world.transaction() as session:
        role_at_account(session, LOCAL_ADMIN, account, opp_id, person=a_name, role="Influencer")


def test_a_seller_is_refused_an_account_outside_their_scope(world: Database) -> None:
    with world.reader() as session:
        user = session.scalars(select(User).where(User.role == "seller").limit(1)).one()
        seller = session.get(Seller, user.seller_id)
        assert seller is not None
        account = session.scalars(
            select(Account.id).where(Account.owner_id != seller.id).order_by(Account.id).limit(1)
        ).one()
        a, b = session.scalars(
            select(Person.id).where(Person.account_id == account).order_by(Person.id).limit(2)
        ).all()
    actor = Actor(login=user.login, role="seller", seller_id=seller.id)
    for write in (
        lambda s: influence_at_account(
            s, actor, account, source=str(a), target=str(b), strength="low", note=""
        ),
        lambda s: remove_influence_at_account(s, actor, account, a, b),
        lambda s: role_at_account(s, actor, account, 1, person=str(a), role="Influencer"),
    ):
        with pytest.raises(NotFoundError), world.transaction() as session:
            write(session)
