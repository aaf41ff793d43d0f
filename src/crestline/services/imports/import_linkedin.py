"""``crestline import linkedin FILE --seller EMAIL``: a seller's connections, resolved to people.

Each connection is matched to a person already known — by LinkedIn URL, then by email, then by name
at the account its company names (see :mod:`crestline.engines.matching`). A connection at a known
account with no matching person becomes a new person there; the rest are kept as people outside any
account, who still matter for two-hop paths. Every connection stores how its person was found and
with what score.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from crestline.db.bulk import bulk_insert, bulk_update
from crestline.db.database import Database
from crestline.db.models import Account, Base, Person, Seller
from crestline.db.models import Connection as ConnectionRow
from crestline.engines.matching import (
    AccountRef,
    CompanyMatcher,
    company_key,
    name_similarity,
    person_key,
)
from crestline.errors import BadInputError, NotFoundError
from crestline.ingest.linkedin import LinkedInConnection, open_connections, read_connections
from crestline.ingest.records import Problem, Record
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
NAME_THRESHOLD = 0.92


@dataclass(frozen=True)
class Resolved:
    connection: LinkedInConnection
    person_id: int | None  # None: a new person, described by ``record``
    record: Record | None
    method: str
    score: float
    category: str  # existing_person, new_person_at_account, outside_accounts


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def find_seller(conn: Connection, key: str) -> int:
    """A seller by email, id or exact name; the import needs one."""
    key = key.strip()
    conditions = [Seller.email == key.lower(), Seller.full_name == key]
    if key.isdigit():
        conditions.append(Seller.id == int(key))
    found = conn.execute(select(Seller.id, Seller.full_name).where(or_(*conditions))).all()
    if not found:
        raise NotFoundError(
            f"--seller {key}: no such seller (import them first: crestline import sellers, "
            "or a Salesforce User.csv)"
        )
    if len(found) > 1:
        raise BadInputError(f"--seller {key}: names {len(found)} sellers; use their email")
    return int(found[0][0])


class Resolver:
    def __init__(self, conn: Connection, connections: list[LinkedInConnection]) -> None:
        self.conn = conn
        self.matcher = CompanyMatcher(
            AccountRef(a, n, d)
            for a, n, d in conn.execute(select(Account.id, Account.name, Account.domain))
        )
        urls = sorted({c.url for c in connections if c.url})
        emails = sorted({c.email for c in connections if c.email})
        self.by_url: dict[str, int] = {}
        self.by_email: dict[str, int] = {}
        for chunk in _chunks(urls):
            for url, pid in conn.execute(
                select(Person.linkedin_url, Person.id).where(Person.linkedin_url.in_(chunk))
            ):
                self.by_url.setdefault(str(url), pid)
        for chunk in _chunks(emails):
            for email, pid in conn.execute(
                select(Person.email, Person.id).where(Person.email.in_(chunk))
            ):
                self.by_email.setdefault(str(email), pid)
        self.companies = {
            c.company: self.matcher.match(c.company, c.email.split("@")[1] if c.email else None)
            for c in connections
            if c.company
        }
        accounts = sorted({m.account_id for m in self.companies.values() if m})
        self.people_at: dict[int, dict[str, int]] = {}
        for chunk in _chunks(accounts):
            rows = conn.execute(
                select(
                    Person.account_id,
                    Person.id,
                    Person.first_name,
                    Person.last_name,
                    Person.full_name,
                ).where(Person.account_id.in_(chunk))
            )
            for account_id, pid, first, last, full in rows:
                key = person_key(first, last) if (first or last) else person_key(full, "")
                if account_id is not None:
                    self.people_at.setdefault(account_id, {}).setdefault(key, pid)
        self.outside: dict[tuple[str, str], int] = {}
        outside_rows = conn.execute(
            select(Person.id, Person.first_name, Person.last_name, Person.company_name).where(
                Person.account_id.is_(None)
            )
        )
        for pid, first, last, company in outside_rows:
            self.outside.setdefault((person_key(first, last), company_key(company or "")), pid)

    def resolve(self, c: LinkedInConnection) -> Resolved:
        if c.url and c.url in self.by_url:
            return Resolved(c, self.by_url[c.url], None, "linkedin_url", 1.0, "existing_person")
        if c.email and c.email in self.by_email:
            return Resolved(c, self.by_email[c.email], None, "email", 1.0, "existing_person")
        name = person_key(c.first_name, c.last_name)
        company = self.companies.get(c.company) if c.company else None
        if company is not None:
            people = self.people_at.get(company.account_id, {})
            if name in people:
                return Resolved(
                    c,
                    people[name],
                    None,
                    f"name+{company.method}",
                    company.score,
                    "existing_person",
                )
            best, best_score = None, 0.0
            for other, pid in people.items():
                score = name_similarity(name, other)
                if score > best_score:
                    best, best_score = pid, score
            if best is not None and best_score >= NAME_THRESHOLD:
                return Resolved(
                    c,
                    best,
                    None,
                    f"fuzzy_name+{company.method}",
                    round(min(best_score, company.score), 3),
                    "existing_person",
                )
            return Resolved(
                c,
                None,
                self._record(c, company.account_id),
                f"new+{company.method}",
                company.score,
                "new_person_at_account",
            )
        key = (name, company_key(c.company or ""))
        if key in self.outside:
            return Resolved(c, self.outside[key], None, "name+company", 1.0, "outside_accounts")
        return Resolved(c, None, self._record(c, None), "new_outside", 1.0, "outside_accounts")

    def _record(self, c: LinkedInConnection, account_id: int | None) -> Record:
        if c.url:
            key = "url:" + c.url.rsplit("/", 1)[1]
        else:
            key = f"name:{person_key(c.first_name, c.last_name)}|{company_key(c.company or '')}"
        fields = {
            "first_name": c.first_name or None,
            "last_name": c.last_name or None,
            "full_name": f"{c.first_name} {c.last_name}".strip(),
            "title": c.position,
            "email": c.email,
            "linkedin_url": c.url,
            "company_name": c.company,
            "account_id": account_id,
        }
        return Record("Person", key[:64], fields)


def _connections(ctx: ImportContext, seller_id: int, resolved: list[tuple[Resolved, int]]) -> None:
    counts = ctx.counts("Connection")
    table = ctx.table("connections")
    existing = {
        person: (cid, first)
        for cid, person, first in ctx.conn.execute(
            select(ConnectionRow.id, ConnectionRow.person_id, ConnectionRow.first_seen).where(
                and_(ConnectionRow.seller_id == seller_id, ConnectionRow.source == "linkedin")
            )
        )
    }
    inserts: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    seen: set[int] = set()
    for r, person_id in resolved:
        if person_id in seen:
            counts.unchanged += 1  # the same person twice in one file
            continue
        seen.add(person_id)
        when = r.connection.connected_on
        found = existing.get(person_id)
        if found is None:
            inserts.append(
                (seller_id, person_id, "linkedin", when, when, 1, "linkedin", r.method, r.score)
            )
        elif found[1] != when:
            updates.append((when, when, r.method, r.score, found[0]))
        else:
            counts.unchanged += 1
    bulk_insert(
        ctx.conn,
        table,
        (
            "seller_id",
            "person_id",
            "source",
            "first_seen",
            "last_seen",
            "count",
            "origin_source",
            "match_method",
            "match_score",
        ),
        inserts,
    )
    bulk_update(
        ctx.conn, table, ("first_seen", "last_seen", "match_method", "match_score"), updates
    )
    counts.inserted += len(inserts)
    counts.updated += len(updates)


def import_linkedin(
    database: Database,
    actor: Actor,
    path: Path,
    *,
    seller: str,
    dry_run: bool = False,
    strict: bool = False,
    errors_path: Path | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import one seller's LinkedIn ``Connections.csv``; see docs/importing.md."""
    table = open_connections(path)
    problems: list[Problem] = []
    connections = list(read_connections(table, problems))
    with run_import(
        database,
        actor,
        source="linkedin",
        location=path,
        dry_run=dry_run,
        strict=strict,
        errors_path=errors_path or default_errors_path(path),
        progress=progress,
    ) as ctx:
        seller_id = find_seller(ctx.conn, seller)
        for p in problems:
            ctx.problems.add(p, "Connection")
        ctx.counts("Connection").read = len(connections) + sum(
            1 for p in problems if p.severity == "error"
        )
        resolver = Resolver(ctx.conn, connections)
        resolved = [resolver.resolve(c) for c in connections]
        if progress:
            progress("Connection", len(resolved))
        new = [r for r in resolved if r.record is not None]
        records: dict[str, Record] = {}
        for r in new:
            assert r.record is not None
            records.setdefault(r.record.key, r.record)
        people = keys_of(ctx, "people")
        ctx.counts("Person").read = len(records)
        done = upsert(
            ctx,
            "people",
            "Person",
            list(records.values()),
            [dict(rec.fields) for rec in records.values()],
            people,
        )
        _enrich(ctx.conn, resolved)
        matches = {"existing_person": 0, "new_person_at_account": 0, "outside_accounts": 0}
        pairs = []
        for r in resolved:
            matches[r.category] += 1
            pid = r.person_id if r.person_id is not None else done.ids[r.record.key]  # type: ignore[union-attr]
            pairs.append((r, pid))
        _connections(ctx, seller_id, pairs)
        ctx.summary.matches = matches
    return ctx.summary


def _enrich(conn: Connection, resolved: list[Resolved]) -> None:
    """Give people found by name the LinkedIn address the connection knows, where they have none."""
    fill = [
        (r.connection.url, r.person_id)
        for r in resolved
        if r.person_id is not None and r.connection.url and r.method != "linkedin_url"
    ]
    if not fill:
        return
    ids = [pid for _, pid in fill]
    missing: set[int] = set()
    for chunk in _chunks(ids):
        missing.update(
            conn.execute(
                select(Person.id).where(Person.id.in_(chunk), Person.linkedin_url.is_(None))
            ).scalars()
        )
    rows = [(url, pid) for url, pid in fill if pid in missing]
    bulk_update(conn, Base.metadata.tables["people"], ("linkedin_url",), rows)
