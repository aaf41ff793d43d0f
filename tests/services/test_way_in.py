"""A way in: the panels' data from one use case each (services/paths/way_in.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crestline.db.database import Database
from crestline.db.models import Account, User
from crestline.errors import NotFoundError
from crestline.services.auth.auth import LOCAL_ADMIN, Actor
from crestline.services.auth.policy import visible_owner_ids
from crestline.services.decisions.insights import resolve_as_of
from crestline.services.paths.graph_cache import GraphCache
from crestline.services.paths.way_in import (
    SUGGESTED,
    PathOptions,
    account_way_in,
    person_way_in,
    search_sellers,
)


def test_the_account_panels_come_from_one_call(small_world: Database) -> None:
    with small_world.reader() as session:
        conn = session.connection()
        graph = GraphCache().graph(conn, as_of=resolve_as_of(conn, None))
        account = session.scalars(select(Account.id).order_by(Account.id)).first()
        both = account_way_in(
            session, LOCAL_ADMIN, str(account), graph=graph, options=PathOptions()
        )
        assert both.account_id == account and both.targets is not None and both.pairs is not None
        assert 0 < len(both.sellers) <= SUGGESTED and both.chosen is None
        pairs_only = account_way_in(
            session, LOCAL_ADMIN, str(account), graph=graph, options=PathOptions(), paths=False
        )
        assert pairs_only.targets is None and pairs_only.pairs == both.pairs
        first = both.sellers[0]
        chosen = account_way_in(
            session,
            LOCAL_ADMIN,
            str(account),
            graph=graph,
            options=PathOptions(from_seller=str(first.id)),
            pairs=False,
        )
        assert chosen.chosen == first and chosen.pairs is None
        person = both.targets[0].id
        one = person_way_in(session, LOCAL_ADMIN, person, graph=graph, options=PathOptions())
        assert one.targets is not None and one.targets[0].id == person


def test_sellers_are_searched_by_name_or_title_executives_first(small_world: Database) -> None:
    with small_world.reader() as session:
        everyone = search_sellers(session, "", limit=1000)
        assert everyone and [s.executive for s in everyone] == sorted(
            (s.executive for s in everyone), reverse=True
        )
        some = everyone[-1]
        by_name = search_sellers(session, some.name.upper()[1:6])
        assert some in search_sellers(session, some.name.upper()[1:6], limit=1000)
        assert len(by_name) <= 20
        chiefs = search_sellers(session, "chief", limit=1000)
        assert chiefs and all(
            "chief" in (s.title or "").lower() or "chief" in s.name.lower() for s in chiefs
        )


def test_an_account_out_of_scope_is_not_found(small_world: Database) -> None:
    with small_world.reader() as session:
        user = session.scalars(select(User).where(User.login == "seller")).one()
        actor = Actor(login="seller", role="seller", seller_id=user.seller_id, user_id=user.id)
        seen = visible_owner_ids(session, actor)
        assert seen is not None
        outside = session.scalars(
            select(Account.id).where(Account.owner_id.not_in(seen)).order_by(Account.id)
        ).first()
        conn = session.connection()
        graph = GraphCache().graph(conn, as_of=resolve_as_of(conn, None))
        with pytest.raises(NotFoundError):
            account_way_in(session, actor, str(outside), graph=graph, options=PathOptions())
