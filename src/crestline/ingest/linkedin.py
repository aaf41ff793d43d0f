"""LinkedIn's ``Connections.csv``: one file per person who exported their connections.

The file opens with a preamble (``Notes:``, a quoted sentence, a blank line) of varying length; the
header is the row that starts with ``First Name``. Older exports have no ``URL`` column; emails are
mostly empty; ``Connected On`` reads ``12 Mar 2024`` — or, in a file resaved by a spreadsheet,
``5/3/2024``, ``3/5/24`` or an Excel serial day, read in the order the whole column tells
(:func:`crestline.ingest.values.date_order`); hidden profiles have no name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path

from crestline.ingest import values
from crestline.ingest.columns import DATE_SAMPLE
from crestline.ingest.records import Problem
from crestline.ingest.tabular import Row, Table, open_table

HEADERS = {
    "first": ("first name",),
    "last": ("last name",),
    "url": ("url", "profile url"),
    "email": ("email address", "email"),
    "company": ("company",),
    "position": ("position", "title"),
    "connected": ("connected on",),
}


@dataclass(frozen=True)
class LinkedInConnection:
    row: int
    first_name: str
    last_name: str
    url: str | None
    email: str | None
    company: str | None
    position: str | None
    connected_on: dt.date | None


def open_connections(path: Path) -> Table:
    return open_table(path, is_header=lambda keys: bool(keys) and keys[0] == "first name")


def read_connections(table: Table, problems: list[Problem]) -> Iterator[LinkedInConnection]:
    """The connections of ``table``; problems (rejected rows, warnings) are appended."""
    file = table.path.name
    header = tuple(table.header)
    rows = table.rows()
    head = list(islice(rows, DATE_SAMPLE))
    order = values.date_order(
        [r.get(*HEADERS["connected"]) or "" for r in head], dayfirst_hint=table.european
    )
    if order.guessed:
        problems.append(
            Problem(
                file,
                head[order.example_at].number,
                "Connected On",
                order.note(),
                "warning",
                tuple(head[order.example_at].cells),
                header,
            )
        )
    for row in chain(head, rows):
        first = " ".join((row.get(*HEADERS["first"]) or "").split())
        last = " ".join((row.get(*HEADERS["last"]) or "").split())

        def problem(field: str, message: str, severity: str = "error", row: Row = row) -> Problem:
            return Problem(file, row.number, field, message, severity, tuple(row.cells), header)

        if not first and not last:
            problems.append(problem("First Name", "no name (a hidden profile)"))
            continue
        url = email = None
        raw_url = row.get(*HEADERS["url"])
        if not values.blank(raw_url):
            try:
                url = values.linkedin_url(raw_url or "")
            except ValueError as exc:
                problems.append(problem("URL", f"{exc}; left empty", "warning"))
        raw_email = row.get(*HEADERS["email"])
        if not values.blank(raw_email):
            try:
                email = values.normalise_email(raw_email or "")
            except ValueError as exc:
                problems.append(problem("Email Address", f"{exc}; left empty", "warning"))
        connected = None
        raw_date = row.get(*HEADERS["connected"])
        if not values.blank(raw_date):
            try:
                connected = values.parse_date(raw_date or "", dayfirst=order.dayfirst)
            except ValueError as exc:
                problems.append(problem("Connected On", f"{exc}; left empty", "warning"))
        company = " ".join((row.get(*HEADERS["company"]) or "").split()) or None
        position = " ".join((row.get(*HEADERS["position"]) or "").split()) or None
        yield LinkedInConnection(row.number, first, last, url, email, company, position, connected)
    note = table.repair_note()
    if note is not None:
        problems.append(Problem(file, 0, None, note, "warning", (), header))
