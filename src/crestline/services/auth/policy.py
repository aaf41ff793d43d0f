"""The one authorisation policy: who may read or change what. Every use case asks here; pages,
the API and the command line alike get its answers through the use cases.

- **Whose accounts an actor sees**: an admin everything, a leader their subtree of our
  organisation, a seller their team's (their manager's reports, and their own). People,
  deals and corrections go with their account.
- **Out of scope is not there**: a use case answers an account or a person outside the actor's
  scope exactly as one that does not exist (:class:`NotFoundError`), so ids cannot be probed.
- **Admins only**: imports, exports, loading the demo world.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from crestline.db.models import Account, Seller
from crestline.errors import PermissionDeniedError
from crestline.services.auth.auth import Actor


def require_admin(actor: Actor, doing: str) -> None:
    """Refuse anyone but an admin ``doing`` something ("import data", …)."""
    if not actor.is_admin:
        raise PermissionDeniedError(f"only an admin may {doing}")


def in_scope(owners: set[int] | None, owner_id: int | None) -> bool:
    """Whether an account owned by ``owner_id`` is among those ``owners`` (None: every one)."""
    return owners is None or owner_id in owners


def scoped(stmt: Select[Any], owners: set[int] | None) -> Select[Any]:
    """``stmt`` (a select that has :class:`Account` among its tables) kept to ``owners``'
    accounts."""
    return stmt if owners is None else stmt.where(Account.owner_id.in_(owners))


def subtree(session: Session, root: int) -> set[int]:
    """Ids of ``root`` and everyone below them in our hierarchy."""
    children: dict[int | None, list[int]] = {}
    for sid, manager in session.execute(select(Seller.id, Seller.manager_id)):
        children.setdefault(manager, []).append(sid)
    seen, stack = {root}, [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def visible_owner_ids(session: Session, actor: Actor) -> set[int] | None:
    """The owners whose accounts ``actor`` sees; None means every account. Worked out once per
    session (a page asks several times)."""
    if actor.is_admin:
        return None
    known: dict[Actor, frozenset[int]] = session.info.setdefault("crestline_scopes", {})
    if actor not in known:
        known[actor] = frozenset(_owners_seen(session, actor))
    return set(known[actor])


def _owners_seen(session: Session, actor: Actor) -> set[int]:
    if actor.seller_id is None:
        raise PermissionDeniedError(f"user {actor.login} is not linked to a seller")
    if actor.role == "leader":
        return subtree(session, actor.seller_id)
    manager = session.scalar(select(Seller.manager_id).where(Seller.id == actor.seller_id))
    if manager is None:
        return {actor.seller_id}
    team = set(session.scalars(select(Seller.id).where(Seller.manager_id == manager)))
    return team | {actor.seller_id}
