"""Benchmark: many signed-in people at once — a Locust load test of ``crestline serve``.

    python benchmarks/bench_load.py                          # both backends, demo world, 2 min
    python benchmarks/bench_load.py --backend sqlite --saturate
    python benchmarks/bench_load.py --db world.db --duration 30   # a database already loaded

For each backend (``--backend sqlite|postgresql|both``):

1. The database: ``--db PATH_OR_URL`` as given, or a fresh demo world (``crestline --db …
   demo --scale demo --no-serve``) in a temporary SQLite file, or in a throw-away PostgreSQL
   cluster started here (``initdb`` and ``pg_ctl`` on a free loopback port, as the test suite's
   cluster; default settings otherwise) and removed afterwards.
2. The server: ``crestline --db … serve --workers 2 --port P`` (``--workers`` only when
   ``crestline serve --help`` offers it; else one process, and the summary says so), waited for on
   /healthz, then warmed up: a few panels asked until the relationship graph is read.
3. The load: ``locust -f benchmarks/locustfile_crestline.py --headless -u 50 -r 10``: 50 users
   of mixed roles sign in through the login form (10 a second) and list the accounts they may
   see; once all have, each asks an account page or one of its two panels once every 2 s
   (constant pacing, each from a random moment of its first 2 s) for 120 s. Every request is
   logged by the locustfile; the percentiles below are computed from that log, the sign-ins and
   listings apart from the pages.
4. Memory: RSS and PSS (``/proc/PID/smaps_rollup``) of the server's master and each worker every
   2 s, and CPU seconds used by the server, the database server and the load generator.
5. With ``--saturate``: the same users with no wait, in steps (1, 2, 4 … 64 users by
   default, 30 s each) until p99 passes 2 s or the throughput stops growing (< 5 % in two
   steps): the throughput at saturation is the best step's with p99 within 2 s.

Goal (issue #10): p99 ≤ 500 ms, no failed request, memory flat. The summary is printed and
written to bench-results/load-<backend>.json; the raw request log and Locust's CSV files beside
it. Load goes to 127.0.0.1 only. Everything started here is stopped on the way out.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench-results"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile_crestline.py"
BROWSE = ("account page", "paths panel", "pairs panel")
SETUP = ("sign in", "list accounts")
GOAL_P99_MS = 500.0
STEADY_AFTER_S = 30.0
SIGN_IN_ALLOWANCE_S = 60  # seconds for the sign-ins, beyond the spawning
TICK = os.sysconf("SC_CLK_TCK")
SOURCE: dict[str, str] = {}  # PYTHONPATH of every crestline command when --checkout is given


def crestline_env() -> dict[str, str]:
    return {**os.environ, **SOURCE}


# --- processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stat(pid: int) -> tuple[int, float] | None:
    """A process's parent and CPU seconds so far (user + system), its own and that of its
    children that ended and were waited for (PostgreSQL's closed connections, the Graphviz runs
    of a worker), or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return int(fields[1]), sum(int(v) for v in fields[11:15]) / TICK


def descendants(root: int) -> list[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st is not None:
                children.setdefault(st[0], []).append(int(entry))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        if _stat(pid) is not None:
            found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


def memory_kb(pid: int) -> tuple[int, int] | None:
    """Resident and proportional set sizes (kB) of one process."""
    values: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                key, _, rest = line.partition(":")
                if key in ("Rss", "Pss"):
                    values[key] = int(rest.split()[0])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return values.get("Rss", 0), values.get("Pss", 0)


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    with open("/proc/stat") as fh:
        ticks = [int(v) for v in fh.readline().split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / TICK  # less idle and iowait


def cpu_seconds(pids: list[int]) -> float:
    return sum(st[1] for pid in pids if (st := _stat(pid)) is not None)


def stop_group(proc: subprocess.Popen[Any], *, grace: float = 15.0) -> None:
    """SIGTERM to the process group ``proc`` leads, then SIGKILL after ``grace`` seconds."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


# --- the database ---------------------------------------------------------------------------


class PostgresCluster:
    """A throw-away PostgreSQL cluster on a free loopback port (as ``tests/conftest.py``'s):
    trust authentication, its own folder, stopped and removed by :meth:`stop`."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        initdb = found[-1] if found else shutil.which("initdb")
        if initdb is None:
            raise SystemExit("PostgreSQL is not installed (make system-deps installs it)")
        self.bindir = Path(initdb).parent
        self.root = Path(tempfile.mkdtemp(prefix="crestline-load-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = ["runuser", "-u", "postgres", "--", *args] if self.as_root else list(args)
        subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        initdb = str(self.bindir / "initdb")
        self._run(initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.root}"
        )
        pg_ctl = str(self.bindir / "pg_ctl")
        log = str(self.root / "log")
        self._run(pg_ctl, "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def postmaster(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def create_database(self) -> str:
        import psycopg

        name = "load_" + uuid.uuid4().hex[:8]
        url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def pg_counters(url: str | None) -> tuple[int, int] | None:
    """Connections opened to a PostgreSQL database so far, and transactions ended (its
    ``pg_stat_database`` row), or None for SQLite."""
    if not url or not url.startswith("postgresql"):
        return None
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as conn:
        row = conn.execute(
            "SELECT sessions, xact_commit + xact_rollback FROM pg_stat_database"
            " WHERE datname = current_database()"
        ).fetchone()
    return (int(row[0]), int(row[1])) if row else None


def demo_world(url: str, scale: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "crestline"), "--db", url, "demo", "--scale", scale, "--no-serve"],
        check=True,
        timeout=3600,
        stdout=subprocess.DEVNULL,
        env=crestline_env(),
    )
    return time.perf_counter() - started


# --- the server -----------------------------------------------------------------------------


def serve_has_workers() -> bool:
    out = subprocess.run(
        [str(BIN / "crestline"), "serve", "--help"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env=crestline_env(),
    )
    return "--workers" in out.stdout


def http(
    url: str, *, data: dict[str, str] | None = None, cookie: str | None = None, timeout: float = 60
) -> tuple[int, dict[str, str], bytes]:
    """One request, redirects not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
            return None

    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body)
    if cookie:
        request.add_header("Cookie", cookie)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@contextlib.contextmanager
def server(url: str, *, workers: int, log: Path) -> Iterator[tuple[subprocess.Popen[Any], str]]:
    port = free_port()
    cmd = [str(BIN / "crestline"), "--db", url, "serve", "--port", str(port)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    print("  $", " ".join(cmd), flush=True)
    with open(log, "w") as out:
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=crestline_env(),
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the server stopped (status {proc.returncode}); see {log}")
            with contextlib.suppress(OSError):
                if http(base + "/healthz", timeout=5)[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not answer /healthz in 300 s; see {log}")
            time.sleep(0.5)
        yield proc, base
    finally:
        stop_group(proc)


def warm_up(base: str, *, workers: int) -> float:
    """Sign in as admin and ask warm-paths panels (new connections: each worker gets some)
    until they answer in under a second twice running, two minutes at the most."""
    started = time.perf_counter()
    status, headers, _ = http(base + "/login", data={"login": "admin", "password": "crestline"})
    if status != 303:
        raise SystemExit(f"sign-in as admin failed on {base}: status {status}")
    cookie = headers.get("set-cookie", "").split(";", 1)[0]
    _, _, body = http(base + "/api/v1/accounts?limit=5", cookie=cookie)
    ids = [item["id"] for item in json.loads(body)["items"]]
    fast = 0
    while fast < 2 * workers and time.perf_counter() - started < 120:
        for account in ids:
            asked = time.perf_counter()
            status, _, _ = http(f"{base}/accounts/{account}/paths?part=paths", cookie=cookie)
            fast = fast + 1 if status == 200 and time.perf_counter() - asked < 1.0 else 0
    return time.perf_counter() - started


class Sampler(threading.Thread):
    """RSS and PSS of every process of the server, every ``every`` seconds."""

    def __init__(self, root: int, every: float) -> None:
        super().__init__(name="memory-sampler", daemon=True)
        self.root, self.every = root, every
        self.samples: list[dict[str, Any]] = []
        self.labels: dict[int, str] = {}
        self.halt = threading.Event()

    def label(self, pid: int) -> str:
        if pid not in self.labels:
            line = cmdline(pid)
            program = Path(line.split(" ", 1)[0]).name if line else "?"
            if pid == self.root:
                self.labels[pid] = "master"
            elif "apart_child" in line:
                self.labels[pid] = "sqlite reader"  # db/apart_child.py: Arrow's SQLite reads
            elif "resource_tracker" in line:
                self.labels[pid] = "resource tracker"
            elif program.startswith("python") or "crestline" in line:
                self.labels[pid] = "worker"
            else:
                self.labels[pid] = program  # e.g. Graphviz's dot drawing a chart
        return self.labels[pid]

    def sample(self) -> dict[str, Any]:
        procs = {}
        for pid in descendants(self.root):
            mem = memory_kb(pid)
            if mem is not None:
                procs[pid] = {"role": self.label(pid), "rss_kb": mem[0], "pss_kb": mem[1]}
        return {"t": time.time(), "procs": procs}

    def run(self) -> None:
        while not self.halt.is_set():
            self.samples.append(self.sample())
            self.halt.wait(self.every)

    def between(self, start: float, end: float) -> list[dict[str, Any]]:
        return [s for s in self.samples if start <= s["t"] <= end]


# --- the load -------------------------------------------------------------------------------


def run_locust(
    base: str, *, users: int, spawn_rate: float, seconds: int, wait: float, prefix: Path
) -> dict[str, Any]:
    """One headless Locust run; returns its request log, its wall time and its CPU seconds."""
    log = prefix.with_suffix(".requests.tsv")
    log.unlink(missing_ok=True)
    # everyone signs in, then browses ``seconds`` and stops (the locustfile); -t is only a bound
    bound = seconds + int(users / spawn_rate) + SIGN_IN_ALLOWANCE_S
    cmd = [
        str(BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "-t",
        f"{bound}s",
        "--host",
        base,
        "--only-summary",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
    ]
    env = {
        **os.environ,
        "CRESTLINE_LOAD_WAIT": str(wait),
        "CRESTLINE_LOAD_LOG": str(log),
        "CRESTLINE_LOAD_BROWSE_S": str(seconds),
    }
    print("  $", " ".join([*cmd[:1], "-f", LOCUSTFILE.name, *cmd[3:]]), f"(wait {wait} s)")
    started = time.time()
    with open(prefix.with_suffix(".locust.log"), "w") as out:
        proc = subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        killer = threading.Timer(bound + 120, lambda: stop_group(proc, grace=5))
        killer.start()
        try:
            _, _, usage = os.wait4(proc.pid, 0)
            proc.returncode = 0
        finally:
            killer.cancel()
            stop_group(proc, grace=5)
    ended = time.time()
    rows = []
    with open(log) as fh:
        for line in fh:
            at, kind, ms, ok, size, role, account = line.rstrip("\n").split("\t")
            rows.append((float(at), kind, float(ms), ok == "1", int(size), role, int(account)))
    rows.sort()  # by start time (the log is in the order requests ended)
    return {
        "rows": rows,
        "started": started,
        "ended": ended,
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }


def percentile(sorted_ms: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_ms:
        return float("nan")
    rank = max(1, min(len(sorted_ms), round(q / 100 * len(sorted_ms) + 0.5)))
    return sorted_ms[rank - 1]


def latency(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    ms = sorted(r[2] for r in rows)
    return {
        "requests": len(rows),
        "failures": sum(1 for r in rows if not r[3]),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(ms[-1], 1) if ms else None,
        "mean_kb": round(sum(r[4] for r in rows) / len(rows) / 1024, 1) if rows else None,
    }


def first_and_again(kept: list[tuple[Any, ...]], rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    seen: set[tuple[str, int, str]] = set()
    firsts: set[int] = set()
    for r in rows:
        key = (r[1], r[6], r[5])
        if r[1] in BROWSE and key not in seen:
            seen.add(key)
            firsts.add(id(r))
    return {
        "first_asks": latency([r for r in kept if id(r) in firsts]),
        "asked_again": latency([r for r in kept if id(r) not in firsts]),
    }


def memory_summary(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """Per process and in total: RSS and PSS (MB) at the first and last sample, and the most."""
    if not samples:
        return {}
    mb = 1 / 1024
    out: dict[str, Any] = {"samples": len(samples), "processes": {}}
    pids = sorted({pid for s in samples for pid in s["procs"]})
    lasting = {"master", "worker", "sqlite reader", "resource tracker"}
    for pid in pids:
        seen = [s["procs"][pid] for s in samples if pid in s["procs"]]
        if seen[0]["role"] not in lasting:  # a drawing's Graphviz, seconds long: counted apart
            brief = out.setdefault("brief", {}).setdefault(seen[0]["role"], {"seen": 0})
            brief["seen"] += 1
            top = round(max(p["rss_kb"] for p in seen) * mb, 1)
            brief["max_rss_mb"] = max(brief.get("max_rss_mb", 0.0), top)
            continue
        out["processes"][str(pid)] = {
            "role": seen[0]["role"],
            "seen_s": [  # first and last sample that saw it, seconds into the run
                round(next(s["t"] for s in samples if pid in s["procs"]) - samples[0]["t"], 1),
                round(
                    next(s["t"] for s in reversed(samples) if pid in s["procs"]) - samples[0]["t"],
                    1,
                ),
            ],
            **{
                f"{key}_mb": {
                    "start": round(seen[0][f"{key}_kb"] * mb, 1),
                    "end": round(seen[-1][f"{key}_kb"] * mb, 1),
                    "max": round(max(p[f"{key}_kb"] for p in seen) * mb, 1),
                }
                for key in ("rss", "pss")
            },
        }
    # a worker uvicorn started during the run replaces one that died or that it ended (it ends
    # a worker that does not answer its ping in time)
    workers = [p for p in out["processes"].values() if p["role"] == "worker"]
    out["workers_started"] = sum(1 for p in workers if p["seen_s"][0] > 0)
    span = samples[-1]["t"] - samples[0]["t"]
    out["workers_ended"] = sum(  # not in the last sample ("seen_s" is rounded to 0.1 s)
        1 for p in workers if p["seen_s"][1] < span - 0.5
    )
    for key in ("rss", "pss"):
        totals = [sum(p[f"{key}_kb"] for p in s["procs"].values()) * mb for s in samples]
        out[f"total_{key}_mb"] = {
            "start": round(totals[0], 1),
            "end": round(totals[-1], 1),
            "max": round(max(totals), 1),
            # at each quarter of the run: growth that stops is a cache filling, not a leak
            "quarters": [
                round(totals[min(len(totals) - 1, len(totals) * q // 4)], 1) for q in (1, 2, 3)
            ],
        }
    return out


def measure(
    base: str,
    *,
    server_pid: int,
    db_pid: int | None,
    db_url: str | None,
    sampler: Sampler,
    users: int,
    spawn_rate: float,
    seconds: int,
    wait: float,
    prefix: Path,
    skip: float = 0.0,
) -> dict[str, Any]:
    """One Locust run against the server, summarised; ``skip`` seconds of ramp-up left out of
    the throughput and the percentiles (the sign-ins are reported apart anyway)."""
    server_pids = descendants(server_pid)
    db_pids = descendants(db_pid) if db_pid else []
    cpu_server, cpu_db = cpu_seconds(server_pids), cpu_seconds(db_pids)
    busy = machine_busy_seconds()
    counters = pg_counters(db_url)
    run = run_locust(
        base, users=users, spawn_rate=spawn_rate, seconds=seconds, wait=wait, prefix=prefix
    )
    cpu_server = cpu_seconds(server_pids) - cpu_server
    cpu_db = cpu_seconds(descendants(db_pid) if db_pid else []) - cpu_db
    busy = machine_busy_seconds() - busy
    counters_after = pg_counters(db_url)
    browse = [r for r in run["rows"] if r[1] in BROWSE]
    first = min((r[0] for r in browse), default=run["started"])
    window_start = first + skip
    kept = [r for r in browse if r[0] >= window_start]
    last = max((r[0] + r[2] / 1000 for r in kept), default=window_start)
    span = max(last - window_start, 1e-9)
    wall = run["ended"] - run["started"]
    result: dict[str, Any] = {
        "users": users,
        "wait_s": wait,
        "seconds": seconds,
        "window_s": round(span, 1),
        "offered_per_s": round(users / wait, 1) if wait > 0 else None,
        "throughput_per_s": round(len(kept) / span, 2),
        "overall": latency(kept),
        # once every user has signed in (the sign-ins' password hashing crowds the first seconds)
        "steady": latency([r for r in kept if r[0] >= first + STEADY_AFTER_S]),
        "kinds": {k: latency([r for r in kept if r[1] == k]) for k in BROWSE},
        # the first ask of an account's page or panel by a role in this run (no worker has
        # computed it for that role's view yet) against asks seen before (warm in the worker that
        # answered the first; the other worker may still compute it)
        **first_and_again(kept, run["rows"]),
        "roles": {
            role: latency([r for r in kept if r[5] == role])
            for role in sorted({r[5] for r in kept})
        },
        "setup": {k: latency([r for r in run["rows"] if r[1] == k]) for k in SETUP},
        "cpu_s": {
            "server": round(cpu_server, 1),
            "database": round(cpu_db, 1) if db_pid else None,
            "load_generator": round(run["cpu_s"], 1),
            # everything else the machine ran meanwhile (other people's work, the kernel)
            "other": round(busy - cpu_server - cpu_db - run["cpu_s"], 1),
            "wall": round(wall, 1),
            "cores": os.cpu_count(),
            # the server's CPU time per request it answered (sign-ins included): with C cores
            # busy on nothing else, the most it can answer is about C / this a second
            "server_ms_per_request": round(1000 * cpu_server / max(1, len(run["rows"])), 1),
        },
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
        # PostgreSQL: connections the server opened during the run (a pool that opens and
        # closes them under load pays a backend's start each time), and transactions
        "pg_connections_opened": (
            counters_after[0] - counters[0] - 1 if counters and counters_after else None
        ),
        "pg_transactions": (
            counters_after[1] - counters[1] if counters and counters_after else None
        ),
        "memory": memory_summary(sampler.between(run["started"], run["ended"])),
    }
    result["p99_over_goal"] = round(result["overall"]["p99_ms"] / GOAL_P99_MS, 2)
    return result


def saturate(
    base: str,
    *,
    steps: list[int],
    seconds: int,
    p99_limit_ms: float,
    prefix: Path,
    **common: Any,
) -> dict[str, Any]:
    """Users with no wait, more at each step, until p99 passes the limit or the throughput stops
    growing; the throughput at saturation is the best step's."""
    found: list[dict[str, Any]] = []
    reason = "every step run"
    for users in steps:
        step = measure(
            base,
            users=users,
            spawn_rate=users,
            seconds=seconds,
            wait=0,
            prefix=prefix.with_name(f"{prefix.name}-sat{users}"),
            skip=5.0,
            **common,
        )
        step.pop("memory", None)
        found.append(step)
        print_step(step)
        if step["overall"]["p99_ms"] > p99_limit_ms:
            reason = f"p99 passed {p99_limit_ms:.0f} ms at {users} users"
            break
        best = [max(s["throughput_per_s"] for s in found[: i + 1]) for i in range(len(found))]
        if len(found) >= 3 and best[-1] < 1.05 * best[-3]:  # noise on a shared machine: two
            reason = f"throughput grew less than 5 % in two steps, at {users} users"
            break
    within = [s for s in found if s["overall"]["p99_ms"] <= p99_limit_ms] or found[:1]
    top = max(within, key=lambda s: s["throughput_per_s"])
    most = max(found, key=lambda s: s["throughput_per_s"])
    return {
        "steps": found,
        "stopped": reason,
        "p99_limit_ms": p99_limit_ms,
        # the most answered a second with p99 within the limit
        "saturation_per_s": top["throughput_per_s"],
        "at_users": top["users"],
        "p99_ms_there": top["overall"]["p99_ms"],
        "most_per_s": most["throughput_per_s"],  # at any p99
        "most_at_users": most["users"],
    }


# --- printing -------------------------------------------------------------------------------


def print_step(step: dict[str, Any]) -> None:
    o = step["overall"]
    print(
        f"    {step['users']:>3} users, no wait: {step['throughput_per_s']:7.1f} req/s  "
        f"p50 {o['p50_ms']:7.1f}  p99 {o['p99_ms']:7.1f} ms  failures {o['failures']}  "
        f"(CPU s: server {step['cpu_s']['server']}, database {step['cpu_s']['database']}, "
        f"other {step['cpu_s']['other']})\n"
        f"          p50 by kind: "
        + ", ".join(f"{k} {v['p50_ms']}" for k, v in step["kinds"].items())
        + " ms"
    )


def print_summary(name: str, out: dict[str, Any]) -> None:
    load = out["load"]
    print(f"\n== {name}: {out['note']}")
    print(
        f"  {load['users']} users, one request each {load['wait_s']} s "
        f"(offered {load['offered_per_s']}/s), {load['seconds']} s: "
        f"throughput {load['throughput_per_s']} req/s"
    )
    print(f"  {'kind':<16} {'requests':>8} {'fail':>5} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}")
    rows = [
        *load["kinds"].items(),
        ("all", load["overall"]),
        (f"all after {STEADY_AFTER_S:.0f} s", load["steady"]),
        ("first asks", load["first_asks"]),
        ("asked again", load["asked_again"]),
        *load["setup"].items(),
    ]
    for kind, s in rows:
        if s["requests"]:
            print(
                f"  {kind:<16} {s['requests']:>8} {s['failures']:>5} {s['p50_ms']:>8.1f} "
                f"{s['p95_ms']:>8.1f} {s['p99_ms']:>8.1f} {s['max_ms']:>8.1f}"
            )
    print(f"  p99 / goal ({GOAL_P99_MS:.0f} ms): {load['p99_over_goal']}")
    for role, s in load["roles"].items():
        print(f"  as {role:<7} {s['requests']:>6} requests  p50 {s['p50_ms']} p99 {s['p99_ms']} ms")
    cpu = load["cpu_s"]
    print(
        f"  CPU seconds over {cpu['wall']} s: server {cpu['server']}, database "
        f"{cpu['database']}, load generator {cpu['load_generator']}, "
        f"everything else {cpu['other']}; server CPU a request: "
        f"{cpu['server_ms_per_request']} ms"
    )
    if load["pg_connections_opened"] is not None:
        print(
            f"  PostgreSQL: {load['pg_connections_opened']} connections opened, "
            f"{load['pg_transactions']} transactions"
        )
    mem = load["memory"]
    if mem:
        for pid, p in mem["processes"].items():
            r, q = p["rss_mb"], p["pss_mb"]
            print(
                f"  {p['role']:<16} {pid:>7}: RSS {r['start']} -> {r['end']} MB "
                f"(max {r['max']}), PSS {q['start']} -> {q['end']} MB (max {q['max']}), "
                f"seen {p['seen_s'][0]}-{p['seen_s'][1]} s"
            )
        if mem["workers_started"] or mem["workers_ended"]:
            print(
                f"  workers ended during the run: {mem['workers_ended']}, "
                f"started: {mem['workers_started']} (uvicorn replaces a worker that died or did "
                "not answer its ping)"
            )
        for role, b in mem.get("brief", {}).items():
            print(f"  {role:<16} {b['seen']} brief processes seen, RSS up to {b['max_rss_mb']} MB")
        r, q = mem["total_rss_mb"], mem["total_pss_mb"]
        print(
            f"  server in total: RSS {r['start']} -> {r['end']} MB (max {r['max']}), "
            f"PSS {q['start']} -> {q['end']} MB (max {q['max']}); PSS at each quarter of the "
            f"run: {' -> '.join(str(v) for v in [q['start'], *q['quarters'], q['end']])} MB"
        )
    sat = out.get("saturation")
    if sat:
        print(
            f"  saturation: {sat['saturation_per_s']} req/s at {sat['at_users']} users "
            f"(p99 {sat['p99_ms_there']} ms, within {sat['p99_limit_ms']:.0f} ms); at most "
            f"{sat['most_per_s']} req/s ({sat['most_at_users']} users); stopped: {sat['stopped']}"
        )


# --- one backend ----------------------------------------------------------------------------


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, check=False, capture_output=True, text=True)
    return done.stdout.strip()


def run_backend(backend: str, args: argparse.Namespace, workers: int) -> dict[str, Any]:
    RESULTS.mkdir(exist_ok=True)
    prefix = RESULTS / f"load-{backend}"
    out: dict[str, Any] = {
        "backend": backend,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": args.commit,
        # installed editable, the package runs from the working tree unless --checkout is given
        "uncommitted_in_src": []
        if SOURCE
        else git("status", "--porcelain", "--", "src").splitlines(),
        "cores": os.cpu_count(),
        "workers": workers,
    }
    with contextlib.ExitStack() as stack:
        cluster = None
        url = args.db
        if url is None:
            if backend == "postgresql":
                cluster = PostgresCluster()
                stack.callback(cluster.stop)
                cluster.start()
                url = cluster.create_database()
            else:
                folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="crestline-load-"))
                url = str(Path(folder) / "world.db")
            print(f"  demo world ({args.scale}) into {url} …", flush=True)
            out["world_s"] = round(demo_world(url, args.scale), 1)
            out["scale"] = args.scale
        out["database"] = url if cluster is None and args.db else f"fresh {args.scale} world"
        proc, base = stack.enter_context(
            server(url, workers=workers, log=prefix.with_suffix(".server.log"))
        )
        out["warm_up_s"] = round(warm_up(base, workers=workers), 1)
        sampler = Sampler(proc.pid, args.sample_every)
        sampler.start()
        stack.callback(sampler.halt.set)
        out["memory_after_warm_up"] = memory_summary([sampler.sample()])
        common = {
            "server_pid": proc.pid,
            "db_pid": cluster.postmaster() if cluster else None,
            "db_url": url,
            "sampler": sampler,
        }
        if not args.saturate_only:
            out["load"] = measure(
                base,
                users=args.users,
                spawn_rate=args.spawn_rate,
                seconds=args.duration,
                wait=args.wait,
                prefix=prefix,
                **common,
            )
        if args.saturate or args.saturate_only:
            print("  saturation:")
            out["saturation"] = saturate(
                base,
                steps=[int(s) for s in args.steps.split(",")],
                seconds=args.step_duration,
                p99_limit_ms=args.saturate_p99,
                prefix=prefix,
                **common,
            )
        server_log = prefix.with_suffix(".server.log").read_text(errors="replace")
        out["server_log_tracebacks"] = server_log.count("Traceback")
    shown = "one process (crestline serve has no --workers yet)" if workers == 1 else ""
    out["note"] = (
        f"{backend}, {out['database']}, {shown or f'{workers} workers'}, "
        f"commit {out['commit']}, {out['cores']} cores"
    )
    return out


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress in a pipe
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--db", help="a database already loaded: SQLite path or URL")
    parser.add_argument("--scale", default="demo", help="demo world scale when --db is not given")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=120, help="seconds of load")
    parser.add_argument("--wait", type=float, default=2.0, help="seconds between a user's asks")
    parser.add_argument("--sample-every", type=float, default=2.0, help="memory sampling, s")
    parser.add_argument("--saturate", action="store_true", help="then find the saturation")
    parser.add_argument("--saturate-only", action="store_true", help="only the saturation")
    parser.add_argument("--steps", default="1,2,4,8,16,32,64", help="users at each step")
    parser.add_argument("--step-duration", type=int, default=30, help="seconds a step")
    parser.add_argument("--saturate-p99", type=float, default=2000.0, help="ms: stop above")
    parser.add_argument(
        "--checkout",
        metavar="REV",
        help="run Crestline from this commit's src/ (git archive into a temporary folder), "
        "not from the working tree",
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.checkout:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="crestline-src-")))
            archive = subprocess.run(
                ["git", "archive", args.checkout, "src"], cwd=ROOT, check=True, capture_output=True
            )
            subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
            SOURCE["PYTHONPATH"] = str(folder / "src")
        args.commit = git("rev-parse", "--short", args.checkout or "HEAD")
        run_all(parser, args)


def run_all(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.db:
        kind = "postgresql" if args.db.startswith("postgresql") else "sqlite"
        if args.backend not in (kind, "both"):
            parser.error(f"--db is a {kind} database but --backend is {args.backend}")
        backends = [kind]
    else:
        backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    workers = args.workers if serve_has_workers() else 1
    if workers != args.workers:
        print(f"note: `crestline serve` has no --workers yet: one process, not {args.workers}")
    for backend in backends:
        print(f"== {backend}", flush=True)
        out = run_backend(backend, args, workers)
        if "load" in out:
            print_summary(backend, out)
        elif "saturation" in out:
            sat = out["saturation"]
            print(f"  saturation: {sat['saturation_per_s']} req/s at {sat['at_users']} users")
        path = RESULTS / f"load-{backend}.json"
        path.write_text(json.dumps(out, indent=2) + "\n")
        print(f"  written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
