"""Benchmark: the account page and its panels, through a real ``crestline serve``, warm.

    python benchmarks/bench_pages.py --db world.db            # a copy of an existing demo world
    python benchmarks/bench_pages.py --scale demo             # builds one first (~1 minute)
    python benchmarks/bench_pages.py --db world.db --src ../old/src   # another checkout's code

1. The world: ``--db`` is copied into a temporary folder (signing in writes a session; with
   ``--in-place`` it is served as it is, as ``make bench`` does with the world it deletes
   next), or a demo world of ``--scale`` is built there with ``crestline demo --no-serve``.
2. The server: ``crestline --db COPY serve`` in a subprocess (one worker unless ``--workers``;
   ``--src`` puts another checkout's ``src`` first on its path, to measure code from before a
   change on the same machine in the same run). The relationship graph is read when it starts;
   the benchmark waits for the first paths panel, then signs in through the login form and keeps
   the session cookie and one keep-alive connection, as a browser does.
3. Two accounts, found through the JSON API: the one whose people number closest to 500, and the
   largest. For each, what a browser asks when someone opens the account — the page, its warm
   paths panel, its executive pairing panel — and the other pages at its size: the last page of
   both its lists, the correction form of its last-ranked person, the chart as SVG, the person
   page of its most powerful person and that person's paths panel. Each is asked once (``first``:
   the worker computes and keeps what it can), then ``--repeat`` times (warm): median and p95
   in milliseconds, and its size in KB (goal: at most 150 ms warm, at most 300 KB).
4. Baseline in the same run: the ``/healthz`` round trip (no login, one tiny query), warm; every
   median is also given as a multiple of it, which travels between machines better than
   milliseconds on a busy one.
Results are printed and written to bench-results/pages-<name>.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS, GOAL_KB = 150.0, 300.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Browser:
    """One keep-alive connection and one session cookie."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.cookie = ""

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, dict[str, str]]:
        sent = {"Cookie": self.cookie} if self.cookie else {}
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers={**sent, **(headers or {})})
                response = self.conn.getresponse()
                return response.status, response.read(), dict(response.getheaders())
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()  # the server closed an idle connection: open another
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def get(self, path: str) -> tuple[int, bytes]:
        status, body, _ = self.request("GET", path)
        return status, body

    def sign_in(self, login: str, password: str) -> None:
        form = urlencode({"login": login, "password": password, "next": "/"}).encode()
        status, _, headers = self.request(
            "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        cookie = headers.get("set-cookie") or headers.get("Set-Cookie") or ""
        if status != 303 or not cookie:
            raise SystemExit(f"signing in as {login} failed: {status}")
        self.cookie = cookie.split(";", 1)[0]


def build_world(scale: str, folder: Path) -> Path:
    db = folder / f"world-{scale}.db"
    print(f"building the {scale} demo world in {db} ...", flush=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "crestline",
            "--db",
            str(db),
            "demo",
            "--scale",
            scale,
            "--no-serve",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return db


def start_server(db: Path, port: int, *, workers: int, src: Path | None) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")]).rstrip(":")
    command = [sys.executable, "-m", "crestline", "--db", str(db), "serve", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    log = open(Path(tempfile.gettempdir()) / f"crestline-pages-{port}.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if Browser(port).get("/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"the server did not start: see {log.name}")


def accounts(browser: Browser) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        status, body = browser.get(f"/api/v1/accounts?limit=1000&offset={len(found)}")
        page = json.loads(body)
        found += page["items"]
        if status != 200 or len(found) >= page["total"] or not page["items"]:
            return found


def pages_of(browser: Browser, account: dict[str, Any]) -> dict[str, str]:
    """What a browser asks for this account, by name."""
    a = account["id"]
    status, body = browser.get(f"/api/v1/accounts/{a}/decision-makers")
    people = json.loads(body)["people"] if status == 200 else []
    top, last = people[0]["id"], people[-1]["id"]
    return {
        "account page": f"/accounts/{a}",
        "paths panel": f"/accounts/{a}/paths?part=paths",
        "pairs panel": f"/accounts/{a}/paths?part=pairs",
        "last list pages": f"/accounts/{a}?page=9999&tree=9999",
        "correction form": f"/accounts/{a}?edit={last}",
        "chart SVG": f"/accounts/{a}/orgchart.svg",
        "person page": f"/people/{top}",
        "person paths panel": f"/people/{top}/paths?part=paths",
    }


def timed(browser: Browser, path: str, repeat: int) -> dict[str, float]:
    started = time.perf_counter()
    status, body = browser.get(path)
    first = time.perf_counter() - started
    if status != 200:
        raise SystemExit(f"{path}: status {status}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        browser.get(path)
        times.append(time.perf_counter() - started)
    times.sort()
    return {
        "first_ms": round(first * 1000, 1),
        "median_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))] * 1000, 1),
        "kb": round(len(body) / 1024, 1),
    }


def wait_for_graph(browser: Browser, account: int) -> float:
    """The first paths panel waits for the graph the server reads as it starts."""
    started = time.perf_counter()
    browser.get(f"/accounts/{account}/paths?part=paths&k=1")
    return time.perf_counter() - started


def run(db: Path, args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    server = start_server(db, port, workers=args.workers, src=args.src)
    try:
        browser = Browser(port)
        browser.sign_in(args.login, args.password)
        listed = accounts(browser)
        mid = min(listed, key=lambda a: (abs(a["people"] - 500), a["id"]))
        big = max(listed, key=lambda a: (a["people"], -a["id"]))
        graph_s = wait_for_graph(browser, mid["id"])
        health = timed(Browser(port), "/healthz", args.repeat * 2)
        out: dict[str, Any] = {"healthz": health, "graph_wait_s": round(graph_s, 2), "accounts": []}
        print(f"/healthz round trip: median {health['median_ms']} ms, p95 {health['p95_ms']} ms")
        for account in dict.fromkeys((mid["id"], big["id"])):
            row = next(a for a in listed if a["id"] == account)
            print(f"\n{row['name']} (id {account}, {row['people']} people)")
            print(f"  {'':20} {'first':>8} {'median':>8} {'p95':>8} {'x healthz':>9} {'KB':>7}")
            results = {}
            for name, path in pages_of(browser, row).items():
                r = timed(browser, path, args.repeat)
                r["x_healthz"] = round(r["median_ms"] / max(health["median_ms"], 0.01), 1)
                r["ok"] = r["median_ms"] <= GOAL_MS and r["kb"] <= GOAL_KB
                results[name] = {"path": path, **r}
                print(
                    f"  {name:20} {r['first_ms']:8.1f} {r['median_ms']:8.1f} {r['p95_ms']:8.1f}"
                    f" {r['x_healthz']:9.1f} {r['kb']:7.1f}{'' if r['ok'] else '  over the goal'}"
                )
            out["accounts"].append(
                {"id": account, "name": row["name"], "people": row["people"], "pages": results}
            )
        return out
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--db", type=Path, help="an existing demo world (copied, not changed)")
    parser.add_argument("--scale", default="demo", help="the demo world to build without --db")
    parser.add_argument("--repeat", type=int, default=30, help="warm requests per page")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--src", type=Path, help="another checkout's src/ to serve instead")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="crestline")
    parser.add_argument("--name", help="the results file's name (default: the world's)")
    parser.add_argument(
        "--in-place", action="store_true", help="serve --db itself, not a copy (it is written)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crestline-pages-") as tmp:
        folder = Path(tmp)
        if args.db is not None and args.in_place:
            db, name = args.db, args.name or args.db.stem
        elif args.db is not None:
            db = folder / "world.db"
            shutil.copyfile(args.db, db)
            name = args.name or args.db.stem
        else:
            db = build_world(args.scale, folder)
            name = args.name or args.scale
        results = run(db, args)
    results["world"] = str(args.db or f"demo --scale {args.scale}")
    results["src"] = str(args.src or "this checkout")
    out = ROOT / "bench-results" / f"pages-{name}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
