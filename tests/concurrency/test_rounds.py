"""Web writers, web readers and the command line on one database, in rounds; after every round,
with a connection of the test's own: every acknowledged write is stored with its value, nothing
else changed, no request failed, the server is alive, and the warm paths see the connections the
command line imported. Once the server has stopped, the same again.

In CI it runs ``ROUNDS`` short rounds per backend. ``CRESTLINE_SOAK_SECONDS=3600`` runs rounds
until an hour has passed (per backend); the figures go to test-artifacts/concurrency/.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.concurrency.harness import State, World, serving, stopped_cleanly, table_checksum
from tests.concurrency.workload import Ledger, Plan, differences, direct_paths, run_round
from tests.conftest import ARTIFACTS

SOAK_SECONDS = float(os.environ.get("CRESTLINE_SOAK_SECONDS", "0"))
ROUND_SECONDS = float(os.environ.get("CRESTLINE_ROUND_SECONDS", "3"))
ROUNDS = 2  # without soak


def check(world: World, ledger: Ledger, when: str) -> State:
    found = State.read(world)
    wrong = differences(ledger.expected, found, ledger.uncertain)
    assert not wrong, f"{when}: {len(wrong)} differences, first: {wrong[:10]}"
    return found


@pytest.mark.timeout(int(SOAK_SECONDS) + 600)
def test_writes_and_reads_from_the_web_and_the_command_line_at_once(
    world: World, tmp_path: Path
) -> None:
    started = time.monotonic()
    ledger = Ledger(expected=State.read(world).copy())
    rounds = 0
    timeline: list[tuple[float, float]] = []  # each round's work and check, in seconds

    def report(stage: str, found: State) -> dict[str, object]:
        """The figures so far, written after every round (a soak shows its progress)."""
        said = {
            "backend": world.backend,
            "stage": stage,
            "rounds": rounds,
            "seconds": round(time.monotonic() - started, 1),
            "counts": dict(sorted(ledger.counts.items())),
            "errors": len(ledger.errors),
            "rounds_seconds": timeline[:10] + (["…", *timeline[-3:]] if len(timeline) > 10 else []),
            "assessments_checksum": table_checksum(found.assessments),
        }
        folder = ARTIFACTS / "concurrency"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"rounds-{world.backend}.json").write_text(json.dumps(said, indent=2) + "\n")
        return said

    with serving(world, tmp_path) as server:
        plan = Plan.make(world, server, tmp_path)
        while True:
            began = time.monotonic()
            run_round(plan, ledger, ROUND_SECONDS, rounds)
            worked = time.monotonic()
            rounds += 1
            assert server.alive(), f"round {rounds}: the server died: {server.status()}"
            assert not ledger.errors, f"round {rounds}: {ledger.errors[:10]}; {server.status()}"
            found = check(world, ledger, f"round {rounds}")
            for person in (p for _, p in ledger.fresh_links):  # the graph saw the import
                assert direct_paths(plan, person), f"round {rounds}: no path to {person}"
            ledger.fresh_links.clear()
            timeline.append((round(worked - began, 1), round(time.monotonic() - worked, 1)))
            report("running", found)
            if time.monotonic() - started >= SOAK_SECONDS and rounds >= ROUNDS:
                break
        assert stopped_cleanly(server), server.status()
    found = check(world, ledger, "after the server stopped")
    print(json.dumps(report("done", found)))
    writes = sum(n for kind, n in ledger.counts.items() if "read" not in kind)
    assert writes >= rounds * 3 and ledger.counts["web read"] >= rounds  # the work was done
