"""``crestline users``: who may sign in. A role taken away, a new password or a user made
inactive ends their open sessions in the web app at once."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crestline.config import load_settings
from crestline.web.app import create_app
from tests.cli.helpers import run

PASSWORD = "north-star-42"


@pytest.fixture
def db(tmp_path: Path, small_sqlite_world: Path) -> str:
    path = tmp_path / "team.db"
    path.write_bytes(small_sqlite_world.read_bytes())
    return str(path)


def users(capsys: pytest.CaptureFixture[str], db: str, *args: str, stdin: str = "") -> object:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sys.stdin", io.StringIO(stdin))
        return run(capsys, "--db", db, "users", *args)


def signed_in(app_db: str, login: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(create_app(load_settings({"database_url": app_db})))
    client.__enter__()
    answer = client.post(
        "/login", data={"login": login, "password": password}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return client


def test_a_user_added_signs_in_and_loses_the_session_when_changed(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    added = users(
        capsys,
        db,
        "add",
        "jane",
        "--role",
        "seller",
        "--seller",
        "12",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert added.code == 0, added.err
    assert added.out.startswith("added jane: seller, seller ")

    client = signed_in(db, "jane")
    try:
        assert client.get("/api/v1/accounts").status_code == 200
        # a new role: the open session ends, the old cookie no longer reads anything
        changed = users(capsys, db, "set", "jane", "--role", "leader")
        assert changed.code == 0, changed.err
        assert "jane: leader" in changed.out and "1 open session(s) ended" in changed.out
        assert client.get("/api/v1/accounts").status_code == 401
        page = client.get("/accounts", follow_redirects=False)
        assert page.status_code in (303, 307) and "/login" in page.headers["location"]
    finally:
        client.__exit__(None, None, None)

    client = signed_in(db, "jane")
    try:
        gone = users(capsys, db, "deactivate", "jane")
        assert gone.code == 0 and "inactive; 1 open session(s) ended" in gone.out
        assert client.get("/api/v1/accounts").status_code == 401
        refused = client.post(
            "/login", data={"login": "jane", "password": PASSWORD}, follow_redirects=False
        )
        assert refused.status_code != 303  # an inactive user cannot sign in
    finally:
        client.__exit__(None, None, None)

    listed = users(capsys, db, "list", "--format", "csv")
    rows = {r["login"]: r for r in csv.DictReader(io.StringIO(listed.out))}
    assert rows["jane"]["role"] == "leader" and rows["jane"]["active"] == "False"
    assert set(rows) >= {"admin", "leader", "seller", "jane"}


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ("add", "bob", "--role", "admin", "--password-stdin"),
            "short\n",
            "at least 10 characters",
        ),
        (("add", "bob", "--role", "seller", "--password-stdin"), PASSWORD, "give --seller"),
        (("add", "bob", "--role", "chief", "--password-stdin"), PASSWORD, "not one of admin"),
        (
            (
                "add",
                "bob",
                "--role",
                "seller",
                "--seller",
                "nobody@nowhere.test",
                "--password-stdin",
            ),
            PASSWORD,
            "no seller with id, e-mail or name",
        ),
        (("add", "Admin", "--role", "admin", "--password-stdin"), PASSWORD, "exists already"),
        (("set", "nobody", "--role", "admin"), "", "no user with login 'nobody'"),
        (("set", "seller"), "", "nothing to change"),
    ],
)
def test_bad_requests_are_one_line_and_change_nothing(
    capsys: pytest.CaptureFixture[str], db: str, args: tuple[str, ...], stdin: str, message: str
) -> None:
    before = users(capsys, db, "list", "--format", "csv").out
    result = users(capsys, db, *args, stdin=stdin)
    assert result.code != 0
    assert message in result.err and len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err
    assert users(capsys, db, "list", "--format", "csv").out == before
