"""Accounts: listing with search and paging, one account with its people and reporting lines."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from crestline.db.models import Account, Opportunity, Person, Seller
from crestline.errors import AmbiguousError, NotFoundError
from crestline.services.auth.auth import Actor
from crestline.services.auth.policy import in_scope, scoped, visible_owner_ids

MAX_CANDIDATES = 8
IN_CHUNK = 1_000  # ids a query's IN list holds at the most


@dataclass(frozen=True)
class AccountRow:
    id: int
    name: str
    domain: str | None
    industry: str | None
    employees: int | None
    country: str | None
    tier: str | None
    owner: str | None
    people: int


@dataclass(frozen=True)
class AccountPage:
    items: list[AccountRow]
    total: int
    limit: int
    offset: int


@dataclass
class PersonNode:
    id: int
    name: str
    title: str | None
    seniority: str | None
    function: str | None
    email: str | None
    reports_to_id: int | None
    reports: list[PersonNode] = field(default_factory=list)

    def size(self) -> int:
        return 1 + sum(r.size() for r in self.reports)


@dataclass(frozen=True)
class DealSummary:
    open: int
    won: int
    lost: int
    open_amount_minor: int
    won_amount_minor: int
    currency: str


@dataclass(frozen=True)
class AccountFacts:
    """An account's facts and deals, without its people (a few indexed reads at any size)."""

    account: AccountRow
    city: str | None
    annual_revenue_minor: int | None
    revenue_currency: str | None
    source: str
    external_id: str | None
    deals: DealSummary


@dataclass(frozen=True)
class TreeRow:
    """One person in reporting-line order: how deep under the top of their tree, how many
    below them, and the chain of managers above them (ids)."""

    id: int
    name: str
    title: str | None
    seniority: str | None
    depth: int
    below: int
    above: tuple[int, ...]


@dataclass(frozen=True)
class AccountDetail:
    account: AccountRow
    city: str | None
    annual_revenue_minor: int | None
    revenue_currency: str | None
    source: str
    external_id: str | None
    people: list[PersonNode]  # every person, flat, by name
    roots: list[PersonNode]  # reporting trees: people with no known manager at the account
    deals: DealSummary

    @property
    def known_lines(self) -> int:
        return sum(1 for p in self.people if p.reports_to_id is not None)

    def as_dict(self) -> dict[str, object]:
        """The stable JSON shape: ``account`` facts, ``deals``, and ``people`` (flat)."""
        return {
            "account": {
                **asdict(self.account),
                "city": self.city,
                "annual_revenue_minor": self.annual_revenue_minor,
                "revenue_currency": self.revenue_currency,
                "source": self.source,
                "external_id": self.external_id,
            },
            "deals": asdict(self.deals),
            "people": [
                {
                    "id": p.id,
                    "name": p.name,
                    "title": p.title,
                    "seniority": p.seniority,
                    "function": p.function,
                    "email": p.email,
                    "reports_to_id": p.reports_to_id,
                }
                for p in self.people
            ],
        }


def _rows(session: Session, accounts: list[Account]) -> list[AccountRow]:
    ids = [a.id for a in accounts]
    counts: dict[int | None, int] = {}
    for start in range(0, len(ids), IN_CHUNK):
        counts.update(
            session.execute(
                select(Person.account_id, func.count())
                .where(Person.account_id.in_(ids[start : start + IN_CHUNK]))
                .group_by(Person.account_id)
            ).all()
        )
    owner_ids = {a.owner_id for a in accounts if a.owner_id is not None}
    owners: dict[int, str] = dict(
        session.execute(select(Seller.id, Seller.full_name).where(Seller.id.in_(owner_ids))).all()
    )
    return [
        AccountRow(
            id=a.id,
            name=a.name,
            domain=a.domain,
            industry=a.industry,
            employees=a.employees,
            country=a.country,
            tier=a.tier,
            owner=owners.get(a.owner_id) if a.owner_id is not None else None,
            people=counts.get(a.id, 0),
        )
        for a in accounts
    ]


def list_accounts(
    session: Session,
    actor: Actor,
    *,
    search: str | None = None,
    limit: int | None = 50,
    offset: int = 0,
) -> AccountPage:
    """The accounts ``actor`` may see, by name; ``search`` matches name, domain or industry.

    ``limit`` None means every account from ``offset`` on.
    """
    owners = visible_owner_ids(session, actor)
    stmt = scoped(select(Account), owners)
    if search:
        needle = search.strip().lower()  # % and _ are letters here, not wildcards
        stmt = stmt.where(
            or_(
                func.lower(Account.name).contains(needle, autoescape=True),
                func.lower(Account.domain).contains(needle, autoescape=True),
                func.lower(Account.industry).contains(needle, autoescape=True),
            )
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = list(
        session.scalars(stmt.order_by(Account.name, Account.id).limit(limit).offset(offset))
    )
    return AccountPage(
        items=_rows(session, page), total=total, limit=limit or len(page), offset=offset
    )


def resolve_account(session: Session, actor: Actor, key: str) -> Account:
    """An account by id, exact name (case-insensitive) or domain; ambiguity lists candidates."""
    key = key.strip()
    owners = visible_owner_ids(session, actor)
    found: list[Account] = []
    if key.isdigit():
        account = session.get(Account, int(key))
        if account is not None:
            found = [account]
    if not found:
        found = list(
            session.scalars(
                scoped(select(Account), owners)
                .where(
                    or_(
                        func.lower(Account.name) == key.lower(),
                        func.lower(Account.domain) == key.lower(),
                    )
                )
                .order_by(Account.id)
                .limit(MAX_CANDIDATES + 1)
            )
        )
    # an account out of scope is answered as one that is not there (ids cannot be probed)
    found = [a for a in found if in_scope(owners, a.owner_id)]
    if not found:
        raise NotFoundError(f"no account named {key!r} (try `crestline accounts list --search`)")
    if len(found) > 1:
        names = "; ".join(f"{a.id} {a.name} ({a.domain or a.country or '-'})" for a in found)
        raise AmbiguousError(f"{key!r} names {len(found)} accounts: {names} — use an id")
    return found[0]


def _deal_summary(session: Session, account_id: int) -> DealSummary:
    row = session.execute(
        select(
            func.sum(case((Opportunity.is_closed.is_(False), 1), else_=0)),
            func.sum(case((Opportunity.is_won.is_(True), 1), else_=0)),
            func.sum(
                case((Opportunity.is_closed.is_(True) & Opportunity.is_won.is_(False), 1), else_=0)
            ),
            func.sum(case((Opportunity.is_closed.is_(False), Opportunity.amount_minor), else_=0)),
            func.sum(case((Opportunity.is_won.is_(True), Opportunity.amount_minor), else_=0)),
            func.max(Opportunity.currency),
        ).where(Opportunity.account_id == account_id)
    ).one()
    return DealSummary(
        open=int(row[0] or 0),
        won=int(row[1] or 0),
        lost=int(row[2] or 0),
        open_amount_minor=int(row[3] or 0),
        won_amount_minor=int(row[4] or 0),
        currency=row[5] or "USD",
    )


def _cut_cycles(
    people: list[PersonNode], roots: list[PersonNode], by_id: dict[int, PersonNode]
) -> None:
    """People on a reporting cycle are reachable from no root: cut the cycle, make them roots."""
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        seen.add(node.id)
        stack.extend(node.reports)
    for person in people:
        if person.id in seen:
            continue
        manager = by_id.get(person.reports_to_id) if person.reports_to_id else None
        if manager is not None:
            manager.reports.remove(person)
        roots.append(person)
        stack = [person]
        while stack:
            node = stack.pop()
            seen.add(node.id)
            stack.extend(r for r in node.reports if r.id not in seen)


def account_facts(session: Session, actor: Actor, key: str) -> AccountFacts:
    """One account's facts and a summary of its deals."""
    account = resolve_account(session, actor, key)
    return AccountFacts(
        account=_rows(session, [account])[0],
        city=account.city,
        annual_revenue_minor=account.annual_revenue_minor,
        revenue_currency=account.revenue_currency,
        source=account.source,
        external_id=account.external_id,
        deals=_deal_summary(session, account.id),
    )


def reporting_trees(people: list[PersonNode]) -> list[PersonNode]:
    """The roots of the reporting trees of ``people`` (given in the order reports are listed):
    people with no known manager among them, or on a cycle (cut); the biggest tree first."""
    by_id = {p.id: p for p in people}
    roots: list[PersonNode] = []
    for person in people:
        manager = by_id.get(person.reports_to_id) if person.reports_to_id is not None else None
        if manager is None or manager is person:
            roots.append(person)
        else:
            manager.reports.append(person)
    _cut_cycles(people, roots, by_id)
    sizes: dict[int, int] = {}
    for node in reversed(_preorder(roots)):
        sizes[node.id] = 1 + sum(sizes[r.id] for r in node.reports)
    roots.sort(key=lambda p: (-sizes[p.id], p.name))
    return roots


def _preorder(roots: list[PersonNode]) -> list[PersonNode]:
    out: list[PersonNode] = []
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.reports))
    return out


def reporting_rows(roots: list[PersonNode]) -> list[TreeRow]:
    """The trees flattened in reading order (each person, then their reports), with depths."""
    out: list[TreeRow] = []
    below: dict[int, int] = {}
    for node in reversed(_preorder(roots)):
        below[node.id] = sum(1 + below[r.id] for r in node.reports)
    stack: list[tuple[PersonNode, tuple[int, ...]]] = [(r, ()) for r in reversed(roots)]
    while stack:
        node, above = stack.pop()
        out.append(
            TreeRow(
                node.id, node.name, node.title, node.seniority, len(above), below[node.id], above
            )
        )
        chain = (*above, node.id)
        stack.extend((r, chain) for r in reversed(node.reports))
    return out


def get_account(session: Session, actor: Actor, key: str) -> AccountDetail:
    """One account with its people, grouped by reporting line where it is known."""
    facts = account_facts(session, actor, key)
    people = [
        PersonNode(*row)
        for row in session.execute(
            select(
                Person.id,
                Person.full_name,
                Person.title,
                Person.seniority,
                Person.function,
                Person.email,
                Person.reports_to_id,
            )
            .where(Person.account_id == facts.account.id)
            .order_by(Person.full_name)
        )
    ]
    roots = reporting_trees(people)
    return AccountDetail(
        account=facts.account,
        city=facts.city,
        annual_revenue_minor=facts.annual_revenue_minor,
        revenue_currency=facts.revenue_currency,
        source=facts.source,
        external_id=facts.external_id,
        people=people,
        roots=roots,
        deals=facts.deals,
    )
