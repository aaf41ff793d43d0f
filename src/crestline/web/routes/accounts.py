"""Accounts and who decides there: the accounts list, the account page (its org chart, the
search behind its person fields, and the correction forms that POST to it), and their /api/v1
routes (accounts, ranked people and committees, the org chart, corrections).

The forms are small POSTs that call one use case each (services/accounts/people.py) and redirect
back with a notice, or show the page again with the use case's refusal.
"""

import datetime as dt
import math
from dataclasses import asdict, replace
from typing import Annotated
from urllib.parse import quote, unquote

from fastapi import APIRouter, Body, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel

from crestline.errors import BadInputError
from crestline.reports.orgchart import parse_ids, to_json
from crestline.services.accounts.accounts import get_account, list_accounts
from crestline.services.accounts.people import (
    SEARCH_LIMIT,
    correct_at_account,
    find_people,
    influence_at_account,
    remove_influence_at_account,
    role_at_account,
)
from crestline.services.auth.auth import Actor
from crestline.services.decisions.decision_makers import (
    add_influence,
    assess_person,
    decision_makers,
    remove_influence,
    set_role,
)
from crestline.web.account_view import PageState, account_body, chart_svg
from crestline.web.deps import (
    ApiActor,
    AppSettings,
    FormActor,
    PageActor,
    Reading,
    database,
    render,
    writing,
)
from crestline.web.errors import READ_ERRORS, WRITE_ERRORS
from crestline.web.schemas import (
    AccountDetailPublic,
    AccountPagePublic,
    AssessmentPublic,
    AssessmentUpdate,
    ContactRolePublic,
    DecisionMakersPublic,
    ErrorPublic,
    InfluenceCreate,
    InfluencePublic,
    OrgChartPublic,
    RoleUpdate,
)
from crestline.web.security import with_token

NOTICE = "crestline_notice"

router = APIRouter()


# --- pages -------------------------------------------------------------------------------------


def show(
    request: Request,
    actor: Actor,
    state: PageState,
    *,
    status: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    """The account page for ``state``, with the notice a form left, or ``error``."""
    with database(request).reader() as session:
        title, kept = account_body(request.app.state.templates.env, session, actor, state)
    body = Markup(with_token(kept, request))
    notice = unquote(request.cookies.get(NOTICE, "")) or None
    response = render(
        request, "account.html", actor, notice=notice, error=error, title=title, body=body
    )
    response.status_code = status
    if notice:
        response.delete_cookie(NOTICE)
    return response


def back(state: PageState, notice: str, fragment: str) -> Response:
    """Back to the account page, which shows ``notice`` once."""
    response = RedirectResponse(state.url(fragment), status_code=303)
    response.set_cookie(NOTICE, quote(notice), max_age=60, httponly=True, samesite="lax")
    return response


@router.get("/accounts", response_class=HTMLResponse, include_in_schema=False)
def accounts_page(
    request: Request,
    session: Reading,
    actor: PageActor,
    settings: AppSettings,
    q: str = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    size = settings.page_size
    result = list_accounts(session, actor, search=q or None, limit=size, offset=(page - 1) * size)
    pages = max(1, math.ceil(result.total / size))
    return render(request, "accounts.html", actor, result=result, q=q, page=page, pages=pages)


@router.get("/accounts/{account_id}", response_class=HTMLResponse, include_in_schema=False)
def account_page(
    request: Request,
    actor: PageActor,
    account_id: int,
    expand: str = "",
    focus: int | None = None,
    edit: int | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    tree: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    state = PageState(account_id, parse_ids(expand), focus, edit, page, tree)
    return show(request, actor, state)


@router.get("/accounts/{account_id}/orgchart.svg", include_in_schema=False)
def account_chart(
    session: Reading, actor: PageActor, account_id: int, expand: str = ""
) -> Response:
    dm = decision_makers(session, actor, str(account_id), committees=False)
    svg = chart_svg(dm, PageState(account_id, parse_ids(expand)))
    return Response(svg, media_type="image/svg+xml")


@router.get("/accounts/{account_id}/people/search", include_in_schema=False)
def people_search(
    session: Reading,
    actor: PageActor,
    account_id: int,
    q: str = "",
    limit: Annotated[int, Query(ge=1, le=50)] = SEARCH_LIMIT,
) -> JSONResponse:
    """People whose name or title holds ``q``: what a person field suggests as one types."""
    found = find_people(session, actor, str(account_id), q, limit=limit)
    return JSONResponse(
        [
            {"id": p.id, "name": p.name, "title": p.title, "value": f"{p.name} #{p.id}"}
            for p in found
        ]
    )


@router.post("/accounts/{account_id}/people/{person_id}/assessment", include_in_schema=False)
def assess_form(
    request: Request,
    actor: FormActor,
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
    values = {
        "seniority": seniority,
        "function": function,
        "support": support,
        "coverage": coverage,
        "relationship": relationship,
    }
    try:
        with writing(request) as session:
            done = correct_at_account(
                session, actor, account_id, person_id, manager=manager_id, values=values
            )
    except BadInputError as exc:
        failed = replace(state, edit=person_id)
        return show(request, actor, failed, status=exc.http_status, error=exc.message)
    said = [f"{k} {v}".replace("_", " ") for k, v in values.items() if v]
    if done.manager is not None:
        said.append("reports to " + done.manager)
    notice = f"Saved for {done.name}: " + (", ".join(said) if said else "every value cleared")
    return back(state, notice, f"row-{person_id}")


@router.post("/accounts/{account_id}/opportunities/{opportunity_id}/roles", include_in_schema=False)
def role_form(
    request: Request,
    actor: FormActor,
    account_id: int,
    opportunity_id: int,
    person_id: Annotated[str, Form()],
    role: Annotated[str, Form()],
    expand: Annotated[str, Form()] = "",
) -> Response:
    state = PageState(account_id, parse_ids(expand))
    try:
        with writing(request) as session:
            done = role_at_account(
                session, actor, account_id, opportunity_id, person=person_id, role=role
            )
    except BadInputError as exc:
        return show(request, actor, state, status=exc.http_status, error=exc.message)
    return back(state, f"Recorded {done.name} as {done.role}", f"opp-{opportunity_id}")


@router.post("/accounts/{account_id}/influence", include_in_schema=False)
def influence_form(
    request: Request,
    actor: FormActor,
    account_id: int,
    from_id: Annotated[str, Form()],
    to_id: Annotated[str, Form()],
    strength: Annotated[str, Form()] = "medium",
    note: Annotated[str, Form()] = "",
    expand: Annotated[str, Form()] = "",
) -> Response:
    state = PageState(account_id, parse_ids(expand))
    try:
        with writing(request) as session:
            line = influence_at_account(
                session,
                actor,
                account_id,
                source=from_id,
                target=to_id,
                strength=strength,
                note=note,
            )
    except BadInputError as exc:
        return show(request, actor, state, status=exc.http_status, error=exc.message)
    return back(state, f"Saved: {line.source} sways {line.target} ({line.strength})", "influence")


@router.post("/accounts/{account_id}/influence/{from_id}/{to_id}/remove", include_in_schema=False)
def remove_influence_form(
    request: Request,
    actor: FormActor,
    account_id: int,
    from_id: int,
    to_id: int,
    expand: Annotated[str, Form()] = "",
) -> Response:
    state = PageState(account_id, parse_ids(expand))
    with writing(request) as session:
        line = remove_influence_at_account(session, actor, account_id, from_id, to_id)
    return back(state, f"Removed: {line.source} no longer sways {line.target}", "influence")


# --- /api/v1 -----------------------------------------------------------------------------------


@router.get(
    "/api/v1/accounts",
    response_model=AccountPagePublic,
    tags=["accounts"],
    responses={401: {"model": ErrorPublic}, 400: {"model": ErrorPublic}},
)
def api_accounts(
    session: Reading,
    actor: ApiActor,
    search: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AccountPagePublic:
    """The accounts you may see, by name; ``search`` matches name, domain or industry."""
    page = list_accounts(session, actor, search=search, limit=limit, offset=offset)
    return AccountPagePublic.model_validate(page, from_attributes=True)


@router.get(
    "/api/v1/accounts/{account_id}",
    response_model=AccountDetailPublic,
    tags=["accounts"],
    responses=READ_ERRORS,
)
def api_account(session: Reading, actor: ApiActor, account_id: int) -> AccountDetailPublic:
    """One account: its facts, its deals, and its people with their reporting lines."""
    detail = get_account(session, actor, str(account_id))
    return AccountDetailPublic.model_validate(detail.as_dict())


@router.get(
    "/api/v1/accounts/{account_id}/decision-makers",
    response_model=DecisionMakersPublic,
    tags=["decision-makers"],
    responses=READ_ERRORS,
)
def api_decision_makers(
    session: Reading, actor: ApiActor, account_id: int, as_of: dt.date | None = None
) -> DecisionMakersPublic:
    """The account's people ranked by power (each score with its factors), its org chart
    figures, and the buying-committee coverage of each open opportunity."""
    dm = decision_makers(session, actor, str(account_id), as_of=as_of)
    return DecisionMakersPublic.model_validate(dm.as_dict())


@router.get(
    "/api/v1/accounts/{account_id}/orgchart",
    response_model=OrgChartPublic,
    tags=["decision-makers"],
    responses=READ_ERRORS,
)
def api_orgchart(session: Reading, actor: ApiActor, account_id: int) -> OrgChartPublic:
    """The org chart as nodes and reporting lines; an inferred line carries its confidence
    and reason. The drawing is at ``/accounts/{account_id}/orgchart.svg``."""
    dm = decision_makers(session, actor, str(account_id), committees=False)
    return OrgChartPublic.model_validate(to_json(dm))


@router.patch(
    "/api/v1/people/{person_id}/assessment",
    response_model=AssessmentPublic,
    tags=["decision-makers"],
    responses=WRITE_ERRORS,
)
def api_assess(
    request: Request,
    actor: ApiActor,
    person_id: int,
    update: Annotated[AssessmentUpdate, Body()],
) -> BaseModel:
    """Record support, coverage, relationship, or confirm a seniority, function or manager.
    Fields left out are kept; ``null`` or ``""`` clears one."""
    changes = update.model_dump(exclude_unset=True)
    with writing(request) as session:
        saved = assess_person(session, actor, person_id, changes=changes)
        return AssessmentPublic.model_validate(asdict(saved))


@router.put(
    "/api/v1/opportunities/{opportunity_id}/roles/{person_id}",
    response_model=ContactRolePublic,
    tags=["decision-makers"],
    responses=WRITE_ERRORS,
)
def api_set_role(
    request: Request,
    actor: ApiActor,
    opportunity_id: int,
    person_id: int,
    update: Annotated[RoleUpdate, Body()],
) -> BaseModel:
    """Record a person's buying role on an opportunity (replaces the role recorded here
    before; roles imported from the CRM are kept)."""
    with writing(request) as session:
        recorded = set_role(session, actor, opportunity_id, person_id, update.role)
        return ContactRolePublic.model_validate(asdict(recorded))


@router.post(
    "/api/v1/people/{person_id}/influence",
    response_model=InfluencePublic,
    status_code=201,
    tags=["decision-makers"],
    responses=WRITE_ERRORS,
)
def api_add_influence(
    request: Request,
    actor: ApiActor,
    person_id: int,
    line: Annotated[InfluenceCreate, Body()],
) -> BaseModel:
    """Record that this person sways ``to`` outside the reporting line (someone at the same
    account; a line that exists is updated). Drawn as a dotted blue arrow in the chart."""
    with writing(request) as session:
        recorded = add_influence(
            session, actor, person_id, line.to, strength=line.strength, note=line.note
        )
        return InfluencePublic.model_validate(asdict(recorded))


@router.delete(
    "/api/v1/people/{person_id}/influence/{to_id}",
    status_code=204,
    tags=["decision-makers"],
    responses=WRITE_ERRORS,
)
def api_remove_influence(request: Request, actor: ApiActor, person_id: int, to_id: int) -> Response:
    """Remove the influence line from this person to ``to_id``; 404 when there was none."""
    with writing(request) as session:
        remove_influence(session, actor, person_id, to_id)
    return Response(status_code=204)
