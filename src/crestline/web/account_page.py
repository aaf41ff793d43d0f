"""The account page: facts, people, the org chart, the power map and the buying committees.

One :func:`decision_makers` call per request feeds the chart, the table and the committees. The
chart is Graphviz SVG drawn on the server and inlined, so each person's box is a link: a collapsed
person opens their branch, an opened one closes it (``?expand=1,5,9`` keeps the opened branches),
anyone else jumps to their row. Corrections and influence lines are small POST forms that
redirect back with a notice.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import quote, unquote

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from crestline.errors import BadInputError, NotFoundError
from crestline.services.accounts import AccountDetail, get_account
from crestline.services.auth import Actor
from crestline.services.decision_makers import (
    COVERAGE,
    CRM_ROLES,
    FUNCTIONS,
    INFLUENCE_STRENGTH,
    LEVELS,
    RELATIONSHIP,
    SUPPORT,
    DecisionMakers,
    add_influence,
    assess_person,
    decision_makers,
    remove_influence,
    set_role,
)
from crestline.services.orgchart_render import COLOURS, parse_ids, render, visible
from crestline.services.setup import Database

Render = Callable[..., HTMLResponse]
Writing = Callable[[Request], AbstractContextManager[Session]]  # the app's one write path
NOTICE = "crestline_notice"
TOP_PEOPLE = 25  # rows of the power map before "show all"
CHART_BUDGET = 60  # people drawn before branches are collapsed


@dataclass(frozen=True)
class PageState:
    """What the account page's address holds: opened branches, the person in focus, the person
    being corrected, and whether the power map lists everyone."""

    account_id: int
    expand: frozenset[int] = frozenset()
    focus: int | None = None
    edit: int | None = None
    everyone: bool = False

    def url(self, fragment: str | None = None, **changes: Any) -> str:
        state = replace(self, **changes)
        params = []
        if state.expand:
            params.append("expand=" + ",".join(map(str, sorted(state.expand))))
        if state.focus is not None:
            params.append(f"focus={state.focus}")
        if state.everyone:
            params.append("people=all")
        if state.edit is not None:
            params.append(f"edit={state.edit}")
        query = ("?" + "&".join(params)) if params else ""
        return f"/accounts/{state.account_id}{query}" + (f"#{fragment}" if fragment else "")


def _below(dm: DecisionMakers, person_id: int) -> set[int]:
    reports: dict[int, list[int]] = {}
    for p in dm.people:
        if p.manager_id is not None:
            reports.setdefault(p.manager_id, []).append(p.id)
    found: set[int] = set()
    stack = list(reports.get(person_id, ()))
    while stack:
        pid = stack.pop()
        if pid not in found:
            found.add(pid)
            stack.extend(reports.get(pid, ()))
    return found


def chart_links(dm: DecisionMakers, state: PageState) -> Callable[[int], str]:
    """Where a click on a person's box goes: open their branch, close it, or their row."""
    collapsed = visible(dm, expand=state.expand, budget=CHART_BUDGET).collapsed
    chart = replace(state, edit=None)

    def link(person_id: int) -> str:
        if person_id in collapsed:
            return chart.url("orgchart", expand=state.expand | {person_id}, focus=person_id)
        if person_id in state.expand:
            closed = state.expand - {person_id} - _below(dm, person_id)
            return chart.url("orgchart", expand=closed, focus=person_id)
        return f"#row-{person_id}"

    return link


def chart_svg(dm: DecisionMakers, state: PageState) -> bytes:
    return render(dm, "svg", expand=state.expand, link=chart_links(dm, state), budget=CHART_BUDGET)


def inline_svg(dm: DecisionMakers, state: PageState) -> Markup:
    """The chart as SVG markup to inline in the page (Graphviz escapes names and titles)."""
    drawn = chart_svg(dm, state).decode()
    svg = drawn[drawn.index("<svg") :]
    label = Markup('<svg class="orgchart" role="img" aria-label="Org chart of {}" ').format(
        dm.account_name
    )
    return Markup(svg.replace("<svg ", str(label), 1))


def account_context(session: Session, actor: Actor, state: PageState) -> dict[str, Any]:
    """What the account page shows: one ``get_account`` and one ``decision_makers`` call."""
    detail = get_account(session, actor, str(state.account_id))
    dm = decision_makers(session, actor, str(state.account_id))
    view = visible(dm, expand=state.expand, budget=CHART_BUDGET)
    everyone = state.everyone or state.edit is not None
    shown = {p.id for p in view.shown}
    return {
        "detail": detail,
        "dm": dm,
        "state": state,
        "svg": inline_svg(dm, state),
        "folded": len(view.collapsed),
        "focus": state.focus if state.focus in shown else dm.top_id,
        "ranked": dm.people if everyone else dm.people[:TOP_PEOPLE],
        "names": {p.id: p.name for p in dm.people},
        "confirmed": dm.analysis.inputs.confirmed,
        "colours": COLOURS,
        "choices": {
            "seniority": LEVELS,
            "function": FUNCTIONS,
            "support": SUPPORT,
            "coverage": COVERAGE,
            "relationship": RELATIONSHIP,
            "role": CRM_ROLES,
            "strength": INFLUENCE_STRENGTH,
        },
    }


def _person_at(detail: AccountDetail, person_id: int) -> str:
    for p in detail.people:
        if p.id == person_id:
            return p.name
    raise NotFoundError(f"no person {person_id} at account {detail.account.id}")


def remove_line(session: Session, actor: Actor, from_id: int, to_id: int) -> None:
    """Remove the influence line ``from_id`` → ``to_id``; not found when there was none."""
    if not remove_influence(session, actor, from_id, to_id):
        raise NotFoundError(f"no influence line from person {from_id} to person {to_id}")


def add_account_routes(
    app: FastAPI,
    render_page: Render,
    *,
    session_dep: Any,
    page_actor: Any,
    writing: Writing,
) -> None:
    """GET /accounts/{id} (and its chart as SVG), and the correction forms that POST to it."""
    SessionDep = Annotated[Session, session_dep]
    PageActor = Annotated[Actor, page_actor]

    def show(
        request: Request,
        actor: Actor,
        state: PageState,
        *,
        status: int = 200,
        error: str | None = None,
    ) -> HTMLResponse:
        db: Database = request.app.state.db
        with db.reader() as session:
            context = account_context(session, actor, state)
        notice = unquote(request.cookies.get(NOTICE, "")) or None
        response = render_page(
            request, "account.html", actor, notice=notice, error=error, **context
        )
        response.status_code = status
        if notice:
            response.delete_cookie(NOTICE)
        return response

    def back(state: PageState, notice: str, fragment: str) -> Response:
        response = RedirectResponse(state.url(fragment), status_code=303)
        response.set_cookie(NOTICE, quote(notice), max_age=60, httponly=True, samesite="lax")
        return response

    @app.get("/accounts/{account_id}", response_class=HTMLResponse, include_in_schema=False)
    def account_page(
        request: Request,
        actor: PageActor,
        account_id: int,
        expand: str = "",
        focus: int | None = None,
        edit: int | None = None,
        people: str = "",
    ) -> HTMLResponse:
        state = PageState(account_id, parse_ids(expand), focus, edit, people == "all")
        return show(request, actor, state)

    @app.get("/accounts/{account_id}/orgchart.svg", include_in_schema=False)
    def account_chart(
        session: SessionDep, actor: PageActor, account_id: int, expand: str = ""
    ) -> Response:
        dm = decision_makers(session, actor, str(account_id), committees=False)
        svg = chart_svg(dm, PageState(account_id, parse_ids(expand)))
        return Response(svg, media_type="image/svg+xml")

    @app.post("/accounts/{account_id}/people/{person_id}/assessment", include_in_schema=False)
    def assess_form(
        request: Request,
        actor: PageActor,
        account_id: int,
        person_id: int,
        seniority: Annotated[str, Form()] = "",
        function: Annotated[str, Form()] = "",
        manager_id: Annotated[str, Form()] = "",
        support: Annotated[str, Form()] = "",
        coverage: Annotated[str, Form()] = "",
        relationship: Annotated[str, Form()] = "",
        expand: Annotated[str, Form()] = "",
    ) -> Response:
        state = PageState(account_id, parse_ids(expand))
        changes: dict[str, str | int | None] = {
            "seniority": seniority,
            "function": function,
            "manager_id": manager_id,
            "support": support,
            "coverage": coverage,
            "relationship": relationship,
        }
        try:
            with writing(request) as session:
                detail = get_account(session, actor, str(account_id))
                name = _person_at(detail, person_id)
                assess_person(session, actor, person_id, changes=changes)
        except BadInputError as exc:
            failed = replace(state, edit=person_id)
            return show(request, actor, failed, status=exc.http_status, error=exc.message)
        said = [f"{k} {v}".replace("_", " ") for k, v in changes.items() if v and k != "manager_id"]
        if manager_id:
            said.append("reports to " + _person_at(detail, int(manager_id)))
        notice = f"Saved for {name}: " + (", ".join(said) if said else "every value cleared")
        return back(state, notice, f"row-{person_id}")

    @app.post(
        "/accounts/{account_id}/opportunities/{opportunity_id}/roles", include_in_schema=False
    )
    def role_form(
        request: Request,
        actor: PageActor,
        account_id: int,
        opportunity_id: int,
        person_id: Annotated[int, Form()],
        role: Annotated[str, Form()],
        expand: Annotated[str, Form()] = "",
    ) -> Response:
        state = PageState(account_id, parse_ids(expand))
        try:
            with writing(request) as session:
                name = _person_at(get_account(session, actor, str(account_id)), person_id)
                recorded = set_role(session, actor, opportunity_id, person_id, role).role
        except BadInputError as exc:
            return show(request, actor, state, status=exc.http_status, error=exc.message)
        return back(state, f"Recorded {name} as {recorded}", f"opp-{opportunity_id}")

    _add_influence_forms(app, show=show, back=back, page_actor=page_actor, writing=writing)


def _add_influence_forms(
    app: FastAPI,
    *,
    show: Callable[..., HTMLResponse],
    back: Callable[[PageState, str, str], Response],
    page_actor: Any,
    writing: Writing,
) -> None:
    """The influence panel's forms: add (or update) a line, and remove one."""
    PageActor = Annotated[Actor, page_actor]

    @app.post("/accounts/{account_id}/influence", include_in_schema=False)
    def influence_form(
        request: Request,
        actor: PageActor,
        account_id: int,
        from_id: Annotated[int, Form()],
        to_id: Annotated[int, Form()],
        strength: Annotated[str, Form()] = "medium",
        note: Annotated[str, Form()] = "",
        expand: Annotated[str, Form()] = "",
    ) -> Response:
        state = PageState(account_id, parse_ids(expand))
        try:
            with writing(request) as session:
                detail = get_account(session, actor, str(account_id))
                source = _person_at(detail, from_id)
                line = add_influence(
                    session, actor, from_id, to_id, strength=strength, note=note.strip() or None
                )
                said = f"Saved: {source} sways {_person_at(detail, to_id)} ({line.strength})"
        except BadInputError as exc:
            return show(request, actor, state, status=exc.http_status, error=exc.message)
        return back(state, said, "influence")

    @app.post("/accounts/{account_id}/influence/{from_id}/{to_id}/remove", include_in_schema=False)
    def remove_influence_form(
        request: Request,
        actor: PageActor,
        account_id: int,
        from_id: int,
        to_id: int,
        expand: Annotated[str, Form()] = "",
    ) -> Response:
        state = PageState(account_id, parse_ids(expand))
        with writing(request) as session:
            detail = get_account(session, actor, str(account_id))
            source, target = _person_at(detail, from_id), _person_at(detail, to_id)
            remove_line(session, actor, from_id, to_id)
        return back(state, f"Removed: {source} no longer sways {target}", "influence")
