"""``crestline person assess|role|influence``: what our people know about someone at an account."""

from __future__ import annotations

import typer

from crestline.cli.context import state
from crestline.cli.output import TableOrJson, print_json
from crestline.vocab import COVERAGE, FUNCTIONS, LEVELS, RELATIONSHIP, SUPPORT

person_app = typer.Typer(
    help="Someone at an account: the relationship map and corrections.", no_args_is_help=True
)
PERSON_HELP = "Id, email or exact name."
CLEAR = "An empty value ('') clears a field."


def register(app: typer.Typer) -> None:
    app.add_typer(person_app, name="person")


@person_app.command(
    "assess",
    epilog="Example: crestline person assess anna.meier@nordstern.de --support supporter "
    "--seniority c_suite --manager 1203",
)
def assess(
    ctx: typer.Context,
    person: str = typer.Argument(..., metavar="PERSON", help=PERSON_HELP),
    support: str | None = typer.Option(None, help=f"{', '.join(SUPPORT)}. {CLEAR}"),
    coverage: str | None = typer.Option(None, help=f"{', '.join(COVERAGE)}."),
    relationship: str | None = typer.Option(
        None, help=f"Our owner's relationship: {', '.join(RELATIONSHIP)}."
    ),
    seniority: str | None = typer.Option(None, help=f"Confirmed level: {', '.join(LEVELS)}."),
    function: str | None = typer.Option(
        None, "--function", help=f"Confirmed function: {', '.join(FUNCTIONS)}."
    ),
    manager: str | None = typer.Option(
        None, help="Confirmed manager (a person id at the same account)."
    ),
    note: str | None = typer.Option(None, help="A free note."),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", help="table or json."),
) -> None:
    """Record support, coverage, relationship, or confirm a level, function or reporting line;
    the account's insights are refreshed at once."""
    from crestline.services.accounts.people import assess_by_key
    from crestline.services.auth.auth import LOCAL_ADMIN

    given = {
        "support": support,
        "coverage": coverage,
        "relationship": relationship,
        "seniority": seniority,
        "function": function,
        "manager_id": manager,
        "note": note,
    }
    changes = {k: v for k, v in given.items() if v is not None}
    if not changes:
        raise typer.BadParameter("nothing to record: give at least one option")
    database = state(ctx).database()
    with database.transaction() as session:
        done = assess_by_key(session, LOCAL_ADMIN, person, changes=dict(changes))
    saved = done.assessment
    result = {
        "person_id": saved.person_id,
        "name": done.name,
        **{k: getattr(saved, k) for k in given},
        "updated_by": saved.updated_by,
    }
    if fmt is TableOrJson.json:
        print_json(result)
        return
    shown = ", ".join(f"{k} {v}" for k, v in result.items() if k in given and v is not None)
    typer.echo(f"{done.name} (id {saved.person_id}): {shown or 'nothing recorded'}")


@person_app.command(
    "role",
    epilog="Example: crestline person role 'Anna Meier' --opportunity 812 --role 'Economic Buyer'",
)
def role(
    ctx: typer.Context,
    person: str = typer.Argument(..., metavar="PERSON", help=PERSON_HELP),
    opportunity: int = typer.Option(..., help="The opportunity's id."),
    role_name: str = typer.Option(
        ..., "--role", help="A contact role: Economic Buyer, Decision Maker, Champion …"
    ),
) -> None:
    """Record the person's buying role on an opportunity of their account."""
    from crestline.services.accounts.people import role_by_key
    from crestline.services.auth.auth import LOCAL_ADMIN

    database = state(ctx).database()
    with database.transaction() as session:
        done = role_by_key(session, LOCAL_ADMIN, person, opportunity, role_name)
    typer.echo(f"{done.name}: {done.recorded.role} on opportunity {opportunity}")


@person_app.command(
    "influence",
    epilog="Example: crestline person influence 'Anna Meier' --on 'Jonas Weber' --strength high",
)
def influence(
    ctx: typer.Context,
    person: str = typer.Argument(..., metavar="PERSON", help=PERSON_HELP),
    on: str = typer.Option(..., help="Whom they sway (same account): id, email or name."),
    strength: str = typer.Option("medium", help="low, medium or high."),
    note: str | None = typer.Option(None, help="How, in a few words."),
    remove: bool = typer.Option(False, "--remove", help="Remove the line instead."),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", help="table or json."),
) -> None:
    """Record influence outside the hierarchy: PERSON sways another person of the account."""
    from crestline.services.accounts.people import influence_by_key
    from crestline.services.auth.auth import LOCAL_ADMIN

    database = state(ctx).database()
    with database.transaction() as session:
        done = influence_by_key(
            session, LOCAL_ADMIN, person, on, strength=strength, note=note, remove=remove
        )
    if done.removed is not None:
        outcome = "removed" if done.removed else "there was no such line"
        typer.echo(f"{done.source} → {done.target}: {outcome}")
        return
    assert done.recorded is not None
    result = {
        "from": done.source,
        "to": done.target,
        "strength": done.recorded.strength,
        "note": done.recorded.note,
    }
    if fmt is TableOrJson.json:
        print_json(result)
    else:
        typer.echo(f"{result['from']} influences {result['to']} ({result['strength']})")
