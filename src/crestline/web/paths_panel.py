"""Warm paths on the web: what the panel of the account page and of the person page shows, and
the filters they and ``/api/v1`` take (the routes are in web/routes/paths.py and people.py).

Every request takes the relationship graph from the app's one :class:`GraphCache`, which reads the
database again only when it changed. The panels are HTML fragments the pages fetch after they are
shown (``?part=paths`` or ``?part=pairs``): the first request after an import waits for the graph
to be read again (seconds on a large database), and the rest of the page should not wait with it.
Without JavaScript the same routes are full pages, linked from the placeholders.

A panel is kept, as HTML, by everything it is drawn from (see web/page_cache), and shared by the
workers.
"""

import re
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from crestline.services.decisions.insights import resolve_as_of
from crestline.services.paths.graph_cache import GraphCache
from crestline.services.paths.relationship_graph import RelationshipGraph
from crestline.services.paths.way_in import PathOptions, WayIn

PATHS = PathOptions.k  # paths per target and hops at the most: the service's defaults
MAX_HOPS = PathOptions.max_hops
_SUGGESTION = re.compile(r"#(\d+)$")
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


def path_filters(
    execs_only: Annotated[bool, Query(description="only our executives (CEO, CRO …)")] = False,
    from_: Annotated[
        str | None, Query(alias="from", description="only this one of ours: id, email or name")
    ] = None,
    k: Annotated[int, Query(ge=1, le=10, description="paths per target")] = PATHS,
    max_hops: Annotated[int, Query(ge=1, le=6, description="hops at the most")] = MAX_HOPS,
) -> PathOptions:
    chosen = (from_ or "").strip()
    suggested = _SUGGESTION.search(chosen)  # "Name #12", as the panel's field suggests it
    return PathOptions(execs_only, suggested[1] if suggested else chosen or None, k, max_hops)


Filters = Annotated[PathOptions, Depends(path_filters)]


def cached_graph(request: Request, session: Session) -> RelationshipGraph:
    """The app's graph as of the world's day, read again only when the database changed."""
    conn = session.connection()
    cache: GraphCache = request.app.state.graph_cache
    return cache.graph(conn, as_of=resolve_as_of(conn, None))


def panel_context(found: WayIn, *, filters: PathOptions, action: str) -> dict[str, Any]:
    """What ``_warm_paths.html`` draws from a way in; ``action`` is where its filters go."""
    return {
        "targets": found.targets or [],
        "filters": filters,
        "action": action,
        "sellers": found.sellers,  # the rest by searching (/sellers/search)
        "chosen": found.chosen,
        "as_of": found.as_of,
        "via": VIA,
    }
