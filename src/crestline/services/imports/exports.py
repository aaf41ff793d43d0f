"""Writing what the database holds as the exports users bring (for tests, benchmarks and demos).

``export_salesforce`` writes one Data Loader CSV per object, with API-name headers, 18-character
ids, ISO dates, ``true``/``false`` booleans and CRLF line ends, as Salesforce writes them.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry
from cleanco import basename
from sqlalchemy import Connection, text

from crestline.db.database import Database
from crestline.errors import BadInputError
from crestline.ingest.sfid import make_id
from crestline.services.auth.auth import Actor
from crestline.services.auth.policy import require_admin

FETCH = 50_000


def _bool(value: Any) -> str:
    return "true" if value else "false"


def _money(minor: int | None) -> str:
    return "" if minor is None else f"{minor / 100:.2f}"


def _country(code: str | None) -> str:
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def _date(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:10]
    return str(value.isoformat()[:10])


def _stamp(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(9))
    return str(value.strftime("%Y-%m-%dT%H:%M:%S.000Z"))


@dataclass
class ExportSummary:
    folder: str
    files: dict[str, int] = field(default_factory=dict)


class _Ids:
    """Each row's Salesforce id: its external id where it has one, a made-up one otherwise."""

    def __init__(self, conn: Connection, table: str, prefix: str) -> None:
        self.prefix = prefix
        rows = conn.execute(text(f'SELECT id, external_id FROM "{table}"')).all()
        self.map: dict[int, str | None] = dict(rows)

    def __call__(self, rid: int | None) -> str:
        if rid is None:
            return ""
        return self.map.get(rid) or make_id(self.prefix, rid, pod="Cx")


def _write(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    convert: Callable[[Sequence[Any]], Sequence[Any]],
    encoding: str = "utf-8",
) -> int:
    count = 0
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(convert(row))
            count += 1
    return count


def _stream(conn: Connection, sql: str) -> Iterable[Sequence[Any]]:
    result = conn.execution_options(stream_results=True, yield_per=FETCH).execute(text(sql))
    yield from result


def _start(actor: Actor, folder: Path) -> ExportSummary:
    """An admin's export into ``folder``, made when missing."""
    require_admin(actor, "export data")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInputError(f"{folder}: cannot create the folder ({exc.strerror})") from None
    return ExportSummary(str(folder))


def export_salesforce(database: Database, actor: Actor, folder: Path) -> ExportSummary:
    summary = _start(actor, folder)
    with database.engine.connect() as conn:
        user = _Ids(conn, "sellers", "005")
        account = _Ids(conn, "accounts", "001")
        contact = _Ids(conn, "people", "003")
        opportunity = _Ids(conn, "opportunities", "006")
        files: list[tuple[str, Sequence[str], str, Callable[[Sequence[Any]], Sequence[Any]]]] = [
            (
                "User.csv",
                (
                    "Id",
                    "FirstName",
                    "LastName",
                    "Email",
                    "Title",
                    "ManagerId",
                    "UserRoleId",
                    "IsActive",
                ),
                "SELECT id, first_name, last_name, email, title, manager_id, active FROM sellers "
                "ORDER BY id",
                lambda r: (
                    user(r[0]),
                    r[1] or "",
                    r[2] or "",
                    r[3] or "",
                    r[4] or "",
                    user(r[5]),
                    "",
                    _bool(r[6]),
                ),
            ),
            (
                "Account.csv",
                (
                    "Id",
                    "Name",
                    "ParentId",
                    "Type",
                    "Industry",
                    "AnnualRevenue",
                    "NumberOfEmployees",
                    "Website",
                    "BillingCountry",
                    "BillingCity",
                    "OwnerId",
                ),
                "SELECT id, name, parent_id, industry, annual_revenue_minor, employees, domain, "
                "country, city, owner_id FROM accounts ORDER BY id",
                lambda r: (
                    account(r[0]),
                    r[1],
                    account(r[2]),
                    "Customer",
                    (r[3] or "").replace("_", " ").title(),
                    _money(r[4]),
                    r[5] if r[5] is not None else "",
                    f"https://www.{r[6]}" if r[6] else "",
                    _country(r[7]),
                    r[8] or "",
                    user(r[9]),
                ),
            ),
            (
                "Contact.csv",
                (
                    "Id",
                    "AccountId",
                    "FirstName",
                    "LastName",
                    "Title",
                    "Department",
                    "Email",
                    "Phone",
                    "ReportsToId",
                    "LinkedIn_URL__c",
                ),
                "SELECT id, account_id, first_name, last_name, title, department, email, phone, "
                "reports_to_id, linkedin_url FROM people ORDER BY id",
                lambda r: (
                    contact(r[0]),
                    account(r[1]),
                    r[2] or "",
                    r[3] or "",
                    r[4] or "",
                    r[5] or "",
                    r[6] or "",
                    r[7] or "",
                    contact(r[8]),
                    r[9] or "",
                ),
            ),
            (
                "Opportunity.csv",
                (
                    "Id",
                    "AccountId",
                    "Name",
                    "StageName",
                    "Amount",
                    "CloseDate",
                    "IsClosed",
                    "IsWon",
                    "Probability",
                    "ForecastCategoryName",
                    "Type",
                    "OwnerId",
                    "CreatedDate",
                ),
                "SELECT id, account_id, name, stage, amount_minor, close_date, is_closed, "
                "is_won, probability, forecast_category, type, owner_id, created_on "
                "FROM opportunities ORDER BY id",
                lambda r: (
                    opportunity(r[0]),
                    account(r[1]),
                    r[2],
                    r[3],
                    _money(r[4]),
                    _date(r[5]),
                    _bool(r[6]),
                    _bool(r[7]),
                    r[8] if r[8] is not None else "",
                    r[9] or "",
                    r[10] or "",
                    user(r[11]),
                    _stamp(r[12]),
                ),
            ),
            (
                "OpportunityContactRole.csv",
                ("Id", "OpportunityId", "ContactId", "Role", "IsPrimary"),
                "SELECT id, external_id, opportunity_id, person_id, role, is_primary "
                "FROM contact_roles ORDER BY id",
                lambda r: (
                    r[1] or make_id("00K", r[0], pod="Cx"),
                    opportunity(r[2]),
                    contact(r[3]),
                    r[4],
                    _bool(r[5]),
                ),
            ),
            (
                "Task.csv",
                ("Id", "WhoId", "WhatId", "OwnerId", "Subject", "ActivityDate", "TaskSubtype"),
                "SELECT a.id, a.external_id, MIN(p.person_id), a.opportunity_id, a.account_id, "
                "a.seller_id, a.subject, a.occurred_at, a.kind FROM activities a "
                "LEFT JOIN activity_people p ON p.activity_id = a.id WHERE a.kind <> 'meeting' "
                "GROUP BY a.id, a.external_id, a.opportunity_id, a.account_id, a.seller_id, "
                "a.subject, a.occurred_at, a.kind ORDER BY a.id",
                lambda r: (
                    r[1] or make_id("00T", r[0], pod="Cx"),
                    contact(r[2]),
                    opportunity(r[3]) if r[3] else account(r[4]),
                    user(r[5]),
                    r[6] or "",
                    _date(r[7]),
                    {"email": "Email", "call": "Call"}.get(r[8], "Task"),
                ),
            ),
            (
                "Event.csv",
                (
                    "Id",
                    "WhoId",
                    "WhatId",
                    "OwnerId",
                    "Subject",
                    "ActivityDate",
                    "StartDateTime",
                    "EndDateTime",
                ),
                "SELECT a.id, a.external_id, MIN(p.person_id), a.opportunity_id, a.account_id, "
                "a.seller_id, a.subject, a.occurred_at, a.duration_minutes FROM activities a "
                "LEFT JOIN activity_people p ON p.activity_id = a.id WHERE a.kind = 'meeting' "
                "GROUP BY a.id, a.external_id, a.opportunity_id, a.account_id, a.seller_id, "
                "a.subject, a.occurred_at, a.duration_minutes ORDER BY a.id",
                lambda r: _event(r, contact, opportunity, account, user),
            ),
        ]
        for name, header, sql, convert in files:
            summary.files[name] = _write(folder / name, header, _stream(conn, sql), convert)
    return summary


def _event(
    r: Sequence[Any], contact: _Ids, opportunity: _Ids, account: _Ids, user: _Ids
) -> Sequence[Any]:
    start = r[7] if not isinstance(r[7], str) else dt.datetime.fromisoformat(r[7])
    end = start + dt.timedelta(minutes=r[8] or 30)
    return (
        r[1] or make_id("00U", r[0], pod="Cx"),
        contact(r[2]),
        opportunity(r[3]) if r[3] else account(r[4]),
        user(r[5]),
        r[6] or "",
        _date(start),
        _stamp(start),
        _stamp(end),
    )


LINKEDIN_PREAMBLE = (
    "Notes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses are '
    "missing. You will only see email addresses for connections who have allowed their "
    "connections to see or download their email address using this setting "
    "https://www.linkedin.com/psettings/privacy/email. You can learn more here "
    'https://www.linkedin.com/help/linkedin/answer/261"\r\n'
    "\r\n"
)
OUTSIDE_COMPANIES = (
    "Deloitte",
    "Self-employed",
    "Freelance",
    "McKinsey & Company",
    "PwC",
    "University of Oxford",
    "Stealth Startup",
    "Accenture",
)


def _company_as_written(rng: random.Random, name: str) -> str:
    """How people write their employer on LinkedIn: with or without the legal form, in capitals."""
    roll = rng.random()
    if roll < 0.45:
        return name
    short = basename_of(name)
    if roll < 0.85:
        return short
    if roll < 0.93:
        return short.upper()
    return f"{short} Group"


def basename_of(name: str) -> str:
    return str(basename(name)) or name


def export_linkedin(database: Database, actor: Actor, folder: Path) -> ExportSummary:
    """A ``Connections.csv`` per seller with connections: ``DIR/<email>/Connections.csv``."""
    require_admin(actor, "export data")
    summary = ExportSummary(str(folder))
    with database.engine.connect() as conn:
        sellers = conn.execute(
            text(
                "SELECT DISTINCT s.id, s.email FROM sellers s JOIN connections c "
                "ON c.seller_id = s.id WHERE c.source = 'linkedin' AND s.email IS NOT NULL "
                "ORDER BY s.id"
            )
        ).all()
        for seller_id, email in sellers:
            rng = random.Random(seller_id * 7_919)
            with_url = rng.random() < 0.7  # older exports have no URL column
            header = [
                "First Name",
                "Last Name",
                *(["URL"] if with_url else []),
                "Email Address",
                "Company",
                "Position",
                "Connected On",
            ]
            rows = conn.execute(
                text(
                    "SELECT p.first_name, p.last_name, p.linkedin_url, p.email, a.name, p.title, "
                    "c.first_seen FROM connections c JOIN people p ON p.id = c.person_id "
                    "LEFT JOIN accounts a ON a.id = p.account_id "
                    "WHERE c.seller_id = :s AND c.source = 'linkedin' ORDER BY c.first_seen DESC"
                ),
                {"s": seller_id},
            ).all()
            target = folder / email / "Connections.csv"
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise BadInputError(f"{target.parent}: cannot create ({exc.strerror})") from None
            with target.open("w", encoding="utf-8", newline="") as fh:
                fh.write(LINKEDIN_PREAMBLE)
                writer = csv.writer(fh, lineterminator="\r\n")
                writer.writerow(header)
                count = 0
                for first, last, url, mail, company, title, since in rows:
                    day = since if not isinstance(since, str) else dt.date.fromisoformat(since)
                    hidden = rng.random() < 0.01
                    cells = [
                        "" if hidden else first or "",
                        "" if hidden else last or "",
                        *([url or ""] if with_url else []),
                        mail if mail and rng.random() < 0.08 else "",
                        _company_as_written(rng, company) if company else "",
                        title or "",
                        day.strftime("%d %b %Y") if day else "",
                    ]
                    writer.writerow(cells)
                    count += 1
                for _ in range(max(1, len(rows) // 20)):  # people outside any account
                    writer.writerow(
                        [
                            rng.choice(("Alex", "Sam", "Jordan", "Chris", "Robin", "Kim")),
                            rng.choice(("Taylor", "Morgan", "Lee", "Hart", "Quinn", "Reyes")),
                            *([""] if with_url else []),
                            "",
                            rng.choice(OUTSIDE_COMPANIES),
                            rng.choice(("Partner", "Consultant", "Founder", "Advisor")),
                            (
                                dt.date(2026, 9, 1) - dt.timedelta(days=rng.randint(30, 3000))
                            ).strftime("%d %b %Y"),
                        ]
                    )
                    count += 1
            summary.files[str(target.relative_to(folder))] = count
    return summary


EVENTS_HEADER = (
    "Event Name",
    "Start Date",
    "End Date",
    "Location",
    "Attendee Name",
    "Organization",
    "Job Title",
    "Email",
)


def export_events(database: Database, actor: Actor, folder: Path) -> ExportSummary:
    """The event attendee lists as one file an organiser would share, ``DIR/events.csv``: UTF-8
    with a byte order mark and CRLF, as Excel saves it; one row per attendee; names sometimes
    ``Last, First`` or with a doctor's title; companies as people write them; emails for some."""
    summary = _start(actor, folder)
    rng = random.Random(20_261_014)
    sql = (
        "SELECT e.name, e.starts_on, e.ends_on, e.place, a.full_name, "
        "COALESCE(p.first_name, s.first_name), COALESCE(p.last_name, s.last_name), "
        "a.company, a.title, a.email FROM event_attendees a JOIN events e ON e.id = a.event_id "
        "LEFT JOIN people p ON p.id = a.person_id LEFT JOIN sellers s ON s.id = a.seller_id "
        "ORDER BY e.starts_on, e.id, a.id"
    )

    def convert(r: Sequence[Any]) -> Sequence[Any]:
        name, first, last = r[4], r[5], r[6]
        roll = rng.random()
        if first and last and roll < 0.12:
            name = f"{last}, {first}"
        elif roll > 0.97:
            name = f"Dr. {name}"
        company = _company_as_written(rng, r[7]) if r[7] else ""
        return (r[0], _date(r[1]), _date(r[2]), r[3] or "", name, company, r[8] or "", r[9] or "")

    with database.engine.connect() as conn:
        summary.files["events.csv"] = _write(
            folder / "events.csv", EVENTS_HEADER, _stream(conn, sql), convert, "utf-8-sig"
        )
    return summary
