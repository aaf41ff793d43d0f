"""/api/v1 for who decides: ranked people and committees, the org chart, and corrections."""

import datetime as dt
from typing import Annotated, Any

from fastapi import Body, FastAPI, Request, Response
from sqlalchemy.orm import Session

from crestline.services.auth.auth import Actor
from crestline.services.decisions.decision_makers import (
    add_influence,
    assess_person,
    decision_makers,
    remove_influence,
    set_role,
)
from crestline.services.reports.orgchart_render import to_json
from crestline.web.account_page import Writing
from crestline.web.schemas import (
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

READ_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorPublic},
    403: {"model": ErrorPublic},
    404: {"model": ErrorPublic},
    422: {"model": ErrorPublic},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {**READ_ERRORS, 409: {"model": ErrorPublic}}


def add_decision_api(app: FastAPI, *, session_dep: Any, api_actor: Any, writing: Writing) -> None:
    SessionDep = Annotated[Session, session_dep]
    ApiActor = Annotated[Actor, api_actor]

    @app.get(
        "/api/v1/accounts/{account_id}/decision-makers",
        response_model=DecisionMakersPublic,
        tags=["decision-makers"],
        responses=READ_ERRORS,
    )
    def api_decision_makers(
        session: SessionDep, actor: ApiActor, account_id: int, as_of: dt.date | None = None
    ) -> DecisionMakersPublic:
        """The account's people ranked by power (each score with its factors), its org chart
        figures, and the buying-committee coverage of each open opportunity."""
        dm = decision_makers(session, actor, str(account_id), as_of=as_of)
        return DecisionMakersPublic.model_validate(dm.as_dict())

    @app.get(
        "/api/v1/accounts/{account_id}/orgchart",
        response_model=OrgChartPublic,
        tags=["decision-makers"],
        responses=READ_ERRORS,
    )
    def api_orgchart(session: SessionDep, actor: ApiActor, account_id: int) -> OrgChartPublic:
        """The org chart as nodes and reporting lines; an inferred line carries its confidence
        and reason. The drawing is at ``/accounts/{account_id}/orgchart.svg``."""
        dm = decision_makers(session, actor, str(account_id), committees=False)
        return OrgChartPublic.model_validate(to_json(dm))

    @app.patch(
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
    ) -> AssessmentPublic:
        """Record support, coverage, relationship, or confirm a seniority, function or manager.
        Fields left out are kept; ``null`` or ``""`` clears one."""
        changes = update.model_dump(exclude_unset=True)
        with writing(request) as session:
            row = assess_person(session, actor, person_id, changes=changes)
            return AssessmentPublic.model_validate(row, from_attributes=True)

    @app.put(
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
    ) -> ContactRolePublic:
        """Record a person's buying role on an opportunity (replaces the role recorded here
        before; roles imported from the CRM are kept)."""
        with writing(request) as session:
            row = set_role(session, actor, opportunity_id, person_id, update.role)
            return ContactRolePublic.model_validate(row, from_attributes=True)

    @app.post(
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
    ) -> InfluencePublic:
        """Record that this person sways ``to`` outside the reporting line (someone at the same
        account; a line that exists is updated). Drawn as a dotted blue arrow in the chart."""
        with writing(request) as session:
            row = add_influence(
                session, actor, person_id, line.to, strength=line.strength, note=line.note
            )
            return InfluencePublic(
                from_id=row.from_person_id,
                to_id=row.to_person_id,
                strength=row.strength,
                note=row.note,
                created_by=row.created_by,
            )

    @app.delete(
        "/api/v1/people/{person_id}/influence/{to_id}",
        status_code=204,
        tags=["decision-makers"],
        responses=WRITE_ERRORS,
    )
    def api_remove_influence(
        request: Request, actor: ApiActor, person_id: int, to_id: int
    ) -> Response:
        """Remove the influence line from this person to ``to_id``; 404 when there was none."""
        with writing(request) as session:
            remove_influence(session, actor, person_id, to_id)
        return Response(status_code=204)
