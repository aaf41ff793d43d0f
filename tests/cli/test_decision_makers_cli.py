"""``crestline account show`` (who decides, committee coverage), ``crestline orgchart`` and
``crestline person`` (the relationship map and corrections)."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.cli.helpers import largest_account, run


def test_account_show_ranks_people_and_covers_open_deals(
    capsys: pytest.CaptureFixture[str], small_sqlite_world: Path
) -> None:
    db = str(small_sqlite_world)
    account = largest_account(capsys, db)
    shown = run(capsys, "--db", db, "account", "show", str(account["id"]), "--format", "json")
    assert shown.code == 0, shown.err
    data = json.loads(shown.out)
    # the data's own day: its latest activity (the demo world's last meeting), not today
    with sqlite3.connect(db) as conn:
        (latest,) = conn.execute("SELECT max(occurred_at) FROM activities").fetchone()
    assert data["as_of"] == latest[:10] < "2026-10-01"
    fixed = run(capsys, "--db", db, "account", "show", str(account["id"]), "--as-of", "2026-01-15")
    assert fixed.code == 0 and "as of 2026-01-15" in fixed.out
    ranked = data["ranked"]
    assert len(ranked) == account["people"]
    assert [p["rank"] for p in ranked] == list(range(1, len(ranked) + 1))
    powers = [p["power"] for p in ranked]
    assert powers == sorted(powers, reverse=True)
    for p in ranked[:5]:
        factors = {f["name"]: f for f in p["factors"]}
        assert set(factors) == {
            "seniority",
            "function_relevance",
            "reach",
            "buying_roles",
            "engagement",
        }
        total = sum(f["contribution"] for f in factors.values())
        assert abs(total / sum(f["weight"] for f in factors.values()) - p["power"]) < 1e-3
        assert p["reasons"] and all(isinstance(r, str) for r in p["reasons"])
    chart = data["org_chart"]
    assert chart["top_id"] in {p["id"] for p in ranked} and 0 <= chart["hierarchy_index"] <= 1
    inferred = [p for p in ranked if p["line_source"] == "inferred"]
    assert len(inferred) == chart["inferred_lines"] > 0
    assert all(0 < p["line_confidence"] < 1 and p["line_reason"] for p in inferred)
    for opp in data["opportunities"]:
        assert opp["health"] in ("red", "amber", "green")
        assert [r["role"] for r in opp["roles"]] == [
            "economic_buyer",
            "executive_sponsor",
            "decision_maker",
            "technical_buyer",
            "champion",
            "user",
        ]
        assert len(opp["likely_deciders"]) <= 5
    table = run(capsys, "--db", db, "account", "show", str(account["id"]), "--top", "3")
    assert table.code == 0, table.err
    assert "who decides — the 3 with most power:" in table.out
    assert "org chart (┄ = a line the CRM did not record, inferred):" in table.out
    assert ("opportunity " in table.out) == bool(data["opportunities"])


def test_as_of_must_be_a_date(capsys: pytest.CaptureFixture[str], small_sqlite_world: Path) -> None:
    result = run(capsys, "--db", str(small_sqlite_world), "account", "show", "1", "--as-of", "x")
    assert result.code == 2 and "is not a date" in result.err
    assert len(result.err.strip().splitlines()) == 1


@pytest.mark.parametrize("fmt", ["svg", "png", "json"])
def test_orgchart_draws_the_completed_chart(
    capsys: pytest.CaptureFixture[str], small_sqlite_world: Path, tmp_path: Path, fmt: str
) -> None:
    db = str(small_sqlite_world)
    account = largest_account(capsys, db)
    target = tmp_path / f"chart.{fmt}"
    result = run(
        capsys, "--db", db, "orgchart", str(account["id"]), "--format", fmt, "-o", str(target)
    )
    assert result.code == 0, result.err
    assert f"{target}: {account['people']} people" in result.err
    data = target.read_bytes()
    if fmt == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    elif fmt == "svg":
        root = ET.fromstring(data)
        ns = {"svg": "http://www.w3.org/2000/svg"}
        nodes = root.findall(".//svg:g[@class='node']", ns)
        assert 10 <= len(nodes) <= 80  # a large chart collapses by branch
        dashed = [
            p
            for p in root.findall(".//svg:g[@class='edge']//svg:path", ns)
            if p.get("stroke-dasharray")
        ]
        assert dashed, "inferred lines are dashed"
    else:
        chart = json.loads(data)
        assert len(chart["nodes"]) == account["people"]
        people = {n["id"] for n in chart["nodes"]}
        assert all(e["manager"] in people and e["person"] in people for e in chart["edges"])
        assert {e["source"] for e in chart["edges"]} >= {"crm", "inferred"}


def test_orgchart_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], small_sqlite_world: Path, tmp_path: Path
) -> None:
    db = str(small_sqlite_world)
    missing = run(capsys, "--db", db, "orgchart", "No Such Company", "-o", str(tmp_path / "x"))
    assert missing.code == 2 and "no account named" in missing.err
    unwritable = run(capsys, "--db", db, "orgchart", "1", "-o", str(tmp_path / "no" / "x.svg"))
    assert unwritable.code == 2 and "cannot write" in unwritable.err
    bad = run(capsys, "--db", db, "orgchart", "1", "--expand", "a,b")
    assert bad.code == 2 and "--expand" in bad.err


def test_person_corrections_from_the_command_line(
    capsys: pytest.CaptureFixture[str], small_sqlite_world: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "world.db")
    Path(db).write_bytes(small_sqlite_world.read_bytes())
    account = largest_account(capsys, db)
    shown = json.loads(
        run(capsys, "--db", db, "account", "show", str(account["id"]), "--format", "json").out
    )
    first, second = shown["ranked"][0], shown["ranked"][1]
    done = run(
        capsys,
        *("--db", db, "person", "assess", str(second["id"])),
        *("--support", "Mentor", "--seniority", "board", "--format", "json"),
    )
    assert done.code == 0, done.err
    assert json.loads(done.out)["support"] == "mentor"
    influence = run(
        capsys, "--db", db, "person", "influence", str(second["id"]), "--on", str(first["id"])
    )
    assert influence.code == 0 and "influences" in influence.out
    after = json.loads(
        run(capsys, "--db", db, "account", "show", str(account["id"]), "--format", "json").out
    )
    person = next(p for p in after["ranked"] if p["id"] == second["id"])
    assert (person["seniority"], person["level_source"]) == ("board", "confirmed")
    assert after["influence_lines"][0]["from_id"] == second["id"]
    opportunity = next(o["id"] for o in after["opportunities"])
    role = run(
        capsys,
        *("--db", db, "person", "role", str(first["id"])),
        *("--opportunity", str(opportunity), "--role", "economic buyer"),
    )
    assert role.code == 0 and role.out.endswith(f": Economic Buyer on opportunity {opportunity}\n")
    pair = ("person", "influence", str(second["id"]), "--on", str(first["id"]), "--remove")
    removed = run(capsys, "--db", db, *pair)
    assert removed.code == 0 and removed.out.strip().endswith(": removed"), removed.out
    again = run(capsys, "--db", db, *pair)  # nothing left to remove: said, not an error
    assert again.code == 0 and again.out.strip().endswith(": there was no such line")
    for args, message in (
        (("assess", "nobody@nowhere.example", "--support", "mentor"), "no person"),
        (("assess", str(first["id"]), "--support", "fan"), "support 'fan' is not one of"),
        (("assess", str(first["id"])), "nothing to record"),
        (("role", str(first["id"]), "--opportunity", "999999", "--role", "Champion"), "999999"),
    ):
        result = run(capsys, "--db", db, "person", *args)
        assert result.code == 2 and message in result.err, result.err
        assert len(result.err.strip().splitlines()) == 1
