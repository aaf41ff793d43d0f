"""``crestline demo``: load the demo world, then serve it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from crestline.cli.context import state
from crestline.cli.output import progress_bar

if TYPE_CHECKING:  # commands import the services they call when they run: --help stays fast
    from crestline.services.imports.exports import ExportSummary

demo_app = typer.Typer(
    help="The demo world: a realistic, deterministic selling organisation and its accounts.",
    invoke_without_command=True,
    no_args_is_help=False,
)


def register(app: typer.Typer) -> None:
    app.add_typer(demo_app, name="demo")


@demo_app.callback(
    epilog="Example: crestline --db /tmp/x.db demo --scale small --no-serve",
)
def demo(
    ctx: typer.Context,
    scale: str = typer.Option(
        "demo", help="small (~25 accounts), demo (~400), enterprise (~20,000)."
    ),
    seed: int = typer.Option(7, help="The same seed always gives the same world."),
    fresh: bool = typer.Option(False, "--fresh", help="Replace whatever the database holds."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the web app afterwards."),
    host: str | None = typer.Option(
        None, help="Address the web app listens on [default: CRESTLINE_HOST, else 127.0.0.1]."
    ),
    port: int | None = typer.Option(
        None,
        min=1,
        max=65535,
        help="Port the web app listens on [default: CRESTLINE_PORT, else 8000].",
    ),
) -> None:
    """Load the demo world into the database, then serve the web app on HOST:PORT."""
    if ctx.invoked_subcommand is not None:
        return
    from crestline.services.auth.auth import LOCAL_ADMIN
    from crestline.services.demo.setup import build_demo_world, scale_named

    chosen = scale_named(scale)
    app_state = state(ctx)
    host = host or app_state.settings.host
    port = port or app_state.settings.port
    if serve:
        from crestline.web.server import check_port

        check_port(host, port)
    database = app_state.database()
    update, done = progress_bar(f"demo world ({chosen.name})")
    try:
        result = build_demo_world(
            database, LOCAL_ADMIN, scale=chosen, seed=seed, fresh=fresh, progress=update
        )
    finally:
        done()
    if result.generated:
        counts = ", ".join(
            f"{result.rows.get(t, 0):,} {label}"
            for t, label in (
                ("accounts", "accounts"),
                ("people", "people"),
                ("sellers", "sellers"),
                ("connections", "connections"),
                ("opportunities", "opportunities"),
                ("activities", "activities"),
                ("documents", "documents"),
                ("events", "events"),
                ("event_attendees", "event attendees"),
            )
        )
        sys.stderr.write(f"demo world loaded (scale {result.scale}, seed {seed}): {counts}\n")
    else:
        sys.stderr.write(
            f"demo world already loaded (scale {result.scale}, seed {seed}); keeping it\n"
        )
    app_state.close()
    if serve:
        from crestline.web.server import run

        sys.stderr.write(
            f"serving on http://{host}:{port}  (sign in as admin / crestline; Ctrl+C stops)\n"
        )
        run(app_state.settings, host=host, port=port)


export_app = typer.Typer(
    help="Write the database as the exports users bring.", no_args_is_help=True
)
demo_app.add_typer(export_app, name="export")


@export_app.command(
    "salesforce", epilog="Example: crestline --db demo.db demo export salesforce ./sf-export"
)
def export_salesforce_cmd(
    ctx: typer.Context,
    folder: Path = typer.Argument(..., metavar="DIR", help="Folder to write the CSV files into."),
) -> None:
    """Write Account.csv, Contact.csv, User.csv … as a Salesforce Data Loader export."""
    from crestline.services.auth.auth import LOCAL_ADMIN
    from crestline.services.imports.exports import export_salesforce

    database = state(ctx).database(create=False)
    _written(export_salesforce(database, LOCAL_ADMIN, folder))


@export_app.command(
    "linkedin", epilog="Example: crestline --db demo.db demo export linkedin ./linkedin"
)
def export_linkedin_cmd(
    ctx: typer.Context,
    folder: Path = typer.Argument(..., metavar="DIR", help="Folder to write into."),
) -> None:
    """Write each seller's connections as LinkedIn exports them: DIR/<email>/Connections.csv."""
    from crestline.services.auth.auth import LOCAL_ADMIN
    from crestline.services.imports.exports import export_linkedin

    database = state(ctx).database(create=False)
    _written(export_linkedin(database, LOCAL_ADMIN, folder))


@export_app.command("events", epilog="Example: crestline --db demo.db demo export events ./lists")
def export_events_cmd(
    ctx: typer.Context,
    folder: Path = typer.Argument(..., metavar="DIR", help="Folder to write events.csv into."),
) -> None:
    """Write the event attendee lists as an organiser shares them: DIR/events.csv."""
    from crestline.services.auth.auth import LOCAL_ADMIN
    from crestline.services.imports.exports import export_events

    database = state(ctx).database(create=False)
    _written(export_events(database, LOCAL_ADMIN, folder))


def _written(summary: ExportSummary) -> None:
    for name, count in summary.files.items():
        sys.stderr.write(f"{Path(summary.folder) / name}: {count:,} rows\n")
