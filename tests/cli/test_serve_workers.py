"""``crestline serve --workers N``: several processes answer, a sign-in made on one is good on
every one, the relationship graph is read once and mapped by all, and no worker outlives the
server."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

CLI = [sys.executable, "-m", "crestline"]


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in found.read_text().split()] if found.exists() else []


def _workers(pid: int) -> list[int]:
    """The server's worker processes (uvicorn's; not its helper processes)."""
    out = []
    for child in _children(pid):
        with open(f"/proc/{child}/cmdline", "rb") as fh:
            if b"spawn_main" in fh.read():
                out.append(child)
    return out


@pytest.fixture
def served(
    small_sqlite_world: Path, tmp_path: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    if not Path("/proc/self/task").exists():
        pytest.skip("needs Linux's /proc")
    db = tmp_path / "world.db"
    shutil.copy(small_sqlite_world, db)
    graph_dir = tmp_path / "graph"
    port = free_port()
    proc = subprocess.Popen(
        [*CLI, "--db", str(db), "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, "CRESTLINE_GRAPH_DIR": str(graph_dir)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail(
            f"the server did not start: {proc.stderr.read().decode() if proc.stderr else ''}"
        )
    try:
        yield url, proc, graph_dir
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_every_worker_knows_a_sign_in_and_shares_one_graph(
    served: tuple[str, subprocess.Popen[bytes], Path],
) -> None:
    url, proc, graph_dir = served
    workers = _workers(proc.pid)
    assert len(workers) == 2
    login = httpx.post(
        f"{url}/login", data={"login": "seller", "password": "crestline"}, follow_redirects=False
    )
    assert login.status_code == 303
    cookie = {"Cookie": f"crestline_session={login.cookies['crestline_session']}"}
    mine = httpx.get(f"{url}/api/v1/accounts?limit=5", headers=cookie).json()["items"]
    answered_by = set()
    for _ in range(60):  # a new connection each time: the kernel spreads them over the workers
        with httpx.Client(headers=cookie) as client:  # one connection: one worker answers both
            worker = client.get(f"{url}/healthz").json()["worker"]
            response = client.get(f"{url}/api/v1/accounts/{mine[0]['id']}/paths")
            assert response.status_code == 200, response.text
        answered_by.add(worker)
        if len(answered_by) == 2:
            break
    assert answered_by == set(workers)  # both answered, both knew the sign-in
    snapshots = [p for p in graph_dir.iterdir() if p.name.startswith("g-")]
    assert len(snapshots) == 1  # read once, mapped by the other
    maps = {pid: Path(f"/proc/{pid}/maps").read_text().count(str(snapshots[0])) for pid in workers}
    assert all(count >= 3 for count in maps.values()), maps  # every worker maps the arrays


def test_no_worker_outlives_a_server_killed_outright(
    served: tuple[str, subprocess.Popen[bytes], Path],
) -> None:
    _, proc, _ = served
    workers = _workers(proc.pid)
    assert len(workers) == 2
    proc.kill()
    proc.wait(timeout=10)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.2)
    alive = []
    for pid in workers:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0]
        except FileNotFoundError:
            continue
        if state != "Z":
            alive.append(pid)
    assert alive == []


def test_replies_leave_at_once_on_kept_alive_connections() -> None:
    """A socket made without naming TCP (as uvicorn binds one for its workers) gets no
    TCP_NODELAY from asyncio: the protocol sets it on every connection it is handed."""
    import asyncio
    import socket

    from uvicorn.config import Config
    from uvicorn.server import ServerState

    from crestline.web.server import NoDelayH11

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # no protocol named
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()

    class Transport(asyncio.Transport):
        def get_extra_info(self, name: str, default: object = None) -> object:
            return {"socket": accepted, "peername": ("127.0.0.1", 1), "sockname": None}.get(
                name, default
            )

    loop = asyncio.new_event_loop()
    try:
        config = Config(app=lambda *_: None, log_level="warning")
        config.load()
        protocol = NoDelayH11(config, ServerState(), app_state={}, _loop=loop)
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        protocol.connection_made(Transport())
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        if protocol.timeout_keep_alive_task is not None:
            protocol.timeout_keep_alive_task.cancel()
    finally:
        loop.close()
        for sock in (client, accepted, listener):
            sock.close()
