"""HubSpot UI exports: companies, contacts and deals, as CSV or Excel, with label headers.

Files are recognised by their headers, not their names (HubSpot names them like
``hubspot-crm-exports-all-deals-2026-11-20.csv``). Associations come as ``Associated Company IDs``
(several, ``;``-separated); owners as names; deal stages as labels or internal ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crestline.ingest import values
from crestline.ingest.columns import Column, ObjectSpec
from crestline.ingest.tabular import Table, open_table

# The default sales pipeline's stages, by internal id and by label.
STAGES = {
    "appointmentscheduled": ("Appointment Scheduled", False, False),
    "qualifiedtobuy": ("Qualified To Buy", False, False),
    "presentationscheduled": ("Presentation Scheduled", False, False),
    "decisionmakerboughtin": ("Decision Maker Bought-In", False, False),
    "contractsent": ("Contract Sent", False, False),
    "closedwon": ("Closed Won", True, True),
    "closedlost": ("Closed Lost", True, False),
}
# hs_buying_role values → the contact-role vocabulary Crestline uses (Salesforce's picklist).
BUYING_ROLES = {
    "DECISION_MAKER": "Decision Maker",
    "BUDGET_HOLDER": "Economic Buyer",
    "CHAMPION": "Champion",
    "INFLUENCER": "Influencer",
    "END_USER": "Business User",
    "BLOCKER": "Blocker",
    "EXECUTIVE_SPONSOR": "Executive Sponsor",
    "LEGAL_AND_COMPLIANCE": "Legal and Compliance",
    "OTHER": "Other",
}


def record_id(value: str) -> str:
    v = value.strip().removesuffix(".0")
    if not v.isdigit():
        raise ValueError(f"{value!r} is not a HubSpot record id")
    return v


def money(value: str, decimal_comma: bool | None = None) -> int:
    return values.to_minor(values.parse_decimal(value, decimal_comma))


def id_list(value: str) -> tuple[str, ...]:
    return tuple(record_id(p) for p in re.split(r"[;,]", value) if p.strip())


def stage(value: str) -> tuple[str, bool, bool]:
    """(label, closed, won) of a deal stage written as a label or an internal id."""
    v = value.strip()
    key = re.sub(r"[^a-z]", "", v.lower())
    if key in STAGES:
        return STAGES[key]
    low = v.lower()
    return v, low.startswith("closed"), low in ("closed won", "closed - won", "won")


def buying_roles(value: str) -> tuple[str, ...]:
    out = []
    for part in re.split(r"[;,]", value):
        key = "_".join(part.strip().upper().replace("-", " ").split())
        if key:
            out.append(BUYING_ROLES.get(key, part.strip().title()))
    return tuple(out)


COMPANY = ObjectSpec(
    kind="Company",
    key_headers=("Record ID", "Company ID", "hs_object_id"),
    key_parse=record_id,
    columns=(
        Column("name", ("Company name", "Name"), required=True),
        Column(
            "domain",
            ("Company Domain Name", "Website URL", "Domain"),
            values.domain_of,
            lenient=True,
        ),
        Column("industry", ("Industry",)),
        Column("employees", ("Number of Employees",), number=values.parse_int, lenient=True),
        Column("annual_revenue_minor", ("Annual Revenue",), number=money, lenient=True),
        Column("country", ("Country/Region", "Country"), values.country_code, lenient=True),
        Column("city", ("City",)),
        Column("owner", ("Company owner", "Owner"), ref=True),
    ),
)
CONTACT = ObjectSpec(
    kind="Contact",
    key_headers=("Record ID", "Contact ID", "hs_object_id"),
    key_parse=record_id,
    columns=(
        Column("first_name", ("First Name",)),
        Column("last_name", ("Last Name",)),
        Column("email", ("Email",), values.normalise_email, lenient=True),
        Column("phone", ("Phone Number", "Phone")),
        Column("title", ("Job Title",)),
        Column("country", ("Country/Region", "Country"), values.country_code, lenient=True),
        Column(
            "companies",
            ("Associated Company IDs", "Associated Company ID", "Company IDs"),
            id_list,
            ref=True,
            lenient=True,
        ),
        Column("buying_roles", ("Buying Role", "Buying Roles", "hs_buying_role"), buying_roles),
        Column(
            "linkedin_url",
            ("LinkedIn URL", "LinkedIn Profile", "linkedin_url"),
            values.linkedin_url,
            lenient=True,
        ),
    ),
)
DEAL = ObjectSpec(
    kind="Deal",
    key_headers=("Record ID", "Deal ID", "hs_object_id"),
    key_parse=record_id,
    columns=(
        Column("name", ("Deal Name",), required=True),
        Column("stage", ("Deal Stage",), stage, required=True),
        Column("close_date", ("Close Date",), date=True),
        Column("created", ("Create Date",), datetime=True, lenient=True),
        Column("amount_minor", ("Amount",), number=money, lenient=True),
        Column("currency", ("Currency", "Deal currency code")),
        Column("pipeline", ("Pipeline",)),
        Column("type", ("Deal Type",)),
        Column("owner", ("Deal owner", "Owner"), ref=True),
        Column(
            "companies",
            ("Associated Company IDs", "Associated Company ID", "Company IDs"),
            id_list,
            ref=True,
            lenient=True,
        ),
        Column(
            "contacts",
            ("Associated Contact IDs", "Associated Contact ID", "Contact IDs"),
            id_list,
            ref=True,
            lenient=True,
        ),
    ),
)
# How each file is recognised: a header it must have.
SIGNATURES: tuple[tuple[ObjectSpec, Callable[[list[str]], bool]], ...] = (
    (DEAL, lambda keys: "deal name" in keys),
    (COMPANY, lambda keys: "company name" in keys and "first name" not in keys),
    (CONTACT, lambda keys: "first name" in keys or "last name" in keys),
)
ORDER = {"Company": 0, "Contact": 1, "Deal": 2}


def find_files(folder: Path) -> list[tuple[ObjectSpec, Table]]:
    """The exports in ``folder`` (CSV or Excel), recognised by their headers, in import order."""
    found: list[tuple[ObjectSpec, Table]] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".csv", ".xlsx") or path.name.endswith(".errors.csv"):
            continue
        if path.name == "crestline-errors.csv":
            continue
        table = open_table(path)
        spec = next((spec for spec, test in SIGNATURES if test(table.keys)), None)
        if spec is None:
            table.close()
        else:
            found.append((spec, table))
    return sorted(found, key=lambda st: ORDER[st[0].kind])


def refs_list(value: Any) -> tuple[str, ...]:
    return tuple(value) if value else ()
