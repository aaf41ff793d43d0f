"""The JSON shapes of /api/v1, named by role."""

from __future__ import annotations

from pydantic import BaseModel


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


class ErrorDetail(BaseModel):
    kind: str
    message: str


class ErrorPublic(BaseModel):
    error: ErrorDetail
