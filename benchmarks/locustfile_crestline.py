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

from locust import constant, constant_pacing, events, task
from locust.contrib.fasthttp import FastHttpUser

ROLES = ("seller", "leader", "seller", "admin", "leader", "seller")
PASSWORD = os.environ.get("CRESTLINE_LOAD_PASSWORD", "crestline")
WAIT = float(os.environ.get("CRESTLINE_LOAD_WAIT", "2"))
LOG = os.environ.get("CRESTLINE_LOAD_LOG")
MAX_ACCOUNTS = 2000  # accounts a user lists at the most (a seller's team has far fewer)
MARKERS = {  # a piece of what each kind of response must hold
    "account page": "exec-pairs",
    "paths panel": "<h2>Warm paths</h2>",
    "pairs panel": "<h2>Executive pairing</h2>",
}

_numbers = itertools.count()
_log: dict[str, Any] = {}  # the open request log, when CRESTLINE_LOAD_LOG names one


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

    def on_start(self) -> None:
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
