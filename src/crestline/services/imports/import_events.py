"""``crestline import events FILE``: who attends which events, matched to our people and theirs.

Each attendee is matched, in this order, to

1. one of ours: their email is a seller's; or their company is our own (by name, or by the email
   domain our people use) and their name is a seller's (exactly, or with a similarity of at least
   0.92); a company only named like ours that is an account's ("Northbeam Logistics") is theirs;
2. one of theirs, as the LinkedIn import finds people (:class:`Resolver`): by email, then by name at
   the account their company names (exact, by domain, or fuzzy), or as a person already known
   outside any account.

Nobody is created from an event list: an attendee nobody knows is kept as a row of the list, with
no person or seller (and the account, when their company is one), and found when the list is
imported again after the CRM learned of them. Every attendee stores how they were matched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from crestline.db.database import Database
from crestline.db.models import Account, DemoFact, Event, EventAttendee, Person, Seller
from crestline.engines.matching import OwnCompany, closest_name, company_key, fold, person_key
from crestline.ingest.columns import ReadStats
from crestline.ingest.events import Attendee, open_attendees, read_attendees
from crestline.ingest.linkedin import LinkedInConnection
from crestline.ingest.records import Problem
from crestline.services.auth.auth import Actor
from crestline.services.imports.import_linkedin import NAME_THRESHOLD, Resolver
from crestline.services.imports.importing import (
    ImportContext,
    ImportSummary,
    Progress,
    default_errors_path,
    run_import,
)

CHUNK = 900
CATEGORIES = ("our_people", "their_people", "unmatched")
EventKey = tuple[str, dt.date]  # the folded name and the start date
AttendeeKey = tuple[int, str, str]  # event id, folded name, company key


@dataclass(frozen=True)
class AttendeeMatch:
    seller_id: int | None = None
    person_id: int | None = None
    account_id: int | None = None
    method: str | None = None
    score: float | None = None
    company_key: str | None = None  # ours, or the account's: the same however a list writes it

    @property
    def category(self) -> str:
        if self.seller_id is not None:
            return "our_people"
        if self.person_id is not None:
            return "their_people"
        return "unmatched"


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _as_connection(a: Attendee) -> LinkedInConnection:
    """An attendee in the shape the LinkedIn resolver reads (no profile URL, no date)."""
    return LinkedInConnection(
        a.record.row.number if a.record.row else 0,
        a.first_name,
        a.last_name,
        None,
        a.email,
        a.company,
        a.title,
        None,
    )


def our_company_names(conn: Connection, given: str | None) -> list[str]:
    """Our own organisation's names: the one given, and the demo world's when it is loaded."""
    names = [given] if given else []
    world = conn.execute(select(DemoFact.value).where(DemoFact.key == "world")).scalar()
    if isinstance(world, dict) and world.get("our_company"):
        names.append(str(world["our_company"]))
    return names


class AttendeeMatcher:
    """Who an attendee is: ours first, then theirs (see the module's docstring)."""

    def __init__(
        self, conn: Connection, attendees: Sequence[Attendee], our_names: Iterable[str]
    ) -> None:
        self.conn = conn
        self.seller_email: dict[str, int] = {}
        self.seller_name: dict[str, int] = {}
        domains: set[str] = set()
        for sid, first, last, full, email in conn.execute(
            select(Seller.id, Seller.first_name, Seller.last_name, Seller.full_name, Seller.email)
        ):
            if email:
                self.seller_email[str(email).lower()] = sid
                domains.add(str(email).lower().rsplit("@", 1)[1])
            key = person_key(first, last) if (first or last) else person_key(full, "")
            self.seller_name.setdefault(key, sid)
        self.ours = OwnCompany(our_names, domains)
        theirs = [
            _as_connection(a)
            for a in attendees
            if not (a.email and a.email in self.seller_email) and (a.company or a.email)
        ]
        self.resolver = Resolver(conn, theirs)

    def match(self, a: Attendee) -> AttendeeMatch:
        if a.email and a.email in self.seller_email:
            return self._ours(self.seller_email[a.email], "email", 1.0)
        domain = a.email.rsplit("@", 1)[1] if a.email else None
        name = person_key(a.first_name, a.last_name)
        if self.ours.match(a.company, domain) is not None:
            if name in self.seller_name:
                return self._ours(self.seller_name[name], "name+our_company", 1.0)
            close = closest_name(name, self.seller_name, NAME_THRESHOLD)
            if close is not None:
                return self._ours(self.seller_name[close[0]], "fuzzy_name+our_company", close[1])
            if domain not in self.ours.domains:  # ours by the company's name only: an account
                theirs = self._theirs(a)  # named like us ("Northbeam Logistics") is theirs
                if theirs.person_id is not None or (
                    theirs.account_id is not None and "fuzzy" not in (theirs.method or "")
                ):
                    return theirs
            return AttendeeMatch(method="our_company")  # a colleague Crestline does not know
        if not (a.company or a.email):
            return AttendeeMatch()
        return self._theirs(a)

    def _theirs(self, a: Attendee) -> AttendeeMatch:
        """A person at an account (or known outside any), else the account alone, else no one."""
        found = self.resolver.resolve(_as_connection(a))
        if found.person_id is not None:
            return AttendeeMatch(person_id=found.person_id, method=found.method, score=found.score)
        account = found.record.fields.get("account_id") if found.record else None
        if account is None:
            return AttendeeMatch()
        method = "company_only+" + found.method.removeprefix("new+")
        return AttendeeMatch(account_id=account, method=method, score=found.score)

    def _ours(self, seller: int, method: str, score: float) -> AttendeeMatch:
        return AttendeeMatch(
            seller_id=seller, method=method, score=score, company_key=self.ours.canonical
        )


def _with_accounts(conn: Connection, matches: list[AttendeeMatch]) -> list[AttendeeMatch]:
    """The matched people's own accounts (a person found by email, or outside any account), and
    the account's name key as the attendee's company key."""
    people = sorted({m.person_id for m in matches if m.person_id is not None})
    account: dict[int, int | None] = {}
    for chunk in _chunks(people):
        account.update(
            conn.execute(select(Person.id, Person.account_id).where(Person.id.in_(chunk))).all()
        )
    found = [
        m if m.person_id is None else replace(m, account_id=account.get(m.person_id))
        for m in matches
    ]
    accounts = sorted({m.account_id for m in found if m.account_id is not None})
    names: dict[int, str] = {}
    for chunk in _chunks(accounts):
        names.update(
            conn.execute(select(Account.id, Account.name).where(Account.id.in_(chunk))).all()
        )
    return [
        m if m.account_id is None else replace(m, company_key=company_key(names[m.account_id]))
        for m in found
    ]


def _widths() -> dict[str, int]:
    """How many characters each stored value of an attendee may have (its column's length)."""
    columns = {
        "event": Event.name,
        "place": Event.place,
        "full_name": EventAttendee.full_name,
        "company": EventAttendee.company,
        "title": EventAttendee.title,
        "email": EventAttendee.email,
    }
    return {name: int(getattr(c.type, "length", 0) or 0) for name, c in columns.items()}


def too_long(a: Attendee) -> Problem | None:
    """A value longer than the database keeps (PostgreSQL refuses it, SQLite would not)."""
    for name, width in _widths().items():
        value = a.full_name if name == "full_name" else getattr(a, name)
        if width and value and len(value) > width:
            field = "name" if name == "full_name" else name
            if field == "name" and "name" not in a.record.fields:
                field = "last_name"
            return a.record.problem(field, f"longer than {width} characters")
    return None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _events(ctx: ImportContext, attendees: Sequence[Attendee], source: str) -> dict[EventKey, int]:
    """Each event of the list, found by folded name and start date, inserted or updated."""
    counts = ctx.counts("Event")
    wanted: dict[EventKey, Attendee] = {}
    ends: dict[EventKey, dt.date] = {}
    places: dict[EventKey, str] = {}
    for a in attendees:
        key = (fold(a.event), a.starts_on)
        wanted.setdefault(key, a)
        if a.ends_on is not None:
            ends.setdefault(key, a.ends_on)
        if a.place:
            places.setdefault(key, a.place)
    counts.read = len(wanted)
    names = sorted({k for k, _ in wanted})
    known: dict[EventKey, tuple[int, dt.date | None, str | None]] = {}
    for chunk in _chunks(names):
        for eid, name_key, starts, ended, place in ctx.conn.execute(
            select(Event.id, Event.name_key, Event.starts_on, Event.ends_on, Event.place).where(
                Event.name_key.in_(chunk)
            )
        ):
            known[(name_key, starts)] = (eid, ended, place)
    now = _now()
    new = [
        {
            "name": a.event,
            "name_key": key[0],
            "starts_on": key[1],
            "ends_on": ends.get(key),
            "place": places.get(key),
            "source": source,
            "updated_at": now,
        }
        for key, a in wanted.items()
        if key not in known
    ]
    changed = []
    for key, (eid, ended, place) in known.items():
        if key not in wanted:
            continue
        after = (ends.get(key, ended), places.get(key, place))  # a list without them keeps them
        if after != (ended, place):
            changed.append({"_id": eid, "ends_on": after[0], "place": after[1], "updated_at": now})
    if new:
        ctx.conn.execute(insert(ctx.table("events")), new)
    _update(ctx, "events", changed)
    counts.inserted += len(new)
    counts.updated += len(changed)
    counts.unchanged += sum(1 for k in wanted if k in known) - len(changed)
    ids: dict[EventKey, int] = {}
    for chunk in _chunks(names):
        for eid, name_key, starts in ctx.conn.execute(
            select(Event.id, Event.name_key, Event.starts_on).where(Event.name_key.in_(chunk))
        ):
            if (name_key, starts) in wanted:
                ids[(name_key, starts)] = eid
    return ids


STORED = (
    "full_name",
    "company",
    "title",
    "email",
    "person_id",
    "seller_id",
    "account_id",
    "match_method",
    "match_score",
)
Identity = tuple[Any, ...]


def _identities(seller: int | None, person: int | None, name: str, company: str) -> list[Identity]:
    """Who a row is, most certain first: one of ours, a person, a name at a company."""
    out: list[Identity] = []
    if seller is not None:
        out.append(("seller", seller))
    if person is not None:
        out.append(("person", person))
    return [*out, ("name", name, company)]


def _known_attendees(
    ctx: ImportContext, events: Iterable[int]
) -> tuple[dict[tuple[int, Identity], tuple[Any, ...]], set[AttendeeKey]]:
    """The stored attendees of ``events`` by (event, identity), and their unique keys."""
    t = ctx.table("event_attendees")
    by_identity: dict[tuple[int, Identity], tuple[Any, ...]] = {}
    keys: set[AttendeeKey] = set()
    for chunk in _chunks(sorted(set(events))):
        for row in ctx.conn.execute(
            select(
                t.c.id, t.c.event_id, t.c.name_key, t.c.company_key, *(t.c[c] for c in STORED)
            ).where(t.c.event_id.in_(chunk))
        ):
            event, name, company = row[1], row[2], row[3]
            keys.add((event, name, company))
            values = dict(zip(STORED, row[4:], strict=True))
            for identity in _identities(values["seller_id"], values["person_id"], name, company):
                by_identity.setdefault((event, identity), (row[0], values))
    return by_identity, keys


def _attendees(
    ctx: ImportContext,
    attendees: Sequence[Attendee],
    matches: Sequence[AttendeeMatch],
    events: dict[EventKey, int],
) -> dict[str, int]:
    """Each attendee is the stored row of the same event that is the same seller or person, or
    has the same name at the same company (the account's, else as written): updated where it
    changed; else a new row. A second row of a list for the same attendee is left out.

    Returns how many attendees were matched to our people, their people, or nobody."""
    counts = ctx.counts("Attendee")
    tally = dict.fromkeys(CATEGORIES, 0)
    known, taken = _known_attendees(ctx, events.values())
    claimed: dict[tuple[int, Identity], int] = {}  # (event, identity) → row of the list
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    now = _now()
    for a, m in zip(attendees, matches, strict=True):
        event = events[(fold(a.event), a.starts_on)]
        name = person_key(a.first_name, a.last_name)
        written = company_key(a.company) if a.company else ""
        company = m.company_key if m.company_key is not None else written
        identities = [
            *_identities(m.seller_id, m.person_id, name, company),
            ("name", name, written),
        ]
        number = a.record.row.number if a.record.row else 0
        first = next((claimed[(event, i)] for i in identities if (event, i) in claimed), None)
        if first is None and not _known_or_free(known, taken, event, identities, (name, company)):
            first = 0  # a new row whose key another row of this import holds
        if first is not None:
            where = f" (row {first})" if first else ""
            ctx.problems.add(
                a.record.problem(
                    "name",
                    f"{a.full_name} is on this event's list already{where}; the first is kept",
                    "warning",
                ),
                "Attendee",
            )
            continue
        for i in identities:
            claimed[(event, i)] = number
        tally[m.category] += 1
        values: dict[str, Any] = {
            "full_name": a.full_name,
            "company": a.company,
            "title": a.title,
            "email": a.email,
            "person_id": m.person_id,
            "seller_id": m.seller_id,
            "account_id": m.account_id,
            "match_method": m.method,
            "match_score": m.score,
        }
        stored = next((known[(event, i)] for i in identities if (event, i) in known), None)
        if stored is None:
            taken.add((event, name, company))
            new.append(
                {"event_id": event, "name_key": name, "company_key": company, **values}
                | {"updated_at": now}
            )
            continue
        row_id, old = stored
        for kept in ("title", "email"):  # a list without them keeps what an earlier one said
            if values[kept] is None:
                values[kept] = old[kept]
        if _rounded(values) != _rounded(old):
            changed.append({"_id": row_id, **values, "updated_at": now})
        else:
            counts.unchanged += 1
    if new:
        ctx.conn.execute(insert(ctx.table("event_attendees")), new)
    _update(ctx, "event_attendees", changed)
    counts.inserted += len(new)
    counts.updated += len(changed)
    return tally


def _known_or_free(
    known: dict[tuple[int, Identity], tuple[Any, ...]],
    taken: set[AttendeeKey],
    event: int,
    identities: list[Identity],
    key: tuple[str, str],
) -> bool:
    """Whether the attendee is a stored row, or its unique key is still free for a new one."""
    return any((event, i) in known for i in identities) or (event, *key) not in taken


def _update(ctx: ImportContext, table_name: str, rows: list[dict[str, Any]]) -> None:
    """Each row's values (all rows with the same keys) set on the row whose id is ``_id``."""
    if not rows:
        return
    t = ctx.table(table_name)
    names = [k for k in rows[0] if k != "_id"]
    stmt = (
        update(t).where(t.c.id == bindparam("_id")).values({c: bindparam(f"v_{c}") for c in names})
    )
    ctx.conn.execute(stmt, [{f"v_{k}" if k != "_id" else k: v for k, v in r.items()} for r in rows])


def _rounded(values: dict[str, Any]) -> dict[str, Any]:
    score = values.get("match_score")
    return {**values, "match_score": None if score is None else round(float(score), 3)}


def import_events(
    database: Database,
    actor: Actor,
    path: Path,
    *,
    our_company: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    errors_path: Path | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import an event attendee list (CSV or Excel); see docs/importing.md."""
    table = open_attendees(path)
    source = "xlsx" if table.encoding == "xlsx" else "csv"
    problems: list[Problem] = []
    stats = ReadStats()
    attendees = []
    for a in read_attendees(table, on_problem=problems.append, stats=stats):
        if (problem := too_long(a)) is not None:
            problems.append(problem)
        else:
            attendees.append(a)
    with run_import(
        database,
        actor,
        source="events",
        location=path,
        dry_run=dry_run,
        strict=strict,
        errors_path=errors_path or default_errors_path(path),
        progress=progress,
    ) as ctx:
        ctx.counts("Event")
        for p in problems:
            ctx.problems.add(p, "Attendee")
        ctx.counts("Attendee").read = stats.read
        if stats.duplicates:
            ctx.problems.warn(f"{path.name}: {stats.duplicates} exact duplicate row(s) skipped")
        matcher = AttendeeMatcher(ctx.conn, attendees, our_company_names(ctx.conn, our_company))
        matches = _with_accounts(ctx.conn, [matcher.match(a) for a in attendees])
        if progress:
            progress("Attendee", len(matches))
        events = _events(ctx, attendees, source)
        ctx.summary.matches = _attendees(ctx, attendees, matches, events)
    return ctx.summary
