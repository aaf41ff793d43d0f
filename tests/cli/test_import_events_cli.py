"""``crestline import events`` and ``crestline demo export events``, end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.helpers import run

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def crm(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    """A SQLite file holding the Salesforce quirks export; the event lists copied beside it."""
    shutil.copytree(DATA / "salesforce" / "quirks", tmp_path / "sf")
    shutil.copytree(DATA / "events", tmp_path / "lists")
    db = str(tmp_path / "crm.db")
    assert run(capsys, "--db", db, "import", "salesforce", str(tmp_path / "sf")).code == 0
    return db


def test_import_prints_the_summary_with_its_matches(
    capsys: pytest.CaptureFixture[str], crm: str, tmp_path: Path
) -> None:
    path = str(tmp_path / "lists" / "attendees.csv")
    dry = run(capsys, "--db", crm, "import", "events", path, "--dry-run")
    assert dry.code == 0 and "dry run: nothing written" in dry.out
    result = run(capsys, "--db", crm, "import", "events", path, "--format", "json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert summary["source"] == "events" and summary["dry_run"] is False
    assert summary["objects"]["Event"]["inserted"] == 2  # the dry run wrote nothing
    assert summary["objects"]["Attendee"] == {
        "read": 16,
        "inserted": 12,
        "updated": 0,
        "unchanged": 0,
        "rejected": 3,
    }
    assert summary["matches"] == {"our_people": 4, "their_people": 6, "unmatched": 2}
    assert summary["errors_file"] == str(tmp_path / "lists" / "attendees.errors.csv")
    table = run(capsys, "--db", crm, "import", "events", path)
    assert table.code == 0
    assert "matches: our_people 4, their_people 6, unmatched 2" in table.out
    assert "3 rejected row(s) and" in table.err


def test_bad_rows_and_unusable_lists_exit_2_on_one_line(
    capsys: pytest.CaptureFixture[str], crm: str, tmp_path: Path
) -> None:
    lists = tmp_path / "lists"
    strict = run(capsys, "--db", crm, "import", "events", str(lists / "attendees.csv"), "--strict")
    assert strict.code == 2 and len(strict.err.strip().splitlines()) == 1
    assert "attendees.csv, row 16, field Event Date: '31/02/2026' is not a date" in strict.err
    (lists / "nameless.csv").write_text("Event,Date,Company\nSummit,2026-05-04,Acme\n")
    for path, message in (
        (lists / "nowhere.csv", "no such file"),
        (lists / "nameless.csv", "no header row with an event column"),
        (lists, "is a folder"),
    ):
        result = run(capsys, "--db", crm, "import", "events", str(path))
        assert result.code == 2 and message in result.err, result.err
        assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err


def test_demo_export_then_import_finds_the_same_attendees(
    capsys: pytest.CaptureFixture[str], small_sqlite_world: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    result = run(capsys, "--db", str(small_sqlite_world), "demo", "export", "events", str(out))
    assert result.code == 0, result.err
    head = (out / "events.csv").read_bytes()[:80]
    assert head.startswith(b"\xef\xbb\xbfEvent Name,Start Date,End Date,Location,Attendee Name")
    db = tmp_path / "copy.db"
    shutil.copy(small_sqlite_world, db)
    again = run(capsys, "--db", str(db), "import", "events", str(out / "events.csv"))
    assert again.code == 0, again.err
    summary = json.loads(
        run(
            capsys, "--db", str(db), "import", "events", str(out / "events.csv"), "--format", "json"
        ).out
    )
    # the demo's own rows are the export's rows: nothing new, however the names are written
    assert summary["objects"]["Attendee"]["inserted"] == 0
    assert summary["objects"]["Attendee"]["unchanged"] == summary["objects"]["Attendee"]["read"]
    assert summary["matches"]["our_people"] > 0 and summary["matches"]["their_people"] > 0
