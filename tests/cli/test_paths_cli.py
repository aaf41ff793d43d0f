"""``crestline paths``: warm paths to an account's decision-makers, explained hop by hop."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest

from tests.cli.helpers import largest_account, run


def test_paths_to_the_most_powerful_people(
    capsys: pytest.CaptureFixture[str], small_sqlite_world: Path
) -> None:
    db = str(small_sqlite_world)
    account = largest_account(capsys, db)
    result = run(capsys, "--db", db, "paths", str(account["id"]), "--format", "json")
    assert result.code == 0, result.err
    found = json.loads(result.out)
    assert len(found) == 5
    assert any(t["paths"] for t in found)
    for target in found:
        assert set(target["target"]) == {"id", "name", "title", "seniority"}
        assert len(target["paths"]) <= 3
        introducers = [p["hops"][0]["to"] for p in target["paths"]]
        assert len(set(introducers)) == len(introducers)  # different introducers
        for path in target["paths"]:
            hops = path["hops"]
            assert 1 <= len(hops) <= 4
            assert hops[0]["from"].endswith("(ours)") and hops[-1]["to"] == target["target"]["name"]
            assert all(a["to"] == b["from"] for a, b in itertools.pairwise(hops))
            assert path["strength"] == pytest.approx(
                math.prod(h["strength"] for h in hops), rel=1e-3
            )
            assert all(h["via"] and h["evidence"] for h in hops)
            assert not any(h["to"].endswith("(ours)") for h in hops)  # ours never relay
    table = run(capsys, "--db", db, "paths", str(account["id"]), "-k", "1")
    assert table.code == 0 and "strength" in table.out and "→" in table.out


def test_paths_from_one_seller_with_a_hop_limit_and_none_found(
    capsys: pytest.CaptureFixture[str], small_sqlite_world: Path
) -> None:
    db = str(small_sqlite_world)
    account = largest_account(capsys, db)
    shown = json.loads(
        run(capsys, "--db", db, "account", "show", str(account["id"]), "--format", "json").out
    )
    target = shown["ranked"][0]["id"]
    one = run(
        capsys,
        *("--db", db, "paths", str(account["id"]), "--to", str(target)),
        *("--from", account["owner"], "--max-hops", "1", "--format", "json"),
    )
    assert one.code == 0, one.err
    (entry,) = json.loads(one.out)
    assert entry["target"]["id"] == target
    assert all(len(p["hops"]) == 1 for p in entry["paths"])
    assert all(p["hops"][0]["from"] == f"{account['owner']} (ours)" for p in entry["paths"])
    nobody = run(
        capsys,
        *("--db", db, "paths", str(account["id"]), "--to", str(target)),
        *("--from", account["owner"], "--max-hops", "1"),
    )
    if not entry["paths"]:
        assert "targeted outreach" in nobody.out


def test_paths_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], small_sqlite_world: Path
) -> None:
    db = str(small_sqlite_world)
    for args, message in (
        (("paths", "No Such Company"), "no account named"),
        (("paths", "1", "--from", "nobody@nowhere.example"), "no seller"),
        (("paths", "1", "-k", "0"), "-k"),
    ):
        result = run(capsys, "--db", db, *args)
        assert result.code == 2 and message in result.err, result.err
        assert len(result.err.strip().splitlines()) == 1


def test_executive_pairs(capsys: pytest.CaptureFixture[str], small_sqlite_world: Path) -> None:
    db = str(small_sqlite_world)
    account = largest_account(capsys, db)
    result = run(capsys, "--db", db, "pairs", str(account["id"]), "--format", "json")
    assert result.code == 0, result.err
    found = json.loads(result.out)
    assert 1 <= len(found) <= 8
    for pair in found:
        assert pair["theirs"]["seniority"] in ("board", "c_suite", "evp")
        assert pair["match"]
        if pair["path"] is not None:
            assert pair["path"]["hops"][0]["from"] == f"{pair['ours']['name']} (ours)"
            assert pair["path"]["hops"][-1]["to"] == pair["theirs"]["name"]
    assert any(p["match"].startswith("same function") for p in found)
    table = run(capsys, "--db", db, "pairs", str(account["id"]))
    assert table.code == 0 and "↔" in table.out
