"""The server keeps its SQLite file locks after reading the relationship graph.

In WAL mode every open connection holds a shared POSIX lock on the -shm file's "DMS" byte
(byte 128): another process that can take that byte exclusively believes it is the file's only
user, and resets or deletes the journal on the way out. POSIX locks belong to a process, so a
second SQLite library in the server's process (Arrow's driver, issue #10) dropped them all when
it closed its own connection. Linux only: it reads /proc/locks.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.concurrency.harness import Server, World, serving

DMS = 128  # WALINDEX_LOCK_OFFSET (120) + SQLITE_SHM_NLOCK (8): the dead-man switch byte

pytestmark = pytest.mark.skipif(
    not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks"
)


@dataclass(frozen=True)
class Lock:
    kind: str  # POSIX, OFDLCK, FLOCK
    mode: str  # READ, WRITE
    pid: int
    start: int
    end: int  # inclusive; EOF for "to the end"


def locks_on(path: Path) -> list[Lock]:
    """The locks the kernel holds on ``path`` (matched by device and inode)."""
    st = os.stat(path)
    device = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    found = []
    with open("/proc/locks") as fh:
        for line in fh:
            parts = [p for p in line.split() if p != "->"]  # "->": a waiter
            if len(parts) < 8 or parts[5] != device:
                continue
            end = -1 if parts[7] == "EOF" else int(parts[7])
            found.append(Lock(parts[1], parts[3], int(parts[4]), int(parts[6]), end))
    return found


def holds_dms(server: Server, shm: Path) -> list[Lock]:
    return [
        lock
        for lock in locks_on(shm)
        if lock.pid == server.pid and lock.kind == "POSIX" and lock.start <= DMS <= lock.end
    ]


def another_process_can_take_the_dms(shm: Path) -> bool:
    """What SQLite in another process tries before it resets the journal: an exclusive lock on
    the DMS byte (taken and let go at once; this process has no connection to the file)."""
    fd = os.open(shm, os.O_RDWR)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, DMS, os.SEEK_SET)
    except OSError:
        return False
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, DMS, os.SEEK_SET)
        return True
    finally:
        os.close(fd)


def test_the_server_holds_its_locks_after_reading_the_graph(
    sqlite_world: World, tmp_path: Path
) -> None:
    assert sqlite_world.path is not None
    shm = Path(f"{sqlite_world.path}-shm")
    with serving(sqlite_world, tmp_path) as server, server.client() as client:
        account = client.get("/api/v1/accounts", params={"limit": 1}).json()["items"][0]
        answers = [
            client.get(f"/api/v1/accounts/{account['id']}/paths").status_code for _ in range(3)
        ]
        assert answers == [200, 200, 200]
        assert server.alive(), server.status()
        assert shm.exists() and shm.stat().st_size >= 32_768
        held = holds_dms(server, shm)
        assert held and all(lock.mode == "READ" for lock in held), (
            f"the server (pid {server.pid}) holds no shared lock on the -shm's DMS byte after "
            f"reading the graph; locks on the file: {locks_on(shm)}"
        )
        assert not another_process_can_take_the_dms(shm), (
            "another process could take the DMS byte exclusively: it would reset the journal"
        )
        shown = client.get(f"/api/v1/accounts/{account['id']}")  # and the server still reads
        assert shown.status_code == 200 and server.alive(), server.status()
