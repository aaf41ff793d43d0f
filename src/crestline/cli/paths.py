"""``crestline paths``: warm introduction paths to an account's decision-makers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from crestline.cli.context import state
from crestline.cli.output import Format, print_json, print_rows, working

if TYPE_CHECKING:  # commands import the services they call when they run: --help stays fast
    from sqlalchemy.orm import Session

    from crestline.config import Settings
    from crestline.services.paths.relationship_graph import RelationshipGraph
    from crestline.services.paths.warm_paths import SharedEvent, TargetPaths


def register(app: typer.Typer) -> None:
    app.command(
        "paths",
        epilog="Example: crestline paths 'Nordstern Bank AG' --execs-only -k 3 --format json",
    )(paths)
    app.command("pairs", epilog="Example: crestline pairs 'Nordstern Bank AG' --format json")(pairs)


def paths(
    ctx: typer.Context,
    account: str = typer.Argument(..., metavar="ACCOUNT", help="Id, exact name or domain."),
    to: str | None = typer.Option(
        None, "--to", metavar="PERSON", help="One target [default: the 5 most powerful people]."
    ),
    from_seller: str | None = typer.Option(
        None, "--from", metavar="SELLER", help="Only this one of ours (id, email or name)."
    ),
    execs_only: bool = typer.Option(False, "--execs-only", help="Only our executives."),
    k: int = typer.Option(
        3, "-k", min=1, max=10, help="Paths per target, each via another introducer."
    ),
    max_hops: int = typer.Option(4, "--max-hops", min=1, max=6, help="Hops at the most."),
    fmt: Format = typer.Option(
        Format.table, "--format", help="table, json, or csv (one row per hop)."
    ),
) -> None:
    """Find the warmest ways from our people to an account's decision-makers, hop by hop: who,
    how they know each other, since when, last contact; a path's strength is the product of its
    hops'."""
    from crestline.services.auth.auth import LOCAL_ADMIN
    from crestline.services.paths.warm_paths import warm_paths

    app_state = state(ctx)
    database = app_state.database()
    with database.reader() as session, working("reading everyone's relationships …"):
        found = warm_paths(
            session,
            LOCAL_ADMIN,
            account,
            to=to,
            from_seller=from_seller,
            execs_only=execs_only,
            k=k,
            max_hops=max_hops,
            graph=_graph(session, app_state.settings),
        )
    if fmt is Format.json:
        print_json([t.as_dict() for t in found])
        return
    if fmt is Format.csv:
        rows = [
            {
                "target": t.name,
                "target_title": t.title,
                "path": n,
                "path_strength": round(path.strength, 4),
                "hop": h,
                "from": hop.source,
                "to": hop.target,
                "via": hop.via,
                "hop_strength": round(hop.strength, 4),
                "evidence": hop.evidence,
            }
            for t in found
            for n, path in enumerate(t.paths, start=1)
            for h, hop in enumerate(path.hops, start=1)
        ]
        print_rows(rows, PATH_COLUMNS, fmt)
        return
    for target in found:
        _print_target(target)


PATH_COLUMNS = (
    "target",
    "target_title",
    "path",
    "path_strength",
    "hop",
    "from",
    "to",
    "via",
    "hop_strength",
    "evidence",
)
PAIR_COLUMNS = (
    "ours",
    "ours_title",
    "theirs",
    "theirs_title",
    "match",
    "path_strength",
    "path",
    "events",
)


def _graph(session: Session, settings: Settings) -> RelationshipGraph:
    """The relationship graph as the web app's workers share it (mapped when one of them, or an
    earlier command, has read it for the data as it is)."""
    from crestline.services.paths.graph_cache import shared_graph
    from crestline.services.paths.graph_snapshot import store_for

    return shared_graph(session, store_for(settings.graph_dir, settings.database_url))


def _print_target(target: TargetPaths) -> None:
    from crestline.services.paths.warm_paths import ALTERNATIVES

    level = target.seniority.replace("_", " ")
    typer.echo(f"{target.name} — {target.title or '(no title)'} [{level}]")
    for n, event in enumerate(target.events):
        typer.echo(f"    {'events:' if n == 0 else '       '} {_event_line(event)}")
    if not target.paths:
        if target.events:
            typer.echo("    no warm path: meet them at an event above, where our people go\n")
        else:
            typer.echo(f"    {ALTERNATIVES}\n")
        return
    for n, path in enumerate(target.paths, start=1):
        hops = len(path.hops)
        note = f" · {path.note}" if path.note else ""
        typer.echo(
            f"  {n}. strength {path.strength:.2f} · {hops} hop{'s' if hops > 1 else ''}{note}"
        )
        for hop in path.hops:
            typer.echo(
                f"       {hop.source} → {hop.target}  ({hop.via}, {hop.strength:.2f}: "
                f"{hop.evidence})"
            )
    typer.echo("")


def _event_line(event: SharedEvent) -> str:
    when = event.starts_on.isoformat() + (" (upcoming)" if event.upcoming else "")
    ours = ", ".join(f"{o.name} ({o.title or '-'})" for o in event.ours)
    return f"{when} {event.name}{f', {event.place}' if event.place else ''} — ours: {ours}"


def pairs(
    ctx: typer.Context,
    account: str = typer.Argument(..., metavar="ACCOUNT", help="Id, exact name or domain."),
    fmt: Format = typer.Option(
        Format.table, "--format", help="table, json, or csv (one row per pair)."
    ),
) -> None:
    """Pair our executives with the account's (board, C-suite, EVPs) by function and level, for
    an executive-sponsor programme, each pair with its warmest path."""
    from crestline.services.auth.auth import LOCAL_ADMIN
    from crestline.services.paths.warm_paths import ALTERNATIVES, executive_pairs

    app_state = state(ctx)
    database = app_state.database()
    with database.reader() as session, working("reading everyone's relationships …"):
        found = executive_pairs(
            session, LOCAL_ADMIN, account, graph=_graph(session, app_state.settings)
        )
    if fmt is Format.json:
        print_json([p.as_dict() for p in found])
        return
    if fmt is Format.csv:
        rows = [
            {
                "ours": p.ours,
                "ours_title": p.ours_title,
                "theirs": p.theirs,
                "theirs_title": p.theirs_title,
                "match": p.match,
                "path_strength": None if p.path is None else round(p.path.strength, 4),
                "path": None
                if p.path is None
                else " → ".join([p.path.hops[0].source, *(h.target for h in p.path.hops)]),
                "events": "; ".join(_event_line(e) for e in p.events),
            }
            for p in found
        ]
        print_rows(rows, PAIR_COLUMNS, fmt)
        return
    if not found:
        typer.echo("no executives to pair (none of ours, or none at the account)")
    for p in found:
        typer.echo(
            f"{p.ours} ({p.ours_title or '-'})  ↔  {p.theirs} ({p.theirs_title or '-'}) · {p.match}"
        )
        for n, event in enumerate(p.events):
            typer.echo(f"    {'together at:' if n == 0 else '            '} {_event_line(event)}")
        if p.path is not None:
            typer.echo(
                f"    strength {p.path.strength:.2f}: "
                + " → ".join([p.path.hops[0].source, *(h.target for h in p.path.hops)])
            )
        elif p.events:
            typer.echo("    no warm path: they meet at the event above")
        else:
            typer.echo(f"    {ALTERNATIVES}")
