"""``crestline import salesforce`` and ``crestline demo export salesforce``, end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.helpers import run

QUIRKS = Path(__file__).resolve().parent.parent / "data" / "salesforce" / "quirks"


def test_import_prints_the_json_summary(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "sf"
    shutil.copytree(QUIRKS, folder)
    db = str(tmp_path / "x.db")
    result = run(
        capsys,
        "--db",
        db,
        "import",
        "salesforce",
        str(folder),
        "--format",
        "json",
        "--errors",
        str(tmp_path / "rejected.csv"),
    )
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert set(summary) == {
        "source",
        "dry_run",
        "objects",
        "warnings",
        "warning_count",
        "warning_kinds",
        "errors_file",
        "insights",
    }
    # the quirks export has 3 accounts; every one's decision-maker insights were computed
    assert summary["insights"]["refreshed"] == summary["insights"]["accounts"] >= 1
    assert summary["source"] == "salesforce" and summary["dry_run"] is False
    assert summary["objects"]["Contact"] == {
        "read": 8,
        "inserted": 7,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert summary["errors_file"] == str(tmp_path / "rejected.csv")
    table = run(capsys, "--db", db, "import", "salesforce", str(folder), "--dry-run")
    assert table.code == 0 and "dry run: nothing written" in table.out
    assert "rejected row(s) and" in table.err


def test_strict_and_unusable_input_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "sf"
    shutil.copytree(QUIRKS, folder)
    db = str(tmp_path / "x.db")
    strict = run(capsys, "--db", db, "import", "salesforce", str(folder), "--strict")
    assert strict.code == 2 and len(strict.err.strip().splitlines()) == 1
    assert "Account.csv, row 6, field NAME: required value is empty" in strict.err
    missing = run(capsys, "--db", db, "import", "salesforce", str(tmp_path / "nowhere"))
    assert missing.code == 2 and "no such file or folder" in missing.err


def test_demo_export_then_import(
    capsys: pytest.CaptureFixture[str], small_sqlite_world: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    result = run(capsys, "--db", str(small_sqlite_world), "demo", "export", "salesforce", str(out))
    assert result.code == 0, result.err
    assert {p.name for p in out.iterdir()} == {
        "Account.csv",
        "Contact.csv",
        "User.csv",
        "Opportunity.csv",
        "OpportunityContactRole.csv",
        "Task.csv",
        "Event.csv",
    }
    assert (out / "Contact.csv").read_bytes().count(b"\r\n") > 1000  # CRLF, as exported
    imported = run(
        capsys, "--db", str(tmp_path / "y.db"), "import", "salesforce", str(out), "--format", "json"
    )
    summary = json.loads(imported.out)
    assert sum(o["rejected"] for o in summary["objects"].values()) == 0
    # Crestline's own export writes 'Champion', which is no standard Salesforce role: one kind
    assert [k["kind"] for k in summary["warning_kinds"]] == [
        "OpportunityContactRole.csv: custom role … kept as it is (… row(s))"
    ]
    assert summary["objects"]["Contact"]["inserted"] == 1501
