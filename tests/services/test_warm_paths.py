"""Warm paths as a service: peer-level preference for executive targets, on both backends."""

from __future__ import annotations

import pytest

from crestline.db.database import Database
from crestline.services.auth import LOCAL_ADMIN
from crestline.services.warm_paths import peer_costs, warm_paths

SELLERS = {
    1: ("c_suite", "finance"),
    2: ("c_suite", "sales"),
    3: ("individual_contributor", "sales"),
}


@pytest.mark.parametrize(
    ("seniority", "function", "expected"),
    [
        ("c_suite", "finance", {2: 0.15, 3: 1.4}),  # our CFO is their CFO's peer: no extra cost
        ("board", "general_management", {1: 0.15, 2: 0.15, 3: 1.4}),
        ("evp", "sales", {1: 0.15, 3: 1.0}),
        ("director", "finance", {}),  # not an executive: every path on its strength alone
    ],
)
def test_peer_costs(seniority: str, function: str, expected: dict[int, float]) -> None:
    assert peer_costs(SELLERS, seniority, function) == pytest.approx(expected)


def test_paths_on_both_backends(small_world: Database) -> None:
    with small_world.reader() as session:
        found = warm_paths(session, LOCAL_ADMIN, "1", k=2)
    assert found and all(len(t.paths) <= 2 for t in found)
    for target in found:
        for path in target.paths:
            assert path.hops[0].source.endswith("(ours)")
            assert path.hops[-1].target == target.name
