"""Account services on SQLite and PostgreSQL: listing, search, paging, scope, resolution."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crestline.db.database import Database
from crestline.db.models import Account, Seller, User
from crestline.errors import AmbiguousError, NotFoundError, PermissionDeniedError
from crestline.services.accounts.accounts import get_account, list_accounts, resolve_account
from crestline.services.auth.auth import LOCAL_ADMIN, Actor, authenticate


def test_listing_pages_through_every_account(small_world: Database) -> None:
    with small_world.reader() as session:
        total = session.query(Account).count()
        first = list_accounts(session, LOCAL_ADMIN, limit=10)
        assert first.total == total and len(first.items) == 10
        seen = []
        for offset in range(0, total, 10):
            seen += [
                a.id for a in list_accounts(session, LOCAL_ADMIN, limit=10, offset=offset).items
            ]
        assert sorted(seen) == sorted(session.scalars(select(Account.id)))
        names = [a.name for a in list_accounts(session, LOCAL_ADMIN, limit=1000).items]
        assert names == sorted(names)


def test_search_is_case_insensitive_on_name_domain_and_industry(small_world: Database) -> None:
    with small_world.reader() as session:
        account = session.scalars(select(Account).order_by(Account.id)).first()
        assert account is not None
        word = account.name.split()[0]
        for query in (word.upper(), word.lower(), account.domain):
            found = list_accounts(session, LOCAL_ADMIN, search=query)
            assert account.id in {a.id for a in found.items}
        none = list_accounts(session, LOCAL_ADMIN, search="zzz-no-such-thing")
        assert none.total == 0 and none.items == []


def test_resolve_by_id_name_and_domain(small_world: Database) -> None:
    with small_world.reader() as session:
        account = session.scalars(select(Account).order_by(Account.id)).first()
        assert account is not None
        for key in (str(account.id), account.name, account.name.upper(), account.domain or ""):
            assert resolve_account(session, LOCAL_ADMIN, key).id == account.id
        with pytest.raises(NotFoundError):
            resolve_account(session, LOCAL_ADMIN, "Nobody Ltd")


def test_ambiguous_name_lists_candidates(database: Database) -> None:
    with database.transaction() as session:
        session.add_all(
            [
                Account(name="Acme", domain="acme.com", country="US", source="t", external_id="1"),
                Account(name="ACME", domain="acme.de", country="DE", source="t", external_id="2"),
            ]
        )
    with database.reader() as session, pytest.raises(AmbiguousError) as exc:
        resolve_account(session, LOCAL_ADMIN, "acme")
    assert "acme.com" in str(exc.value) and "acme.de" in str(exc.value)


def test_account_detail_groups_people_by_reporting_line(small_world: Database) -> None:
    with small_world.reader() as session:
        biggest = list_accounts(session, LOCAL_ADMIN, limit=1000).items
        target = max(biggest, key=lambda a: a.people)
        detail = get_account(session, LOCAL_ADMIN, str(target.id))
    assert len(detail.people) == target.people
    assert sum(root.size() for root in detail.roots) == len(detail.people)
    assert detail.known_lines > 0.7 * (len(detail.people) - len(detail.roots))
    assert detail.deals.open + detail.deals.won + detail.deals.lost > 0


def test_a_seller_sees_only_their_teams_accounts(small_world: Database) -> None:
    with small_world.reader() as session:
        user = session.scalars(select(User).where(User.login == "seller")).one()
        seller = session.get(Seller, user.seller_id)
        assert seller is not None
        actor = authenticate(session, "seller", "crestline")
        assert actor is not None and actor.role == "seller"
        assert authenticate(session, "seller", "wrong") is None
        team = set(session.scalars(select(Seller.id).where(Seller.manager_id == seller.manager_id)))
        mine = list_accounts(session, actor, limit=1000)
        everything = list_accounts(session, LOCAL_ADMIN, limit=1000)
        assert 0 < mine.total < everything.total
        owners = {a.id: a.owner_id for a in session.scalars(select(Account))}
        assert all(owners[a.id] in team for a in mine.items)
        outside = next(a for a in everything.items if owners[a.id] not in team)
        with pytest.raises((PermissionDeniedError, NotFoundError)):
            get_account(session, actor, str(outside.id))


def test_a_leader_sees_their_subtree(small_world: Database) -> None:
    with small_world.reader() as session:
        actor = authenticate(session, "leader", "crestline")
        assert actor is not None
        assert list_accounts(session, actor).total == list_accounts(session, LOCAL_ADMIN).total
        orphan = Actor(login="x", role="seller", seller_id=None)
        with pytest.raises(PermissionDeniedError):
            list_accounts(session, orphan)
