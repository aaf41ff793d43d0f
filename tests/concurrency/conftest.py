"""A copy of the small demo world per test, on SQLite and on PostgreSQL, that a real server and
real commands share."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crestline.db.database import open_database
from crestline.demo.scales import SCALES
from crestline.services.auth.auth import LOCAL_ADMIN
from crestline.services.demo.setup import build_demo_world
from tests.concurrency.harness import World
from tests.conftest import PostgresCluster

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.concurrency)


@pytest.fixture(scope="session")
def pg_world_template(pg_cluster: PostgresCluster) -> str:
    """The small demo world (seed 7) in a PostgreSQL database that is only ever copied."""
    url = pg_cluster.create_database()
    db = open_database(url)
    build_demo_world(db, LOCAL_ADMIN, scale=SCALES["small"], seed=7)
    db.close()
    return url.rsplit("/", 1)[1]


def copy_sqlite_world(source: Path, folder: Path) -> World:
    path = folder / "crestline.db"
    shutil.copy(source, path)  # the session's file is closed: no journal beside it
    return World(url=f"sqlite:///{path}", path=path)


def copy_pg_world(cluster: PostgresCluster, template: str) -> World:
    import psycopg

    name = f"{template}_c{len(_COPIES)}"
    _COPIES.append(name)
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return World(url=cluster.sqlalchemy_url(name), path=None)


_COPIES: list[str] = []


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> World:
    """The small demo world, a copy this test may write to, on each backend."""
    if request.param == "sqlite":
        return copy_sqlite_world(request.getfixturevalue("small_sqlite_world"), tmp_path)
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    return copy_pg_world(cluster, request.getfixturevalue("pg_world_template"))


@pytest.fixture
def sqlite_world(small_sqlite_world: Path, tmp_path: Path) -> World:
    """The small demo world in a SQLite file of this test's own."""
    return copy_sqlite_world(small_sqlite_world, tmp_path)
