"""The day engagement is measured at comes from the data, or from the caller — never from
whether demo tables happen to exist."""

from __future__ import annotations

import datetime as dt

from crestline.db.database import Database
from crestline.db.models import Account, Activity, DemoFact
from crestline.services.decisions.insights import resolve_as_of


def _meeting(account: Account, at: dt.datetime, n: int) -> Activity:
    return Activity(kind="meeting", occurred_at=at, account_id=account.id, external_id=f"a{n}")


def test_the_day_is_the_latest_activity_not_today_nor_a_planned_meeting(
    database: Database,
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    with database.engine.connect() as conn:
        assert resolve_as_of(conn, None) == today  # nothing yet: today
    with database.transaction() as session:
        account = Account(name="Nordlicht Versicherung AG")
        session.add(account)
        session.flush()
        session.add_all(
            [
                _meeting(account, dt.datetime(2025, 3, 14, 9, 30), 1),
                _meeting(account, dt.datetime(2025, 6, 2, 16, 0), 2),
                # planned for next week: does not make the export look newer than it is
                _meeting(account, dt.datetime.combine(today, dt.time()) + dt.timedelta(days=7), 3),
            ]
        )
        # a table the demo world fills, holding another day: not read any more
        session.add(DemoFact(key="world", value={"as_of": "2026-09-30"}))
    with database.engine.connect() as conn:
        assert resolve_as_of(conn, None) == dt.date(2025, 6, 2)
        assert resolve_as_of(conn, dt.date(2024, 1, 1)) == dt.date(2024, 1, 1)  # asked for
