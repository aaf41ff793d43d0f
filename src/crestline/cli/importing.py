"""``crestline import …``: bring exports in; all or nothing, and saying what was left out."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from crestline.cli.context import state
from crestline.cli.output import Format, print_json, print_rows, progress_counter

if TYPE_CHECKING:  # commands import the services they call when they run: --help stays fast
    from crestline.services.imports.importing import ImportSummary

KINDS_SHOWN = 10  # kinds of warnings printed; all of them are in --format json
import_app = typer.Typer(
    help=(
        "Import exports: Salesforce, HubSpot, LinkedIn connections, sellers, activities, "
        "event attendee lists."
    ),
    no_args_is_help=True,
)

DRY_RUN = typer.Option(False, "--dry-run", help="Parse, validate and count; write nothing.")
STRICT = typer.Option(
    False, "--strict", help="Any rejected row aborts the import, nothing written."
)
ERRORS = typer.Option(
    None,
    "--errors",
    metavar="PATH",
    help="Where to write the rejected rows (CSV). Default: beside the input.",
)
FORMAT = typer.Option(Format.table, "--format", help="table, json or csv (the summary).")


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")


def run(
    ctx: typer.Context,
    label: str,
    importer: Callable[..., ImportSummary],
    location: Path,
    *,
    dry_run: bool,
    strict: bool,
    errors: Path | None,
    fmt: Format,
    **extra: Any,
) -> None:
    """Every import command's body: open the database, import with a progress counter on the
    terminal, print the summary."""
    from crestline.services.auth.auth import LOCAL_ADMIN

    database = state(ctx).database()
    update, done = progress_counter(label)
    try:
        summary = importer(
            database,
            LOCAL_ADMIN,
            location,
            dry_run=dry_run,
            strict=strict,
            errors_path=errors,
            progress=update,
            **extra,
        )
    finally:
        done()
    report(summary, fmt)
    sys.stdout.flush()


def report(summary: ImportSummary, fmt: Format) -> None:
    """The summary: JSON for programs, a table and the first warnings for people."""
    if fmt is Format.json:
        print_json(summary.as_dict())
        return
    rows = [{"object": kind, **vars(counts)} for kind, counts in summary.objects.items()]
    title = f"{summary.source} import" + (" (dry run: nothing written)" if summary.dry_run else "")
    print_rows(
        rows, ("object", "read", "inserted", "updated", "unchanged", "rejected"), fmt, title=title
    )
    if summary.matches:
        typer.echo("matches: " + ", ".join(f"{k} {v:,}" for k, v in summary.matches.items()))
    if summary.insights:
        i = summary.insights
        typer.echo(
            f"decision-makers: {i['refreshed']:,} of {i['accounts']:,} accounts recomputed "
            f"(their people, titles, lines, roles or touches changed)"
        )
    kinds = summary.warning_kinds
    if kinds:
        typer.echo(f"{summary.warning_count:,} warning(s), by kind:", err=True)
        for kind in kinds[:KINDS_SHOWN]:
            typer.echo(f"{kind.count:>8,} × {kind.kind}", err=True)
            typer.echo(f"           e.g. {kind.examples[0]}", err=True)
        if len(kinds) > KINDS_SHOWN:
            typer.echo(f"… and {len(kinds) - KINDS_SHOWN} more kinds", err=True)
    if summary.errors_file:
        typer.echo(
            f"{summary.rejected:,} rejected row(s) and {summary.warning_count:,} warning(s) "
            f"written to {summary.errors_file}",
            err=True,
        )


@import_app.command(
    "salesforce",
    epilog="Example: crestline import salesforce ./export-2026-11-20 --dry-run "
    "(or WE_00D5J000000abcd_1.zip, or one object's CSV)",
)
def salesforce(
    ctx: typer.Context,
    folder: Path = typer.Argument(
        ...,
        metavar="EXPORT",
        help="Folder of Account.csv, Contact.csv …, the zip of it, or one object's CSV.",
    ),
    dry_run: bool = DRY_RUN,
    strict: bool = STRICT,
    errors: Path | None = ERRORS,
    currency: str = typer.Option("USD", help="Currency of amounts that carry none (ISO code)."),
    fmt: Format = FORMAT,
) -> None:
    """Import a Salesforce Data Loader or weekly Data Export (one CSV per object): its folder,
    its zip, or a single object's CSV (the object told by its name or its ids)."""
    from crestline.services.imports.import_salesforce import import_salesforce

    run(
        ctx,
        "salesforce",
        import_salesforce,
        folder,
        dry_run=dry_run,
        strict=strict,
        errors=errors,
        currency=currency.upper(),
        fmt=fmt,
    )


@import_app.command(
    "linkedin",
    epilog="Example: crestline import linkedin Connections.csv --seller ana@northbeam.io",
)
def linkedin(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE", help="LinkedIn's Connections.csv."),
    seller: str = typer.Option(..., "--seller", help="Whose connections: their email (or id)."),
    dry_run: bool = DRY_RUN,
    strict: bool = STRICT,
    errors: Path | None = ERRORS,
    fmt: Format = FORMAT,
) -> None:
    """Import one seller's LinkedIn connections, matched to the people Crestline knows."""
    from crestline.services.imports.import_linkedin import import_linkedin

    run(
        ctx,
        "linkedin",
        import_linkedin,
        file,
        seller=seller,
        dry_run=dry_run,
        strict=strict,
        errors=errors,
        fmt=fmt,
    )


@import_app.command("sellers", epilog="Example: crestline import sellers team.csv --dry-run")
def sellers(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., metavar="FILE", help="CSV: name, email, title, manager_email, role, territory."
    ),
    dry_run: bool = DRY_RUN,
    strict: bool = STRICT,
    errors: Path | None = ERRORS,
    fmt: Format = FORMAT,
) -> None:
    """Import our own people and their managers; a seller known by email is updated."""
    from crestline.services.imports.import_sellers import import_sellers

    run(
        ctx,
        "sellers",
        import_sellers,
        file,
        dry_run=dry_run,
        strict=strict,
        errors=errors,
        fmt=fmt,
    )


@import_app.command(
    "activities", epilog="Example: crestline import activities ~/calendar-export.ics"
)
def activities(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., metavar="FILE", help="An iCalendar export (.ics) or a CSV of activities."
    ),
    dry_run: bool = DRY_RUN,
    strict: bool = STRICT,
    errors: Path | None = ERRORS,
    fmt: Format = FORMAT,
) -> None:
    """Import meetings from a calendar export, or activities from a CSV, matched by email."""
    from crestline.services.imports.import_activities import import_activities

    run(
        ctx,
        "activities",
        import_activities,
        file,
        dry_run=dry_run,
        strict=strict,
        errors=errors,
        fmt=fmt,
    )


@import_app.command(
    "hubspot",
    epilog="Example: crestline import hubspot ./hubspot-exports (or the download's zip, or "
    "one file)",
)
def hubspot(
    ctx: typer.Context,
    folder: Path = typer.Argument(
        ...,
        metavar="EXPORT",
        help="Folder of HubSpot exports (companies, contacts, deals), their zip, or one file.",
    ),
    dry_run: bool = DRY_RUN,
    strict: bool = STRICT,
    errors: Path | None = ERRORS,
    currency: str = typer.Option("USD", help="Currency of amounts that carry none (ISO code)."),
    fmt: Format = FORMAT,
) -> None:
    """Import HubSpot company, contact and deal exports (CSV or Excel, label headers)."""
    from crestline.services.imports.import_hubspot import import_hubspot

    run(
        ctx,
        "hubspot",
        import_hubspot,
        folder,
        dry_run=dry_run,
        strict=strict,
        errors=errors,
        currency=currency.upper(),
        fmt=fmt,
    )


@import_app.command(
    "events",
    epilog="Example: crestline import events ./summit-2026-attendees.csv --dry-run",
)
def events(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ...,
        metavar="FILE",
        help="CSV or Excel, one row per attendee: event, date, place, name, company, title.",
    ),
    our_company: str | None = typer.Option(
        None,
        "--our-company",
        metavar="NAME",
        help="Our own company as lists write it [default: known from our people's email domain].",
    ),
    dry_run: bool = DRY_RUN,
    strict: bool = STRICT,
    errors: Path | None = ERRORS,
    fmt: Format = FORMAT,
) -> None:
    """Import an event attendee list (a conference's, a partner's): attendees matched to our
    people and to people at accounts; the others are kept as leads."""
    from crestline.services.imports.import_events import import_events

    run(
        ctx,
        "events",
        import_events,
        file,
        our_company=our_company,
        dry_run=dry_run,
        strict=strict,
        errors=errors,
        fmt=fmt,
    )
