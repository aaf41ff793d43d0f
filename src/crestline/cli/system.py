"""``crestline init`` and ``crestline serve``."""

from __future__ import annotations

import typer

from crestline.cli.context import state
from crestline.cli.output import Format, print_json, print_rows


def register(app: typer.Typer) -> None:
    app.command(epilog="Example: crestline --db team.db init")(init)
    app.command(epilog="Example: crestline serve --port 8080 --workers 2")(serve)


def init(
    ctx: typer.Context,
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """Create the database, or bring an existing one's schema up to date."""
    from crestline.services.demo.setup import database_info

    info = database_info(state(ctx).database())
    row = {
        "database": info.url,
        "backend": info.backend,
        "schema": info.revision,
        "accounts": info.accounts,
    }
    if fmt is Format.json:
        print_json(row)
    else:
        print_rows([row], list(row), fmt)


def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(
        None, help="Address to listen on [default: CRESTLINE_HOST, else 127.0.0.1]."
    ),
    port: int | None = typer.Option(
        None, min=1, max=65535, help="Port to listen on [default: CRESTLINE_PORT, else 8000]."
    ),
    workers: int = typer.Option(
        1,
        min=1,
        max=64,
        help="Worker processes answering requests (about one per core). They share sign-ins "
        "(kept in the database) and the relationship graph (a snapshot each one maps).",
    ),
) -> None:
    """Serve the web app (pages and the /api/v1 JSON API) on HOST:PORT."""
    from crestline.web.server import check_port, run

    app_state = state(ctx)
    host = host or app_state.settings.host
    port = port or app_state.settings.port
    check_port(host, port)
    app_state.database()  # open and migrate before serving: errors come out here, as one line
    app_state.close()
    run(app_state.settings, host=host, port=port, workers=workers)
