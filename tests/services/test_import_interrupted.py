"""An import killed at any point (a real SIGKILL) leaves the database exactly as it was."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from crestline.db.database import open_database
from crestline.ingest.sfid import make_id
from tests.conftest import PostgresCluster


def big_export(folder: Path, accounts: int = 2_000, contacts: int = 200_000) -> Path:
    folder.mkdir()
    with (folder / "Account.csv").open("w", encoding="utf-8") as fh:
        fh.write("Id,Name,Website,BillingCountry\n")
        for i in range(1, accounts + 1):
            fh.write(f"{make_id('001', i)},Company {i} Ltd,company{i}.com,United Kingdom\n")
    with (folder / "Contact.csv").open("w", encoding="utf-8") as fh:
        fh.write("Id,AccountId,FirstName,LastName,Title,Email,ReportsToId\n")
        for i in range(1, contacts + 1):
            boss = make_id("003", i // 5) if i > 5 else ""
            fh.write(
                f"{make_id('003', i)},{make_id('001', i % accounts + 1)},Ann{i},Lee{i},"
                f"Manager {i % 7},ann{i}@company{i % accounts + 1}.com,{boss}\n"
            )
    return folder


def start_import(db: str, folder: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "crestline", "--db", db, "import", "salesforce", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def kill_when(proc: subprocess.Popen[bytes], writing: object, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not writing():  # type: ignore[operator]
        assert proc.poll() is None, f"the import ended before it was killed: {proc.stderr!r}"
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def test_sigkill_midway_on_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "crestline.db"
    open_database(str(db)).close()
    folder = big_export(tmp_path / "export")
    wal = Path(f"{db}-wal")
    proc = start_import(str(db), folder)
    kill_when(proc, lambda: wal.exists() and wal.stat().st_size > 4_000_000)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM people").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM import_runs").fetchone()[0] == 0


@pytest.mark.postgres
def test_sigkill_midway_on_postgresql(tmp_path: Path, pg_cluster: PostgresCluster) -> None:
    url = pg_cluster.create_database()
    open_database(url).close()
    folder = big_export(tmp_path / "export")
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as watch:

        def writing() -> bool:
            row = watch.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = 'people' AND l.mode = 'RowExclusiveLock' "
                "AND l.pid <> pg_backend_pid()"
            ).fetchone()
            return bool(row and row[0])

        proc = start_import(url, folder)
        kill_when(proc, writing)
        time.sleep(0.5)  # the server notices the dropped connection and rolls back
        for table in ("accounts", "people", "import_runs"):
            assert watch.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,)
