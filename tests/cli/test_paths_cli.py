"""``crestline paths``: warm paths to an account's decision-makers, explained hop by hop."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import sqlite3
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
    with sqlite3.connect(small_sqlite_world) as conn:  # one of ours who never met the target
        (stranger,) = conn.execute(
            "SELECT email FROM sellers WHERE active AND id NOT IN ("
            " SELECT seller_id FROM connections WHERE person_id = ? AND seller_id IS NOT NULL"
            " UNION SELECT a.seller_id FROM activities a JOIN activity_people p"
            "  ON p.activity_id = a.id WHERE p.person_id = ? AND a.seller_id IS NOT NULL"
            " UNION SELECT o.owner_id FROM opportunities o JOIN contact_roles r"
            "  ON r.opportunity_id = o.id WHERE r.person_id = ? AND o.owner_id IS NOT NULL)"
            " ORDER BY id LIMIT 1",
            (target, target, target),
        ).fetchone()
    alone = [*("--db", db, "paths", str(account["id"]), "--to", str(target))]
    alone += ["--from", stranger, "--max-hops", "1"]
    (none,) = json.loads(run(capsys, *alone, "--format", "json").out)
    assert none["paths"] == []
    nobody = run(capsys, *alone)
    assert nobody.code == 0 and "no warm path" in nobody.out
    assert ("targeted outreach" in nobody.out) != bool(none["events"])  # else: meet them there


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


def test_paths_show_the_events_where_our_people_meet_the_targets(
    capsys: pytest.CaptureFixture[str], small_sqlite_world: Path
) -> None:
    db = str(small_sqlite_world)
    account = largest_account(capsys, db)
    result = run(capsys, "--db", db, "paths", str(account["id"]), "--format", "json")
    found = json.loads(result.out)
    assert all(list(t) == ["target", "paths", "events"] for t in found)
    with_events = [t for t in found if t["events"]]
    assert with_events, "the demo world puts executives on events where our people go"
    as_of = dt.date(2026, 9, 30)  # the demo world's date
    with sqlite3.connect(small_sqlite_world) as conn:
        for target in with_events:
            events = target["events"]
            assert 1 <= len(events) <= 5
            upcoming = [e["upcoming"] for e in events]
            assert upcoming == sorted(upcoming, reverse=True)  # upcoming first
            past = [e["starts_on"] for e in events if not e["upcoming"]]
            assert past == sorted(past, reverse=True)  # then the latest past ones
            for e in events:
                day = dt.date.fromisoformat(e["starts_on"])
                assert day >= as_of - dt.timedelta(days=365) and e["ours"]
                listed = {
                    (person, seller)
                    for person, seller in conn.execute(
                        "SELECT person_id, seller_id FROM event_attendees WHERE event_id = ?",
                        (e["id"],),
                    )
                }
                assert (target["target"]["id"], None) in listed
                assert all((None, o["id"]) in listed for o in e["ours"])
    table = run(capsys, "--db", db, "paths", str(account["id"]), "-k", "1")
    first = with_events[0]
    shown = first["events"][0]
    line = next(ln for ln in table.out.splitlines() if ln.strip().startswith("events:"))
    assert shown["name"] in table.out and " — ours: " in line
    assert f"{shown['ours'][0]['name']} ({shown['ours'][0]['title']})" in table.out


def test_paths_and_pairs_as_csv(
    capsys: pytest.CaptureFixture[str], small_sqlite_world: Path
) -> None:
    import csv
    import io

    db = str(small_sqlite_world)
    account = str(largest_account(capsys, db)["id"])
    as_json = json.loads(run(capsys, "--db", db, "paths", account, "--format", "json").out)
    result = run(capsys, "--db", db, "paths", account, "--format", "csv")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    hops = [
        (t["target"]["name"], n, h["from"], h["to"])
        for t in as_json
        for n, p in enumerate(t["paths"], start=1)
        for h in p["hops"]
    ]
    assert rows and [(r["target"], int(r["path"]), r["from"], r["to"]) for r in rows] == hops
    pairs = json.loads(run(capsys, "--db", db, "pairs", account, "--format", "json").out)
    assert pairs  # the largest account has executives to pair
    result = run(capsys, "--db", db, "pairs", account, "--format", "csv")
    assert result.code == 0, result.err
    table = list(csv.DictReader(io.StringIO(result.out)))
    assert [(r["ours"], r["theirs"]) for r in table] == [
        (p["ours"]["name"], p["theirs"]["name"]) for p in pairs
    ]
