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
    from crestline.services.auth.auth import LOCAL_ADMIN
    from crestline.services.decisions.decision_makers import assess_person, resolve_person

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
        found = resolve_person(session, LOCAL_ADMIN, person)
        saved = assess_person(session, LOCAL_ADMIN, found.id, changes=dict(changes))
        result = {
            "person_id": saved.person_id,
            "name": found.full_name,
            **{k: getattr(saved, k) for k in given},
            "updated_by": saved.updated_by,
        }
    if fmt is TableOrJson.json:
        print_json(result)
        return
    shown = ", ".join(f"{k} {v}" for k, v in result.items() if k in given and v is not None)
    typer.echo(f"{found.full_name} (id {saved.person_id}): {shown or 'nothing recorded'}")


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
    from crestline.services.auth.auth import LOCAL_ADMIN
    from crestline.services.decisions.decision_makers import resolve_person, set_role

    database = state(ctx).database()
    with database.transaction() as session:
        found = resolve_person(session, LOCAL_ADMIN, person)
        saved = set_role(session, LOCAL_ADMIN, opportunity, found.id, role_name)
        typer.echo(f"{found.full_name}: {saved.role} on opportunity {opportunity}")


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
    from crestline.errors import NotFoundError
    from crestline.services.auth.auth import LOCAL_ADMIN
    from crestline.services.decisions.decision_makers import (
        add_influence,
        remove_influence,
        resolve_person,
    )

    database = state(ctx).database()
    with database.transaction() as session:
        source = resolve_person(session, LOCAL_ADMIN, person)
        target = resolve_person(session, LOCAL_ADMIN, on)
        if remove:
            try:
                remove_influence(session, LOCAL_ADMIN, source.id, target.id)
                outcome = "removed"
            except NotFoundError:
                outcome = "there was no such line"
            typer.echo(f"{source.full_name} → {target.full_name}: {outcome}")
            return
        line = add_influence(
            session, LOCAL_ADMIN, source.id, target.id, strength=strength, note=note
        )
        result = {
            "from": source.full_name,
            "to": target.full_name,
            "strength": line.strength,
            "note": line.note,
        }
    if fmt is TableOrJson.json:
        print_json(result)
    else:
        typer.echo(f"{result['from']} influences {result['to']} ({result['strength']})")
