"""The ``crestline`` command: a thin skin over the services.

Errors Crestline raises on purpose, and usage errors, become one line on stderr and exit status 2
(3 for a permission refused); see :func:`main`.
"""

from __future__ import annotations

import os
import sys

import typer
from typer.exceptions import TyperException

from crestline import __version__
from crestline.cli import accounts, demo, importing, paths, people, system, titles, users
from crestline.cli.context import AppState
from crestline.config import load_settings
from crestline.errors import CrestlineError

app = typer.Typer(
    name="crestline",
    help="Run a top-down B2B sales strategy from the data your team already has.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"crestline {__version__}")
        raise typer.Exit()


@app.callback(epilog="Example: crestline --db team.db accounts list --search bank")
def root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        metavar="PATH_OR_URL",
        help="Database: a SQLite file (default crestline.db) or a postgresql+psycopg:// URL. "
        "Overrides CRESTLINE_DATABASE_URL.",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Crestline: who decides at your target accounts, how to reach them, what they care about."""
    ctx.obj = AppState(load_settings({"database_url": db}))


system.register(app)
demo.register(app)
accounts.register(app)
importing.register(app)
titles.register(app)
people.register(app)
paths.register(app)
users.register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command, turn expected errors into one line and an exit status."""
    try:
        app(args=argv, standalone_mode=False)
    except CrestlineError as exc:
        sys.stderr.write(f"crestline: error: {exc.message}\n")
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.stderr.write("crestline: aborted\n")
        sys.exit(130)
    except TyperException as exc:  # usage errors: bad option values, missing arguments
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        ctx = getattr(exc, "ctx", None)
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        sys.stderr.write(f"crestline: error: {' '.join(message.split())}{hint}\n")
        sys.exit(getattr(exc, "exit_code", 2) or 2)
    except KeyboardInterrupt:
        sys.stderr.write("crestline: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("CRESTLINE_DEBUG"):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        sys.stderr.write(
            f"crestline: internal error: {type(exc).__name__}: {first} "
            "(set CRESTLINE_DEBUG=1 for the traceback; nothing was committed)\n"
        )
        sys.exit(1)
    sys.exit(0)
