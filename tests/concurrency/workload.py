"""A team's day on one database, in rounds: sellers correcting on the web, others reading pages
and warm paths, a colleague at the command line assessing people, importing LinkedIn
connections and asking for paths — all at once, against one real server.

Every writer owns its own people (one account each), so what each person should hold at the end
of a round is known: the last write that was acknowledged (a 2xx, or exit status 0). A write that
got no clear answer (an error, a lost connection) makes its row uncertain — and is an error.
"""

from __future__ import annotations

import csv
import itertools
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.concurrency.harness import ASSESSED, Server, State, World, rows, run_cli

SUPPORT = ("mentor", "supporter", "neutral", "non_supporter", "enemy")
COVERAGE = ("unknown", "none", "light", "partial", "in_depth")
STRENGTH = ("low", "medium", "high")
ROLES = ("Economic Buyer", "Decision Maker", "Technical Buyer", "Evaluator", "Influencer")
WEB_WRITERS = 3
READERS = 3
PEOPLE_EACH = 12


@dataclass
class Ledger:
    """What the workload was told it wrote, and what went wrong; shared by the threads."""

    expected: State
    lock: threading.Lock = field(default_factory=threading.Lock)
    errors: list[str] = field(default_factory=list)
    uncertain: set[tuple[str, Any]] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)
    fresh_links: list[tuple[int, int]] = field(default_factory=list)  # to see in paths

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)

    def count(self, kind: str) -> None:
        with self.lock:
            self.counts[kind] += 1

    def assessed(self, person: int, changes: dict[str, Any]) -> None:
        with self.lock:
            before = self.expected.assessments.get(person, (None,) * len(ASSESSED))
            row = dict(zip(ASSESSED, before, strict=True))
            row.update(changes)
            self.expected.assessments[person] = tuple(row[k] for k in ASSESSED)

    def unsure(self, kind: str, key: Any) -> None:
        with self.lock:
            self.uncertain.add((kind, key))


@dataclass(frozen=True)
class Beat:
    """One writer's ground: an account, its people and its open deals."""

    login: str
    account: int
    people: list[int]
    opportunities: list[int]


@dataclass
class Plan:
    """Who writes where, what is read, whose connections are imported."""

    world: World
    server: Server
    folder: Path
    web: list[Beat]
    cli: Beat
    reads: list[str]
    seller: tuple[int, str]  # (id, email): whose LinkedIn connections are imported
    targets: list[tuple[int, str, str, str]]  # (person, full name, email, account name)

    @classmethod
    def make(cls, world: World, server: Server, folder: Path) -> Plan:
        with server.client("seller") as client:
            answer = client.get("/api/v1/accounts", params={"limit": 1000})
            assert answer.status_code == 200, answer.text
            sellers_own = {a["id"] for a in answer.json()["items"]}
        accounts = [
            a
            for (a,) in rows(
                world,
                "SELECT account_id FROM people GROUP BY account_id "
                "HAVING count(*) >= 20 ORDER BY count(*) DESC, account_id",
            )
        ]
        mine = [a for a in accounts if a in sellers_own][:1]
        rest = [a for a in accounts if a not in mine]
        logins = ["seller"] * len(mine) + ["admin"] * (WEB_WRITERS - len(mine))
        beats = [beat(world, login, a) for login, a in zip(logins, mine + rest, strict=False)]
        cli = beat(world, "local", rest[WEB_WRITERS - len(mine)])
        written = {b.account for b in [*beats, cli]}
        readable = [a for a in accounts if a not in written][:4] + [b.account for b in beats]
        reads = [
            "/api/v1/accounts?limit=50",
            *(f"/api/v1/accounts/{a}" for a in readable),
            *(f"/api/v1/accounts/{a}/paths" for a in readable),
            *(f"/api/v1/accounts/{a}/decision-makers" for a in readable[:3]),
            *(f"/accounts/{a}" for a in readable[:3]),
            *(f"/accounts/{a}/paths?part=paths" for a in readable[:2]),
        ]
        ((seller_id, email),) = rows(
            world,
            "SELECT id, email FROM sellers WHERE active AND email IS NOT NULL ORDER BY id LIMIT 1",
        )
        targets = rows(
            world,
            "SELECT p.id, p.full_name, p.email, a.name FROM people p "
            "JOIN accounts a ON a.id = p.account_id "
            "WHERE p.email IS NOT NULL "
            f"AND p.account_id NOT IN ({', '.join(str(a) for a in sorted(written))}) "
            "ORDER BY p.id",
        )
        targets = [t for t in targets if " " in t[1]]  # a first and a last name
        rng = random.Random(10)
        rng.shuffle(targets)
        return cls(world, server, folder, beats, cli, reads, (seller_id, email), targets)


def beat(world: World, login: str, account: int) -> Beat:
    people = [
        p
        for (p,) in rows(
            world, "SELECT id FROM people WHERE account_id = ? ORDER BY id", (account,)
        )
    ]
    opportunities = [
        o for (o,) in rows(world, "SELECT id FROM opportunities WHERE account_id = ?", (account,))
    ]
    return Beat(login, account, people[:PEOPLE_EACH], opportunities)


def token() -> str:
    return uuid.uuid4().hex[:10]


def web_writer(plan: Plan, mine: Beat, ledger: Ledger, until: float, seed: int) -> None:
    """Corrections on the API, one after the other, each recorded once acknowledged."""
    rng = random.Random(seed)
    with plan.server.client(mine.login) as client:
        while time.monotonic() < until:
            kind = rng.choices(["assess", "role", "influence", "unlink"], [6, 2, 2, 1])[0]
            person = rng.choice(mine.people)
            with ledger.lock:
                lines = sorted(k for k in ledger.expected.influence if k[0] in mine.people)
            try:
                if kind == "unlink" and lines:
                    source, target = rng.choice(lines)
                    key: Any = (source, target)
                    answer = client.delete(f"/api/v1/people/{source}/influence/{target}")
                    if answer.status_code == 204:
                        with ledger.lock:
                            del ledger.expected.influence[key]
                elif kind == "role" and mine.opportunities:
                    opp, role = rng.choice(mine.opportunities), rng.choice(ROLES)
                    key = (opp, person)
                    answer = client.put(
                        f"/api/v1/opportunities/{opp}/roles/{person}", json={"role": role}
                    )
                    if answer.status_code == 200:
                        with ledger.lock:
                            ledger.expected.roles[key] = role
                elif kind in ("influence", "unlink"):
                    kind = "influence"
                    target = rng.choice([p for p in mine.people if p != person])
                    strength, note = rng.choice(STRENGTH), f"sways {token()}"
                    key = (person, target)
                    answer = client.post(
                        f"/api/v1/people/{person}/influence",
                        json={"to": target, "strength": strength, "note": note},
                    )
                    if answer.status_code == 201:
                        with ledger.lock:
                            ledger.expected.influence[key] = (strength, note)
                else:
                    kind, key = "assess", person
                    changes = {
                        "support": rng.choice(SUPPORT),
                        "coverage": rng.choice(COVERAGE),
                        "note": f"web {token()}",
                    }
                    answer = client.patch(f"/api/v1/people/{person}/assessment", json=changes)
                    if answer.status_code == 200:
                        ledger.assessed(person, changes)
            except httpx.HTTPError as exc:
                ledger.unsure(kind, key)
                ledger.error(f"web {kind} {key}: {type(exc).__name__}: {exc}")
                continue
            if answer.is_success:
                ledger.count(f"web {kind}")
            else:
                ledger.unsure(kind, key)
                ledger.error(f"web {kind} {key}: {answer.status_code} {answer.text[:200]}")


def web_reader(plan: Plan, ledger: Ledger, until: float, seed: int) -> None:
    """Pages, accounts, decision-makers and warm paths, as fast as they come (signed in as a
    browser is: pages take the session cookie only)."""
    order = plan.reads[:]
    random.Random(seed).shuffle(order)
    with plan.server.browser("admin") as client:
        for path in itertools.cycle(order):
            if time.monotonic() >= until:
                return
            try:
                answer = client.get(path)
            except httpx.HTTPError as exc:
                ledger.error(f"read {path}: {type(exc).__name__}: {exc}")
                continue
            if answer.status_code != 200:
                ledger.error(f"read {path}: {answer.status_code} {answer.text[:200]}")
            else:
                ledger.count("web read")


def direct_paths(plan: Plan, person: int) -> list[Any]:
    """The one-hop paths from the importing seller to ``person``, as the server answers."""
    with plan.server.client() as client:
        answer = client.get(
            f"/api/v1/people/{person}/paths", params={"max_hops": 1, "from": plan.seller[0]}
        )
    assert answer.status_code == 200, answer.text
    return list(answer.json()[0]["paths"])


def linkedin_file(folder: Path, target: tuple[int, str, str, str]) -> Path:
    _, name, email, company = target
    first, _, last = name.partition(" ")
    path = folder / f"Connections-{target[0]}.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        fh.write('Notes:\n"Exported from LinkedIn"\n\n')
        out = csv.writer(fh)
        out.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position"])
        out.writerow([first, last, "", email, company, ""])
    return path


def cli_importer(plan: Plan, ledger: Ledger, until: float, round_no: int) -> None:
    """A colleague at the command line: a LinkedIn import every other round, and
    ``accounts list`` or ``paths`` (at least one a round, more while the round lasts)."""
    if plan.targets and round_no % 2 == 0:
        target = plan.targets.pop()
        fresh = not direct_paths(plan, target[0])
        done = run_cli(
            plan.world,
            "import", "linkedin", str(linkedin_file(plan.folder, target)),
            "--seller", plan.seller[1], "--format", "json",
        )  # fmt: skip
        link = (plan.seller[0], target[0])
        if done.code == 0:
            ledger.count("cli import")
            with ledger.lock:
                ledger.expected = ledger.expected.with_link(link)
                if fresh:
                    ledger.fresh_links.append(link)
        else:
            ledger.unsure("link", link)
            ledger.error(done.describe())
    reads = [
        ("accounts", "list", "--format", "json"),
        ("paths", str(plan.web[0].account), "-k", "1", "--format", "json"),
    ]
    for step in itertools.count(round_no % 2):  # reads: the import took the first turn
        if step > 0 and time.monotonic() >= until:
            return
        done = run_cli(plan.world, *reads[(step + round_no // 2) % len(reads)])
        if done.code == 0:
            ledger.count("cli read")
        else:
            ledger.error(done.describe())


def cli_assessor(plan: Plan, ledger: Ledger, until: float, round_no: int) -> None:
    """Another at the command line: ``crestline person assess``, one after the other."""
    rng = random.Random(round_no)
    for step in itertools.count():
        if step > 0 and time.monotonic() >= until:
            return
        person = rng.choice(plan.cli.people)
        changes = {"support": rng.choice(SUPPORT), "note": f"cli {token()}"}
        done = run_cli(
            plan.world,
            "person", "assess", str(person), "--support", changes["support"],
            "--note", changes["note"], "--format", "json",
        )  # fmt: skip
        if done.code == 0 and done.json()["support"] == changes["support"]:
            ledger.assessed(person, changes)
            ledger.count("cli assess")
        else:
            ledger.unsure("assess", person)
            ledger.error(done.describe())


def guarded(ledger: Ledger, work: Callable[..., None], *args: Any) -> threading.Thread:
    """A thread for ``work`` whose unexpected exception is an error of the round, not lost."""

    def run() -> None:
        try:
            work(*args)
        except Exception as exc:  # an assertion or a bad answer inside a worker
            ledger.error(f"{work.__name__}: {type(exc).__name__}: {exc}")

    return threading.Thread(target=run, name=work.__name__)


def run_round(plan: Plan, ledger: Ledger, seconds: float, round_no: int) -> None:
    """Every worker at once for ``seconds``; returns when all have stopped."""
    until = time.monotonic() + seconds
    workers = [
        guarded(ledger, web_writer, plan, b, ledger, until, round_no * 100 + i)
        for i, b in enumerate(plan.web)
    ]
    workers += [
        guarded(ledger, web_reader, plan, ledger, until, round_no * 100 + i) for i in range(READERS)
    ]
    workers += [
        guarded(ledger, cli, plan, ledger, until, round_no) for cli in (cli_importer, cli_assessor)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def differences(expected: State, found: State, uncertain: set[tuple[str, Any]]) -> list[str]:
    """Where the database differs from what was acknowledged (rows left alone included)."""
    said: list[str] = []
    tables: list[tuple[str, dict[Any, Any], dict[Any, Any]]] = [
        ("assess", expected.assessments, found.assessments),
        ("influence", expected.influence, found.influence),
        ("role", expected.roles, found.roles),
        ("link", dict.fromkeys(expected.links, True), dict.fromkeys(found.links, True)),
    ]
    for kind, want, have in tables:
        for key in sorted(set(want) | set(have), key=repr):
            if (kind, key) in uncertain:
                continue
            if want.get(key) != have.get(key):
                said.append(
                    f"{kind} {key}: acknowledged {want.get(key)!r}, stored {have.get(key)!r}"
                )
    if expected.untouched != found.untouched:
        said.append("tables no one wrote to changed (accounts, sellers, deals, activities, people)")
    return said
