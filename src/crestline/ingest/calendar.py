"""Meetings from iCalendar exports (Google Calendar, Outlook) and from a CSV of activities.

Recurring events (RRULE, RDATE, EXDATE, moved occurrences) are expanded within a window, with the
recurring-ical-events package; times with a TZID or an offset become UTC, floating times are taken
as UTC, all-day events start at midnight. Cancelled events are skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events

from crestline.errors import BadInputError
from crestline.ingest import values
from crestline.ingest.columns import Column, ObjectSpec
from crestline.ingest.records import Problem


@dataclass(frozen=True)
class Meeting:
    key: str
    number: int  # the event's position in the file (its "row")
    kind: str
    start: dt.datetime  # naive UTC
    minutes: int | None
    subject: str | None
    organizer: str | None
    attendees: tuple[tuple[str, str | None], ...]  # (email, name)
    cells: tuple[str, ...] = field(default=())


def _address(value: Any) -> tuple[str, str | None] | None:
    text = str(value)
    if text.lower().startswith("mailto:"):
        text = text[7:]
    try:
        email = values.normalise_email(text)
    except ValueError:
        return None
    params = getattr(value, "params", {}) or {}
    name = params.get("CN")
    return email, str(name).strip('"') if name else None


def _utc(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    return dt.datetime.combine(value, dt.time())


def event_key(uid: str, start: dt.datetime) -> str:
    digest = hashlib.blake2b(f"{uid}|{start.isoformat()}".encode(), digest_size=12).hexdigest()
    return f"ics:{digest}"


def read_ics(
    path: Path, *, since: dt.date, until: dt.date, problems: list[Problem]
) -> Iterator[Meeting]:
    try:
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
    except (ValueError, IndexError) as exc:
        raise BadInputError(f"{path}: not an iCalendar file ({exc})") from None
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        occurrences = recurring_ical_events.of(calendar).between(since, until)
    except Exception as exc:  # the library raises several kinds for broken rules
        raise BadInputError(f"{path}: cannot expand the recurring events ({exc})") from None
    for number, event in enumerate(occurrences, start=1):
        summary = str(event.get("SUMMARY", "")).strip() or None
        cells = (summary or "", str(event.get("UID", "")))
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if event.get("DTSTART") is None:
            problems.append(
                Problem(
                    path.name,
                    number,
                    "DTSTART",
                    "no start time",
                    "error",
                    cells,
                    ("SUMMARY", "UID"),
                )
            )
            continue
        start_raw = event.decoded("DTSTART")
        start = _utc(start_raw)
        minutes = None
        if event.get("DTEND") is not None:
            minutes = int((_utc(event.decoded("DTEND")) - start).total_seconds() // 60)
        elif event.get("DURATION") is not None:
            minutes = int(event.decoded("DURATION").total_seconds() // 60)
        attendees_raw = event.get("ATTENDEE") or []
        if not isinstance(attendees_raw, list):
            attendees_raw = [attendees_raw]
        attendees = tuple(a for a in (_address(x) for x in attendees_raw) if a)
        organizer = _address(event.get("ORGANIZER")) if event.get("ORGANIZER") else None
        uid = str(event.get("UID", "")) or f"{path.name}#{number}"
        yield Meeting(
            key=event_key(uid, start),
            number=number,
            kind="meeting",
            start=start,
            minutes=minutes if minutes is None or minutes >= 0 else None,
            subject=summary,
            organizer=organizer[0] if organizer else None,
            attendees=attendees,
            cells=cells,
        )


def kind(value: str) -> str:
    v = value.strip().lower()
    aliases = {
        "meeting": "meeting",
        "event": "event",
        "call": "call",
        "phone": "call",
        "email": "email",
        "e-mail": "email",
        "mail": "email",
        "task": "task",
    }
    if v not in aliases:
        raise ValueError(f"{value!r} is not a kind of activity (meeting, call, email, event)")
    return aliases[v]


def email_list(value: str) -> tuple[str, ...]:
    return tuple(
        values.normalise_email(part) for part in re.split(r"[;,\s]+", value) if part.strip()
    )


ACTIVITY = ObjectSpec(
    kind="Activity",
    key_headers=("id", "external_id", "activity id"),
    key_optional=True,
    columns=(
        Column("kind", ("kind", "type"), kind, required=True),
        Column(
            "when", ("when", "date", "occurred_at", "start"), values.parse_datetime, required=True
        ),
        Column(
            "minutes", ("duration_minutes", "duration", "minutes"), values.parse_int, lenient=True
        ),
        Column("subject", ("subject", "title")),
        Column(
            "seller",
            ("seller_email", "seller", "owner_email"),
            values.normalise_email,
            lenient=True,
        ),
        Column("attendees", ("attendee_emails", "attendees", "contacts"), email_list),
    ),
)
