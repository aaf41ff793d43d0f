"""Benchmark: the memory of each web worker when the relationship graph is shared.

    python benchmarks/bench_workers.py --db world.db [--workers 2]

Starts ``crestline serve --workers N`` on the database with a fresh graph folder, asks a paths
panel until every worker has answered one (each then has the graph), and reads each worker's
memory from ``/proc/PID/smaps_rollup``: resident (RSS), proportional (PSS: shared pages divided
among the processes that map them) and private (USS). The baseline, in the same run, is what a
worker would hold if it read its own copy of the graph: the snapshot's arrays' size, added to
its private memory. Results are printed and written to bench-results/workers.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "crestline"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_mb(pid: int) -> dict[str, float]:
    values: dict[str, float] = {}
    with open(f"/proc/{pid}/smaps_rollup") as fh:
        for line in fh:
            name, _, rest = line.partition(":")
            if rest.strip().endswith("kB"):
                values[name] = int(rest.split()[0]) / 1024
    return {
        "rss": round(values["Rss"], 1),
        "pss": round(values["Pss"], 1),
        "uss": round(values["Private_Clean"] + values["Private_Dirty"], 1),
    }


def workers_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    out = []
    for child in map(int, children):
        if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
            out.append(child)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a database with a world in it")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--account", type=int, help="account whose paths are asked (default: first)"
    )
    args = parser.parse_args()

    graph_dir = Path(tempfile.mkdtemp(prefix="crestline-bench-graph-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*CLI, "--db", args.db, "serve", "--port", str(port), "--workers", str(args.workers)],
        env={**os.environ, "CRESTLINE_GRAPH_DIR": str(graph_dir)},
    )
    try:
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
            if proc.poll() is not None or time.perf_counter() - started > 300:
                raise SystemExit("the server did not start")
        auth = ("admin", "crestline")
        account = (
            args.account
            or httpx.get(f"{url}/api/v1/accounts?limit=1", auth=auth, timeout=60).json()["items"][
                0
            ]["id"]
        )
        workers = workers_of(proc.pid)
        first_answer: dict[int, float] = {}
        deadline = time.perf_counter() + 900
        while len(first_answer) < len(workers) and time.perf_counter() < deadline:
            with httpx.Client(auth=auth, timeout=600) as client:  # one connection, one worker
                worker = client.get(f"{url}/healthz").json()["worker"]
                asked = time.perf_counter()
                response = client.get(f"{url}/api/v1/accounts/{account}/paths")
                response.raise_for_status()
                first_answer.setdefault(worker, round(time.perf_counter() - asked, 3))
        snapshots = [p for p in graph_dir.iterdir() if p.name.startswith("g-")]
        graph_mb = sum(f.stat().st_size for s in snapshots for f in s.glob("*.npy")) / 2**20
        memory = {pid: memory_mb(pid) for pid in workers}
        result = {
            "database": args.db,
            "workers": len(workers),
            "graph_snapshot_mb": round(graph_mb, 1),
            "snapshots": len(snapshots),
            "first_paths_seconds": first_answer,
            "per_worker_mb": memory,
            "private_if_each_read_its_own_mb": {
                pid: round(m["uss"] + graph_mb, 1) for pid, m in memory.items()
            },
        }
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        for snapshot in graph_dir.glob("*/*"):
            snapshot.unlink()
        for folder in sorted(graph_dir.glob("*"), reverse=True):
            if folder.is_dir():
                folder.rmdir()
            else:
                folder.unlink()
        graph_dir.rmdir()
    print(json.dumps(result, indent=2))
    for pid, m in memory.items():
        print(
            f"worker {pid}: RSS {m['rss']:.0f} MB, PSS {m['pss']:.0f} MB, private {m['uss']:.0f} MB"
            f" (a copy of its own: {m['uss'] + graph_mb:.0f} MB); first paths "
            f"{first_answer.get(pid)} s"
        )
    print(f"graph snapshot: {graph_mb:.0f} MB on disk, mapped by {len(memory)} workers")
    out = ROOT / "bench-results" / "workers.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
