"""Locust users of the Crestline web app: signed-in people of mixed roles browsing accounts.

Run by ``benchmarks/bench_load.py``; on its own::

    locust -f benchmarks/locustfile_crestline.py --headless -u 50 -r 10 -t 2m \\
        --host http://127.0.0.1:8000

Each user signs in through the login form (POST /login: the session cookie) as ``admin``,
``leader`` or ``seller`` in turn (three sellers, two leaders and one admin in six), lists the
accounts it may see (GET /api/v1/accounts with that cookie: a seller sees only their team's), then
asks, once every ``CRESTLINE_LOAD_WAIT`` seconds (default 2; 0 = no wait), for one of what a
browser asks when someone opens an account: the account page (/accounts/{id}), its warm-paths
panel (/accounts/{id}/paths?part=paths) or its executive-pairing panel (?part=pairs) — the two
panels the page fetches once it is shown — one kind as often as the others, on an account chosen
at random among those it may see.

The users sign in first and browse together: with ``CRESTLINE_LOAD_TOGETHER`` (default 1), no
one asks for a page before everyone has signed in (the sign-ins are measured apart: a morning's
sign-ins do not all fall in the same five seconds), then each starts at a random moment of its
first period (people do not click in step). With ``CRESTLINE_LOAD_BROWSE_S`` (default 0: until
Locust stops) each browses for that many seconds after everyone signed in, then stops; Locust
quits once all have stopped.

A response counts as failed unless it is 200 and is the page asked for (a lost session would be
a 303 to the login page). With ``CRESTLINE_LOAD_LOG`` set, every request is also appended to that
file as one tab-separated line: start time (Unix s), kind, milliseconds, ok (1/0), bytes, role,
account id (0 for sign-in and listing).
"""

from __future__ import annotations

import itertools
import os
import random
import time
from typing import Any, ClassVar

import gevent
from gevent.event import Event
from locust import constant, constant_pacing, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

ROLES = ("seller", "leader", "seller", "admin", "leader", "seller")
PASSWORD = os.environ.get("CRESTLINE_LOAD_PASSWORD", "crestline")
WAIT = float(os.environ.get("CRESTLINE_LOAD_WAIT", "2"))
LOG = os.environ.get("CRESTLINE_LOAD_LOG")
TOGETHER = os.environ.get("CRESTLINE_LOAD_TOGETHER", "1") == "1"
BROWSE_S = float(os.environ.get("CRESTLINE_LOAD_BROWSE_S", "0"))
SIGN_IN_TIMEOUT_S = 300.0
MAX_ACCOUNTS = 2000  # accounts a user lists at the most (a seller's team has far fewer)
MARKERS = {  # a piece of what each kind of response must hold
    "account page": "exec-pairs",
    "paths panel": "<h2>Warm paths</h2>",
    "pairs panel": "<h2>Executive pairing</h2>",
}

_numbers = itertools.count()
_log: dict[str, Any] = {}  # the open request log, when CRESTLINE_LOAD_LOG names one
_crowd: dict[str, float] = {"signed_in": 0, "stopped": 0}  # and "released": when all had
_everyone_in = Event()


@events.test_start.add_listener
def _open_log(**_kwargs: Any) -> None:
    if LOG and "file" not in _log:
        _log["file"] = open(LOG, "a", buffering=1 << 16)  # noqa: SIM115 - closed on quitting


@events.request.add_listener
def _record(
    name: str,
    response_time: float,
    response_length: int,
    exception: BaseException | None,
    context: dict[str, Any],
    start_time: float | None = None,
    **_kwargs: Any,
) -> None:
    if "file" in _log:
        started = start_time if start_time is not None else time.time() - response_time / 1000
        ok = 1 if exception is None else 0
        role, account = context.get("role", ""), context.get("account", 0)
        _log["file"].write(
            f"{started:.4f}\t{name}\t{response_time:.2f}\t{ok}\t{response_length}\t{role}"
            f"\t{account}\n"
        )


@events.quitting.add_listener
def _close_log(**_kwargs: Any) -> None:
    if "file" in _log:
        _log.pop("file").close()


class Browser(FastHttpUser):
    """Someone of one role with a browser open on Crestline."""

    wait_time = constant_pacing(WAIT) if WAIT > 0 else constant(0)
    accounts: ClassVar[list[int]] = []
    stop_at: float | None = None

    def on_start(self) -> None:
        try:
            self._sign_in()
        finally:
            self._wait_for_everyone()

    def _wait_for_everyone(self) -> None:
        _crowd["signed_in"] += 1
        if _crowd["signed_in"] >= max(1, self.environment.runner.target_user_count):
            _crowd.setdefault("released", time.time())
            _everyone_in.set()
        if TOGETHER:
            _everyone_in.wait(timeout=SIGN_IN_TIMEOUT_S)
        released = _crowd.get("released", time.time())
        self.stop_at = released + BROWSE_S if BROWSE_S > 0 else None
        gevent.sleep(self.rng.uniform(0, WAIT))  # not in step with the others
        # constant_pacing counts from its last call: without this, the sign-in's wait would
        # count as time already spent, and the first two asks would leave back to back
        self._cp_last_run, self._cp_last_wait_time = time.perf_counter(), 0.0

    def _sign_in(self) -> None:
        number = next(_numbers)
        self.role = ROLES[number % len(ROLES)]
        self.rng = random.Random(number)
        self.accounts = []
        with self.client.post(
            "/login",
            data={"login": self.role, "password": PASSWORD, "next": "/"},
            allow_redirects=False,
            name="sign in",
            context={"role": self.role},
            catch_response=True,
        ) as response:
            if response.status_code != 303 or "crestline_session" not in (
                response.headers.get("set-cookie") or ""
            ):
                response.failure(f"sign-in as {self.role}: status {response.status_code}")
                return
        offset = 0
        while len(self.accounts) < MAX_ACCOUNTS:
            with self.client.get(
                f"/api/v1/accounts?limit=1000&offset={offset}",
                name="list accounts",
                context={"role": self.role},
                catch_response=True,
            ) as response:
                if response.status_code != 200:
                    response.failure(f"accounts of {self.role}: status {response.status_code}")
                    return
                page = response.json()
            self.accounts += [item["id"] for item in page["items"]]
            offset += len(page["items"])
            if not page["items"] or offset >= page["total"]:
                break

    def _ask(self, kind: str, path: str) -> None:
        if self.stop_at is not None and time.time() >= self.stop_at:
            _crowd["stopped"] += 1
            if _crowd["stopped"] >= self.environment.runner.target_user_count:
                gevent.spawn_later(0.5, self.environment.runner.quit)  # everyone is done
            raise StopUser()
        if not self.accounts:
            time.sleep(1)  # the sign-in failed: already counted
            return
        account = self.rng.choice(self.accounts)
        with self.client.get(
            path.format(account),
            name=kind,
            allow_redirects=False,
            context={"role": self.role, "account": account},
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif MARKERS[kind] not in (response.text or ""):
                response.failure("not the page asked for")

    @task
    def account_page(self) -> None:
        self._ask("account page", "/accounts/{}")

    @task
    def paths_panel(self) -> None:
        self._ask("paths panel", "/accounts/{}/paths?part=paths")

    @task
    def pairs_panel(self) -> None:
        self._ask("pairs panel", "/accounts/{}/paths?part=pairs")
