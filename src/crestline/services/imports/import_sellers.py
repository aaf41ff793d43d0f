"""``crestline import sellers FILE.csv``: our own people, matched by email, with their managers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from crestline.db.database import Database
from crestline.db.models import Seller
from crestline.errors import BadInputError
from crestline.ingest.columns import ReadStats, read_records
from crestline.ingest.names import split_name
from crestline.ingest.records import Problem, Record
from crestline.ingest.salesforce import seller_role
from crestline.ingest.sellers import SELLER
from crestline.ingest.tabular import open_table
from crestline.services.auth.auth import Actor
from crestline.services.imports.importing import (
    ImportSummary,
    Progress,
    default_errors_path,
    link_self,
    run_import,
    upsert,
)


def import_sellers(
    database: Database,
    actor: Actor,
    path: Path,
    *,
    dry_run: bool = False,
    strict: bool = False,
    errors_path: Path | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import our people from a CSV; a seller already known by email is updated, not added."""
    table = open_table(path)
    if not table.has(*SELLER.key_keys):
        raise BadInputError(f"{path}: no 'email' column")
    if not table.has("name", "full name", "full_name", "last_name", "last name", "lastname"):
        raise BadInputError(f"{path}: no 'name' (or 'first_name'/'last_name') column")
    with run_import(
        database,
        actor,
        source="csv",
        location=path,
        dry_run=dry_run,
        strict=strict,
        errors_path=errors_path or default_errors_path(path),
        progress=progress,
    ) as ctx:
        existing: dict[str, tuple[int, str | None]] = {
            str(email).lower(): (sid, digest)
            for sid, email, digest in ctx.conn.execute(
                select(Seller.id, Seller.email, Seller.source_hash).where(Seller.email.is_not(None))
            )
        }
        stats = ReadStats()

        def on_problem(problem: Problem) -> None:
            ctx.problems.add(problem, "Seller")

        records: list[Record] = []
        rows: list[dict[str, Any]] = []
        for r in read_records(table, SELLER, on_problem=on_problem, stats=stats):
            f = r.fields
            first, last = f.get("first_name"), f.get("last_name")
            if f.get("name") and not (first or last):
                first, last = split_name(f["name"])
            if not (first or last):
                ctx.problems.reject(r, "name", "no name")
                continue
            row: dict[str, Any] = {
                "first_name": first or None,
                "last_name": last or None,
                "full_name": " ".join(p for p in (first, last) if p),
                "email": r.key,
                "title": f.get("title"),
                "role": f.get("role") or seller_role(f.get("title")),
            }
            for optional in ("territory", "linkedin_url"):
                if optional in f:
                    row[optional] = f[optional]
            records.append(r)
            rows.append(row)
        ctx.counts("Seller").read = stats.read
        if stats.duplicates:
            ctx.problems.warn(f"{path.name}: {stats.duplicates} exact duplicate row(s) skipped")
        upsert(ctx, "sellers", "Seller", records, rows, existing)
        links = {r.key: r.refs["manager"] for r in records if "manager" in r.refs}
        link_self(
            ctx,
            "sellers",
            "manager_id",
            "Seller",
            "manager",
            links,
            {r.key: r for r in records},
            existing,
        )
    return ctx.summary
