"""``crestline accounts list`` and ``crestline account show``."""

from __future__ import annotations

from dataclasses import asdict, fields

import typer

from crestline.cli.context import state
from crestline.cli.output import Format, print_json, print_rows
from crestline.services.accounts import AccountRow, PersonNode, get_account, list_accounts
from crestline.services.auth import LOCAL_ADMIN

accounts_app = typer.Typer(help="Target accounts.", no_args_is_help=True)
account_app = typer.Typer(help="One account.", no_args_is_help=True)

LIST_COLUMNS = ("id", "name", "industry", "employees", "country", "tier", "owner", "people")


def register(app: typer.Typer) -> None:
    app.add_typer(accounts_app, name="accounts")
    app.add_typer(account_app, name="account")


@accounts_app.command(
    "list", epilog="Example: crestline accounts list --search bank --format json --limit 5"
)
def list_(
    ctx: typer.Context,
    search: str | None = typer.Option(None, help="Match name, domain or industry."),
    limit: int | None = typer.Option(
        None, min=1, help="How many accounts at the most [default: 50 in a table, all in json/csv]."
    ),
    offset: int = typer.Option(0, min=0, help="Skip this many first."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """List the accounts you may see, by name, with their number of people."""
    database = state(ctx).database()
    with database.reader() as session:
        if limit is None and fmt is Format.table:
            limit = 50
        page = list_accounts(session, LOCAL_ADMIN, search=search, limit=limit, offset=offset)
    rows = [asdict(r) for r in page.items]
    title = f"{page.total:,} accounts" + (f" matching {search!r}" if search else "")
    if len(rows) < page.total:
        title += f" (showing {offset + 1}–{offset + len(rows)})"
    columns = LIST_COLUMNS if fmt is Format.table else tuple(f.name for f in fields(AccountRow))
    print_rows(rows, columns, fmt, title=title)


def _tree_lines(node: PersonNode, depth: int, out: list[str], limit: int) -> None:
    if len(out) >= limit:
        return
    title = node.title or "(no title)"
    out.append(f"{'  ' * depth}{'└ ' if depth else ''}{node.name} — {title}")
    for child in node.reports:
        _tree_lines(child, depth + 1, out, limit)


@account_app.command(
    "show", epilog="Example: crestline account show 'Nordstern Bank AG' --format json"
)
def show(
    ctx: typer.Context,
    account: str = typer.Argument(..., metavar="ACCOUNT", help="Id, exact name or domain."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
    max_lines: int = typer.Option(60, help="Lines of the reporting tree to print (table)."),
) -> None:
    """Show one account: its facts, deals and people grouped by reporting line."""
    database = state(ctx).database()
    with database.reader() as session:
        detail = get_account(session, LOCAL_ADMIN, account)
    if fmt is not Format.table:
        print_json(detail.as_dict())
        return
    a = detail.account
    typer.echo(f"{a.name}  (id {a.id}, {a.domain or '-'})")
    typer.echo(
        f"{a.industry or '-'} · {a.country or '-'} · {a.employees or 0:,} employees · "
        f"tier {a.tier or '-'} · owner {a.owner or '-'}"
    )
    d = detail.deals
    typer.echo(
        f"deals: {d.open} open ({d.open_amount_minor / 100:,.0f} {d.currency}), "
        f"{d.won} won ({d.won_amount_minor / 100:,.0f} {d.currency}), {d.lost} lost"
    )
    typer.echo(f"people: {len(detail.people)} · reporting lines known: {detail.known_lines}\n")
    lines: list[str] = []
    for root in detail.roots:
        _tree_lines(root, 0, lines, max_lines)
    typer.echo("\n".join(lines))
    if len(lines) >= max_lines and len(detail.people) > max_lines:
        typer.echo(f"… {len(detail.people) - max_lines} more (use --max-lines or --format json)")
