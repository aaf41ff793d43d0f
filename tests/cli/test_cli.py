"""The command line: the commands of the foundation, their output, and their errors."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from crestline import __version__
from tests.cli.helpers import run
from tests.conftest import PostgresCluster


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "--version")
    assert (result.code, result.out.strip()) == (0, f"crestline {__version__}")
    result = run(capsys, "--help")
    assert result.code == 0
    for command in ("init", "demo", "serve", "accounts", "account"):
        assert command in result.out


@pytest.mark.parametrize(
    "args",
    [
        ("init", "--help"),
        ("demo", "--help"),
        ("serve", "--help"),
        ("accounts", "list", "--help"),
        ("account", "show", "--help"),
    ],
)
def test_every_command_has_help_with_an_example(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    result = run(capsys, *args)
    assert result.code == 0
    assert "Example: crestline" in result.out


def test_init_creates_a_migrated_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "team.db"
    result = run(capsys, "--db", str(path), "init", "--format", "json")
    assert result.code == 0, result.err
    info = json.loads(result.out)
    assert info["backend"] == "sqlite" and info["accounts"] == 0 and info["schema"]
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"accounts", "people", "connections", "feedback", "alembic_version"} <= tables


def test_demo_then_accounts_list_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    result = run(capsys, "--db", db, "demo", "--scale", "small", "--no-serve")
    assert result.code == 0, result.err
    assert "demo world loaded (scale small, seed 7)" in result.err
    result = run(capsys, "--db", db, "accounts", "list", "--format", "json", "--limit", "1000")
    accounts = json.loads(result.out)
    assert 20 <= len(accounts) <= 30
    for key in ("id", "name", "industry", "employees", "country", "people"):
        assert key in accounts[0]
    assert sum(a["people"] for a in accounts) > 500
    # loading the same world again keeps it; a different one is refused without --fresh
    again = run(capsys, "--db", db, "demo", "--scale", "small", "--no-serve")
    assert again.code == 0 and "already loaded" in again.err
    other = run(capsys, "--db", db, "demo", "--scale", "small", "--seed", "8", "--no-serve")
    assert other.code == 2 and "--fresh" in other.err
    fresh = run(
        capsys, "--db", db, "demo", "--scale", "small", "--seed", "8", "--no-serve", "--fresh"
    )
    assert fresh.code == 0, fresh.err
    assert (
        json.loads(run(capsys, "--db", db, "accounts", "list", "--format", "json").out)
        != accounts[:50]
    )


def test_accounts_list_formats_and_search(
    capsys: pytest.CaptureFixture[str], small_sqlite_world: Path
) -> None:
    db = str(small_sqlite_world)
    table = run(capsys, "--db", db, "accounts", "list", "--limit", "5")
    assert table.code == 0 and "accounts" in table.out and "(showing 1–5)" in table.out
    csv_out = run(capsys, "--db", db, "accounts", "list", "--format", "csv", "--limit", "3").out
    lines = csv_out.strip().splitlines()
    assert lines[0].startswith("id,name,domain,industry") and len(lines) == 4
    everything = json.loads(run(capsys, "--db", db, "accounts", "list", "--format", "json").out)
    industry = everything[0]["industry"]
    found = json.loads(
        run(capsys, "--db", db, "accounts", "list", "--search", industry, "--format", "json").out
    )
    assert found and all(
        industry in (a["industry"] + a["name"].lower() + a["domain"]) for a in found
    )


def test_account_show(capsys: pytest.CaptureFixture[str], small_sqlite_world: Path) -> None:
    db = str(small_sqlite_world)
    first = json.loads(run(capsys, "--db", db, "accounts", "list", "--format", "json").out)[0]
    by_name = run(capsys, "--db", db, "account", "show", first["name"], "--format", "json")
    assert by_name.code == 0, by_name.err
    detail = json.loads(by_name.out)
    assert detail["account"]["id"] == first["id"]
    assert len(detail["people"]) == first["people"]
    ids = {p["id"] for p in detail["people"]}
    assert all(p["reports_to_id"] in ids for p in detail["people"] if p["reports_to_id"])
    table = run(capsys, "--db", db, "account", "show", str(first["id"]))
    assert table.code == 0 and first["name"] in table.out and "reporting lines known" in table.out


def _one_line_error(result_err: str) -> str:
    lines = result_err.strip().splitlines()
    assert len(lines) == 1, result_err
    assert "Traceback" not in result_err
    return lines[0]


def test_unknown_account_is_one_line(
    capsys: pytest.CaptureFixture[str], small_sqlite_world: Path
) -> None:
    result = run(capsys, "--db", str(small_sqlite_world), "account", "show", "No Such Company")
    assert result.code == 2
    assert "no account named 'No Such Company'" in _one_line_error(result.err)


def test_db_that_is_not_a_database(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are my notes, not a database\n")
    result = run(capsys, "--db", str(bogus), "accounts", "list")
    assert result.code == 2
    assert "not a database" in _one_line_error(result.err)
    assert bogus.read_text() == "these are my notes, not a database\n"


def test_foreign_sqlite_database_is_left_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    result = run(capsys, "--db", str(other), "init")
    assert result.code == 2
    assert "not Crestline's" in _one_line_error(result.err)
    with sqlite3.connect(other) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"invoices"}


@contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """A folder nobody may write to: permission bits, or for root (who ignores them) immutable."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o500)
        try:
            yield
        finally:
            folder.chmod(0o700)


def test_unwritable_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    with unwritable(folder):
        result = run(capsys, "--db", str(folder / "x.db"), "demo", "--scale", "small", "--no-serve")
        assert result.code == 2
        assert "not writable" in _one_line_error(result.err)
        assert list(folder.iterdir()) == []


def test_missing_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = run(capsys, "--db", str(tmp_path / "nowhere" / "x.db"), "init")
    assert result.code == 2
    assert "does not exist" in _one_line_error(result.err)


def test_unknown_scale_writes_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    result = run(capsys, "--db", str(db), "demo", "--scale", "galactic", "--no-serve")
    assert result.code == 2
    assert "unknown scale" in _one_line_error(result.err)
    assert not db.exists()


def test_port_in_use_writes_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(capsys, "--db", str(db), "demo", "--scale", "small", "--port", str(port))
        assert result.code == 2
        assert "in use" in _one_line_error(result.err)
        result = run(capsys, "--db", str(db), "serve", "--port", str(port))
        assert result.code == 2 and "in use" in _one_line_error(result.err)
    assert not db.exists()


def test_serve_and_demo_listen_where_the_settings_say(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "x.db"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setenv("CRESTLINE_HOST", "127.0.0.1")
        monkeypatch.setenv("CRESTLINE_PORT", str(port))  # the busy one: refused, so it was read
        for command in (["serve"], ["demo", "--scale", "small"]):
            result = run(capsys, "--db", str(db), *command)
            assert result.code == 2, command
            assert f"port {port} on 127.0.0.1 is in use" in _one_line_error(result.err)
    assert not db.exists()


def test_postgres_that_does_not_answer(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg://nobody:secret@127.0.0.1:{port}/crestline"
    result = run(capsys, "--db", url, "accounts", "list")
    assert result.code == 2
    line = _one_line_error(result.err)
    assert "cannot reach the database" in line and "secret" not in line


def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "accounts", "list", "--limit", "many")
    assert result.code == 2
    assert "--limit" in _one_line_error(result.err)


@pytest.mark.postgres
def test_demo_and_listing_on_postgresql(
    capsys: pytest.CaptureFixture[str], pg_cluster: PostgresCluster
) -> None:
    url = pg_cluster.create_database()
    result = run(capsys, "--db", url, "demo", "--scale", "small", "--no-serve")
    assert result.code == 0, result.err
    accounts = json.loads(run(capsys, "--db", url, "accounts", "list", "--format", "json").out)
    assert len(accounts) == 25 and all(a["people"] >= 12 for a in accounts)
    shown = run(capsys, "--db", url, "account", "show", accounts[0]["name"], "--format", "json")
    assert json.loads(shown.out)["account"]["id"] == accounts[0]["id"]
    info = json.loads(run(capsys, "--db", url, "init", "--format", "json").out)
    assert info["backend"] == "postgresql" and info["accounts"] == 25


def test_json_lists_every_account_by_default(
    capsys: pytest.CaptureFixture[str], small_sqlite_world: Path
) -> None:
    db = str(small_sqlite_world)
    listed = json.loads(run(capsys, "--db", db, "accounts", "list", "--format", "json").out)
    csv_rows = run(capsys, "--db", db, "accounts", "list", "--format", "csv").out.splitlines()
    assert len(listed) == 25 and len(csv_rows) == 26
    two = json.loads(
        run(capsys, "--db", db, "accounts", "list", "--format", "json", "--limit", "2").out
    )
    assert two == listed[:2]


def test_format_csv_is_csv_or_refused(
    capsys: pytest.CaptureFixture[str], small_sqlite_world: Path
) -> None:
    """Every ``--format csv`` a command accepts writes CSV; where there are no rows to write
    (one account's page, one person's corrections) the choice is not offered."""
    db = str(small_sqlite_world)
    listed = run(capsys, "--db", db, "accounts", "list", "--limit", "3", "--format", "csv")
    assert listed.code == 0 and listed.out.splitlines()[0].startswith("id,")
    assert len(listed.out.splitlines()) == 4
    refused = run(capsys, "--db", db, "account", "show", "1", "--format", "csv")
    assert refused.code == 2 and "csv" in _one_line_error(refused.err)
