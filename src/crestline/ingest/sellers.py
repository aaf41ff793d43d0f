"""Our own people as a simple CSV: name, email, title, manager_email, role, territory."""

from __future__ import annotations

from crestline.ingest import values
from crestline.ingest.columns import Column, ObjectSpec

ROLES = (
    "ceo",
    "cro",
    "executive",
    "rvp",
    "manager",
    "account_executive",
    "sdr",
    "solution_engineer",
)


def role(value: str) -> str:
    v = "_".join(value.strip().lower().replace("-", " ").split())
    aliases = {
        "ae": "account_executive",
        "se": "solution_engineer",
        "bdr": "sdr",
        "vp": "rvp",
        "exec": "executive",
        "leader": "manager",
    }
    v = aliases.get(v, v)
    if v not in ROLES:
        raise ValueError(f"{value!r} is not a role ({', '.join(ROLES)})")
    return v


SELLER = ObjectSpec(
    kind="Seller",
    key_headers=("email", "email address", "e-mail"),
    key_parse=values.normalise_email,
    columns=(
        Column("name", ("name", "full name", "full_name")),
        Column("first_name", ("first_name", "first name", "firstname")),
        Column("last_name", ("last_name", "last name", "lastname")),
        Column("title", ("title", "job title")),
        Column(
            "manager",
            ("manager_email", "manager email", "manager"),
            values.normalise_email,
            ref=True,
            lenient=True,
        ),
        Column("role", ("role",), role, lenient=True),
        Column("territory", ("territory", "region")),
        Column(
            "linkedin_url",
            ("linkedin_url", "linkedin", "linkedin url"),
            values.linkedin_url,
            lenient=True,
        ),
    ),
)
