"""Shared fixtures: databases on SQLite and on a real, throw-away PostgreSQL cluster.

The PostgreSQL cluster is started once per test session (``initdb`` as the ``postgres`` user into a
temporary folder, ``pg_ctl`` on a free loopback port, trust authentication) and removed afterwards.
Under ``CI=true`` a missing PostgreSQL is an error, not a skip.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from crestline.db.database import Database, open_database
from crestline.demo.scales import SCALES
from crestline.services.auth.auth import LOCAL_ADMIN
from crestline.services.demo.setup import build_demo_world

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# The property and fuzz tests explore new inputs on a developer's machine; in CI they replay the
# same examples every run (derandomized), so a build never fails on luck. Long fuzzing is asked for
# explicitly (CRESTLINE_FUZZ_EXAMPLES, see docs/importing.md), never left to CI.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if IN_CI:
    hypothesis_settings.load_profile("ci")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PostgresCluster:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="crestline-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c fsync=off "
            f"-c synchronous_commit=off -c full_page_writes=off "
            f"-c unix_socket_directories={self.root}"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )

    def create_database(self) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.sqlalchemy_url(name)

    def url(self, db: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def sqlalchemy_url(self, db: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    bindir = _pg_bin()
    if bindir is None:
        if IN_CI:
            pytest.fail("PostgreSQL is not installed (make system-deps installs it)")
        pytest.skip("PostgreSQL is not installed")
    cluster = PostgresCluster(bindir)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crestline.db'}"
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database()


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = open_database(db_url)
    yield db
    db.close()


_SMALL_WORLDS: dict[str, str] = {}


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def small_world_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A database holding the small demo world (seed 7), built once per backend; read-only."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('world') / 'small.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database()
    db = open_database(url)
    build_demo_world(db, LOCAL_ADMIN, scale=SCALES["small"], seed=7)
    db.close()
    return url


@pytest.fixture
def small_world(small_world_url: str) -> Iterator[Database]:
    db = open_database(small_world_url)
    yield db
    db.close()


@pytest.fixture(scope="session")
def small_sqlite_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the small demo world, for CLI and web tests."""
    path = tmp_path_factory.mktemp("sqlite-world") / "small.db"
    db = open_database(str(path))
    build_demo_world(db, LOCAL_ADMIN, scale=SCALES["small"], seed=7)
    db.close()
    return path
