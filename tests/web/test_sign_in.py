"""Sign-ins against guessing: a login locked after failures, an address that tries many, the
audit trail, and no telling from the time taken whether a login exists."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from crestline.db.models import SignInAttempt
from crestline.services.auth import auth
from crestline.services.auth.auth import ADDRESS_FAILURES, FAILURES_BEFORE_LOCK, record_sign_in
from crestline.web.session import COOKIE


def sign_in(client: TestClient, login: str, password: str) -> Any:
    return client.post(
        "/login", data={"login": login, "password": password}, follow_redirects=False
    )


def attempts(client: TestClient) -> list[tuple[str, str, bool]]:
    with client.app.state.db.reader() as session:  # type: ignore[attr-defined]
        rows = session.execute(
            select(SignInAttempt.login, SignInAttempt.address, SignInAttempt.ok).order_by(
                SignInAttempt.id
            )
        ).all()
    return [tuple(r) for r in rows]


def age_attempts(client: TestClient, minutes: int) -> None:
    """Move every attempt ``minutes`` into the past (instead of waiting)."""
    db = client.app.state.db  # type: ignore[attr-defined]
    with db.transaction() as session:
        session.execute(
            update(SignInAttempt).values(at=SignInAttempt.at - dt.timedelta(minutes=minutes))
        )


def test_a_login_is_locked_after_failures_and_the_trail_is_kept(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="crestline.audit")
    for _ in range(FAILURES_BEFORE_LOCK):
        assert sign_in(client, "seller", "guess").status_code == 401
    locked = sign_in(client, "seller", "crestline")  # the right password, too late
    assert locked.status_code == 429 and "too many failed sign-ins" in locked.text
    assert COOKIE not in locked.cookies
    assert sign_in(client, "admin", "crestline").status_code == 303  # others sign in
    trail = attempts(client)
    assert trail.count(("seller", "testclient", False)) == FAILURES_BEFORE_LOCK
    assert ("admin", "testclient", True) in trail
    lines = [r.getMessage() for r in caplog.records if r.name == "crestline.audit"]
    assert sum("failed sign-in: 'seller' from testclient" in line for line in lines) == 5
    assert any("sign-in refused: 'seller'" in line for line in lines)
    age_attempts(client, 16)  # the window has passed
    assert sign_in(client, "seller", "crestline").status_code == 303


def test_a_success_starts_the_count_again(client: TestClient) -> None:
    for _ in range(FAILURES_BEFORE_LOCK - 1):
        assert sign_in(client, "leader", "guess").status_code == 401
    assert sign_in(client, "leader", "crestline").status_code == 303
    for _ in range(FAILURES_BEFORE_LOCK - 1):
        assert sign_in(client, "leader", "guess").status_code == 401
    assert sign_in(client, "leader", "crestline").status_code == 303


def test_wrong_basic_credentials_count_too(client: TestClient) -> None:
    for _ in range(FAILURES_BEFORE_LOCK):
        wrong = client.get("/api/v1/accounts?limit=1", auth=("seller", "guess"))
        assert wrong.status_code == 401
    locked = client.get("/api/v1/accounts?limit=1", auth=("seller", "crestline"))
    assert locked.status_code == 429
    assert locked.json()["error"]["kind"] == "too_many_attempts"
    assert client.get("/api/v1/accounts?limit=1", auth=("admin", "crestline")).status_code == 200


def test_an_address_trying_many_logins_is_held(client: TestClient) -> None:
    db = client.app.state.db  # type: ignore[attr-defined]
    with db.transaction() as session:
        for number in range(ADDRESS_FAILURES):
            record_sign_in(session, f"someone{number}", "testclient", ok=False)
    held = sign_in(client, "admin", "crestline")
    assert held.status_code == 429 and "from your address" in held.text


def test_an_unknown_login_costs_a_password_check_too(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a login exists does not show in the time a refusal takes: both check a password
    with scrypt once (counted here rather than timed)."""
    auth._decoy_hash()  # made once, before counting
    checked: list[int] = []
    real = hashlib.scrypt

    def counting(*args: Any, **kwargs: Any) -> bytes:
        checked.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(auth.hashlib, "scrypt", counting)
    assert sign_in(client, "nobody-here", "guess").status_code == 401
    unknown, checked[:] = len(checked), []
    assert sign_in(client, "seller", "guess").status_code == 401
    assert unknown == len(checked) == 1
