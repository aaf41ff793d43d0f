"""What the concurrency tests drive: a real ``crestline serve`` process, ``crestline`` commands in
processes of their own, and fresh reads of the database that neither of them shares.

Nothing here is a stand-in: the server and the commands are the installed entry point, run as
separate processes on the same database, exactly as a team runs them.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import free_port

ENTRY = Path(sys.executable).with_name(
    "crestline"
)  # the installed command, beside the venv's python
PASSWORD = "crestline"
START_SECONDS = 90.0  # a loaded machine starts the server slowly; a dead one says so at once
CLI_SECONDS = 120.0


def crestline_command() -> list[str]:
    """How to run ``crestline``: the installed script (it follows ``PYTHONPATH`` like Python)."""
    return [str(ENTRY)] if ENTRY.exists() else [sys.executable, "-m", "crestline"]


@dataclass(frozen=True)
class World:
    """A copy of the small demo world that one test may change: its URL, and for SQLite its file."""

    url: str
    path: Path | None  # the SQLite file, None on PostgreSQL

    @property
    def backend(self) -> str:
        return "sqlite" if self.path is not None else "postgresql"


@dataclass
class CliResult:
    args: tuple[str, ...]
    code: int
    out: str
    err: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.out)

    def describe(self) -> str:
        tail = (self.err or self.out).strip().splitlines()[-3:]
        return f"crestline {' '.join(self.args)} -> exit {self.code}: {' | '.join(tail)}"


def run_cli(
    world: World, *args: str, timeout: float = CLI_SECONDS, env: dict[str, str] | None = None
) -> CliResult:
    """``crestline --db URL ARGS`` in a process of its own."""
    started = time.monotonic()
    done = subprocess.run(
        [*crestline_command(), "--db", world.url, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )
    return CliResult(args, done.returncode, done.stdout, done.stderr, time.monotonic() - started)


class Server:
    """``crestline --db URL serve`` on a free loopback port, its output in a log file."""

    def __init__(self, world: World, folder: Path) -> None:
        self.world = world
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / f"serve-{self.port}.log"
        self.env = {
            **os.environ,
            "CRESTLINE_DATA_DIR": str(folder / "data"),
            "CRESTLINE_GRAPH_DIR": str(folder / "graph"),
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> Server:
        command = [*crestline_command(), "--db", self.world.url, "serve"]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=self.env
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if not self.alive():
                raise AssertionError(f"crestline serve exited at start: {self.status()}")
            try:
                if httpx.get(self.base + "/healthz", timeout=2.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"crestline serve did not answer in {START_SECONDS:.0f} s")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def status(self) -> str:
        """How the process stands, with the end of its log (a signal shows as a negative code:
        -7 is SIGBUS, what a file mapped under the server and truncated by another does)."""
        code = None if self.process is None else self.process.poll()
        said = "running" if code is None else f"exited with {code}"
        if code is not None and code < 0:
            said += f" ({signal.Signals(-code).name})"
        log = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        tail = "\n".join(log.strip().splitlines()[-15:])
        return f"{said}; log:\n{tail}" if tail else said

    def client(self, login: str = "admin", **options: Any) -> httpx.Client:
        """An API client signed in with HTTP Basic (``/api/v1``)."""
        return httpx.Client(
            base_url=self.base, auth=(login, PASSWORD), timeout=options.pop("timeout", 60.0)
        )

    @contextmanager
    def browser(self, login: str) -> Iterator[httpx.Client]:
        """A client signed in the way a browser is: the login form, then its cookie."""
        with httpx.Client(base_url=self.base, timeout=60.0, follow_redirects=True) as client:
            answer = client.post("/login", data={"login": login, "password": PASSWORD})
            assert answer.status_code == 200, answer.text[:300]
            assert "/login" not in str(answer.url), answer.text[:300]
            yield client

    def stop(self) -> int:
        """Stop it as an operator does (SIGTERM), wait, and say how it ended: 0, or -15 (uvicorn
        ends by raising the SIGTERM it caught once it has shut down)."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        return int(self.process.returncode)


def stopped_cleanly(server: Server) -> bool:
    """Stop the server; whether it ended as asked (not by a crash, not killed)."""
    return server.stop() in (0, -signal.SIGTERM)


@contextmanager
def serving(world: World, folder: Path) -> Iterator[Server]:
    server = Server(world, folder)
    try:
        yield server.start()
    finally:
        if server.process is not None:
            server.stop()


# --- fresh reads: a connection of the test's own, opened and closed for each look ---------------

ASSESSED = ("support", "coverage", "relationship", "seniority", "function", "manager_id", "note")
UNTOUCHED = {  # tables no workload writes, and the columns that say what a row is
    "accounts": "id, name, domain, industry, employees, country, tier",
    "sellers": "id, full_name, title, email, manager_id, active",
    "opportunities": "id, account_id, owner_id, name, amount_minor, stage, is_closed, is_won",
    "activities": "id, kind, seller_id",
    "activity_people": "activity_id, person_id",
    "people": "id, account_id, full_name, title, reports_to_id",
}


@contextmanager
def fresh(world: World) -> Iterator[Any]:
    """A new DB-API connection to the world, closed afterwards (never the server's or the CLI's)."""
    if world.path is not None:
        conn: Any = sqlite3.connect(world.path, timeout=30)
    else:
        import psycopg

        conn = psycopg.connect(world.url.replace("postgresql+psycopg://", "postgresql://"))
    try:
        yield conn
    finally:
        conn.close()


def rows(world: World, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if world.path is None:
        sql = sql.replace("?", "%s")
    with fresh(world) as conn:
        cur = conn.cursor()
        cur.execute(sql, params)
        found = [tuple(r) for r in cur.fetchall()]
        cur.close()
        conn.rollback()
        return found


@dataclass(frozen=True)
class State:
    """What the writes of the workload can change, read in one go."""

    assessments: dict[int, tuple[Any, ...]]
    influence: dict[tuple[int, int], tuple[Any, ...]]
    roles: dict[tuple[int, int], str]
    links: frozenset[tuple[int, int]]  # (seller, person) LinkedIn connections
    untouched: str  # a checksum of the tables nothing writes

    def with_link(self, link: tuple[int, int]) -> State:
        return replace(self, links=self.links | {link})

    def copy(self) -> State:
        return replace(
            self,
            assessments=dict(self.assessments),
            influence=dict(self.influence),
            roles=dict(self.roles),
        )

    @classmethod
    def read(cls, world: World) -> State:
        assessed = rows(world, f"SELECT person_id, {', '.join(ASSESSED)} FROM person_assessments")
        lines = rows(
            world, "SELECT from_person_id, to_person_id, strength, note FROM influence_lines"
        )
        roles = rows(
            world,
            "SELECT opportunity_id, person_id, role FROM contact_roles WHERE source = 'crestline'",
        )
        links = rows(
            world,
            "SELECT seller_id, person_id FROM connections "
            "WHERE source = 'linkedin' AND seller_id IS NOT NULL",
        )
        return cls(
            assessments={int(r[0]): tuple(r[1:]) for r in assessed},
            influence={(int(r[0]), int(r[1])): tuple(r[2:]) for r in lines},
            roles={(int(r[0]), int(r[1])): str(r[2]) for r in roles},
            links=frozenset((int(r[0]), int(r[1])) for r in links),
            untouched=untouched_checksum(world),
        )


def untouched_checksum(world: World) -> str:
    digest = hashlib.sha256()
    for table, columns in sorted(UNTOUCHED.items()):
        digest.update(table.encode())
        for row in rows(world, f"SELECT {columns} FROM {table} ORDER BY 1, 2"):
            digest.update(repr(tuple(str(v) for v in row)).encode())
    return digest.hexdigest()


def table_checksum(found: dict[Any, Any]) -> str:
    """One line for a table's content, to say in a report which state was seen."""
    text = repr(sorted((repr(k), repr(v)) for k, v in found.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def sqlite_files(world: World) -> dict[str, int]:
    """The SQLite file's journal files that exist, and their sizes."""
    assert world.path is not None
    found = {}
    for suffix in ("-wal", "-shm"):
        extra = Path(f"{world.path}{suffix}")
        if extra.exists():
            found[suffix] = extra.stat().st_size
    return found
