"""``crestline accounts list``, ``crestline account show`` and ``crestline orgchart``."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, fields
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from crestline.cli.context import state
from crestline.cli.output import Format, TableOrJson, print_json, print_rows
from crestline.vocab import NODE_BUDGET

if TYPE_CHECKING:  # commands import the services they call when they run: --help stays fast
    from crestline.services.decisions.decision_makers import DecisionMakers, RankedPerson


class ChartFormat(StrEnum):
    svg = "svg"
    png = "png"
    json = "json"


accounts_app = typer.Typer(help="Target accounts.", no_args_is_help=True)
app_orgchart = typer.Typer()
account_app = typer.Typer(help="One account.", no_args_is_help=True)

LIST_COLUMNS = ("id", "name", "industry", "employees", "country", "tier", "owner", "people")


def register(app: typer.Typer) -> None:
    app.add_typer(accounts_app, name="accounts")
    app.add_typer(account_app, name="account")
    app.registered_commands.extend(app_orgchart.registered_commands)


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
    from crestline.services.accounts.accounts import AccountRow, list_accounts
    from crestline.services.auth.auth import LOCAL_ADMIN

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


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


AS_OF_HELP = (
    "Measure engagement on this day (YYYY-MM-DD) "
    "[default: the day of the latest activity, or today]."
)


@account_app.command(
    "show", epilog="Example: crestline account show 'Nordstern Bank AG' --format json"
)
def show(
    ctx: typer.Context,
    account: str = typer.Argument(..., metavar="ACCOUNT", help="Id, exact name or domain."),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", help="table or json."),
    top: int = typer.Option(10, min=1, help="Ranked people to print (table)."),
    max_lines: int = typer.Option(40, help="Lines of the reporting tree to print (table)."),
    as_of: str | None = typer.Option(None, "--as-of", metavar="DATE", help=AS_OF_HELP),
) -> None:
    """Show one account: facts, deals, people ranked by power with their reasons, buying-committee
    coverage of each open opportunity with warnings, and the reporting tree."""
    from crestline.services.accounts.people import account_shown
    from crestline.services.auth.auth import LOCAL_ADMIN

    database = state(ctx).database()
    with database.reader() as session:
        shown = account_shown(session, LOCAL_ADMIN, account, as_of=_as_of(as_of))
    detail, dm = shown.detail, shown.decision_makers
    if fmt is not TableOrJson.table:
        out = detail.as_dict()
        ranked = dm.as_dict()
        out.update(
            as_of=ranked["as_of"],
            org_chart=ranked["org_chart"],
            ranked=ranked["people"],
            opportunities=ranked["opportunities"],
            influence_lines=ranked["influence_lines"],
        )
        print_json(out)
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
    typer.echo(
        f"people: {len(detail.people)} · reporting lines known: {dm.known_lines}, "
        f"inferred: {dm.inferred_lines}, cut in cycles: {dm.broken_lines} · depth {dm.depth} · "
        f"hierarchy index {dm.hierarchy_index:.2f} (0 flat … 1 tall) · as of {dm.as_of}\n"
    )
    _print_power(dm, top)
    _print_committees(dm)
    _print_tree(dm, max_lines)


def _print_tree(dm: DecisionMakers, max_lines: int) -> None:
    """The completed chart: inferred lines marked with their confidence."""
    reports: dict[int | None, list[RankedPerson]] = {}
    for p in sorted(dm.people, key=lambda p: p.rank):
        reports.setdefault(p.manager_id, []).append(p)
    lines: list[str] = []
    stack = [(p, 0) for p in reversed(reports.get(None, []))]
    while stack and len(lines) < max_lines:
        p, depth = stack.pop()
        mark = "└ " if depth else ""
        if p.line_source == "inferred":
            mark = f"┄ ({p.line_confidence or 0:.0%} inferred) "
        lines.append(f"{'  ' * depth}{mark}{p.name} — {p.title or '(no title)'}")
        stack.extend((c, depth + 1) for c in reversed(reports.get(p.id, [])))
    typer.echo("org chart (┄ = a line the CRM did not record, inferred):")
    typer.echo("\n".join(lines))
    if len(dm.people) > len(lines):
        typer.echo(f"… {len(dm.people) - len(lines)} more (use --max-lines, or crestline orgchart)")


def _print_power(dm: DecisionMakers, top: int) -> None:
    typer.echo(f"who decides — the {min(top, len(dm.people))} with most power:")
    for p in dm.people[:top]:
        level = p.seniority.replace("_", " ") + ("*" if p.level_source != "title" else "")
        engaged = f"engaged {p.last_touch}" if p.engaged else "not engaged in 90 days"
        typer.echo(
            f"{p.rank:>3}. {p.power:.2f}  {p.name} — {p.title or '(no title)'} "
            f"[{level}, {p.function.replace('_', ' ')}] · {engaged}"
        )
        typer.echo(f"         {'; '.join(p.reasons)}")
    typer.echo("     (* level read from the org chart or confirmed, not from the title)\n")


def _print_committees(dm: DecisionMakers) -> None:
    if not dm.opportunities:
        typer.echo("no open opportunities\n")
        return
    for o in dm.opportunities:
        c = o.committee
        amount = f"{o.amount_minor / 100:,.0f} {o.currency}" if o.amount_minor else "-"
        typer.echo(f"opportunity {o.id}: {o.name} · {o.stage} · {amount} · {c.health.upper()}")
        for r in c.roles:
            names = ", ".join(n for _, n in r.people) or "-"
            typer.echo(f"    {r.role.replace('_', ' '):<18} {r.status:<10} {names}")
        for w in c.warnings:
            typer.echo(f"    ! {w}")
        typer.echo("")


@app_orgchart.command(
    "orgchart",
    epilog="Example: crestline orgchart 'Nordstern Bank AG' --format svg -o nordstern.svg",
)
def orgchart(
    ctx: typer.Context,
    account: str = typer.Argument(..., metavar="ACCOUNT", help="Id, exact name or domain."),
    fmt: ChartFormat = typer.Option(ChartFormat.svg, "--format", help="svg, png or json."),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="File to write [default: ACCOUNT-ID-orgchart.FORMAT]."
    ),
    expand: str = typer.Option(
        "", help="Person ids whose branches to open in a large chart, comma-separated."
    ),
    budget: int = typer.Option(NODE_BUDGET, min=5, help="People drawn before branches collapse."),
    as_of: str | None = typer.Option(None, "--as-of", metavar="DATE", help=AS_OF_HELP),
) -> None:
    """Draw an account's org chart: recorded lines solid, inferred ones dashed with confidence,
    seniority as colour, people engaged in 90 days with a thick border (SVG, PNG or JSON)."""
    from crestline.reports.orgchart import parse_ids, render, to_json, write_output
    from crestline.services.auth.auth import LOCAL_ADMIN
    from crestline.services.decisions.decision_makers import decision_makers

    opened = parse_ids(expand, name="--expand")
    database = state(ctx).database()
    with database.reader() as session:
        dm = decision_makers(session, LOCAL_ADMIN, account, as_of=_as_of(as_of), committees=False)
    target = output or Path(f"account-{dm.account_id}-orgchart.{fmt.value}")
    if fmt is ChartFormat.json:
        data = (json.dumps(to_json(dm), ensure_ascii=False, indent=2) + "\n").encode()
    else:
        data = render(dm, fmt.value, expand=opened, budget=budget)
    write_output(target, data)
    typer.echo(
        f"{target}: {len(dm.people)} people, {dm.inferred_lines} inferred lines ({fmt.value})",
        err=True,
    )
