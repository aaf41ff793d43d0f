"""One SQLite library per file per process: the columnar read runs in a child process, so the
process that holds the app's connections keeps its file locks (issue: Arrow's SQLite driver, a
second SQLite build in the same process, dropped them all when it closed the file)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import event, func, literal_column, select, table, update

from crestline.db import arrays
from crestline.db.database import open_database
from crestline.db.models import Person
from crestline.errors import UnavailableError

# Run in a process of its own, so nothing another test imported can hide or cause a lost lock.
PROBE = r"""
import json, os, sys
from sqlalchemy import text
from crestline.db.database import open_database
from crestline.services.decisions.insights import resolve_as_of
from crestline.services.paths.relationship_graph import build_graph

path = sys.argv[1]
inodes = {os.stat(path + suffix).st_ino for suffix in ("", "-shm", "-wal")
          if os.path.exists(path + suffix)}

def locks():
    held = []
    with open("/proc/locks") as fh:
        for line in fh:
            parts = [p for p in line.split() if p != "->"]
            if int(parts[4]) == os.getpid() and int(parts[5].split(":")[2]) in inodes:
                held.append(" ".join(parts[1:4] + parts[6:]))
    return sorted(held)

db = open_database(path, create=False)
with db.reader() as session:
    session.execute(text("SELECT count(*) FROM people")).scalar()  # a read transaction is open
    before = locks()
    conn = session.connection()
    graph = build_graph(conn, as_of=resolve_as_of(conn, None))
    after = locks()
print(json.dumps({
    "before": before,
    "after": after,
    "edges": graph.graph.edges,
    "second_sqlite": sorted(m for m in sys.modules if m.startswith(("adbc", "pyarrow"))),
}))
"""


@pytest.fixture
def world_copy(small_sqlite_world: Path, tmp_path: Path) -> Path:
    path = tmp_path / "world.db"
    shutil.copy(small_sqlite_world, path)
    return path


def test_reading_the_graph_keeps_this_processs_locks(world_copy: Path) -> None:
    if not Path("/proc/locks").exists():
        pytest.skip("needs Linux's /proc/locks")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(world_copy)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["edges"] > 1_000  # the graph was really read (apart: nothing written)
    assert seen["before"], "an open read transaction in WAL mode holds locks on the -shm file"
    assert seen["after"] == seen["before"]
    assert seen["second_sqlite"] == []  # Arrow's SQLite build never entered this process


def test_apart_reads_equal_the_connections_own(world_copy: Path) -> None:
    db = open_database(str(world_copy), create=False)
    try:
        query = select(Person.id, func.coalesce(Person.reports_to_id, arrays.NULL)).order_by(
            Person.id
        )
        with db.engine.connect() as conn:
            reader = arrays.apart(conn)
            assert reader is not None
            apart = arrays.read_ints(reader, query)
            conn.execute(select(1))  # now inside a transaction: read through the connection
            own = arrays.read_ints(conn, query)
        assert len(apart[0]) > 100
        for a, b in zip(apart, own, strict=True):
            np.testing.assert_array_equal(a, b)
    finally:
        db.close()


def test_a_reader_that_died_is_replaced(world_copy: Path) -> None:
    db = open_database(str(world_copy), create=False)
    query = select(func.count()).select_from(Person)
    try:
        with db.engine.connect() as conn:
            reader = arrays.apart(conn)
            assert reader is not None
            (count,) = arrays.read_ints(reader, query)
            for child in list(arrays._children):
                os.kill(child.process.pid, 9)
                child.process.wait()
            (again,) = arrays.read_ints(reader, query)  # a new child
            assert all(child.alive for child in arrays._children)
        assert int(again[0]) == int(count[0]) > 0
    finally:
        arrays.close_apart_children()
        db.close()


def test_a_bad_query_is_an_error_naming_the_file(world_copy: Path) -> None:
    db = open_database(str(world_copy), create=False)
    reader = arrays.ApartReader(str(world_copy), db.engine.dialect)
    db.close()
    missing = select(literal_column("id")).select_from(table("no_such_table"))
    with pytest.raises(UnavailableError, match=r"world\.db: cannot read .*no_such_table"):
        arrays.read_ints(reader, missing)


def test_a_writer_waits_its_turn_then_says_the_database_is_busy(world_copy: Path) -> None:
    """Writes take SQLite's write lock first (BEGIN IMMEDIATE): while another process writes,
    a transaction waits; when it waits too long, the message says so (not an internal error)."""
    db = open_database(str(world_copy), create=False)
    event.listen(db.engine, "connect", lambda conn, _rec: conn.execute("PRAGMA busy_timeout=300"))
    db.engine.dispose()  # connections made from now on wait 0.3 s, not 10 s
    other = sqlite3.connect(world_copy, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        with pytest.raises(UnavailableError, match="busy with another write"), db.transaction():
            pass
        other.execute("COMMIT")
        with db.transaction() as session:  # its turn now
            session.execute(update(Person).where(Person.id == 1).values(title="Chief Buyer"))
        with db.reader() as session:
            assert session.scalar(select(Person.title).where(Person.id == 1)) == "Chief Buyer"
    finally:
        other.close()
        db.close()
