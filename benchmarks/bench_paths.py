"""Benchmark: warm-path queries on the demo world's relationship graph, against networkx.

    python benchmarks/bench_paths.py --db world.db         # the graph read from a database
    python benchmarks/bench_paths.py --scale enterprise    # ~2M people, ~10M edges, no database
    python benchmarks/bench_paths.py --scale demo          # a quick run

With ``--db`` (what ``make bench`` runs, on the database ``bench_demo.py --keep`` leaves): the
graph is read by ``services/paths/relationship_graph.build_graph`` from every source — connections,
meetings, calls, emails, contact roles, reporting lines, peers, former colleagues — and the time
and the peak memory added are the product's own. Without it:

1. The graph: the demo world's connections (our sellers to their people, their people to each
   other) and its reporting lines, streamed from the generator (no database), each edge's
   strength from ``engines/relationships.py``'s model. Nodes: people, then sellers.
2. Crestline: ``CsrGraph.from_edges`` (build time, resident memory added), then two sets of
   queries (k = 3 paths with different introducers, at most 4 hops): the account's owner to a
   person of the account, and one of our executives to an executive of any account; p50 / p99.
3. Baseline, in the same run: the same edges in a networkx ``Graph`` with weight
   −log(strength) + hop penalty, ``nx.bidirectional_dijkstra`` between the same pairs (one path,
   no hop bound, sellers may relay): build time, memory added, p50 / p99.
Goal: p99 at least 10x lower than networkx's, with less memory. Results are printed and written
to bench-results/paths-<scale>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crestline.demo.scales import SCALES  # noqa: E402
from crestline.demo.world import AS_OF, COLUMNS, WorldGenerator  # noqa: E402
from crestline.engines.csr_paths import CsrGraph, best_paths  # noqa: E402
from crestline.engines.paths import HOP_PENALTY  # noqa: E402
from crestline.engines.relationships import Evidence, StrengthModel  # noqa: E402


def peak_mb() -> float:
    """The most this process has held so far (resident)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def database_world(path: str) -> dict[str, object]:
    """The graph read from a database the way the product reads it, and the query sets' pools:
    each account's people and owner, their executives, ours."""
    from sqlalchemy import select

    from crestline.db.arrays import read_ints
    from crestline.db.models import Account, Person, PersonInsight, Seller
    from crestline.services.decisions.insights import resolve_as_of
    from crestline.services.demo.setup import open_db
    from crestline.services.paths.relationship_graph import build_graph

    db = open_db(path)
    with db.reader() as session:
        conn = session.connection()
        as_of = resolve_as_of(conn, None)
        gc.collect()
        before, started = rss_mb(), time.perf_counter()
        rg = build_graph(conn, as_of=as_of)
        build = time.perf_counter() - started
        added_peak = peak_mb() - before
        held = rss_mb() - before
        ids, accounts = read_ints(
            conn, select(Person.id, Person.account_id).where(Person.account_id.is_not(None))
        )
        people: dict[int, list[int]] = {}
        for pid, acc in zip(ids.tolist(), accounts.tolist(), strict=True):
            people.setdefault(acc, []).append(pid)
        owners = {
            acc: rg.seller_node(owner)
            for acc, owner in conn.execute(
                select(Account.id, Account.owner_id).where(Account.owner_id.is_not(None))
            )
        }
        senior: dict[int, list[int]] = {}
        for pid, acc in conn.execute(
            select(PersonInsight.person_id, PersonInsight.account_id).where(
                PersonInsight.seniority.in_(("board", "c_suite", "evp"))
            )
        ):
            senior.setdefault(acc, []).append(pid)
        execs = [
            rg.seller_node(i)
            for i in conn.execute(
                select(Seller.id).where(Seller.role.in_(("ceo", "cro", "executive")))
            ).scalars()
        ]
    db.close()
    return {
        "graph": rg.graph,
        "build": build,
        "peak_mb": added_peak,
        "held_mb": held,
        "sources": rg.stats,
        "seconds": rg.seconds,
        "people": people,
        "owners": owners,
        "senior": senior,
        "execs": execs,
    }


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def world_edges(scale: str) -> dict[str, object]:
    """Edges as arrays: a, b (node ids), strength; and each account's people and owner."""
    people_cols = {c: i for i, c in enumerate(COLUMNS["people"])}
    conn_cols = {c: i for i, c in enumerate(COLUMNS["connections"])}
    acc_cols = {c: i for i, c in enumerate(COLUMNS["accounts"])}
    seller_cols = {c: i for i, c in enumerate(COLUMNS["sellers"])}
    truth_cols = {c: i for i, c in enumerate(COLUMNS["truth_people"])}
    model = StrengthModel()
    linkedin = model.strength([Evidence("linkedin")], AS_OF)
    manager = model.strength([Evidence("manager")], AS_OF)
    a: list[int] = []
    b: list[int] = []
    s: list[float] = []
    people: dict[int, list[int]] = {}
    senior: dict[int, list[int]] = {}  # account → its board, C-suite and EVPs (true levels)
    execs: list[int] = []
    owners: dict[int, int] = {}
    account_of: dict[int, int] = {}
    sellers: set[int] = set()
    max_person = 0
    seller_edges: list[tuple[int, int]] = []
    for batch in WorldGenerator(SCALES[scale], 7, password_hasher=lambda p: p).batches():
        for row in batch.rows.get("accounts", []):
            if row[acc_cols["owner_id"]] is not None:
                owners[row[acc_cols["id"]]] = row[acc_cols["owner_id"]]
        for row in batch.rows.get("sellers", []):
            if row[seller_cols["role"]] in ("ceo", "cro", "executive"):
                execs.append(row[seller_cols["id"]])
        for row in batch.rows.get("people", []):
            pid = row[people_cols["id"]]
            max_person = max(max_person, pid)
            people.setdefault(row[people_cols["account_id"]], []).append(pid)
            account_of[pid] = row[people_cols["account_id"]]
            manager_id = row[people_cols["reports_to_id"]]
            if manager_id is not None:
                a.append(pid)
                b.append(manager_id)
                s.append(manager)
        for row in batch.rows.get("truth_people", []):
            if row[truth_cols["seniority"]] in ("board", "c_suite", "evp"):
                pid = row[truth_cols["person_id"]]
                senior.setdefault(account_of[pid], []).append(pid)
        for row in batch.rows.get("connections", []):
            seller, src, dst = (
                row[conn_cols["seller_id"]],
                row[conn_cols["from_person_id"]],
                row[conn_cols["person_id"]],
            )
            if seller is not None:
                seller_edges.append((seller, dst))
                sellers.add(seller)
            else:
                a.append(src)
                b.append(dst)
                s.append(linkedin)
    offset = max_person + 1  # sellers after people
    for seller, person in seller_edges:
        a.append(offset + seller)
        b.append(person)
        s.append(linkedin)
    for acc, owner in owners.items():
        owners[acc] = offset + owner
    execs = [offset + e for e in execs]
    return {
        "a": np.asarray(a, dtype=np.int64),
        "b": np.asarray(b, dtype=np.int64),
        "s": np.asarray(s, dtype=np.float32),
        "nodes": offset + max(sellers, default=0) + 1,
        "people": people,
        "owners": owners,
        "senior": senior,
        "execs": execs,
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="enterprise", choices=sorted(SCALES))
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--no-networkx", action="store_true")
    parser.add_argument("--db", help="Read the graph from this database (path or URL).")
    args = parser.parse_args()
    extra: dict[str, object] = {}
    if args.db:
        print(f"the graph of {args.db} …", flush=True)
        world = database_world(args.db)
        graph = world["graph"]
        assert isinstance(graph, CsrGraph)
        build = float(world["build"])  # type: ignore[arg-type]
        ours_mb = float(world["peak_mb"])  # type: ignore[arg-type]
        extra = {
            "source": "database (services/paths/relationship_graph.build_graph)",
            "crestline_memory_held_mb": round(float(world["held_mb"])),  # type: ignore[arg-type]
            "pieces_by_source": world["sources"],
            "seconds_by_step": world["seconds"],
        }
        rows = np.repeat(np.arange(graph.nodes), np.diff(graph.indptr))
        upper = rows < graph.indices
        a, b, s = rows[upper], graph.indices[upper].astype(np.int64), graph.strengths[upper]
        del rows, upper
        nodes = graph.nodes
    else:
        print(f"edges of the {args.scale} world …", flush=True)
        started = time.perf_counter()
        world = world_edges(args.scale)
        a, b, s = world["a"], world["b"], world["s"]
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
        assert isinstance(s, np.ndarray)
        print(f"  {len(a):,} edges in {time.perf_counter() - started:.0f} s", flush=True)
        nodes = int(world["nodes"])  # type: ignore[call-overload]
        gc.collect()
        before = rss_mb()
        started = time.perf_counter()
        graph = CsrGraph.from_edges(nodes, a, b, s)
        build = time.perf_counter() - started
        ours_mb = rss_mb() - before
        extra = {"source": "generator arrays (CsrGraph.from_edges)"}
    people: dict[int, list[int]] = world["people"]  # type: ignore[assignment]
    owners: dict[int, int] = world["owners"]  # type: ignore[assignment]
    senior: dict[int, list[int]] = world["senior"]  # type: ignore[assignment]
    execs: list[int] = world["execs"]  # type: ignore[assignment]
    rng = random.Random(7)
    accounts = sorted(acc for acc in people if acc in owners)
    with_execs = sorted(senior)
    query_sets = {
        # the account's owner to anyone at the account
        "owner_to_person": [
            (owners[acc], rng.choice(people[acc]))
            for acc in (rng.choice(accounts) for _ in range(args.queries))
        ],
        # one of our executives to an executive of any account (executive sponsorship)
        "executive_to_executive": [
            (rng.choice(execs), rng.choice(senior[acc]))
            for acc in (rng.choice(with_execs) for _ in range(args.queries))
        ],
    }
    results: dict[str, object] = {
        "scale": args.db or args.scale,
        **extra,
        "nodes": nodes,
        "edges": graph.edges,
        "queries_per_set": args.queries,
        "crestline_build_seconds": round(build, 1),
        "crestline_memory_mb": round(ours_mb),
        "goal": "p99 <= 20 ms, >= 10x lower than networkx, less memory; build <= 20 s, <= 1.5 GB",
    }
    ours_times: dict[str, list[float]] = {}
    for name, pairs in query_sets.items():
        times, found = [], 0
        for source, target in pairs:
            t0 = time.perf_counter()
            paths = best_paths(graph, [source], target)
            times.append((time.perf_counter() - t0) * 1000)
            found += bool(paths)
        ours_times[name] = times
        results[name] = {
            "crestline_p50_ms": round(percentile(times, 0.5), 2),
            "crestline_p99_ms": round(percentile(times, 0.99), 2),
            "targets_with_a_path": found,
        }
    print(json.dumps(results, indent=2), flush=True)
    if not args.no_networkx:
        import networkx as nx

        gc.collect()
        before = rss_mb()
        started = time.perf_counter()
        g = nx.Graph()
        weights = -np.log(s.astype(np.float64)) + HOP_PENALTY
        g.add_weighted_edges_from(zip(a.tolist(), b.tolist(), weights.tolist(), strict=True))
        results["networkx_build_seconds"] = round(time.perf_counter() - started, 1)
        results["networkx_memory_mb"] = round(rss_mb() - before)
        for name, pairs in query_sets.items():
            nx_times = []
            for source, target in pairs:
                t0 = time.perf_counter()
                with contextlib.suppress(nx.NetworkXNoPath, nx.NodeNotFound):
                    nx.bidirectional_dijkstra(g, source, target)
                nx_times.append((time.perf_counter() - t0) * 1000)
            entry = results[name]
            assert isinstance(entry, dict)
            p99 = percentile(nx_times, 0.99)
            entry["networkx_p50_ms"] = round(percentile(nx_times, 0.5), 2)
            entry["networkx_p99_ms"] = round(p99, 2)
            entry["p99_ratio"] = round(p99 / max(percentile(ours_times[name], 0.99), 1e-9), 1)
        print(json.dumps(results, indent=2), flush=True)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    name = f"paths-{Path(args.db).stem if args.db else args.scale}.json"
    (out / name).write_text(json.dumps(results, indent=2) + "\n")
    print(f"as of {dt.date.today()}: written to {out / name}")


if __name__ == "__main__":
    main()
