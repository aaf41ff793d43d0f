"""Who is acting, and what they may see: passwords, actors and the scope of visible accounts.

A seller sees their own and their team's accounts (their manager's reports), a leader their whole
subtree of our organisation, an admin everything.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session

from crestline.db.models import SignInAttempt, User, WebSession
from crestline.errors import PermissionDeniedError

ROLES = ("admin", "leader", "seller")
SESSION_LIFETIME = dt.timedelta(hours=12)
FAILURES_BEFORE_LOCK = 5  # failed sign-ins of one login in a row (within the window) lock it
ADDRESS_FAILURES = 50  # failed sign-ins from one address within the window, whatever the logins
LOCK_WINDOW = dt.timedelta(minutes=15)
KEEP_ATTEMPTS = dt.timedelta(days=90)  # the audit trail of sign-ins
audit = logging.getLogger("crestline.audit")
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


@functools.cache
def _decoy_hash() -> str:
    """A hash to check a password against when the login names no one, so that a wrong login
    takes as long as a wrong password (how long it takes does not tell who exists)."""
    return hash_password(secrets.token_urlsafe(16))


def authenticate(session: Session, login: str, password: str) -> Actor | None:
    user = session.scalar(select(User).where(User.login == login, User.active.is_(True)))
    if user is None:
        verify_password(password, _decoy_hash())
        return None
    if not verify_password(password, user.password_hash):
        return None
    return Actor(login=user.login, role=user.role, seller_id=user.seller_id, user_id=user.id)


def sign_in_refusal(session: Session, login: str, address: str) -> str | None:
    """Why a sign-in is refused before its password is even checked, or None: the login failed
    ``FAILURES_BEFORE_LOCK`` times since its last success within ``LOCK_WINDOW`` (it waits until
    ``LOCK_WINDOW`` after its latest failure), or its address failed ``ADDRESS_FAILURES`` times
    within the window, whatever the logins (someone trying many)."""
    now = _utcnow()
    since = now - LOCK_WINDOW
    name = login.strip().lower()[:100]
    last_ok = session.scalar(
        select(func.max(SignInAttempt.at)).where(
            SignInAttempt.login == name, SignInAttempt.ok.is_(True)
        )
    )
    start = max(since, last_ok) if last_ok is not None else since
    failures, latest = session.execute(
        select(func.count(), func.max(SignInAttempt.at)).where(
            SignInAttempt.login == name, SignInAttempt.ok.is_(False), SignInAttempt.at > start
        )
    ).one()
    if failures >= FAILURES_BEFORE_LOCK:
        until = latest + LOCK_WINDOW
        return (
            f"too many failed sign-ins for {name!r}: try again after {until:%H:%M} UTC, or ask "
            "an admin"
        )
    from_address = session.scalar(
        select(func.count()).where(
            SignInAttempt.address == address[:64],
            SignInAttempt.ok.is_(False),
            SignInAttempt.at > since,
        )
    )
    if (from_address or 0) >= ADDRESS_FAILURES:
        return "too many failed sign-ins from your address: try again in 15 minutes"
    return None


def record_sign_in(session: Session, login: str, address: str, *, ok: bool) -> None:
    """Keep a sign-in attempt (the audit trail; what the lockout counts) and write its audit
    line; attempts older than ``KEEP_ATTEMPTS`` go. Flushes; the caller commits."""
    name = login.strip().lower()[:100]
    now = _utcnow()
    session.add(SignInAttempt(at=now, login=name, address=address[:64], ok=ok))
    session.execute(delete(SignInAttempt).where(SignInAttempt.at < now - KEEP_ATTEMPTS))
    session.flush()
    if ok:
        audit.info("sign-in: %r from %s", name, address)
    else:
        audit.warning("failed sign-in: %r from %s", name, address)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def start_session(
    session: Session, actor: Actor, *, lifetime: dt.timedelta = SESSION_LIFETIME
) -> str:
    """A new signed-in session for ``actor`` (a user): the token for the cookie. Only its hash
    is stored; expired sessions are cleared on the way. Flushes; the caller commits."""
    if actor.user_id is None:
        raise PermissionDeniedError(f"{actor.login} is not a user who can sign in")
    now = _utcnow()
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=_token_hash(token),
            user_id=actor.user_id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return token


_SIGNED_IN = (  # built once: every page asks who is signed in
    select(User.login, User.role, User.seller_id, User.id)
    .join(WebSession, WebSession.user_id == User.id)
    .where(
        WebSession.token_hash == bindparam("token_hash"),
        WebSession.expires_at > bindparam("now"),
        User.active.is_(True),
    )
)


def session_actor(session: Session, token: str) -> Actor | None:
    """Who a session token belongs to; None when it is unknown, expired, or its user was made
    inactive."""
    if not token or len(token) > 200:
        return None
    row = session.execute(_SIGNED_IN, {"token_hash": _token_hash(token), "now": _utcnow()}).first()
    if row is None:
        return None
    login, role, seller_id, user_id = row
    return Actor(login=login, role=role, seller_id=seller_id, user_id=user_id)


def end_session(session: Session, token: str) -> None:
    """Sign a session out, in every worker at once. Flushes; the caller commits."""
    session.execute(delete(WebSession).where(WebSession.token_hash == _token_hash(token)))
