"""Sessions live in the database: a browser signed in on one worker is signed in on every
worker, and signing out on one ends it on all."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from crestline.config import load_settings
from crestline.db.database import open_database
from crestline.db.models import User, WebSession
from crestline.web.app import create_app
from crestline.web.session import COOKIE
from tests.web.forms import TOKEN


@pytest.fixture
def world(small_sqlite_world: Path, tmp_path: Path) -> Path:
    path = tmp_path / "world.db"
    shutil.copy(small_sqlite_world, path)
    return path


@pytest.fixture
def two_workers(world: Path) -> Iterator[tuple[TestClient, TestClient]]:
    """Two apps on one database, as two workers of ``crestline serve --workers 2`` are."""
    settings = load_settings({"database_url": str(world)})
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        yield one, two


def _cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"{COOKIE}={token}"}


def _sign_in(client: TestClient, login: str = "seller") -> str:
    response = client.post(
        "/login", data={"login": login, "password": "crestline"}, follow_redirects=False
    )
    assert response.status_code == 303
    return str(response.cookies[COOKIE])


def test_a_session_started_on_one_worker_is_known_to_the_other(
    two_workers: tuple[TestClient, TestClient], world: Path
) -> None:
    one, two = two_workers
    token = _sign_in(one)
    mine = two.get("/api/v1/accounts?limit=1", headers=_cookie(token))
    assert mine.status_code == 200
    everyone = two.get("/api/v1/accounts?limit=1", auth=("admin", "crestline")).json()["total"]
    assert mine.json()["total"] < everyone  # the seller's scope, not an admin's
    db = open_database(str(world), create=False)
    with db.reader() as session:
        stored = session.scalars(select(WebSession.token_hash)).all()
    db.close()
    assert hashlib.sha256(token.encode()).hexdigest() in stored  # only its hash is kept
    assert not any(token in row for row in stored)


def test_signing_out_on_one_worker_ends_the_session_on_all(
    two_workers: tuple[TestClient, TestClient],
) -> None:
    one, two = two_workers
    token = _sign_in(one)
    home = one.get("/", headers=_cookie(token), follow_redirects=False)
    assert home.status_code == 200
    form = {"csrf": TOKEN.search(home.text)[1]}  # type: ignore[index]
    out = two.post("/logout", headers=_cookie(token), data=form, follow_redirects=False)
    assert out.status_code == 303
    for worker in (one, two):
        page = worker.get("/", headers=_cookie(token), follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
        api = worker.get("/api/v1/accounts", headers=_cookie(token))
        assert api.status_code == 401


@pytest.mark.parametrize(
    "change",
    [
        update(WebSession).values(expires_at=dt.datetime(2000, 1, 1)),
        update(User).where(User.login == "seller").values(active=False),
    ],
    ids=["expired", "user made inactive"],
)
def test_a_session_ends_when_it_expires_or_its_user_is_made_inactive(
    two_workers: tuple[TestClient, TestClient], world: Path, change: object
) -> None:
    one, _ = two_workers
    token = _sign_in(one)
    assert one.get("/api/v1/accounts", headers=_cookie(token)).status_code == 200
    db = open_database(str(world), create=False)
    with db.transaction() as session:
        session.execute(change)  # type: ignore[call-overload]
    db.close()
    assert one.get("/api/v1/accounts", headers=_cookie(token)).status_code == 401


def test_a_made_up_or_forged_cookie_is_no_session(
    two_workers: tuple[TestClient, TestClient],
) -> None:
    one, _ = two_workers
    for value in ("nothing", "x" * 500, ""):
        assert one.get("/api/v1/accounts", headers=_cookie(value)).status_code == 401
