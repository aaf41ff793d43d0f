"""The JSON shapes of /api/v1, named by role.

Where a use case answers with a flat dataclass, its schema is made from it (:func:`public`), not
written again; the nested read shapes are written here and checked field by field against the
use cases' data in tests/web/test_api_shapes.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

from crestline.services.decisions.decision_makers import (
    Assessment,
    InfluenceRecorded,
    RoleRecorded,
)


def public(shape: type[Any], name: str) -> type[BaseModel]:
    """The schema of a flat dataclass a use case returns: the same fields, the same types,
    every one required, its docstring as the description."""
    hints = get_type_hints(shape)
    fields: dict[str, Any] = {f.name: (hints[f.name], ...) for f in dataclasses.fields(shape)}
    return create_model(name, __doc__=shape.__doc__, **fields)


class AccountPublic(BaseModel):
    id: int
    name: str
    domain: str | None
    industry: str | None
    employees: int | None
    country: str | None
    tier: str | None
    owner: str | None
    people: int


class AccountPagePublic(BaseModel):
    items: list[AccountPublic]
    total: int
    limit: int
    offset: int


class PersonPublic(BaseModel):
    id: int
    name: str
    title: str | None
    seniority: str | None
    function: str | None
    email: str | None
    reports_to_id: int | None


class DealsPublic(BaseModel):
    open: int
    won: int
    lost: int
    open_amount_minor: int
    won_amount_minor: int
    currency: str


class AccountFactsPublic(AccountPublic):
    city: str | None
    annual_revenue_minor: int | None
    revenue_currency: str | None
    source: str
    external_id: str | None


class AccountDetailPublic(BaseModel):
    account: AccountFactsPublic
    deals: DealsPublic
    people: list[PersonPublic]


class HealthPublic(BaseModel):
    status: str
    database: str
    schema_revision: str | None
    worker: int = Field(description="the process id of the worker that answered")


class ErrorDetail(BaseModel):
    kind: str
    message: str


class ErrorPublic(BaseModel):
    error: ErrorDetail


# --- who decides: /api/v1/accounts/{id}/decision-makers, /orgchart, corrections ---------------


class AccountRefPublic(BaseModel):
    id: int
    name: str


class OrgChartFiguresPublic(BaseModel):
    top_id: int | None
    depth: int
    mean_span: float
    hierarchy_index: float
    known_lines: int
    inferred_lines: int
    broken_lines: int


class PowerFactorPublic(BaseModel):
    name: str
    value: float
    weight: float
    contribution: float
    evidence: str


class RankedPersonPublic(BaseModel):
    """A person ranked by power; ``seniority``/``function`` are the values in force and
    ``title_seniority``/``title_function`` what the title alone says."""

    id: int
    name: str
    title: str | None
    seniority: str
    function: str
    title_seniority: str
    title_function: str
    level_source: str = Field(description="title, chart or confirmed")
    manager_id: int | None
    line_source: str | None = Field(description="crm, inferred or confirmed")
    line_confidence: float | None
    line_reason: str | None
    crm_manager_id: int | None = Field(description="the reporting line as the CRM has it")
    inferred_manager_id: int | None = Field(
        description="where a user confirmed a line over a missing one: what Crestline would infer"
    )
    inferred_line_reason: str | None
    depth: int
    reports: int
    below: int
    power: float
    rank: int
    factors: list[PowerFactorPublic]
    reasons: list[str]
    last_touch: str | None
    engaged: bool
    support: str | None
    coverage: str | None
    relationship: str | None


class PersonRefPublic(BaseModel):
    id: int
    name: str


class SuggestionPublic(BaseModel):
    person_id: int
    name: str
    reason: str


class RoleCoveragePublic(BaseModel):
    role: str
    status: str = Field(description="engaged, identified or missing")
    people: list[PersonRefPublic]
    engaged: list[int]
    suggestion: SuggestionPublic | None


class LikelyDeciderPublic(BaseModel):
    id: int
    name: str
    power: float
    reasons: list[str]


class CommitteePublic(BaseModel):
    """Buying-committee coverage of one open opportunity."""

    id: int
    name: str
    stage: str
    amount_minor: int | None
    currency: str
    target_functions: list[str]
    likely_deciders: list[LikelyDeciderPublic]
    health: str = Field(description="red, amber or green")
    warnings: list[str]
    roles: list[RoleCoveragePublic]


class InfluenceLinePublic(BaseModel):
    """Influence outside the hierarchy, with names: ``from`` sways ``to``."""

    from_id: int
    from_name: str
    to_id: int
    to_name: str
    strength: str = Field(description="low, medium or high")
    note: str | None


class DecisionMakersPublic(BaseModel):
    account: AccountRefPublic
    as_of: str
    org_chart: OrgChartFiguresPublic
    people: list[RankedPersonPublic]
    opportunities: list[CommitteePublic]
    influence_lines: list[InfluenceLinePublic]


class OrgChartNodePublic(BaseModel):
    id: int
    name: str
    title: str | None
    seniority: str
    function: str
    level_source: str
    power: float
    rank: int
    engaged: bool


class OrgChartEdgePublic(BaseModel):
    manager: int
    person: int
    source: str | None
    confidence: float | None
    reason: str | None


class OrgChartInfluencePublic(BaseModel):
    """An influence line of the chart, drawn as a dotted arrow from ``from`` to ``to``."""

    model_config = ConfigDict(populate_by_name=True)

    from_: int = Field(alias="from")
    to: int
    strength: str
    note: str | None


class OrgChartPublic(BaseModel):
    account: AccountRefPublic
    top_id: int | None
    depth: int
    hierarchy_index: float
    nodes: list[OrgChartNodePublic]
    edges: list[OrgChartEdgePublic]
    influence: list[OrgChartInfluencePublic]


class AssessmentUpdate(BaseModel):
    """What to record about a person; a field left out is kept, ``null`` or ``""`` clears it."""

    model_config = ConfigDict(extra="forbid")

    support: str | None = Field(
        None, description="mentor, supporter, neutral, non_supporter, enemy"
    )
    coverage: str | None = Field(None, description="unknown, none, light, partial, in_depth")
    relationship: str | None = Field(
        None, description="none, introduced, acquainted, trusted, advocate"
    )
    seniority: str | None = Field(None, description="confirmed level, e.g. vp or director")
    function: str | None = Field(None, description="confirmed function, e.g. finance")
    manager_id: int | None = Field(None, description="confirmed manager: a person at the account")
    note: str | None = None


AssessmentPublic = public(Assessment, "AssessmentPublic")


class RoleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str = Field(description="a contact role, e.g. Economic Buyer, Champion, Technical Buyer")


ContactRolePublic = public(RoleRecorded, "ContactRolePublic")


class InfluenceCreate(BaseModel):
    """An influence line from the person in the address to ``to`` (a second one updates it)."""

    model_config = ConfigDict(extra="forbid")

    to: int = Field(description="the person swayed: someone at the same account")
    strength: str = Field("medium", description="low, medium or high")
    note: str | None = None


InfluencePublic = public(InfluenceRecorded, "InfluencePublic")


# --- warm paths: /api/v1/accounts/{id}/paths, /api/v1/people/{id}/paths, /pairs -----------------


class HopPublic(BaseModel):
    """One introduction of a path: ``from`` knows ``to`` (one of ours is marked ``(ours)``)."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    via: str = Field(description="the strongest kind of tie: linkedin, meeting, manager …")
    strength: float = Field(description="0 to 0.95, from the evidence below")
    evidence: str = Field(
        description="how they know each other, the strongest tie first: since when, last contact"
    )
    from_kind: str = Field(
        description="seller (one of ours), person, or outside: someone at an account you do "
        "not see, whose name, id (0) and ties are not shown"
    )
    from_id: int
    to_kind: str = Field(description="as from_kind")
    to_id: int


class WarmPathPublic(BaseModel):
    strength: float = Field(description="the product of the hops' strengths")
    hops: list[HopPublic]
    note: str | None = Field(None, description="e.g. a peer-level introduction")


class PathTargetPublic(BaseModel):
    id: int
    name: str
    title: str | None
    seniority: str


class SellerRefPublic(BaseModel):
    """One of ours."""

    id: int
    name: str
    title: str | None


class SharedEventPublic(BaseModel):
    """An event the target attends where some of our people go too."""

    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date | None
    place: str | None
    upcoming: bool
    ours: list[SellerRefPublic] = Field(description="our people who attend")


class TargetPathsPublic(BaseModel):
    """The best paths to one person, each through a different introducer (none: ``[]``), and
    the events they attend where our people go: upcoming first, then those of the last year."""

    target: PathTargetPublic
    paths: list[WarmPathPublic]
    events: list[SharedEventPublic] = []


class PairPathPublic(BaseModel):
    strength: float
    hops: list[HopPublic]


class ExecutivePairPublic(BaseModel):
    """One of our executives paired with one of theirs, and the warmest path between them."""

    ours: SellerRefPublic
    theirs: PathTargetPublic
    match: str = Field(description="why these two: same function, related functions …")
    path: PairPathPublic | None
    events: list[SharedEventPublic] = Field(
        default=[], description="events both of them attend: upcoming first, then the last year's"
    )
