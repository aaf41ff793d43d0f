"""Event attendee lists: one row per attendee, the event named on every row.

The kind of list a conference organiser or a partner shares, as CSV (comma, semicolon or tab) or
Excel. Columns are recognised by common names in any case: the event (``Event``, ``Event Name``),
its date (``Date``, ``Start Date``, ``Event Date``) and optional end date, its place (``Place``,
``Location`` or ``Venue``, and ``City``), the attendee's name (``Name``, which may read
``Last, First``, or ``First Name`` and ``Last Name``), company (``Company``, ``Organization``,
``Account`` …), title (``Title``, ``Job Title``, ``Position``) and email (optional). A preamble
above the header is skipped. Dates are read as elsewhere (``values.date_order``): ISO,
``12 Mar 2026``, ``March 12, 2026``, ``14.10.2026``, or with slashes, day or month first as the
column's values (or the file's locale) say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from crestline.errors import BadInputError
from crestline.ingest import values
from crestline.ingest.columns import Column, ObjectSpec, ReadStats, read_records
from crestline.ingest.names import split_name
from crestline.ingest.records import Problem, Record
from crestline.ingest.tabular import Table, normalise_header, open_table

EVENT_HEADERS = ("Event", "Event Name", "Event Title", "Conference", "Event name/title")
NAME_HEADERS = ("Name", "Full Name", "Attendee", "Attendee Name", "Contact Name")
FIRST_HEADERS = ("First Name", "FirstName", "First_Name", "Given Name")
LAST_HEADERS = ("Last Name", "LastName", "Last_Name", "Surname", "Family Name")

ATTENDEE = ObjectSpec(
    kind="Attendee",
    key_headers=("Registration ID", "Attendee ID", "Ticket ID"),
    key_optional=True,  # most lists have no id: a row is known by its content
    columns=(
        Column("event", EVENT_HEADERS, required=True),
        Column(
            "starts_on",
            ("Date", "Start Date", "Event Date", "Starts", "Start", "Date From"),
            date=True,
            required=True,
        ),
        Column("ends_on", ("End Date", "Ends", "End", "Date To"), date=True, lenient=True),
        Column("place", ("Place", "Location", "Venue")),
        Column("city", ("City", "Town")),
        Column("name", NAME_HEADERS),
        Column("first_name", FIRST_HEADERS),
        Column("last_name", LAST_HEADERS),
        Column(
            "company",
            ("Company", "Organization", "Organisation", "Account", "Company Name", "Employer"),
        ),
        Column("title", ("Title", "Job Title", "Position", "Job Function")),
        Column(
            "email",
            ("Email", "Email Address", "E-mail", "Work Email", "Business Email"),
            values.normalise_email,
            lenient=True,
        ),
    ),
)


@dataclass(frozen=True)
class Attendee:
    """One row of an attendee list, parsed."""

    record: Record  # names the file, the row and the fields in problems
    event: str
    starts_on: dt.date
    ends_on: dt.date | None
    place: str | None
    first_name: str
    last_name: str
    company: str | None
    title: str | None
    email: str | None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


def _keys(headers: tuple[str, ...]) -> set[str]:
    return {normalise_header(h) for h in headers}


def _is_header(keys: list[str]) -> bool:
    present = set(keys)
    has_name = bool(present & (_keys(NAME_HEADERS) | _keys(LAST_HEADERS)))
    return bool(present & _keys(EVENT_HEADERS)) and has_name


def _place(venue: str | None, city: str | None) -> str | None:
    """``Kongresshaus`` and ``Zürich`` → ``Kongresshaus, Zürich``; a city the venue names once."""
    if venue and city and city.casefold() not in venue.casefold():
        return f"{venue}, {city}"
    return venue or city


def open_attendees(path: Path) -> Table:
    """The list at ``path`` (CSV with any of ``,;\\t|``, or .xlsx), positioned after its header."""
    try:
        return open_table(path, is_header=_is_header)
    except BadInputError as exc:
        if not str(exc).endswith("no recognisable header row"):
            raise
        raise BadInputError(
            f"{path}: no header row with an event column ({', '.join(EVENT_HEADERS[:2])}) and "
            f"the attendee's name ({NAME_HEADERS[0]}, or {FIRST_HEADERS[0]} and {LAST_HEADERS[0]})"
        ) from None


def read_attendees(
    table: Table, *, on_problem: Callable[[Problem], None], stats: ReadStats
) -> Iterator[Attendee]:
    """The attendees of ``table``; rejected rows and warnings go to ``on_problem``."""
    for r in read_records(table, ATTENDEE, on_problem=on_problem, stats=stats):
        f = r.fields
        first, last = f.get("first_name") or "", f.get("last_name") or ""
        if not (first or last) and f.get("name"):
            first, last = split_name(f["name"])
        if not (first or last):
            on_problem(r.problem("name" if "name" in f else "last_name", "no attendee name"))
            continue
        starts, ends = f["starts_on"], f.get("ends_on")
        if ends is not None and ends < starts:
            on_problem(r.problem("ends_on", f"ends {ends} before it starts; left empty", "warning"))
            ends = None
        yield Attendee(
            record=r,
            event=f["event"],
            starts_on=starts,
            ends_on=ends,
            place=_place(f.get("place"), f.get("city")),
            first_name=first,
            last_name=last,
            company=f.get("company"),
            title=f.get("title"),
            email=f.get("email"),
        )
