"""``crestline import hubspot DIR``: companies, contacts and deals exported from HubSpot's UI.

Companies become accounts, contacts people (at their first associated company), deals
opportunities (at their first associated company, required); a deal's associated contacts become
its contact roles, named after the contact's buying role (``hs_buying_role``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select

from crestline.db.database import Database
from crestline.db.models import Seller
from crestline.errors import BadInputError
from crestline.ingest import hubspot as hs
from crestline.ingest.columns import ObjectSpec, ReadStats, read_records
from crestline.ingest.records import Problem, Record
from crestline.ingest.tabular import Table
from crestline.services.auth.auth import Actor
from crestline.services.imports.archives import export_folder
from crestline.services.imports.importing import (
    ImportContext,
    ImportSummary,
    Progress,
    default_errors_path,
    keys_of,
    run_import,
    upsert,
)


class HubSpotImport:
    def __init__(self, ctx: ImportContext, currency: str) -> None:
        self.ctx = ctx
        self.currency = currency
        self.accounts = keys_of(ctx, "accounts")
        self.people = keys_of(ctx, "people")
        self.deals = keys_of(ctx, "opportunities")
        self.roles: dict[str, tuple[str, ...]] = {}
        self.owners: dict[str, int] = {}
        for sid, name, email in ctx.conn.execute(select(Seller.id, Seller.full_name, Seller.email)):
            self.owners.setdefault(name.casefold(), sid)
            if email:
                self.owners.setdefault(email.casefold(), sid)

    def _read(self, table: Table, spec: ObjectSpec) -> list[Record]:
        stats = ReadStats()

        def on_problem(problem: Problem) -> None:
            self.ctx.problems.add(problem, spec.kind)

        records = list(read_records(table, spec, on_problem=on_problem, stats=stats))
        self.ctx.counts(spec.kind).read += stats.read
        if stats.duplicates:
            self.ctx.problems.warn(
                f"{table.path.name}: {stats.duplicates} exact duplicate row(s) skipped"
            )
        if self.ctx.progress:
            self.ctx.progress(spec.kind, stats.read)
        return records

    def _owner(self, r: Record) -> int | None:
        name = r.refs.get("owner")
        if not name:
            return None
        found = self.owners.get(str(name).casefold())
        if found is None:
            self.ctx.problems.add(
                r.problem("owner", f"owner {name!r} is not a known seller; left empty", "warning"),
                r.kind,
            )
        return found

    def _company(self, r: Record, *, required: bool) -> int | bool | None:
        """The first associated company's account id; False when the row must be rejected."""
        ids = hs.refs_list(r.refs.get("companies"))
        if not ids:
            if required:
                self.ctx.problems.reject(r, "companies", "no associated company; row rejected")
                return False
            return None
        if len(ids) > 1:
            self.ctx.problems.add(
                r.problem(
                    "companies", f"{len(ids)} associated companies; the first is kept", "warning"
                ),
                r.kind,
            )
        found = self.accounts.get(ids[0])
        if found is None:
            if required:
                self.ctx.problems.reject(
                    r, "companies", f"company {ids[0]} not found; row rejected"
                )
                return False
            self.ctx.problems.add(
                r.problem("companies", f"company {ids[0]} not found; link dropped", "warning"),
                r.kind,
            )
            return None
        return found[0]

    def companies(self, table: Table) -> None:
        records = self._read(table, hs.COMPANY)
        rows = []
        for r in records:
            row: dict[str, Any] = dict(r.fields.items())
            if row.get("annual_revenue_minor"):
                row["revenue_currency"] = self.currency
            if "owner" in r.refs:
                row["owner_id"] = self._owner(r)
            rows.append(row)
        upsert(self.ctx, "accounts", "Company", records, rows, self.accounts)

    def contacts(self, table: Table) -> None:
        records, rows = [], []
        for r in self._read(table, hs.CONTACT):
            f = r.fields
            if not (f.get("first_name") or f.get("last_name") or f.get("email")):
                self.ctx.problems.reject(r, "first_name", "no name and no email")
                continue
            row: dict[str, Any] = {k: v for k, v in f.items() if k not in ("buying_roles",)}
            row["full_name"] = " ".join(
                p for p in (f.get("first_name"), f.get("last_name")) if p
            ) or str(f.get("email"))
            if "companies" in r.refs:
                account = self._company(r, required=False)
                row["account_id"] = account if isinstance(account, int) else None
            self.roles[r.key] = tuple(f.get("buying_roles") or ())
            records.append(r)
            rows.append(row)
        upsert(self.ctx, "people", "Contact", records, rows, self.people)

    def deals_(self, table: Table) -> None:
        records, rows = [], []
        for r in self._read(table, hs.DEAL):
            account = self._company(r, required=True)
            if account is False:
                continue
            f = r.fields
            label, closed, won = f["stage"]
            created = f.get("created")
            row: dict[str, Any] = {
                "account_id": account,
                "name": f["name"],
                "stage": label,
                "is_closed": closed,
                "is_won": won,
                "currency": f.get("currency") or self.currency,
                "created_on": created.date()
                if isinstance(created, dt.datetime)
                else f.get("close_date"),
            }
            for k in ("close_date", "amount_minor", "type"):
                if k in f:
                    row[k] = f[k]
            if "owner" in r.refs:
                row["owner_id"] = self._owner(r)
            if row["created_on"] is None:
                self.ctx.problems.reject(r, "created", "no Create Date and no Close Date")
                continue
            records.append(r)
            rows.append(row)
        done = upsert(self.ctx, "opportunities", "Deal", records, rows, self.deals)
        self._roles(records, done.ids)

    def _roles(self, deals: list[Record], ids: dict[str, int]) -> None:
        existing = keys_of(self.ctx, "contact_roles")
        records, rows = [], []
        for r in deals:
            for contact in hs.refs_list(r.refs.get("contacts")):
                person = self.people.get(contact)
                if person is None:
                    self.ctx.problems.add(
                        r.problem(
                            "contacts", f"contact {contact} not found; role dropped", "warning"
                        ),
                        r.kind,
                    )
                    continue
                roles = self.roles.get(contact) or ("Other",)
                role_record = Record("ContactRole", f"{r.key}:{contact}", {"role": roles[0]})
                records.append(role_record)
                rows.append(
                    {
                        "opportunity_id": ids[r.key],
                        "person_id": person[0],
                        "role": roles[0],
                        "is_primary": False,
                    }
                )
        self.ctx.counts("ContactRole").read = len(records)
        upsert(self.ctx, "contact_roles", "ContactRole", records, rows, existing)


def import_hubspot(
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
    """Import HubSpot exports (companies, contacts, deals; CSV or Excel): their folder, the
    zip HubSpot's download gives, or one of the files."""
    with export_folder(location) as folder:
        files = hs.find_files(folder)
        if not files:
            raise BadInputError(
                f"{location}: no HubSpot exports (files with 'Company name', 'First Name' or "
                "'Deal Name' columns)"
            )
        with run_import(
            database,
            actor,
            source="hubspot",
            location=location,
            dry_run=dry_run,
            strict=strict,
            errors_path=errors_path or default_errors_path(location),
            progress=progress,
        ) as ctx:
            job = HubSpotImport(ctx, currency)
            for spec, table in files:
                if spec is hs.COMPANY:
                    job.companies(table)
                elif spec is hs.CONTACT:
                    job.contacts(table)
                else:
                    job.deals_(table)
        return ctx.summary
