"""The demo world as a stream of row batches, account chunk by account chunk.

Everything is decided by the seed: every account draws from its own generator seeded by
(seed, account index), so a world is the same on every machine and every run. Rows carry explicit
ids; each batch lists its tables in the order foreign keys need.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from crestline.demo import vocab
from crestline.demo.companies import Company, email_handle, make_companies
from crestline.demo.deals import AccountView, CausalModel, DealMaker, Offering, hierarchy_index
from crestline.demo.documents import account_themes, write_documents
from crestline.demo.events import EVENT_COLUMNS, EventPlanner
from crestline.demo.orgs import OrgNode, build_org
from crestline.demo.ourorg import OUR_COMPANY, OUR_DOMAIN, OurPerson, build_our_org, region_of
from crestline.demo.scales import AS_OF, YEARS, Scale
from crestline.demo.titles import lexicon, messy_title
from crestline.ingest.sfid import make_id

# Columns of each table the generator writes, in the order of the tuples it yields.
COLUMNS: dict[str, tuple[str, ...]] = {
    "offerings": ("id", "key", "name", "description"),
    "value_propositions": (
        "id",
        "offering_id",
        "theme",
        "headline",
        "target_functions",
        "proof_points",
    ),
    "sellers": (
        "id",
        "source",
        "external_id",
        "first_name",
        "last_name",
        "full_name",
        "title",
        "seniority",
        "function",
        "role",
        "territory",
        "email",
        "manager_id",
        "active",
        "updated_at",
    ),
    "users": ("id", "login", "password_hash", "role", "seller_id", "active", "created_at"),
    "accounts": (
        "id",
        "source",
        "external_id",
        "name",
        "domain",
        "industry",
        "employees",
        "annual_revenue_minor",
        "revenue_currency",
        "country",
        "city",
        "tier",
        "owner_id",
        "updated_at",
    ),
    "people": (
        "id",
        "source",
        "external_id",
        "account_id",
        "first_name",
        "last_name",
        "full_name",
        "title",
        "department",
        "reports_to_id",
        "email",
        "phone",
        "linkedin_url",
        "country",
        "company_name",
        "updated_at",
    ),
    "past_employments": (
        "id",
        "person_id",
        "company_name",
        "account_id",
        "started_on",
        "ended_on",
    ),
    "connections": (
        "id",
        "seller_id",
        "from_person_id",
        "person_id",
        "source",
        "first_seen",
        "last_seen",
        "count",
        "origin_source",
    ),
    "opportunities": (
        "id",
        "source",
        "external_id",
        "account_id",
        "owner_id",
        "offering_id",
        "name",
        "amount_minor",
        "currency",
        "stage",
        "probability",
        "forecast_category",
        "type",
        "created_on",
        "close_date",
        "is_closed",
        "is_won",
        "approach",
        "updated_at",
    ),
    "contact_roles": (
        "id",
        "source",
        "external_id",
        "opportunity_id",
        "person_id",
        "role",
        "is_primary",
        "updated_at",
    ),
    "activities": (
        "id",
        "source",
        "external_id",
        "kind",
        "occurred_at",
        "duration_minutes",
        "subject",
        "seller_id",
        "account_id",
        "opportunity_id",
        "updated_at",
    ),
    "activity_people": ("activity_id", "person_id"),
    "documents": (
        "id",
        "source",
        "external_id",
        "account_id",
        "kind",
        "title",
        "published_on",
        "language",
        "text",
        "updated_at",
    ),
    **EVENT_COLUMNS,
    "truth_people": (
        "person_id",
        "manager_id",
        "seniority",
        "function",
        "line_hidden",
        "title_hidden",
    ),
    "truth_deals": (
        "opportunity_id",
        "economic_buyer_id",
        "decision_maker_ids",
        "exec_engaged_early",
        "warm_path",
        "hierarchy_index",
        "win_probability",
    ),
    "truth_priorities": ("id", "document_id", "theme", "sentence", "char_start", "char_end"),
    "truth_facts": ("key", "value"),
}
TABLE_ORDER = tuple(COLUMNS)
STAMP = f"{AS_OF.isoformat()} 00:00:00.000000"
# How likely one of our sellers is connected to a person of each level (the peers they work with).
SENIORITY_WEIGHT = {
    "board": 0.3,
    "c_suite": 0.5,
    "evp": 0.8,
    "vp": 1.2,
    "director": 2.0,
    "manager": 2.0,
    "individual_contributor": 1.0,
    "entry": 0.3,
}
LINE_HIDDEN_SHARE = 0.15
TITLE_HIDDEN_SHARE = 0.03


@dataclass
class Batch:
    """Rows for several tables, to be written in ``TABLE_ORDER``."""

    rows: dict[str, list[tuple[object, ...]]] = field(default_factory=dict)
    accounts_done: int = 0

    def add(self, table: str, row: tuple[object, ...]) -> None:
        self.rows.setdefault(table, []).append(row)

    def extend(self, table: str, rows: list[tuple[object, ...]]) -> None:
        self.rows.setdefault(table, []).extend(rows)

    def count(self) -> int:
        return sum(len(r) for r in self.rows.values())


def _seed(seed: int, index: int) -> int:
    return seed * 1_000_003 + index * 7_919 + 17


@dataclass
class _State:
    """What later accounts need of earlier ones (kept small: two ints an account)."""

    person_start: list[int] = field(default_factory=list)
    person_count: list[int] = field(default_factory=list)
    next_person: int = 1
    next_connection: int = 1
    next_past: int = 1
    next_document: int = 1
    next_truth_priority: int = 1


class WorldGenerator:
    def __init__(
        self,
        scale: Scale,
        seed: int,
        *,
        password_hasher: Callable[[str], str],
    ) -> None:
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)
        self.hasher = password_hasher
        self.model = CausalModel()
        self.companies = make_companies(self.rng, scale.accounts, scale.people)
        self.ours = build_our_org(self.rng, scale.sellers, self.companies)
        self.names = vocab.names()
        self.english = lexicon("en")
        self.owners = self._assign_owners()
        self.catalogue = self._catalogue()
        self.deals = DealMaker(
            model=self.model,
            offerings=self.catalogue,
            ours=self.ours,
            as_of=AS_OF,
            years=YEARS,
            opportunities_per_account=scale.opportunities_per_account,
            activities_per_opportunity=scale.activities_per_opportunity,
            external_id=make_id,
            stamp=STAMP,
        )
        self.state = _State()
        self.teams: dict[str, list[OurPerson]] = {}
        for p in self.ours:
            if p.territory:
                self.teams.setdefault(p.territory, []).append(p)
        self.execs = [p for p in self.ours if p.role in ("ceo", "cro", "executive")]
        self.events = EventPlanner(seed, scale, self.ours, as_of=AS_OF, stamp=STAMP)

    # --- fixed parts ------------------------------------------------------------------------

    def _assign_owners(self) -> dict[int, OurPerson]:
        by_region: dict[str, list[OurPerson]] = {}
        for p in self.ours:
            if p.role == "account_executive" and p.territory:
                by_region.setdefault(p.territory, []).append(p)
        owners = {}
        for c in sorted(self.companies, key=lambda c: -c.employees):
            aes = by_region[region_of(c.country)]
            owners[c.id] = aes[c.index % len(aes)]
        return owners

    def _catalogue(self) -> list[Offering]:
        out = []
        for i, off in enumerate(vocab.documents()["catalogue"]["offerings"], start=1):
            props = off["value_propositions"]
            out.append(
                Offering(
                    id=i,
                    name=str(off["name"]),
                    themes=tuple(str(p["theme"]) for p in props),
                    functions=tuple(dict.fromkeys(f for p in props for f in p["target_functions"])),
                )
            )
        return out

    def header(self) -> Batch:
        """Offerings, our organisation, users, accounts and the facts of this world."""
        batch = Batch()
        vp_id = 0
        for i, off in enumerate(vocab.documents()["catalogue"]["offerings"], start=1):
            batch.add("offerings", (i, off["key"], off["name"], off.get("description")))
            for prop in off["value_propositions"]:
                vp_id += 1
                batch.add(
                    "value_propositions",
                    (
                        vp_id,
                        i,
                        prop["theme"],
                        prop["headline"],
                        json.dumps(prop["target_functions"]),
                        json.dumps(prop["proof_points"], ensure_ascii=False),
                    ),
                )
        for p in self.ours:
            batch.add(
                "sellers",
                (
                    p.id,
                    "demo",
                    make_id("005", p.id),
                    p.first_name,
                    p.last_name,
                    p.full_name,
                    p.title,
                    p.seniority,
                    p.function,
                    p.role,
                    p.territory,
                    p.email,
                    p.manager_id,
                    True,
                    STAMP,
                ),
            )
        cro = next(p for p in self.ours if p.role == "cro")
        ae = next(p for p in self.ours if p.role == "account_executive")
        for uid, (login, role, seller) in enumerate(
            (("admin", "admin", None), ("leader", "leader", cro.id), ("seller", "seller", ae.id)),
            start=1,
        ):
            batch.add("users", (uid, login, self.hasher("crestline"), role, seller, True, STAMP))
        for c in self.companies:
            batch.add(
                "accounts",
                (
                    c.id,
                    "demo",
                    make_id("001", c.id),
                    c.name,
                    c.domain,
                    c.industry,
                    c.employees,
                    c.revenue_usd * 100,
                    "USD",
                    c.country,
                    c.city,
                    c.tier,
                    self.owners[c.id].id,
                    STAMP,
                ),
            )
        facts = {
            "world": {
                "scale": self.scale.name,
                "seed": self.seed,
                "as_of": AS_OF.isoformat(),
                "years": YEARS,
                "our_company": OUR_COMPANY,
                "our_domain": OUR_DOMAIN,
                "accounts": len(self.companies),
                "line_hidden_share": LINE_HIDDEN_SHARE,
                "title_hidden_share": TITLE_HIDDEN_SHARE,
            },
            "causal_model": self.model.as_dict(),
        }
        for key, value in facts.items():
            batch.add("truth_facts", (key, json.dumps(value)))
        for table, rows in self.events.header_rows().items():
            batch.extend(table, rows)
        return batch

    # --- accounts, chunk by chunk -----------------------------------------------------------

    def batches(self) -> Iterator[Batch]:
        yield self.header()
        chunk = self.scale.chunk
        for start in range(0, len(self.companies), chunk):
            batch = Batch()
            for company in self.companies[start : start + chunk]:
                self._account(batch, company)
            batch.accounts_done = min(len(self.companies), start + chunk)
            yield batch

    def _account(self, batch: Batch, c: Company) -> None:
        rng = random.Random(_seed(self.seed, c.index))
        st = self.state
        nodes = build_org(
            rng,
            people=c.people,
            hierarchy=c.hierarchy,
            span=c.span,
            employees=c.employees,
            industry=c.industry,
        )
        base = st.next_person
        ids = [base + i for i in range(len(nodes))]
        st.person_start.append(base)
        st.person_count.append(len(nodes))
        st.next_person += len(nodes)
        local = lexicon(c.language)
        company_short = c.short_name
        used_emails: set[str] = set()
        roster: list[tuple[int, str, str, str | None, str | None, str, str]] = []
        depth = 0
        for i, node in enumerate(nodes):
            depth = max(depth, node.depth)
            lang = c.language if rng.random() < 0.85 else rng.choice(sorted(self.names))
            pool = self.names[lang]
            first = rng.choice(pool["first_names"])
            last = rng.choice(pool["last_names"])
            if node.depth == 1 and node.seniority == "individual_contributor":
                title: str | None = rng.choice(self.english.data["assistant_forms"]).replace(
                    "{chief}", "CEO"
                )
            else:
                title = messy_title(
                    rng,
                    local=local,
                    english=self.english,
                    english_share=c.english_share,
                    seniority=node.seniority,
                    function=node.function,
                    company=company_short,
                    is_top=i == 0,
                )
            title_hidden = rng.random() < TITLE_HIDDEN_SHARE
            if title_hidden:
                title = None
            manager = ids[node.manager] if node.manager >= 0 else None
            line_hidden = manager is not None and rng.random() < LINE_HIDDEN_SHARE
            handle = email_handle(first, last)
            email = None
            if rng.random() < 0.65:
                email = f"{handle}@{c.domain}"
                if email in used_emails:
                    email = f"{handle}{i}@{c.domain}"
                used_emails.add(email)
            linkedin = None
            if rng.random() < 0.55:
                slug = handle.replace(".", "-").replace("'", "")
                linkedin = f"https://www.linkedin.com/in/{slug}-{rng.getrandbits(24):06x}"
            phone = f"+{rng.randint(1, 99)} {rng.randint(100, 999)} {rng.randint(1000000, 9999999)}"
            department = None
            if node.seniority not in ("board", "c_suite") and rng.random() < 0.4:
                department = local.nouns(node.function)[0]
            batch.add(
                "people",
                (
                    ids[i],
                    "demo",
                    make_id("003", ids[i]),
                    c.id,
                    first,
                    last,
                    f"{first} {last}",
                    title,
                    department,
                    None if line_hidden else manager,
                    email,
                    phone if rng.random() < 0.4 else None,
                    linkedin,
                    c.country,
                    c.name,
                    STAMP,
                ),
            )
            batch.add(
                "truth_people",
                (ids[i], manager, node.seniority, node.function, line_hidden, title_hidden),
            )
            roster.append((ids[i], first, last, title, email, node.seniority, node.function))
        batch.extend("event_attendees", self.events.account_rows(c, roster))
        known = self._connections(rng, batch, c, nodes, ids)
        themes = account_themes(rng, c)
        view = AccountView(
            account_id=c.id,
            short_name=company_short,
            employees=c.employees,
            strategic=c.tier == "strategic",
            hierarchy=hierarchy_index(depth + 1, c.employees),
            themes=tuple(themes),
            people=ids,
            seniority=[n.seniority for n in nodes],
            function=[n.function for n in nodes],
            manager=[ids[n.manager] if n.manager >= 0 else -1 for n in nodes],
            known_by_us=known,
        )
        deals = self.deals.account_deals(rng, view, self.owners[c.id], region_of(c.country))
        batch.extend("opportunities", deals.opportunities)
        batch.extend("contact_roles", deals.contact_roles)
        batch.extend("activities", deals.activities)
        batch.extend("activity_people", deals.activity_people)
        batch.extend("truth_deals", deals.truth)
        for doc in write_documents(rng, c, themes, AS_OF):
            doc_id = st.next_document
            st.next_document += 1
            batch.add(
                "documents",
                (
                    doc_id,
                    "demo",
                    f"DOC-{doc_id:07d}",
                    c.id,
                    doc.kind,
                    doc.title,
                    doc.published_on.isoformat(),
                    "en",
                    doc.text,
                    STAMP,
                ),
            )
            for theme, sentence, start, end in doc.planted:
                batch.add(
                    "truth_priorities",
                    (st.next_truth_priority, doc_id, theme, sentence, start, end),
                )
                st.next_truth_priority += 1

    def _connections(
        self, rng: random.Random, batch: Batch, c: Company, nodes: list[OrgNode], ids: list[int]
    ) -> dict[int, list[int]]:
        """LinkedIn-like links: our people to theirs, colleagues, former colleagues."""
        st = self.state
        scale = self.scale
        n = len(ids)
        known: dict[int, list[int]] = {}
        region = region_of(c.country)
        team = self.teams[region]
        owner = self.owners[c.id]
        weights = [SENIORITY_WEIGHT[node.seniority] for node in nodes]
        execs = self.execs
        senior = [i for i, node in enumerate(nodes) if node.seniority in ("c_suite", "evp")]

        def link(seller: int | None, src: int | None, dst: int) -> None:
            since = AS_OF.toordinal() - rng.randint(30, 3_650)
            first = _iso(since)
            batch.add(
                "connections",
                (st.next_connection, seller, src, dst, "linkedin", first, first, 1, "demo"),
            )
            st.next_connection += 1

        pairs: set[tuple[int, int]] = set()
        for _ in range(round(scale.seller_links_per_person * n)):
            if senior and rng.random() < 0.02:
                who, target = rng.choice(execs), rng.choice(senior)
            else:
                who = owner if rng.random() < 0.3 else rng.choice(team)
                target = rng.choices(range(n), weights)[0]
            if (who.id, target) in pairs:
                continue
            pairs.add((who.id, target))
            known.setdefault(ids[target], []).append(who.id)
            link(who.id, None, ids[target])
        siblings: dict[int, list[int]] = {}
        for i, node in enumerate(nodes):
            siblings.setdefault(node.manager, []).append(i)
        per_person = scale.colleague_links_per_person
        done: set[tuple[int, int]] = set()
        for i, node in enumerate(nodes):
            manager = node.manager
            if manager >= 0 and rng.random() < 0.6:
                done.add((manager, i))
                link(None, ids[i], ids[manager])
            for _ in range(max(0, round(rng.gauss(per_person - 0.6, 1.0)))):
                group = siblings.get(manager, [])
                other = rng.choice(group) if group and rng.random() < 0.6 else rng.randrange(n)
                key = (min(i, other), max(i, other))
                if other != i and key not in done:
                    done.add(key)
                    link(None, ids[i], ids[other])
        if c.index > 0:
            for i in range(n):
                if rng.random() >= scale.alumni_share:
                    continue
                j = rng.randrange(c.index)
                prior = self.companies[j]
                start_j, count_j = st.person_start[j], st.person_count[j]
                ended = AS_OF.toordinal() - rng.randint(200, 3_000)
                batch.add(
                    "past_employments",
                    (
                        st.next_past,
                        ids[i],
                        prior.name,
                        prior.id,
                        _iso(ended - rng.randint(365, 3_000)),
                        _iso(ended),
                    ),
                )
                st.next_past += 1
                for _ in range(rng.randint(1, 4)):
                    link(None, ids[i], start_j + rng.randrange(count_j))
        return known


def _iso(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()
