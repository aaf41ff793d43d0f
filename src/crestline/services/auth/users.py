"""Who may sign in to the web app: add users, change their role or password, make them inactive.

Every change that takes something away — a role, the right to sign in, a password — ends the
user's open sessions at once, in every worker (sessions live in the database). Only an admin may
manage users; the command line acts as one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from crestline.db.models import Seller, User, WebSession
from crestline.errors import AmbiguousError, BadInputError, ConflictError, NotFoundError
from crestline.services.auth.auth import ROLES, Actor, hash_password
from crestline.services.auth.policy import require_admin

MIN_PASSWORD = 10
NEEDS_SELLER = ("leader", "seller")  # their scope is worked out from their place in our org


@dataclass(frozen=True)
class UserView:
    login: str
    role: str
    active: bool
    seller_id: int | None
    seller: str | None
    open_sessions: int


@dataclass(frozen=True)
class UserChange:
    user: UserView
    sessions_ended: int


def _user(session: Session, login: str) -> User:
    user = session.scalars(
        select(User).where(func.lower(User.login) == login.strip().lower())
    ).first()
    if user is None:
        raise NotFoundError(f"no user with login {login!r}")
    return user


def _view(session: Session, user: User) -> UserView:
    seller = session.get(Seller, user.seller_id) if user.seller_id is not None else None
    sessions = session.scalar(
        select(func.count()).select_from(WebSession).where(WebSession.user_id == user.id)
    )
    return UserView(
        login=user.login,
        role=user.role,
        active=bool(user.active),
        seller_id=user.seller_id,
        seller=seller.full_name if seller is not None else None,
        open_sessions=int(sessions or 0),
    )


def _end_sessions(session: Session, user: User) -> int:
    result = session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    return int(getattr(result, "rowcount", 0) or 0)


def _role(role: str) -> str:
    value = role.strip().lower()
    if value not in ROLES:
        raise BadInputError(f"role {role!r} is not one of {', '.join(ROLES)}")
    return value


def _seller(session: Session, key: str | None, role: str) -> int | None:
    """The seller a leader or seller is (by id, e-mail or exact name); an admin needs none."""
    if key is None or not key.strip():
        if role in NEEDS_SELLER:
            raise BadInputError(
                f"a {role} sees the accounts of their place in our organisation: "
                "give --seller (id, e-mail or name)"
            )
        return None
    key = key.strip()
    found = list(
        session.scalars(
            select(Seller).where(
                or_(
                    Seller.id == (int(key) if key.isdigit() and len(key) < 12 else -1),
                    func.lower(Seller.email) == key.lower(),
                    func.lower(Seller.full_name) == key.lower(),
                )
            )
        )
    )
    if not found:
        raise NotFoundError(f"no seller with id, e-mail or name {key!r}")
    if len(found) > 1:
        names = ", ".join(f"{s.full_name} (id {s.id})" for s in found[:5])
        raise AmbiguousError(f"{key!r} names several sellers: {names}; give the id")
    return found[0].id


def _password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise BadInputError(f"a password needs at least {MIN_PASSWORD} characters")
    return hash_password(password)


def list_users(session: Session, actor: Actor) -> list[UserView]:
    require_admin(actor, "list users")
    return [_view(session, u) for u in session.scalars(select(User).order_by(User.login))]


def add_user(
    session: Session, actor: Actor, login: str, *, role: str, password: str, seller: str | None
) -> UserView:
    require_admin(actor, "add users")
    name = login.strip()
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise BadInputError(f"login {login!r}: 1 to 100 characters, no spaces")
    if session.scalar(select(User.id).where(func.lower(User.login) == name.lower())):
        raise ConflictError(f"a user with login {name!r} exists already")
    value = _role(role)
    user = User(
        login=name,
        role=value,
        seller_id=_seller(session, seller, value),
        password_hash=_password(password),
        active=True,
    )
    session.add(user)
    session.flush()
    return _view(session, user)


def change_user(
    session: Session,
    actor: Actor,
    login: str,
    *,
    role: str | None = None,
    seller: str | None = None,
    password: str | None = None,
    active: bool | None = None,
) -> UserChange:
    """Change what is given; a new role, seller or password, or making the user inactive, ends
    their open sessions (their browser asks them to sign in again)."""
    require_admin(actor, "change users")
    user = _user(session, login)
    ended = 0
    if role is not None or seller is not None:
        value = _role(role) if role is not None else user.role
        if value not in NEEDS_SELLER:
            seller_id = None
        elif seller is not None or user.seller_id is None:
            seller_id = _seller(session, seller, value)  # refuses a leader without a seller
        else:
            seller_id = user.seller_id
        if (value, seller_id) != (user.role, user.seller_id):
            if actor.user_id == user.id and value != "admin":
                raise BadInputError("you cannot take the admin role from yourself")
            user.role, user.seller_id = value, seller_id
            ended += _end_sessions(session, user)
    if password is not None:
        user.password_hash = _password(password)
        ended += _end_sessions(session, user)
    if active is not None and active != user.active:
        if not active and actor.user_id == user.id:
            raise BadInputError("you cannot make yourself inactive")
        user.active = active
        if not active:
            ended += _end_sessions(session, user)
    session.flush()
    return UserChange(user=_view(session, user), sessions_ended=ended)
