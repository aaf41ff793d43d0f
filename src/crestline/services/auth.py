"""Who is acting, and what they may see: passwords, actors and the scope of visible accounts.

A seller sees their own and their team's accounts (their manager's reports), a leader their whole
subtree of our organisation, an admin everything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crestline.db.models import Seller, User
from crestline.errors import PermissionDeniedError

ROLES = ("admin", "leader", "seller")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class Actor:
    login: str
    role: str
    seller_id: int | None = None
    user_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


# The person at the keyboard of a local installation: the command line acts as an admin.
LOCAL_ADMIN = Actor(login="local", role="admin")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    salt = base64.b64decode(salt_b64)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


def authenticate(session: Session, login: str, password: str) -> Actor | None:
    user = session.scalar(select(User).where(User.login == login, User.active.is_(True)))
    if user is None or not verify_password(password, user.password_hash):
        return None
    return Actor(login=user.login, role=user.role, seller_id=user.seller_id, user_id=user.id)


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
    """The owners whose accounts ``actor`` sees; None means every account."""
    if actor.is_admin:
        return None
    if actor.seller_id is None:
        raise PermissionDeniedError(f"user {actor.login} is not linked to a seller")
    if actor.role == "leader":
        return subtree(session, actor.seller_id)
    manager = session.scalar(select(Seller.manager_id).where(Seller.id == actor.seller_id))
    if manager is None:
        return {actor.seller_id}
    team = set(session.scalars(select(Seller.id).where(Seller.manager_id == manager)))
    return team | {actor.seller_id}
