"""The core data model: SQLAlchemy 2 typed ORM classes, one per table.

Conventions (see docs/data-model.md):
- every imported record keeps ``source`` and ``external_id`` (unique together, where present);
- times are stored in UTC (naive ``DateTime`` columns hold UTC), dates as ``Date``;
- money is integer minor units (``*_minor``) with an ISO 4217 currency code;
- categorical values (seniority, function, roles, statuses) are plain strings checked by the
  services, so an organisation's custom picklist values can be kept.
Tables prefixed ``truth_`` hold the demo world's ground truth, for scoring engines.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Sourced:
    """Columns every imported record carries."""

    source: Mapped[str] = mapped_column(String(32), default="crestline")
    external_id: Mapped[str | None] = mapped_column(String(64))
    source_hash: Mapped[str | None] = mapped_column(String(32))  # what the source row said
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)


# --- accounts and the people in them ---------------------------------------------------------


class Account(Sourced, Base):
    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_accounts_name", "name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str | None] = mapped_column(String(200), index=True)
    industry: Mapped[str | None] = mapped_column(String(64))
    employees: Mapped[int | None] = mapped_column(Integer)
    annual_revenue_minor: Mapped[int | None] = mapped_column(BigInteger)
    revenue_currency: Mapped[str | None] = mapped_column(String(3))
    country: Mapped[str | None] = mapped_column(String(2))
    city: Mapped[str | None] = mapped_column(String(100))
    tier: Mapped[str | None] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("sellers.id", ondelete="SET NULL"), index=True
    )


class Person(Sourced, Base):
    """Someone at a customer or prospect; ``account_id`` is empty for people outside any account."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    full_name: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str | None] = mapped_column(String(300))
    department: Mapped[str | None] = mapped_column(String(200))
    seniority: Mapped[str | None] = mapped_column(String(32))
    function: Mapped[str | None] = mapped_column(String(32))
    reports_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(64))
    linkedin_url: Mapped[str | None] = mapped_column(String(300), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    company_name: Mapped[str | None] = mapped_column(String(200))


class PastEmployment(Base):
    """A former employer of a person, where career data exists (shared employers are paths)."""

    __tablename__ = "past_employments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    company_name: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str | None] = mapped_column(String(300))
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)


# --- our side --------------------------------------------------------------------------------


class Seller(Sourced, Base):
    """Someone on our side, executives included; ``manager_id`` builds our hierarchy."""

    __tablename__ = "sellers"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    full_name: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str | None] = mapped_column(String(300))
    seniority: Mapped[str | None] = mapped_column(String(32))
    function: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(32), default="account_executive")
    territory: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("sellers.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    linkedin_url: Mapped[str | None] = mapped_column(String(300))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(16))  # admin, leader, seller
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("sellers.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)

    __table_args__ = (CheckConstraint("role IN ('admin', 'leader', 'seller')", name="role"),)


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, the table only its SHA-256 — so
    every worker of the web app knows the session, and signing out ends it everywhere."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class SignInAttempt(Base):
    """A sign-in tried on the web app's form or with HTTP Basic: the audit trail, and what the
    lockout counts (services/auth/auth.py)."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, index=True)
    login: Mapped[str] = mapped_column(String(100), index=True)  # as typed, in lower case
    address: Mapped[str] = mapped_column(String(64), index=True)  # the client's IP address
    ok: Mapped[bool] = mapped_column(Boolean)


# --- relationships ---------------------------------------------------------------------------


class Connection(Base):
    """A relationship: one of our sellers or a person, to a person.

    Exactly one of ``seller_id`` and ``from_person_id`` is set. ``source`` is one of linkedin,
    meeting, email, call, crm_role, alumni, colleague, event.
    """

    __tablename__ = "connections"
    __table_args__ = (
        CheckConstraint(
            "(seller_id IS NULL) <> (from_person_id IS NULL)", name="exactly_one_origin"
        ),
        Index("ix_connections_seller_id", "seller_id"),
        Index("ix_connections_from_person_id", "from_person_id"),
        Index("ix_connections_person_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    from_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    first_seen: Mapped[dt.date | None] = mapped_column(Date)
    last_seen: Mapped[dt.date | None] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer, default=1)
    strength: Mapped[float | None] = mapped_column(Float)
    origin_source: Mapped[str] = mapped_column(String(32), default="crestline")
    external_id: Mapped[str | None] = mapped_column(String(64))
    match_method: Mapped[str | None] = mapped_column(String(32))  # how the person was found
    match_score: Mapped[float | None] = mapped_column(Float)


# --- deals and activities --------------------------------------------------------------------


class Opportunity(Sourced, Base):
    __tablename__ = "opportunities"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("sellers.id", ondelete="SET NULL"), index=True
    )
    offering_id: Mapped[int | None] = mapped_column(ForeignKey("offerings.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(300))
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    stage: Mapped[str] = mapped_column(String(64))
    probability: Mapped[int | None] = mapped_column(Integer)
    forecast_category: Mapped[str | None] = mapped_column(String(32))
    type: Mapped[str | None] = mapped_column(String(64))
    created_on: Mapped[dt.date] = mapped_column(Date)
    close_date: Mapped[dt.date | None] = mapped_column(Date)
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    is_won: Mapped[bool] = mapped_column(Boolean, default=False)
    approach: Mapped[str | None] = mapped_column(String(16))  # top_down, bottom_up, hybrid


class ContactRole(Sourced, Base):
    """A person's role on an opportunity (Salesforce OpportunityContactRole)."""

    __tablename__ = "contact_roles"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_contact_roles_opportunity_id", "opportunity_id"),
        Index("ix_contact_roles_person_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(64))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)


class Activity(Sourced, Base):
    """A meeting, call, email or event; customer-side attendees are in activity_people."""

    __tablename__ = "activities"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_activities_account_id_occurred_at", "account_id", "occurred_at"),
        Index("ix_activities_occurred_at", "occurred_at"),  # the data's day: the latest one
        Index("ix_activities_opportunity_id", "opportunity_id"),
        Index("ix_activities_seller_id", "seller_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # meeting, call, email, event
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str | None] = mapped_column(String(300))
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("sellers.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id", ondelete="SET NULL")
    )


class ActivityPerson(Base):
    __tablename__ = "activity_people"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )


# --- events: conferences and dinners, and who attends them ----------------------------------


class Event(Base):
    """A conference, a partner dinner: an occasion where our people and theirs meet.

    ``name_key`` is the name folded (case, accents and punctuation ignored): an event is the same
    event, however its name is written, when its folded name and start date are.
    """

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("name_key", "starts_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[dt.date] = mapped_column(Date, index=True)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(32), default="csv")  # csv, xlsx, demo
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)


class EventAttendee(Base):
    """Someone on an event's attendee list, as the list names them, and who Crestline thinks
    they are: one of ours (``seller_id``), a known person (``person_id``), or nobody known yet
    (both empty; ``account_id`` still says when their company is an account).

    One row per event, folded name and folded company (``name_key``, ``company_key``, empty
    when the list gives no company).
    """

    __tablename__ = "event_attendees"
    __table_args__ = (
        UniqueConstraint("event_id", "name_key", "company_key"),
        Index("ix_event_attendees_person_id", "person_id"),
        Index("ix_event_attendees_seller_id", "seller_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    full_name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(200))
    company_key: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("sellers.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    match_method: Mapped[str | None] = mapped_column(String(32))  # how they were found
    match_score: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)


# --- strategic direction ---------------------------------------------------------------------


class Document(Sourced, Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))  # annual_report, 10k, news, interview_notes
    title: Mapped[str] = mapped_column(String(300))
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)


class Priority(Base):
    """A strategic priority of an account, with the sentence that states it and where it is."""

    __tablename__ = "priorities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    theme: Mapped[str] = mapped_column(String(64))
    statement: Mapped[str] = mapped_column(Text)
    sentence: Mapped[str] = mapped_column(Text)
    char_start: Mapped[int | None] = mapped_column(Integer)
    char_end: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    method: Mapped[str] = mapped_column(String(32), default="manual")


class Offering(Base):
    __tablename__ = "offerings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)


class ValueProposition(Base):
    __tablename__ = "value_propositions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offering_id: Mapped[int] = mapped_column(
        ForeignKey("offerings.id", ondelete="CASCADE"), index=True
    )
    theme: Mapped[str] = mapped_column(String(64))
    headline: Mapped[str] = mapped_column(String(300))
    target_functions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    proof_points: Mapped[list[Any]] = mapped_column(JSON, default=list)


# --- account plans ---------------------------------------------------------------------------


class AccountPlan(Base):
    __tablename__ = "account_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("sellers.id", ondelete="SET NULL"))
    objective: Mapped[str] = mapped_column(Text)
    alignment_thesis: Mapped[str | None] = mapped_column(Text)
    chosen_path: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)


class PlanTarget(Base):
    """A target executive of an account plan."""

    __tablename__ = "plan_targets"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("account_plans.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )


class PlanStep(Base):
    __tablename__ = "plan_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("account_plans.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("sellers.id", ondelete="SET NULL"))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, done, blocked, dropped
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


# --- strategy, goals and targets -------------------------------------------------------------


class Strategy(Base):
    __tablename__ = "strategies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class Goal(Base):
    """A company-level goal of a strategy: revenue, executive sponsors, executive meetings …"""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strategy_id: Mapped[int] = mapped_column(
        ForeignKey("strategies.id", ondelete="CASCADE"), index=True
    )
    metric: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16), default="count")  # count, USD, share


class Target(Base):
    """A goal's share at one node of our hierarchy: top-down value, bottom-up commit, actual."""

    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("goal_id", "seller_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    top_down_value: Mapped[float | None] = mapped_column(Float)
    bottom_up_commit: Mapped[float | None] = mapped_column(Float)
    actual: Mapped[float | None] = mapped_column(Float)
    explanation: Mapped[dict[str, Any] | None] = mapped_column(JSON)


# --- feedback --------------------------------------------------------------------------------


class Feedback(Base):
    """Front-line input that a leader must answer: open → acknowledged → actioned or declined."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'acknowledged', 'actioned', 'declined')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("sellers.id", ondelete="SET NULL"))
    about_kind: Mapped[str] = mapped_column(String(16))  # account, plan, strategy
    about_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))  # insight, objection, request, risk, idea
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("sellers.id", ondelete="SET NULL")
    )
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


# --- imports ---------------------------------------------------------------------------------


class ImportRun(Base):
    """One import: what it read, what it changed, what it rejected."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    location: Mapped[str] = mapped_column(String(1000))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    actor: Mapped[str | None] = mapped_column(String(100))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# --- decision-makers: derived insights and the relationship map -----------------------------


class PersonInsight(Base):
    """What Crestline derived about a person: title class, place in the org chart, power.

    One writer: ``services/decisions/insights.py`` rewrites an account's rows when its inputs
    change.
    """

    __tablename__ = "person_insights"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    seniority: Mapped[str] = mapped_column(String(32))  # effective: confirmed, title, or chart
    function: Mapped[str] = mapped_column(String(32))
    title_seniority: Mapped[str] = mapped_column(String(32))  # what the title classifier said
    title_function: Mapped[str] = mapped_column(String(32))
    title_confidence: Mapped[float] = mapped_column(Float)
    normalised_title: Mapped[str | None] = mapped_column(String(300))
    title_rules: Mapped[list[Any]] = mapped_column(JSON, default=list)
    level_source: Mapped[str] = mapped_column(String(16))  # title, chart, confirmed
    manager_id: Mapped[int | None] = mapped_column(Integer)  # effective line (known or inferred)
    line_source: Mapped[str | None] = mapped_column(String(16))  # crm, inferred, confirmed
    line_confidence: Mapped[float | None] = mapped_column(Float)
    line_reason: Mapped[str | None] = mapped_column(String(300))
    depth: Mapped[int] = mapped_column(Integer)
    span: Mapped[int] = mapped_column(Integer)
    subtree: Mapped[int] = mapped_column(Integer)
    power: Mapped[float] = mapped_column(Float)
    power_factors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    power_rank: Mapped[int] = mapped_column(Integer)


class AccountInsight(Base):
    """An account's org chart in figures, and the fingerprint of the inputs it came from."""

    __tablename__ = "account_insights"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    input_hash: Mapped[str] = mapped_column(String(32))
    top_person_id: Mapped[int | None] = mapped_column(Integer)
    people: Mapped[int] = mapped_column(Integer)
    depth: Mapped[int] = mapped_column(Integer)
    mean_span: Mapped[float] = mapped_column(Float)
    hierarchy_index: Mapped[float] = mapped_column(Float)
    inferred_lines: Mapped[int] = mapped_column(Integer)
    broken_lines: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    as_of: Mapped[dt.date] = mapped_column(Date)


class PersonAssessment(Base):
    """What our people recorded about a person: the relationship map and their corrections.

    Kept apart from imported rows, so a re-import never overwrites a confirmed value.
    """

    __tablename__ = "person_assessments"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    support: Mapped[str | None] = mapped_column(String(16))  # mentor … enemy
    coverage: Mapped[str | None] = mapped_column(String(16))  # unknown … in_depth
    relationship: Mapped[str | None] = mapped_column(String(16))  # our owner's level with them
    seniority: Mapped[str | None] = mapped_column(String(32))  # confirmed level
    function: Mapped[str | None] = mapped_column(String(32))  # confirmed function
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )  # confirmed reporting line
    note: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)


class InfluenceLine(Base):
    """Influence outside the hierarchy: ``from_person`` sways ``to_person``."""

    __tablename__ = "influence_lines"
    __table_args__ = (UniqueConstraint("from_person_id", "to_person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    to_person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    strength: Mapped[str] = mapped_column(String(16), default="medium")  # low, medium, high
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


# --- demo world ground truth -----------------------------------------------------------------


class DemoFact(Base):
    """A fact about the generated demo world: scale, seed, the causal model's parameters."""

    __tablename__ = "truth_facts"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)


class TruthPerson(Base):
    """The true manager, level and function of a demo person (visible data may hide them)."""

    __tablename__ = "truth_people"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    manager_id: Mapped[int | None] = mapped_column(Integer)
    seniority: Mapped[str] = mapped_column(String(32))
    function: Mapped[str] = mapped_column(String(32))
    line_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    title_hidden: Mapped[bool] = mapped_column(Boolean, default=False)


class TruthDeal(Base):
    """Who truly decided a demo opportunity and which causes drove its outcome."""

    __tablename__ = "truth_deals"

    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True
    )
    economic_buyer_id: Mapped[int | None] = mapped_column(Integer)
    decision_maker_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    exec_engaged_early: Mapped[bool] = mapped_column(Boolean)
    warm_path: Mapped[bool] = mapped_column(Boolean)
    hierarchy_index: Mapped[float] = mapped_column(Float)
    win_probability: Mapped[float] = mapped_column(Float)


class TruthPriority(Base):
    """A strategic priority planted in a demo document, with the exact sentence."""

    __tablename__ = "truth_priorities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    theme: Mapped[str] = mapped_column(String(64))
    sentence: Mapped[str] = mapped_column(Text)
    char_start: Mapped[int] = mapped_column(Integer)
    char_end: Mapped[int] = mapped_column(Integer)
