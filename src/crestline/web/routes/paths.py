"""A way in: the warm-paths panel of the account page and the account's executive pairing
(HTML fragments the page fetches, or whole pages without JavaScript), the search behind the
panel's "From" field, and their /api/v1 routes. The shapes of the API are ``crestline
paths|pairs --format json``.

What the panels show and the filters they take are in web/paths_panel.py. A panel is kept, as
HTML, by everything it is drawn from (see web/page_cache), and shared by the workers.
"""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from crestline.services.accounts.accounts import resolve_account
from crestline.services.accounts.people import person_paths
from crestline.services.paths.warm_paths import ALTERNATIVES, executive_pairs, warm_paths
from crestline.services.paths.way_in import account_way_in, search_sellers
from crestline.services.view_keys import view_key
from crestline.web.deps import ApiActor, PageActor, Reading, render
from crestline.web.errors import READ_ERRORS
from crestline.web.page_cache import cached_panel
from crestline.web.paths_panel import VIA, Filters, cached_graph, panel_context
from crestline.web.schemas import ExecutivePairPublic, TargetPathsPublic

Part = Literal["page", "paths", "pairs"]

router = APIRouter()


@router.get("/sellers/search", include_in_schema=False)
def sellers_search(
    session: Reading,
    actor: PageActor,
    q: str = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> JSONResponse:
    """Ours whose name or title holds ``q`` (executives first): what "From" suggests."""
    found = search_sellers(session, q, limit=limit)
    return JSONResponse(
        [
            {"id": s.id, "name": s.name, "title": s.title, "value": f"{s.name} #{s.id}"}
            for s in found
        ]
    )


@router.get("/accounts/{account_id}/paths", response_class=HTMLResponse, include_in_schema=False)
def account_paths(
    request: Request,
    session: Reading,
    actor: PageActor,
    filters: Filters,
    account_id: int,
    part: Part = "page",
) -> HTMLResponse:
    account = resolve_account(session, actor, str(account_id))  # in scope, before the cache

    def context() -> dict[str, Any]:
        found = account_way_in(
            session,
            actor,
            str(account.id),
            graph=cached_graph(request, session),
            options=filters,
            paths=part != "pairs",
            pairs=part != "paths",
        )
        shown: dict[str, Any] = {"account": {"id": account.id, "name": account.name}}
        if found.targets is not None:
            shown |= panel_context(found, filters=filters, action=f"/accounts/{account.id}/paths")
        if found.pairs is not None:
            shown |= {"pairs": found.pairs, "via": VIA, "alternatives": ALTERNATIVES}
        return shown

    if part == "page":  # the whole page (no JavaScript): its header names the actor
        return render(request, "paths.html", actor, **context())
    template = "_warm_paths.html" if part == "paths" else "_pairs.html"
    return cached_panel(
        view_key(session, actor, "account", account.id, part, filters),
        lambda: render(request, template, actor, **context()),
    )


@router.get(
    "/api/v1/accounts/{account_id}/paths",
    response_model=list[TargetPathsPublic],
    tags=["warm paths"],
    responses=READ_ERRORS,
)
def api_account_paths(
    request: Request,
    session: Reading,
    actor: ApiActor,
    filters: Filters,
    account_id: int,
    to: Annotated[
        str | None,
        Query(
            description="one target: a person's id, email or name [default: the five "
            "most powerful people]"
        ),
    ] = None,
) -> list[TargetPathsPublic]:
    """The warmest ways from our people to the account's five most powerful people (or to
    ``to``): up to ``k`` paths each, each through a different introducer, explained hop by
    hop. A target with no path has ``"paths": []``: look for an event or write to them."""
    graph = cached_graph(request, session)
    found = warm_paths(
        session,
        actor,
        str(account_id),
        to=(to or "").strip() or None,
        graph=graph,
        **filters.as_kwargs(),
    )
    return [TargetPathsPublic.model_validate(t.as_dict()) for t in found]


@router.get(
    "/api/v1/people/{person_id}/paths",
    response_model=list[TargetPathsPublic],
    tags=["warm paths"],
    responses=READ_ERRORS,
)
def api_person_paths(
    request: Request, session: Reading, actor: ApiActor, filters: Filters, person_id: int
) -> list[TargetPathsPublic]:
    """The warm paths to one person (a list of one, the shape of the account's paths)."""
    graph = cached_graph(request, session)
    found = person_paths(session, actor, person_id, graph=graph, **filters.as_kwargs())
    return [TargetPathsPublic.model_validate(found.as_dict())]


@router.get(
    "/api/v1/accounts/{account_id}/pairs",
    response_model=list[ExecutivePairPublic],
    tags=["warm paths"],
    responses=READ_ERRORS,
)
def api_pairs(
    request: Request, session: Reading, actor: ApiActor, account_id: int
) -> list[ExecutivePairPublic]:
    """Our executives paired with the account's (board, C-suite, EVPs) by function and
    level, each pair with its warmest path (``null`` when there is none)."""
    graph = cached_graph(request, session)
    found = executive_pairs(session, actor, str(account_id), graph=graph)
    return [ExecutivePairPublic.model_validate(p.as_dict()) for p in found]
