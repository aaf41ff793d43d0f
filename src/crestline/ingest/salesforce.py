"""Salesforce exports: Data Loader / Bulk API CSVs and the weekly Data Export, one file per object.

Headers are API names (``AccountId``) or, where unambiguous, report labels (``Account ID``), in any
case. IDs may be 15 or 18 characters: every key and reference is kept in its 18-character form, so
a 15-character reference finds its 18-character record.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crestline.ingest import values
from crestline.ingest.columns import Column, ObjectSpec
from crestline.ingest.sfid import NULL_IDS, to18

# Salesforce's own picklist of contact roles (a value outside it is a custom one, and the import
# says so); the buying-role vocabulary Crestline reads them into is crestline.vocab.BUYING_ROLES.
ROLES = (
    "Business User",
    "Decision Maker",
    "Economic Buyer",
    "Economic Decision Maker",
    "Evaluator",
    "Executive Sponsor",
    "Influencer",
    "Technical Buyer",
    "Other",
)
# Key prefixes of the objects a polymorphic WhoId / WhatId can point to.
PREFIXES = {"001": "Account", "003": "Contact", "006": "Opportunity", "00Q": "Lead", "005": "User"}


def sf_id(value: str) -> str:
    if len(value) == 18 and value.isalnum() and value.isascii():
        return value  # the common case: an 18-character id, written as it should be
    v = value.strip()
    if len(v) not in (15, 18) or not (v.isascii() and v.isalnum()):
        raise ValueError(f"{value!r} is not a Salesforce id (15 or 18 letters and digits)")
    return v if len(v) == 18 else to18(v)


def money(value: str, decimal_comma: bool | None = None) -> int:
    """An amount in minor units: ``1,234.50``, ``1.234,50`` (by the file's decimal mark),
    ``1.39E8`` (Data Loader's E-notation)."""
    return values.to_minor(values.parse_decimal(value, decimal_comma))


def H(*names: str) -> tuple[str, ...]:
    """Accepted headers of a column, as Salesforce writes them (matched in any case)."""
    return names


def _derive_opportunity(fields: dict[str, Any], present: set[str]) -> None:
    """IsClosed / IsWon missing, or empty (Workbench and Data Loader write booleans as ``1`` or
    nothing): unknown, so the stage tells the outcome, as Salesforce's default stages name it."""
    stage = str(fields.get("stage") or "").lower()
    if fields.get("is_won") is None:
        fields["is_won"] = stage in ("closed won", "won")
    if fields.get("is_closed") is None:
        fields["is_closed"] = (
            bool(fields["is_won"])
            or stage.startswith("closed")
            or stage
            in (
                "won",
                "lost",
            )
        )


ACCOUNT = ObjectSpec(
    kind="Account",
    key_headers=H("Id", "Account ID", "Account.Id"),
    key_parse=sf_id,
    nulls=NULL_IDS,
    columns=(
        Column("name", H("Name", "Account Name"), required=True),
        Column("parent", H("ParentId", "Parent Account ID"), sf_id, ref=True, lenient=True),
        Column("industry", H("Industry")),
        Column(
            "annual_revenue_minor",
            H("AnnualRevenue", "Annual Revenue"),
            number=money,
            lenient=True,
        ),
        Column(
            "employees",
            H("NumberOfEmployees", "Employees"),
            number=values.parse_int,
            lenient=True,
        ),
        Column("domain", H("Website", "Domain"), values.domain_of, lenient=True),
        Column(
            "country", H("BillingCountry", "Billing Country"), values.country_code, lenient=True
        ),
        Column("city", H("BillingCity", "Billing City")),
        Column(
            "owner", H("OwnerId", "Account Owner ID", "Owner ID"), sf_id, ref=True, lenient=True
        ),
    ),
)
CONTACT = ObjectSpec(
    kind="Contact",
    key_headers=H("Id", "Contact ID"),
    key_parse=sf_id,
    nulls=NULL_IDS,
    columns=(
        Column("account", H("AccountId", "Account ID"), sf_id, ref=True),
        Column("first_name", H("FirstName", "First Name")),
        Column("last_name", H("LastName", "Last Name"), required=True),
        Column("title", H("Title")),
        Column("department", H("Department")),
        Column("email", H("Email"), values.normalise_email, lenient=True),
        Column("phone", H("Phone", "Business Phone")),
        Column("reports_to", H("ReportsToId", "Reports To ID"), sf_id, ref=True, lenient=True),
        Column(
            "linkedin_url",
            H("LinkedIn_URL__c", "LinkedIn__c", "LinkedIn URL", "LinkedIn Profile"),
            values.linkedin_url,
            lenient=True,
        ),
        Column(
            "country", H("MailingCountry", "Mailing Country"), values.country_code, lenient=True
        ),
    ),
)
USER = ObjectSpec(
    kind="User",
    key_headers=H("Id", "User ID"),
    key_parse=sf_id,
    nulls=NULL_IDS,
    columns=(
        Column("first_name", H("FirstName", "First Name")),
        Column("last_name", H("LastName", "Last Name"), required=True),
        Column("email", H("Email"), values.normalise_email, lenient=True),
        Column("title", H("Title")),
        Column("manager", H("ManagerId", "Manager ID"), sf_id, ref=True, lenient=True),
        Column("territory", H("Territory__c", "Territory", "Division")),
        Column("active", H("IsActive", "Active"), values.parse_bool, lenient=True),
    ),
)
OPPORTUNITY = ObjectSpec(
    kind="Opportunity",
    key_headers=H("Id", "Opportunity ID"),
    key_parse=sf_id,
    nulls=NULL_IDS,
    derive=_derive_opportunity,
    columns=(
        Column("account", H("AccountId", "Account ID"), sf_id, ref=True, required=True),
        Column("name", H("Name", "Opportunity Name"), required=True),
        Column("stage", H("StageName", "Stage"), required=True),
        Column("amount_minor", H("Amount"), number=money, lenient=True),
        Column("currency", H("CurrencyIsoCode", "Opportunity Currency", "Currency")),
        Column("close_date", H("CloseDate", "Close Date"), date=True),
        Column("is_closed", H("IsClosed", "Closed"), values.parse_bool),
        Column("is_won", H("IsWon", "Won"), values.parse_bool),
        Column(
            "probability",
            H("Probability", "Probability (%)"),
            number=values.parse_int,
            lenient=True,
        ),
        Column("forecast_category", H("ForecastCategoryName", "Forecast Category")),
        Column("type", H("Type")),
        Column(
            "owner", H("OwnerId", "Opportunity Owner ID", "Owner ID"), sf_id, ref=True, lenient=True
        ),
        Column("created_on", H("CreatedDate", "Created Date"), date=True),
    ),
)
CONTACT_ROLE = ObjectSpec(
    kind="OpportunityContactRole",
    key_headers=H("Id", "Contact Role ID"),
    key_parse=sf_id,
    nulls=NULL_IDS,
    columns=(
        Column("opportunity", H("OpportunityId", "Opportunity ID"), sf_id, ref=True, required=True),
        Column("contact", H("ContactId", "Contact ID"), sf_id, ref=True, required=True),
        Column("role", H("Role")),
        Column("is_primary", H("IsPrimary", "Primary"), values.parse_bool, lenient=True),
    ),
)
_ACTIVITY_COLUMNS = (
    Column("who", H("WhoId", "Name ID", "Contact ID"), sf_id, ref=True, lenient=True),
    Column("what", H("WhatId", "Related To ID"), sf_id, ref=True, lenient=True),
    Column("owner", H("OwnerId", "Assigned ID", "Owner ID"), sf_id, ref=True, lenient=True),
    Column("subject", H("Subject")),
    Column("activity_date", H("ActivityDate", "Date", "Due Date"), date=True),
    # an open task often has no due date: it is dated by when it was created
    Column("created", H("CreatedDate", "Created Date"), datetime=True, lenient=True),
)
TASK = ObjectSpec(
    kind="Task",
    key_headers=H("Id", "Activity ID", "Task ID"),
    key_parse=sf_id,
    nulls=NULL_IDS,
    columns=(
        *_ACTIVITY_COLUMNS,
        Column("subtype", H("TaskSubtype", "Task Subtype")),
        Column("type", H("Type")),
    ),
)
EVENT = ObjectSpec(
    kind="Event",
    key_headers=H("Id", "Activity ID", "Event ID"),
    key_parse=sf_id,
    nulls=NULL_IDS,
    columns=(
        *_ACTIVITY_COLUMNS,
        Column("start", H("StartDateTime", "Start"), datetime=True, lenient=True),
        Column("end", H("EndDateTime", "End"), datetime=True, lenient=True),
    ),
)


@dataclass(frozen=True)
class ObjectFile:
    spec: ObjectSpec
    path: Path


# In the order their references need: users own accounts, accounts hold contacts …
OBJECTS: tuple[tuple[ObjectSpec, tuple[str, ...]], ...] = (
    (USER, ("user",)),
    (ACCOUNT, ("account",)),
    (CONTACT, ("contact",)),
    (OPPORTUNITY, ("opportunity",)),
    (CONTACT_ROLE, ("opportunitycontactrole",)),
    (TASK, ("task",)),
    (EVENT, ("event",)),
)


def _stem(path: Path) -> str:
    return re.sub(r"[^a-z]", "", path.stem.lower()).removesuffix("s")


def find_files(folder: Path) -> list[ObjectFile]:
    """The object files in ``folder`` (``Account.csv``, ``account.csv``, ``Accounts.csv``,
    ``Account.txt`` …)."""
    found: list[ObjectFile] = []
    by_stem: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        # .txt, .tsv: Excel's "Unicode Text" (UTF-16, tab-separated), as a user re-saves a file
        if path.suffix.lower() in (".csv", ".txt", ".tsv") and not path.name.endswith(
            ".errors.csv"
        ):
            by_stem.setdefault(_stem(path), path)
    for spec, stems in OBJECTS:
        for stem in stems:
            if stem in by_stem:
                found.append(ObjectFile(spec, by_stem[stem]))
                break
    return found


def kind_of(key: str) -> str | None:
    return PREFIXES.get(key[:3])


def activity_kind(kind: str, fields: dict[str, Any]) -> str:
    """Events are meetings; a task is a call, an email, or a task, by its subtype or subject."""
    if kind == "Event":
        return "meeting"
    text = f"{fields.get('subtype') or ''} {fields.get('type') or ''} {fields.get('subject') or ''}"
    low = text.lower()
    if "email" in low or "e-mail" in low:
        return "email"
    if "call" in low:
        return "call"
    return "task"


ROLE_WORDS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("ceo", lambda t: "chief executive" in t or re.search(r"\bceo\b", t) is not None),
    ("cro", lambda t: "chief revenue" in t or re.search(r"\bcro\b", t) is not None),
    ("executive", lambda t: t.startswith("chief") or re.search(r"\bc[a-z]o\b", t) is not None),
    ("rvp", lambda t: "vice president" in t or re.search(r"\b[rs]?vp\b", t) is not None),
    ("sdr", lambda t: "development rep" in t or re.search(r"\b[sb]dr\b", t) is not None),
    ("solution_engineer", lambda t: "engineer" in t or "consultant" in t),
    ("manager", lambda t: "manager" in t or "director" in t or "head of" in t),
)


def seller_role(title: str | None) -> str:
    """Our people's role from their title; account executive when nothing else fits."""
    low = (title or "").lower()
    for role, test in ROLE_WORDS:
        if test(low):
            return role
    return "account_executive"
