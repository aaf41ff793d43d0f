"""``crestline import activities FILE``: meetings from a calendar (.ics) or a CSV of activities.

Attendees are matched by email: our sellers on one side, people at accounts on the other. An
attendee nobody knows, whose email domain is an account's domain, becomes a new person there. An
event with nobody from an account (an internal meeting) is skipped, and counted in a warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from crestline.db.bulk import bulk_insert, bulk_update
from crestline.db.database import Database
from crestline.db.models import Account, Person, Seller
from crestline.engines.matching import person_key
from crestline.errors import BadInputError
from crestline.ingest.calendar import ACTIVITY, Meeting, read_ics
from crestline.ingest.columns import ReadStats, read_records
from crestline.ingest.names import split_name
from crestline.ingest.records import Problem, Record
from crestline.ingest.tabular import open_table
from crestline.services.auth.auth import Actor
from crestline.services.imports.importing import (
    ImportContext,
    ImportSummary,
    Progress,
    default_errors_path,
    keys_of,
    run_import,
    upsert,
)

CHUNK = 900
PAST_YEARS = 5
FUTURE_DAYS = 90


@dataclass
class Directory:
    """Who an email address is: one of our sellers, a person at an account, or a new person."""

    sellers: dict[str, int]
    people: dict[str, tuple[int, int | None]]
    domains: dict[str, int]

    @classmethod
    def load(cls, ctx: ImportContext, emails: Iterable[str]) -> Directory:
        wanted = sorted(set(emails))
        sellers: dict[str, int] = {}
        people: dict[str, tuple[int, int | None]] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            for email, sid in ctx.conn.execute(
                select(Seller.email, Seller.id).where(Seller.email.in_(chunk))
            ):
                sellers[str(email)] = sid
            for email, pid, account in ctx.conn.execute(
                select(Person.email, Person.id, Person.account_id).where(Person.email.in_(chunk))
            ):
                people.setdefault(str(email), (pid, account))
        domains = {
            str(domain): aid
            for aid, domain in ctx.conn.execute(
                select(Account.id, Account.domain).where(Account.domain.is_not(None))
            )
        }
        return cls(sellers, people, domains)


def _new_people(
    ctx: ImportContext, directory: Directory, attendees: Iterable[tuple[str, str | None]]
) -> None:
    """Unknown attendees at an account's domain: the person of that name there (who gets the
    email), else a new person there (source: this import)."""
    candidates: dict[str, tuple[int, str | None]] = {}
    for email, name in attendees:
        if email in directory.sellers or email in directory.people or email in candidates:
            continue
        account = directory.domains.get(email.split("@", 1)[1])
        if account is not None:
            candidates[email] = (account, name)
    if not candidates:
        return
    accounts = sorted({a for a, _ in candidates.values()})
    named: dict[tuple[int, str], tuple[int, str | None]] = {}
    for start in range(0, len(accounts), CHUNK):
        for pid, account_id, first, last, known_email in ctx.conn.execute(
            select(
                Person.id, Person.account_id, Person.first_name, Person.last_name, Person.email
            ).where(Person.account_id.in_(accounts[start : start + CHUNK]))
        ):
            if account_id is not None:
                named.setdefault((account_id, person_key(first, last)), (pid, known_email))
    records: dict[str, Record] = {}
    fill: list[tuple[str, int]] = []
    for email, (account, name) in candidates.items():
        first, last = split_name(name) if name else ("", email.split("@")[0])
        known = named.get((account, person_key(first, last)))
        if known is not None:
            directory.people[email] = (known[0], account)
            if known[1] is None:
                fill.append((email, known[0]))
            continue
        records[email] = Record(
            "Person",
            email,
            {
                "first_name": first or None,
                "last_name": last or None,
                "full_name": " ".join(p for p in (first, last) if p),
                "email": email,
                "account_id": account,
            },
        )
    bulk_update(ctx.conn, ctx.table("people"), ("email",), fill)
    if not records:
        return
    ctx.counts("Person").read = len(records)
    existing = keys_of(ctx, "people")
    done = upsert(
        ctx,
        "people",
        "Person",
        list(records.values()),
        [dict(r.fields) for r in records.values()],
        existing,
    )
    for email, record in records.items():
        directory.people[email] = (done.ids[email], record.fields["account_id"])


def _write(ctx: ImportContext, kind: str, meetings: list[Meeting], directory: Directory) -> None:
    existing = keys_of(ctx, "activities")
    records: list[Record] = []
    rows: list[dict[str, Any]] = []
    attendees: list[list[int]] = []
    internal = 0
    for m in meetings:
        everyone = ((m.organizer, None), *m.attendees) if m.organizer else m.attendees
        ours = [directory.sellers[e] for e, _ in everyone if e and e in directory.sellers]
        theirs = [directory.people[e] for e, _ in everyone if e and e in directory.people]
        if not theirs:
            internal += 1
            continue
        record = Record(
            kind,
            m.key,
            {
                "kind": m.kind,
                "start": m.start.isoformat(),
                "minutes": m.minutes,
                "subject": m.subject,
                "ours": ours,
                "theirs": [p for p, _ in theirs],
            },
        )
        records.append(record)
        rows.append(
            {
                "kind": m.kind,
                "occurred_at": m.start,
                "duration_minutes": m.minutes,
                "subject": m.subject,
                "seller_id": ours[0] if ours else None,
                "account_id": next((a for _, a in theirs if a is not None), None),
                "opportunity_id": None,
            }
        )
        attendees.append(sorted({p for p, _ in theirs}))
    if internal:
        ctx.problems.warn(f"{internal} event(s) with nobody from an account skipped (internal)")
    done = upsert(ctx, "activities", kind, records, rows, existing)
    table = ctx.table("activity_people")
    changed = [done.ids[r.key] for r in records if r.key in done.changed]
    for start in range(0, len(changed), CHUNK):
        ctx.conn.execute(
            delete(table).where(table.c.activity_id.in_(changed[start : start + CHUNK]))
        )
    pairs = [
        (done.ids[r.key], p)
        for r, people in zip(records, attendees, strict=True)
        if r.key in done.changed
        for p in people
    ]
    bulk_insert(ctx.conn, table, ("activity_id", "person_id"), pairs)


def import_activities(
    database: Database,
    actor: Actor,
    path: Path,
    *,
    dry_run: bool = False,
    strict: bool = False,
    errors_path: Path | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import an iCalendar export (.ics) or a CSV of activities; see docs/importing.md."""
    if not path.exists():
        raise BadInputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in (".ics", ".csv"):
        raise BadInputError(f"{path}: not an .ics calendar or a .csv of activities")
    today = today or dt.datetime.now(dt.UTC).date()
    problems: list[Problem] = []
    meetings: list[Meeting] = []
    kind = "Event" if suffix == ".ics" else "Activity"
    read = 0
    if suffix == ".ics":
        since = today - dt.timedelta(days=365 * PAST_YEARS)
        meetings = list(
            read_ics(
                path, since=since, until=today + dt.timedelta(days=FUTURE_DAYS), problems=problems
            )
        )
        read = len(meetings) + sum(p.severity == "error" for p in problems)
    else:
        table = open_table(path)
        stats = ReadStats()
        for r in read_records(table, ACTIVITY, on_problem=problems.append, stats=stats):
            f = r.fields
            meetings.append(
                Meeting(
                    key=r.key,
                    number=r.row.number if r.row else 0,
                    kind=f["kind"],
                    start=f["when"],
                    minutes=f.get("minutes"),
                    subject=f.get("subject"),
                    organizer=f.get("seller"),
                    attendees=tuple((e, None) for e in f.get("attendees") or ()),
                )
            )
        read = stats.read
    with run_import(
        database,
        actor,
        source="calendar" if suffix == ".ics" else "csv",
        location=path,
        dry_run=dry_run,
        strict=strict,
        errors_path=errors_path or default_errors_path(path),
        progress=progress,
    ) as ctx:
        for p in problems:
            ctx.problems.add(p, kind)
        ctx.counts(kind).read = read
        emails = [e for m in meetings for e, _ in m.attendees] + [
            m.organizer for m in meetings if m.organizer
        ]
        directory = Directory.load(ctx, emails)
        _new_people(ctx, directory, [a for m in meetings for a in m.attendees])
        _write(ctx, kind, meetings, directory)
    return ctx.summary
