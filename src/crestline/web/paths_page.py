"""Warm paths on the web: the panel of the account page and of the person page, and the account's
executive pairing.

Every request takes the relationship graph from the app's one :class:`GraphCache`, which reads the
database again only when it changed. The panels are HTML fragments the pages fetch after they are
shown (``?part=paths`` or ``?part=pairs``): the first request after an import waits for the graph
to be read again (seconds on a large database), and the rest of the page should not wait with it.
Without JavaScript the same routes are full pages, linked from the placeholders.

A panel is kept, as HTML, by everything it is drawn from (see web/page_cache), and shared by the
workers.
"""

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.orm import Session

from crestline.services.accounts.accounts import resolve_account
from crestline.services.auth.auth import Actor
from crestline.services.decisions.insights import resolve_as_of
from crestline.services.paths.graph_cache import GraphCache
from crestline.services.paths.relationship_graph import RelationshipGraph
from crestline.services.paths.sellers import active_sellers
from crestline.services.paths.warm_paths import (
    ALTERNATIVES,
    TargetPaths,
    executive_pairs,
    warm_paths,
)
from crestline.services.view_keys import view_key
from crestline.web.account_page import Render
from crestline.web.page_cache import cached_panel

PATHS = 3  # paths per target and hops at the most: the service's defaults
MAX_HOPS = 4
SUGGESTED = 25  # of ours the "From" field offers before anything is typed
_SUGGESTION = re.compile(r"#(\d+)$")
Part = Literal["page", "paths", "pairs"]
VIA = {  # how a hop's kind of tie reads on its arrow
    "linkedin": "LinkedIn",
    "meeting": "met",
    "call": "calls",
    "email": "emails",
    "event": "same event",
    "crm_role": "on a deal",
    "alumni": "former colleagues",
    "manager": "reporting line",  # either way: a manager introduces a report and back
    "peer": "same manager",
    "unknown": "known",
}


@dataclass(frozen=True)
class PathFilters:
    """The panel's choices, as the API's query takes them."""

    execs_only: bool = False
    from_seller: str | None = None
    k: int = PATHS
    max_hops: int = MAX_HOPS

    def options(self) -> dict[str, Any]:
        """Keyword arguments of :func:`warm_paths`."""
        return {
            "execs_only": self.execs_only,
            "from_seller": self.from_seller,
            "k": self.k,
            "max_hops": self.max_hops,
        }


def path_filters(
    execs_only: Annotated[bool, Query(description="only our executives (CEO, CRO …)")] = False,
    from_: Annotated[
        str | None, Query(alias="from", description="only this one of ours: id, email or name")
    ] = None,
    k: Annotated[int, Query(ge=1, le=10, description="paths per target")] = PATHS,
    max_hops: Annotated[int, Query(ge=1, le=6, description="hops at the most")] = MAX_HOPS,
) -> PathFilters:
    chosen = (from_ or "").strip()
    suggested = _SUGGESTION.search(chosen)  # "Name #12", as the panel's field suggests it
    return PathFilters(execs_only, suggested[1] if suggested else chosen or None, k, max_hops)


Filters = Annotated[PathFilters, Depends(path_filters)]


def cached_graph(request: Request, session: Session) -> RelationshipGraph:
    """The app's graph as of the world's day, read again only when the database changed."""
    conn = session.connection()
    cache: GraphCache = request.app.state.graph_cache
    return cache.graph(conn, as_of=resolve_as_of(conn, None))


def panel_context(
    session: Session,
    *,
    targets: list[TargetPaths],
    filters: PathFilters,
    action: str,
    graph: RelationshipGraph,
) -> dict[str, Any]:
    """What ``_warm_paths.html`` draws; ``action`` is where its filters go."""
    sellers = active_sellers(session)  # executives first
    chosen = next((s for s in sellers if str(s.id) == filters.from_seller), None)
    return {
        "targets": targets,
        "filters": filters,
        "action": action,
        "sellers": sellers[:SUGGESTED],  # the rest by searching (/sellers/search)
        "chosen": chosen,
        "as_of": graph.as_of,
        "via": VIA,
    }


def add_paths_routes(
    app: FastAPI, render_page: Render, *, session_dep: Any, page_actor: Any
) -> None:
    """GET /accounts/{id}/paths: the panel and the executive pairing (fragments or a page)."""
    SessionDep = Annotated[Session, session_dep]
    PageActor = Annotated[Actor, page_actor]

    @app.get("/sellers/search", include_in_schema=False)
    def sellers_search(
        session: SessionDep,
        actor: PageActor,
        q: str = "",
        limit: Annotated[int, Query(ge=1, le=50)] = 20,
    ) -> JSONResponse:
        """Ours whose name or title holds ``q`` (executives first): what "From" suggests."""
        text = q.strip().lower()
        found = [
            s
            for s in active_sellers(session)
            if text in s.name.lower() or text in (s.title or "").lower()
        ][:limit]
        return JSONResponse(
            [
                {"id": s.id, "name": s.name, "title": s.title, "value": f"{s.name} #{s.id}"}
                for s in found
            ]
        )

    @app.get("/accounts/{account_id}/paths", response_class=HTMLResponse, include_in_schema=False)
    def account_paths(
        request: Request,
        session: SessionDep,
        actor: PageActor,
        filters: Filters,
        account_id: int,
        part: Part = "page",
    ) -> HTMLResponse:
        account = resolve_account(session, actor, str(account_id))

        def context() -> dict[str, Any]:
            graph = cached_graph(request, session)
            action = f"/accounts/{account.id}/paths"
            found: dict[str, Any] = {"account": {"id": account.id, "name": account.name}}
            if part != "pairs":
                targets = warm_paths(
                    session, actor, str(account.id), graph=graph, **filters.options()
                )
                found |= panel_context(
                    session, targets=targets, filters=filters, action=action, graph=graph
                )
            if part != "paths":
                found |= {
                    "pairs": executive_pairs(session, actor, str(account.id), graph=graph),
                    "via": VIA,
                    "alternatives": ALTERNATIVES,
                }
            return found

        if part == "page":  # the whole page (no JavaScript): its header names the actor
            return render_page(request, "paths.html", actor, **context())
        template = "_warm_paths.html" if part == "paths" else "_pairs.html"
        return cached_panel(
            view_key(session, actor, "account", account.id, part, filters),
            lambda: render_page(request, template, actor, **context()),
        )
