"""The person page: someone at an account as Crestline reads them — level and function with what
was confirmed, manager and reports, power and its factors — and the warm paths to them."""

from typing import Annotated, Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from crestline.services.accounts.people import person_paths, person_view
from crestline.services.auth.auth import Actor
from crestline.services.decisions.decision_makers import resolve_person
from crestline.services.reports.orgchart_render import COLOURS
from crestline.services.view_keys import view_key
from crestline.web.account_page import Render
from crestline.web.page_cache import cached_panel
from crestline.web.paths_page import Filters, cached_graph, panel_context


def add_person_routes(
    app: FastAPI, render_page: Render, *, session_dep: Any, page_actor: Any
) -> None:
    """GET /people/{id}, and its warm-paths panel at /people/{id}/paths."""
    SessionDep = Annotated[Session, session_dep]
    PageActor = Annotated[Actor, page_actor]

    @app.get("/people/{person_id}", response_class=HTMLResponse, include_in_schema=False)
    def person_page(
        request: Request, session: SessionDep, actor: PageActor, person_id: int
    ) -> HTMLResponse:
        view = person_view(session, actor, person_id)
        return render_page(request, "person.html", actor, view=view, colours=COLOURS)

    @app.get("/people/{person_id}/paths", response_class=HTMLResponse, include_in_schema=False)
    def person_paths_panel(
        request: Request,
        session: SessionDep,
        actor: PageActor,
        filters: Filters,
        person_id: int,
        part: Literal["page", "paths"] = "page",
    ) -> HTMLResponse:
        resolve_person(session, actor, str(person_id))  # in the actor's scope, or refused

        def context() -> dict[str, Any]:
            graph = cached_graph(request, session)
            found = person_paths(session, actor, person_id, graph=graph, **filters.options())
            return panel_context(
                session,
                targets=[found],
                filters=filters,
                action=f"/people/{person_id}/paths",
                graph=graph,
            )

        if part == "paths":
            return cached_panel(
                view_key(session, actor, "person", person_id, filters),
                lambda: render_page(request, "_warm_paths.html", actor, single=True, **context()),
            )
        view = person_view(session, actor, person_id)
        return render_page(request, "paths.html", actor, person=view, single=True, **context())
