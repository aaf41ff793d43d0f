"""``crestline import salesforce DIR``: users, accounts, contacts, opportunities, roles, activities.

Each object file is read as a stream, in batches: references are resolved against what this import
and earlier ones wrote; a missing optional link is dropped with a warning, a missing required parent
rejects the row; self-references (ReportsToId, ManagerId, ParentId) are set in a second pass, after
their cycles are broken and reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from crestline.db.bulk import bulk_insert
from crestline.db.database import Database
from crestline.db.models import Seller
from crestline.errors import BadInputError
from crestline.ingest import salesforce as sf
from crestline.ingest.columns import ObjectSpec, ReadStats, read_records
from crestline.ingest.records import Problem, Record, RowAt
from crestline.ingest.tabular import Table, open_table
from crestline.services.auth.auth import Actor
from crestline.services.imports.archives import export_folder, salesforce_name
from crestline.services.imports.importing import (
    ImportContext,
    ImportSummary,
    Progress,
    default_errors_path,
    keys_of,
    link_self,
    reserve_for,
    run_import,
    upsert,
)

BATCH = 20_000
TABLES = {
    "User": "sellers",
    "Account": "accounts",
    "Contact": "people",
    "Opportunity": "opportunities",
    "OpportunityContactRole": "contact_roles",
    "Task": "activities",
    "Event": "activities",
}


def _batches(records: Iterable[Record]) -> Iterator[list[Record]]:
    it = iter(records)
    while batch := list(islice(it, BATCH)):
        yield batch


def _full_name(fields: dict[str, Any]) -> str:
    first, last = fields.get("first_name"), fields.get("last_name")
    if first and last:
        return f"{first} {last}"
    return first or last or ""


@dataclass
class Maps:
    """key → id of everything from this source, filled as objects are imported."""

    sellers: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    accounts: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    people: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    opportunities: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    opportunity_accounts: dict[int, int] = field(default_factory=dict)


class SalesforceImport:
    def __init__(self, ctx: ImportContext, currency: str) -> None:
        self.ctx = ctx
        self.currency = currency
        self.maps = Maps(
            sellers=keys_of(ctx, "sellers"),
            accounts=keys_of(ctx, "accounts"),
            people=keys_of(ctx, "people"),
            opportunities=keys_of(ctx, "opportunities"),
        )
        self.emails = {
            email.lower(): sid
            for sid, email in ctx.conn.execute(select(Seller.id, Seller.email))
            if email
        }

    # --- helpers ----------------------------------------------------------------------------

    def _link(
        self, record: Record, ref: str, target: dict[str, tuple[int, str | None]], what: str
    ) -> int | None:
        """The id an optional reference points to; a dangling one is dropped with a warning."""
        key = record.refs.get(ref)
        if key is None:
            return None
        found = target.get(key)
        if found is None:
            self.ctx.problems.add(
                record.problem(ref, f"{what} {key} not found; link dropped", "warning"), record.kind
            )
            return None
        return found[0]

    def _required(
        self, record: Record, ref: str, target: dict[str, tuple[int, str | None]], what: str
    ) -> int | None:
        key = record.refs.get(ref)
        found = target.get(key) if key else None
        if found is None:
            self.ctx.problems.reject(record, ref, f"{what} {key} not found; row rejected")
            return None
        return found[0]

    def _read(self, table: Table, spec: ObjectSpec) -> Iterator[list[Record]]:
        stats = ReadStats()
        counts = self.ctx.counts(spec.kind)

        def on_problem(problem: Problem) -> None:
            self.ctx.problems.add(problem, spec.kind)

        done = 0
        for batch in _batches(read_records(table, spec, on_problem=on_problem, stats=stats)):
            yield batch
            done += len(batch)
            if self.ctx.progress:
                self.ctx.progress(spec.kind, stats.read)
        counts.read += stats.read
        if stats.duplicates:
            self.ctx.problems.warn(
                f"{table.path.name}: {stats.duplicates} exact duplicate row(s) skipped"
            )

    # --- objects ----------------------------------------------------------------------------

    def users(self, table: Table) -> None:
        links: dict[str, str | None] = {}
        rows_by_key: dict[str, RowAt] = {}
        claimed: dict[str, str] = {}  # e-mail (lower case) -> the user of this file who has it
        for batch in self._read(table, sf.USER):
            records, rows = [], []
            for r in batch:
                f = r.fields
                email = f.get("email")
                key = email.lower() if email else ""
                mine = self.maps.sellers.get(r.key, (None, None))[0]
                first = claimed.setdefault(key, r.key) if key else r.key
                if first != r.key:
                    # every real org has several system users (noreply@…, integration users)
                    # sharing one address: the first keeps it, the others are kept without it
                    self.ctx.problems.add(
                        r.problem(
                            "Email",
                            f"{email} is also user {first}'s: kept there, left empty here",
                            "warning",
                        ),
                        r.kind,
                    )
                    f["email"] = None
                elif key and self.emails.get(key) not in (None, mine):
                    self.ctx.problems.add(
                        r.problem(
                            "Email", f"{email} belongs to another seller; left empty", "warning"
                        ),
                        r.kind,
                    )
                    f["email"] = None
                row = {
                    "first_name": f.get("first_name"),
                    "last_name": f.get("last_name"),
                    "full_name": _full_name(f),
                    "title": f.get("title"),
                    "role": sf.seller_role(f.get("title")),
                }
                for opt in ("email", "territory", "active"):
                    if opt in f:
                        row[opt] = f[opt] if opt != "active" or f[opt] is not None else True
                records.append(r)
                rows.append(row)
            done = upsert(self.ctx, "sellers", "User", records, rows, self.maps.sellers)
            for r in records:
                if r.fields.get("email"):
                    self.emails[r.fields["email"].lower()] = done.ids[r.key]
                if "manager" in r.refs:
                    links[r.key] = r.refs["manager"]
                    rows_by_key[r.key] = r.slim()
        link_self(
            self.ctx,
            "sellers",
            "manager_id",
            "User",
            "manager",
            links,
            rows_by_key,
            self.maps.sellers,
        )

    def accounts(self, table: Table) -> None:
        links: dict[str, str | None] = {}
        rows_by_key: dict[str, RowAt] = {}
        for batch in self._read(table, sf.ACCOUNT):
            rows = []
            for r in batch:
                row = dict(r.fields.items())
                if "annual_revenue_minor" in row:
                    row["revenue_currency"] = self.currency if row["annual_revenue_minor"] else None
                if "owner" in r.refs:
                    row["owner_id"] = self._link(r, "owner", self.maps.sellers, "owner (User)")
                rows.append(row)
            upsert(self.ctx, "accounts", "Account", batch, rows, self.maps.accounts)
            for r in batch:
                if "parent" in r.refs:
                    links[r.key] = r.refs["parent"]
                    rows_by_key[r.key] = r.slim()
        link_self(
            self.ctx,
            "accounts",
            "parent_id",
            "Account",
            "parent",
            links,
            rows_by_key,
            self.maps.accounts,
        )

    def contacts(self, table: Table) -> None:
        deferred: dict[str, str | None] = {}
        rows_by_key: dict[str, RowAt] = {}
        written: set[str] = set()  # contacts this import inserted or updated
        outward: list[str] = []  # contacts linked in the first pass to one it did not write
        for batch in self._read(table, sf.CONTACT):
            records, rows = [], []
            for r in batch:
                row = dict(r.fields)
                row["full_name"] = _full_name(r.fields)
                if "account" in r.refs:
                    if r.refs["account"] is None:
                        row["account_id"] = None
                    else:
                        account = self._required(r, "account", self.maps.accounts, "account")
                        if account is None:
                            continue
                        row["account_id"] = account
                records.append(r)
                rows.append(row)
            reserved = reserve_for(self.ctx, "people", records, self.maps.people)
            position = {r.key: i for i, r in enumerate(records)}
            if any("reports_to" in r.refs for r in records):
                for i, (r, row) in enumerate(zip(records, rows, strict=True)):
                    boss = r.refs.get("reports_to")
                    known = self.maps.people.get(boss) if boss else None
                    if boss is None:
                        row["reports_to_id"] = None
                    elif known is not None:
                        row["reports_to_id"] = known[0]
                        if boss not in written:
                            outward.append(r.key)
                    elif boss in reserved and position[boss] < i:  # written before this row
                        row["reports_to_id"] = reserved[boss]
                    else:  # later in the file, or missing: the second pass decides
                        row["reports_to_id"] = None
                    if boss is not None:  # the second pass checks every line (same warnings
                        deferred[r.key] = boss  # each run) and writes those that differ
                        rows_by_key[r.key] = r.slim()
            done = upsert(self.ctx, "people", "Contact", records, rows, self.maps.people, reserved)
            written |= done.changed
        link_self(
            self.ctx,
            "people",
            "reports_to_id",
            "Contact",
            "reports_to",
            deferred,
            rows_by_key,
            self.maps.people,
            starts=[self.maps.people[k][0] for k in outward if k in written],
        )

    def opportunities(self, table: Table) -> None:
        for batch in self._read(table, sf.OPPORTUNITY):
            records, rows = [], []
            for r in batch:
                account = self._required(r, "account", self.maps.accounts, "account")
                if account is None:
                    continue
                row = dict(r.fields.items())
                row["account_id"] = account
                row.setdefault("currency", None)
                row["currency"] = row["currency"] or self.currency
                if row.get("created_on") is None:
                    row["created_on"] = row.get("close_date") or r.fields.get("close_date")
                if row["created_on"] is None:
                    self.ctx.problems.reject(r, "created_on", "no CreatedDate and no CloseDate")
                    continue
                row.setdefault("is_closed", False)
                row.setdefault("is_won", False)
                if "owner" in r.refs:
                    row["owner_id"] = self._link(r, "owner", self.maps.sellers, "owner (User)")
                records.append(r)
                rows.append(row)
            done = upsert(
                self.ctx, "opportunities", "Opportunity", records, rows, self.maps.opportunities
            )
            for r, row in zip(records, rows, strict=True):
                self.maps.opportunity_accounts[done.ids[r.key]] = row["account_id"]

    def contact_roles(self, table: Table) -> None:
        existing = keys_of(self.ctx, "contact_roles")
        custom: dict[str, int] = {}
        for batch in self._read(table, sf.CONTACT_ROLE):
            records, rows = [], []
            for r in batch:
                opp = self._required(r, "opportunity", self.maps.opportunities, "opportunity")
                if opp is None:
                    continue
                person = self._required(r, "contact", self.maps.people, "contact")
                if person is None:
                    continue
                role = r.fields.get("role") or "Other"
                if role not in sf.ROLES:
                    custom[role] = custom.get(role, 0) + 1
                row = {"opportunity_id": opp, "person_id": person, "role": role}
                if "is_primary" in r.fields:
                    row["is_primary"] = bool(r.fields["is_primary"])
                records.append(r)
                rows.append(row)
            upsert(self.ctx, "contact_roles", "OpportunityContactRole", records, rows, existing)
        for role, n in sorted(custom.items()):
            self.ctx.problems.warn(
                f"{table.path.name}: custom role {role!r} kept as it is ({n} row(s))"
            )

    def activities(self, table: Table, spec: ObjectSpec) -> None:
        existing = keys_of(self.ctx, "activities")
        attendees_table = self.ctx.table("activity_people")
        undated = 0  # open tasks without ActivityDate, dated by their CreatedDate
        for batch in self._read(table, spec):
            records, rows, who = [], [], []
            for r in batch:
                start = r.fields.get("start")
                day = r.fields.get("activity_date")
                if start is None and day is None and r.fields.get("created") is not None:
                    start = r.fields["created"]
                    undated += 1
                if start is None and day is None:
                    self.ctx.problems.reject(
                        r, "ActivityDate", "no date (ActivityDate, StartDateTime or CreatedDate)"
                    )
                    continue
                if start is not None:
                    occurred = start
                else:
                    assert day is not None
                    occurred = dt.datetime.combine(day, dt.time())
                end = r.fields.get("end")
                row: dict[str, Any] = {
                    "kind": sf.activity_kind(spec.kind, r.fields),
                    "occurred_at": occurred,
                    "duration_minutes": int((end - start).total_seconds() // 60)
                    if start and end and end >= start
                    else None,
                    "subject": r.fields.get("subject"),
                    "seller_id": self._link(r, "owner", self.maps.sellers, "owner (User)")
                    if "owner" in r.refs
                    else None,
                    "account_id": None,
                    "opportunity_id": None,
                }
                what = r.refs.get("what")
                if what:
                    kind = sf.kind_of(what)
                    if kind == "Opportunity":
                        row["opportunity_id"] = self._link(
                            r, "what", self.maps.opportunities, "opportunity"
                        )
                        if row["opportunity_id"] is not None:
                            row["account_id"] = self.maps.opportunity_accounts.get(
                                row["opportunity_id"]
                            )
                    elif kind == "Account":
                        row["account_id"] = self._link(r, "what", self.maps.accounts, "account")
                    else:
                        self.ctx.problems.add(
                            r.problem(
                                "WhatId",
                                f"{what} is not an account or opportunity; link dropped",
                                "warning",
                            ),
                            r.kind,
                        )
                person = None
                key = r.refs.get("who")
                if key:
                    if sf.kind_of(key) == "Contact":
                        person = self._link(r, "who", self.maps.people, "contact")
                    else:
                        self.ctx.problems.add(
                            r.problem(
                                "WhoId",
                                f"{key} is not a contact (leads are not imported); link dropped",
                                "warning",
                            ),
                            r.kind,
                        )
                records.append(r)
                rows.append(row)
                who.append(person)
            done = upsert(self.ctx, "activities", spec.kind, records, rows, existing)
            changed = [done.ids[r.key] for r in records if r.key in done.changed]
            if changed:
                for start_i in range(0, len(changed), 1000):
                    self.ctx.conn.execute(
                        delete(attendees_table).where(
                            attendees_table.c.activity_id.in_(changed[start_i : start_i + 1000])
                        )
                    )
                pairs = [
                    (done.ids[r.key], p)
                    for r, p in zip(records, who, strict=True)
                    if p is not None and r.key in done.changed
                ]
                bulk_insert(self.ctx.conn, attendees_table, ("activity_id", "person_id"), pairs)
        if undated:
            self.ctx.problems.warn(
                f"{table.path.name}: {undated:,} {spec.kind.lower()}(s) without ActivityDate "
                "(open, no due date) dated by their CreatedDate"
            )


def import_salesforce(
    database: Database,
    actor: Actor,
    location: Path,
    *,
    dry_run: bool = False,
    strict: bool = False,
    errors_path: Path | None = None,
    currency: str = "USD",
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a Salesforce export in one transaction — its folder of object CSVs, the zip of it,
    or one object's CSV; see docs/importing.md."""
    with export_folder(location, name_of=salesforce_name) as folder:
        files = sf.find_files(folder)
        if not files:
            raise BadInputError(
                f"{location}: no Salesforce object files (Account.csv, Contact.csv, User.csv, "
                "Opportunity.csv, OpportunityContactRole.csv, Task.csv, Event.csv)"
            )
        tables = [(f.spec, open_table(f.path)) for f in files]  # unreadable files fail here
        for spec, table in tables:
            if not table.has(*spec.key_keys):
                raise BadInputError(f"{table.path}: no recognisable header (no Id column)")
        errors = errors_path or default_errors_path(location)
        with run_import(
            database,
            actor,
            source="salesforce",
            location=location,
            dry_run=dry_run,
            strict=strict,
            errors_path=errors,
            progress=progress,
        ) as ctx:
            job = SalesforceImport(ctx, currency)
            for spec, table in tables:
                if spec is sf.USER:
                    job.users(table)
                elif spec is sf.ACCOUNT:
                    job.accounts(table)
                elif spec is sf.CONTACT:
                    job.contacts(table)
                elif spec is sf.OPPORTUNITY:
                    job.opportunities(table)
                elif spec is sf.CONTACT_ROLE:
                    job.contact_roles(table)
                else:
                    job.activities(table, spec)
        return ctx.summary
