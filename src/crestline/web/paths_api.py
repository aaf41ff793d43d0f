"""/api/v1 for a way in: warm paths to an account's decision-makers or to one person, and the
pairing of our executives with theirs. The shapes are ``crestline paths|pairs --format json``."""

from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from sqlalchemy.orm import Session

from crestline.services.accounts.people import person_paths
from crestline.services.auth.auth import Actor
from crestline.services.paths.warm_paths import executive_pairs, warm_paths
from crestline.web.decisions_api import READ_ERRORS
from crestline.web.paths_page import Filters, cached_graph
from crestline.web.schemas import ExecutivePairPublic, TargetPathsPublic


def add_paths_api(app: FastAPI, *, session_dep: Any, api_actor: Any) -> None:
    SessionDep = Annotated[Session, session_dep]
    ApiActor = Annotated[Actor, api_actor]

    @app.get(
        "/api/v1/accounts/{account_id}/paths",
        response_model=list[TargetPathsPublic],
        tags=["warm paths"],
        responses=READ_ERRORS,
    )
    def api_account_paths(
        request: Request,
        session: SessionDep,
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
            **filters.options(),
        )
        return [TargetPathsPublic.model_validate(t.as_dict()) for t in found]

    @app.get(
        "/api/v1/people/{person_id}/paths",
        response_model=list[TargetPathsPublic],
        tags=["warm paths"],
        responses=READ_ERRORS,
    )
    def api_person_paths(
        request: Request, session: SessionDep, actor: ApiActor, filters: Filters, person_id: int
    ) -> list[TargetPathsPublic]:
        """The warm paths to one person (a list of one, the shape of the account's paths)."""
        graph = cached_graph(request, session)
        found = person_paths(session, actor, person_id, graph=graph, **filters.options())
        return [TargetPathsPublic.model_validate(found.as_dict())]

    @app.get(
        "/api/v1/accounts/{account_id}/pairs",
        response_model=list[ExecutivePairPublic],
        tags=["warm paths"],
        responses=READ_ERRORS,
    )
    def api_pairs(
        request: Request, session: SessionDep, actor: ApiActor, account_id: int
    ) -> list[ExecutivePairPublic]:
        """Our executives paired with the account's (board, C-suite, EVPs) by function and
        level, each pair with its warmest path (``null`` when there is none)."""
        graph = cached_graph(request, session)
        found = executive_pairs(session, actor, str(account_id), graph=graph)
        return [ExecutivePairPublic.model_validate(p.as_dict()) for p in found]
