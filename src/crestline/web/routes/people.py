"""The person page: someone at an account as Crestline reads them — level and function with what
was confirmed, manager and reports, power and its factors — and the warm paths to them."""

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crestline.reports.orgchart import COLOURS
from crestline.services.accounts.people import person_view
from crestline.services.decisions.decision_makers import resolve_person
from crestline.services.paths.way_in import person_way_in
from crestline.services.view_keys import view_key
from crestline.web.deps import PageActor, Reading, render
from crestline.web.page_cache import cached_panel
from crestline.web.paths_panel import Filters, cached_graph, panel_context

router = APIRouter()


@router.get("/people/{person_id}", response_class=HTMLResponse, include_in_schema=False)
def person_page(
    request: Request, session: Reading, actor: PageActor, person_id: int
) -> HTMLResponse:
    view = person_view(session, actor, person_id)
    return render(request, "person.html", actor, view=view, colours=COLOURS)


@router.get("/people/{person_id}/paths", response_class=HTMLResponse, include_in_schema=False)
def person_paths_panel(
    request: Request,
    session: Reading,
    actor: PageActor,
    filters: Filters,
    person_id: int,
    part: Literal["page", "paths"] = "page",
) -> HTMLResponse:
    resolve_person(session, actor, str(person_id))  # in the actor's scope, or refused

    def context() -> dict[str, Any]:
        found = person_way_in(
            session, actor, person_id, graph=cached_graph(request, session), options=filters
        )
        return panel_context(found, filters=filters, action=f"/people/{person_id}/paths")

    if part == "paths":
        return cached_panel(
            view_key(session, actor, "person", person_id, filters),
            lambda: render(request, "_warm_paths.html", actor, single=True, **context()),
        )
    view = person_view(session, actor, person_id)
    return render(request, "paths.html", actor, person=view, single=True, **context())
