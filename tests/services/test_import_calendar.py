"""Importing real-shaped calendar exports: one bad event is one rejected row, zones become UTC,
and what is skipped is said."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

from sqlalchemy import select

from crestline.db.database import Database
from crestline.db.models import Activity
from crestline.services.auth.auth import LOCAL_ADMIN
from crestline.services.imports.import_activities import import_activities

CALENDARS = Path(__file__).resolve().parent.parent / "data" / "real-shaped" / "calendar"


def test_one_bad_event_is_rejected_and_the_rest_imported(crm: Database, tmp_path: Path) -> None:
    path = tmp_path / "outlook.ics"
    shutil.copy(CALENDARS / "outlook-one-bad-event.ics", path)
    summary = import_activities(crm, LOCAL_ADMIN, path, today=dt.date(2024, 6, 1))
    events = summary.objects["Event"]
    assert (events.read, events.inserted, events.rejected) == (3, 2, 1)
    assert summary.errors_file is not None
    with Path(summary.errors_file).open(encoding="utf-8") as f:
        rejected = list(csv.reader(f))
    assert any("Nordstern – lost its start" in cell for row in rejected for cell in row)
    assert any("no start time" in cell for row in rejected for cell in row)
    assert (
        "outlook.ics, row 3, field DTSTART: unknown time zone 'Mars Standard Time': its times"
        " are taken as UTC (event '040000008200E00074C5B7101A82E00800000000B0A1B2C3D4E5F6030000"
        "0000000000003', line 25)"
    ) in summary.warnings
    assert (
        "outlook.ics: 1 event(s) outside the import window (before 2019-06-03 or from"
        " 2024-08-30 on) skipped"
    ) in summary.warnings
    with crm.reader() as s:
        visit = s.scalars(
            select(Activity).where(Activity.subject == "Nordstern – New York visit")
        ).one()
    assert visit.occurred_at == dt.datetime(2024, 3, 12, 13)  # 09:00 in New York
