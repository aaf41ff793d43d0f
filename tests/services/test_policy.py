"""The one authorisation policy: whose accounts each role sees, and what only admins may do."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crestline.db.database import Database
from crestline.db.models import Account, Seller, User
from crestline.errors import PermissionDeniedError
from crestline.services.auth.auth import LOCAL_ADMIN, Actor
from crestline.services.auth.policy import (
    in_scope,
    require_admin,
    scoped,
    subtree,
    visible_owner_ids,
)


def actor_of(session: object, role: str) -> Actor:
    user = session.scalars(select(User).where(User.role == role).limit(1)).one()  # type: ignore[attr-defined]
    return Actor(login=user.login, role=role, seller_id=user.seller_id, user_id=user.id)


def test_whose_accounts_each_role_sees(small_world: Database) -> None:
    with small_world.reader() as session:
        assert visible_owner_ids(session, LOCAL_ADMIN) is None  # an admin: every account
        seller, leader = actor_of(session, "seller"), actor_of(session, "leader")
        mine = visible_owner_ids(session, seller)
        theirs = visible_owner_ids(session, leader)
        assert mine is not None and seller.seller_id in mine
        manager = session.scalar(select(Seller.manager_id).where(Seller.id == seller.seller_id))
        team = set(session.scalars(select(Seller.id).where(Seller.manager_id == manager)))
        assert mine == team | {seller.seller_id}  # their manager's reports, and themselves
        assert theirs == subtree(session, leader.seller_id)  # type: ignore[arg-type]
        everyone = session.scalar(select(func.count()).select_from(Account))
        seen = session.scalar(
            select(func.count()).select_from(scoped(select(Account), mine).subquery())
        )
        assert 0 < seen < everyone
        assert in_scope(None, 12345) and in_scope(mine, seller.seller_id)
        assert not in_scope(mine, max(mine) + 10_000)


def test_only_admins_import_export_and_load_the_demo(small_world: Database) -> None:
    with small_world.reader() as session:
        seller = actor_of(session, "seller")
    for doing in ("import data", "export data", "load the demo world"):
        with pytest.raises(PermissionDeniedError, match=f"only an admin may {doing}"):
            require_admin(seller, doing)
        require_admin(LOCAL_ADMIN, doing)


def test_a_user_without_a_seller_sees_nothing_rather_than_everything(
    small_world: Database,
) -> None:
    with small_world.reader() as session, pytest.raises(PermissionDeniedError):
        visible_owner_ids(session, Actor(login="orphan", role="seller"))
