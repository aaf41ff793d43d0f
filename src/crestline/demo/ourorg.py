"""Our own selling organisation: executives, regional VPs, managers, AEs, SDRs, engineers."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from crestline.demo import vocab
from crestline.demo.companies import Company, email_handle

OUR_COMPANY = "Northbeam Systems"
OUR_DOMAIN = "northbeam.io"

REGIONS: dict[str, tuple[str, ...]] = {
    "North America": ("US", "CA"),
    "UK & Ireland": ("GB", "IE"),
    "DACH": ("DE", "AT", "CH"),
    "France & Benelux": ("FR", "BE", "NL"),
    "Southern Europe": ("ES", "IT", "PT"),
    "Latin America": ("MX", "BR"),
    "ANZ": ("AU",),
}
REGION_LANGUAGE = {
    "North America": "en",
    "UK & Ireland": "en",
    "DACH": "de",
    "France & Benelux": "fr",
    "Southern Europe": "es",
    "Latin America": "pt",
    "ANZ": "en",
}

# (role, title, seniority, function) of our executives, the CEO first.
EXECUTIVES = (
    ("ceo", "Chief Executive Officer", "c_suite", "general_management"),
    ("cro", "Chief Revenue Officer", "c_suite", "sales"),
    ("executive", "Chief Financial Officer", "c_suite", "finance"),
    ("executive", "Chief Technology Officer", "c_suite", "technology"),
    ("executive", "Chief Marketing Officer", "c_suite", "marketing"),
    ("executive", "Chief Operating Officer", "c_suite", "operations"),
    ("executive", "Chief Product Officer", "c_suite", "product"),
    ("executive", "Chief Customer Officer", "c_suite", "customer_success"),
    ("executive", "Chief People Officer", "c_suite", "human_resources"),
)


@dataclass(frozen=True)
class OurPerson:
    id: int
    first_name: str
    last_name: str
    title: str
    seniority: str
    function: str
    role: str
    territory: str | None
    manager_id: int | None
    email: str
    style: float  # habit of going to the top early (causal model), not visible

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def region_of(country: str) -> str:
    for region, members in REGIONS.items():
        if country in members:
            return region
    return "North America"


def build_our_org(rng: random.Random, total: int, companies: list[Company]) -> list[OurPerson]:
    """About ``total`` people, AEs spread over regions by their number of accounts."""
    names = vocab.names()
    used_emails: set[str] = set()
    people: list[OurPerson] = []

    def add(
        role: str,
        title: str,
        seniority: str,
        function: str,
        territory: str | None,
        manager: int | None,
        lang: str,
    ) -> int:
        pool = names[lang if rng.random() < 0.7 else "en"]
        first, last = rng.choice(pool["first_names"]), rng.choice(pool["last_names"])
        local = email_handle(first, last)
        email, n = f"{local}@{OUR_DOMAIN}", 2
        while email in used_emails:
            email, n = f"{local}{n}@{OUR_DOMAIN}", n + 1
        used_emails.add(email)
        person = OurPerson(
            id=len(people) + 1,
            first_name=first,
            last_name=last,
            title=title,
            seniority=seniority,
            function=function,
            role=role,
            territory=territory,
            manager_id=manager,
            email=email,
            style=rng.gauss(0, 1),
        )
        people.append(person)
        return person.id

    ceo = add(*EXECUTIVES[0], None, None, "en")
    cro = add(*EXECUTIVES[1], None, ceo, "en")
    for role, title, seniority, function in EXECUTIVES[2:]:
        add(role, title, seniority, function, None, ceo, "en")
    per_region = Counter(region_of(c.country) for c in companies)
    field = max(len(REGIONS) * 4, total - len(EXECUTIVES))
    for region in REGIONS:
        share = per_region.get(region, 0) / max(1, len(companies))
        headcount = max(4, round(field * share))
        lang = REGION_LANGUAGE[region]
        rvp = add("rvp", f"Regional Vice President, {region}", "vp", "sales", region, cro, lang)
        aes = max(2, round(headcount * 0.6))
        teams = max(1, round(aes / 7))
        for t in range(teams):
            mgr = add(
                "manager", f"Sales Director, {region}", "director", "sales", region, rvp, lang
            )
            for _ in range(aes // teams + (1 if t < aes % teams else 0)):
                senior = rng.random() < 0.35
                title = "Strategic Account Executive" if senior else "Account Executive"
                add(
                    "account_executive", title, "individual_contributor", "sales", region, mgr, lang
                )
        sdrs = max(1, round(headcount * 0.2))
        sdr_mgr = add("manager", f"SDR Manager, {region}", "manager", "sales", region, rvp, lang)
        for _ in range(sdrs):
            add("sdr", "Sales Development Representative", "entry", "sales", region, sdr_mgr, lang)
        ses = max(1, round(headcount * 0.15))
        se_mgr = add(
            "manager",
            f"Solutions Engineering Manager, {region}",
            "manager",
            "technology",
            region,
            rvp,
            lang,
        )
        for _ in range(ses):
            add(
                "solution_engineer",
                "Solution Engineer",
                "individual_contributor",
                "technology",
                region,
                se_mgr,
                lang,
            )
    return people
