"""``crestline users list|add|set|deactivate|activate``: who may sign in to the web app."""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import Any

import typer

from crestline.cli.context import state
from crestline.cli.output import Format, TableOrJson, print_json, print_rows

users_app = typer.Typer(
    help="Who may sign in to the web app, with which role.", no_args_is_help=True
)
ROLE_HELP = "admin (everything), leader (their part of our organisation) or seller (their team)."
SELLER_HELP = "For a leader or seller: who they are among our sellers (id, e-mail or exact name)."
COLUMNS = ("login", "role", "active", "seller", "seller_id", "open_sessions")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


def _read_password(from_stdin: bool) -> str:
    """From the first line of standard input (for scripts), else asked twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _said(view: Any) -> str:
    seller = f", seller {view.seller} (id {view.seller_id})" if view.seller_id is not None else ""
    state_ = "" if view.active else ", inactive"
    return f"{view.login}: {view.role}{seller}{state_}"


@users_app.command("list", epilog="Example: crestline users list --format csv > users.csv")
def list_(
    ctx: typer.Context,
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """Every user: role, whether they may sign in, their seller, their open sessions."""
    from crestline.services.auth.auth import LOCAL_ADMIN
    from crestline.services.auth.users import list_users

    with state(ctx).database().reader() as session:
        rows = [asdict(u) for u in list_users(session, LOCAL_ADMIN)]
    print_rows(rows, COLUMNS, fmt, title="Users")


@users_app.command(
    "add",
    epilog="Example: crestline users add jane --role seller --seller jane.doe@ourco.com "
    "(asks for the password; --password-stdin reads it from a pipe)",
)
def add(
    ctx: typer.Context,
    login: str = typer.Argument(..., help="The name they sign in with."),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    seller: str | None = typer.Option(None, "--seller", help=SELLER_HELP),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input's first line."
    ),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", help="table or json."),
) -> None:
    """Add a user who may sign in to the web app (a password of 10 characters or more)."""
    from crestline.services.auth.auth import LOCAL_ADMIN
    from crestline.services.auth.users import add_user

    password = _read_password(password_stdin)
    with state(ctx).database().transaction() as session:
        view = add_user(session, LOCAL_ADMIN, login, role=role, password=password, seller=seller)
    if fmt is TableOrJson.json:
        print_json(view)
    else:
        typer.echo(f"added {_said(view)}")


def _change(ctx: typer.Context, login: str, fmt: TableOrJson, **changes: Any) -> None:
    from crestline.services.auth.auth import LOCAL_ADMIN
    from crestline.services.auth.users import change_user

    with state(ctx).database().transaction() as session:
        done = change_user(session, LOCAL_ADMIN, login, **changes)
    if fmt is TableOrJson.json:
        print_json(done)
        return
    ended = f"; {done.sessions_ended} open session(s) ended" if done.sessions_ended else ""
    typer.echo(f"{_said(done.user)}{ended}")


@users_app.command(
    "set",
    epilog="Example: crestline users set jane --role leader (her open sessions end: she signs "
    "in again and sees her new scope)",
)
def set_(
    ctx: typer.Context,
    login: str = typer.Argument(...),
    role: str | None = typer.Option(None, "--role", help=ROLE_HELP),
    seller: str | None = typer.Option(None, "--seller", help=SELLER_HELP),
    password: bool = typer.Option(False, "--password", help="Set a new password (asked for)."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Set a new password read from standard input."
    ),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", help="table or json."),
) -> None:
    """Change a user's role, seller or password; their open sessions end."""
    if role is None and seller is None and not (password or password_stdin):
        raise typer.BadParameter("nothing to change: give --role, --seller or --password")
    new = _read_password(password_stdin) if password or password_stdin else None
    _change(ctx, login, fmt, role=role, seller=seller, password=new)


@users_app.command("deactivate", epilog="Example: crestline users deactivate jane")
def deactivate(
    ctx: typer.Context,
    login: str = typer.Argument(...),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", help="table or json."),
) -> None:
    """Stop a user from signing in; their open sessions end at once, in every worker."""
    _change(ctx, login, fmt, active=False)


@users_app.command("activate", epilog="Example: crestline users activate jane")
def activate(
    ctx: typer.Context,
    login: str = typer.Argument(...),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", help="table or json."),
) -> None:
    """Let an inactive user sign in again."""
    _change(ctx, login, fmt, active=True)
