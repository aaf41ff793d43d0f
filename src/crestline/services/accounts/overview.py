"""The home page's numbers: what the actor can see, in a few counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crestline.db.models import Account, DemoFact, Opportunity, Person, Seller
from crestline.services.auth.auth import Actor
from crestline.services.auth.policy import visible_owner_ids


@dataclass(frozen=True)
class Overview:
    accounts: int
    people: int
    sellers: int
    open_opportunities: int
    open_amount_minor: int
    won_last_year: int  # in the year up to the latest closed deal
    world: dict[str, object] | None


def overview(session: Session, actor: Actor) -> Overview:
    owners = visible_owner_ids(session, actor)
    accounts = select(Account.id)
    in_scope_person = Person.account_id.is_not(None)
    in_scope_deal = Opportunity.id.is_not(None)
    if owners is not None:
        accounts = accounts.where(Account.owner_id.in_(owners))
        scoped = accounts.scalar_subquery()
        in_scope_person = Person.account_id.in_(scoped)
        in_scope_deal = Opportunity.account_id.in_(scoped)
    n_accounts = session.scalar(select(func.count()).select_from(accounts.subquery())) or 0
    people = session.scalar(select(func.count()).select_from(Person).where(in_scope_person))
    open_row = session.execute(
        select(func.count(), func.coalesce(func.sum(Opportunity.amount_minor), 0)).where(
            in_scope_deal, Opportunity.is_closed.is_(False)
        )
    ).one()
    latest = session.scalar(  # the data's own today: its latest closed deal
        select(func.max(Opportunity.close_date)).where(Opportunity.is_closed.is_(True))
    )
    won = 0
    if latest is not None:
        won = (
            session.scalar(
                select(func.count()).where(
                    in_scope_deal,
                    Opportunity.is_won.is_(True),
                    Opportunity.close_date > latest - dt.timedelta(days=365),
                )
            )
            or 0
        )
    fact = session.get(DemoFact, "world")
    return Overview(
        accounts=n_accounts,
        people=people or 0,
        sellers=session.scalar(select(func.count()).select_from(Seller)) or 0,
        open_opportunities=int(open_row[0] or 0),
        open_amount_minor=int(open_row[1] or 0),
        won_last_year=won,
        world=dict(fact.value) if fact else None,
    )
