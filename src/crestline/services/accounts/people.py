"""One person at an account as Crestline reads them: level and function (with what was
confirmed), reporting line, reports, and power with its factors; and finding someone at an
account by a few letters of their name or title (the forms' person fields)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crestline.db.models import Person
from crestline.errors import AmbiguousError, BadInputError, NotFoundError
from crestline.services.accounts.accounts import AccountDetail, get_account, resolve_account
from crestline.services.auth.auth import Actor
from crestline.services.decisions.decision_makers import (
    Assessment,
    DecisionMakers,
    InfluenceRecorded,
    RankedPerson,
    RoleRecorded,
    add_influence,
    assess_person,
    decision_makers,
    remove_influence,
    resolve_person,
    set_role,
)
from crestline.services.paths.relationship_graph import RelationshipGraph
from crestline.services.paths.warm_paths import TargetPaths, warm_paths


@dataclass(frozen=True)
class PersonRef:
    id: int
    name: str
    title: str | None


@dataclass(frozen=True)
class PersonView:
    account_id: int
    account_name: str
    email: str | None
    linkedin_url: str | None
    ranked: RankedPerson  # level, function, the title's reading, line, power and its factors
    confirmed: tuple[str | None, str | None, int | None]  # seniority, function, manager
    manager: PersonRef | None
    reports: list[PersonRef]
    people: int  # at the account


def person_view(session: Session, actor: Actor, person_id: int) -> PersonView:
    """The person ``person_id`` in the actor's scope, from one analysis of their account."""
    person = resolve_person(session, actor, str(person_id))
    dm = decision_makers(session, actor, str(person.account_id), committees=False)
    by_id = {p.id: p for p in dm.people}
    ranked = by_id.get(person.id)
    if ranked is None:
        raise NotFoundError(f"no person with id {person_id} at {dm.account_name}")
    manager = by_id.get(ranked.manager_id) if ranked.manager_id is not None else None
    reports = sorted(
        (p for p in dm.people if p.manager_id == person.id), key=lambda p: (p.rank, p.id)
    )
    return PersonView(
        account_id=dm.account_id,
        account_name=dm.account_name,
        email=person.email,
        linkedin_url=person.linkedin_url,
        ranked=ranked,
        confirmed=dm.confirmed.get(person.id) or (None, None, None),
        manager=PersonRef(manager.id, manager.name, manager.title) if manager else None,
        reports=[PersonRef(p.id, p.name, p.title) for p in reports],
        people=len(dm.people),
    )


def person_paths(
    session: Session,
    actor: Actor,
    person_id: int,
    *,
    from_seller: str | None = None,
    execs_only: bool = False,
    k: int = 3,
    max_hops: int = 4,
    graph: RelationshipGraph | None = None,
) -> TargetPaths:
    """The warm paths to one person in the actor's scope (the options of :func:`warm_paths`)."""
    person = resolve_person(session, actor, str(person_id))
    (found,) = warm_paths(
        session,
        actor,
        str(person.account_id),
        to=str(person.id),
        from_seller=from_seller,
        execs_only=execs_only,
        k=k,
        max_hops=max_hops,
        graph=graph,
    )
    return found


SEARCH_LIMIT = 20
_TRAILING_ID = re.compile(r"#(\d+)\s*$")


def find_people(
    session: Session, actor: Actor, account: str, text: str, *, limit: int = SEARCH_LIMIT
) -> list[PersonRef]:
    """People at the account whose name or title holds ``text`` (any case), by name; an id
    (``123`` or ``#123``) finds that person."""
    found = resolve_account(session, actor, account)
    text = text.strip()
    stmt = select(Person.id, Person.full_name, Person.title).where(Person.account_id == found.id)
    wanted = _TRAILING_ID.search(text)
    if text.isdigit() or wanted:
        stmt = stmt.where(Person.id == int(wanted.group(1) if wanted else text))
    elif text:
        needle = text.lower()
        stmt = stmt.where(
            or_(
                func.lower(Person.full_name).contains(needle, autoescape=True),
                func.lower(Person.title).contains(needle, autoescape=True),
            )
        )
    rows = session.execute(stmt.order_by(Person.full_name, Person.id).limit(limit))
    return [PersonRef(pid, name, title) for pid, name, title in rows]


def name_at(session: Session, account_id: int, person_id: int) -> str:
    """The name of a person at the account; not found when they are not there."""
    name = session.scalar(
        select(Person.full_name).where(Person.id == person_id, Person.account_id == account_id)
    )
    if name is None:
        raise NotFoundError(f"no person {person_id} at account {account_id}")
    return name


def person_key(session: Session, account_id: int, key: str, *, name: str = "person") -> int | None:
    """The person a form's field names: an id, a suggestion's ``Name #id``, or an exact name at
    the account (any case); None when the field is blank. Ids are checked by the service that
    uses them."""
    key = key.strip()
    if not key:
        return None
    wanted = _TRAILING_ID.search(key)
    if key.isdigit() or wanted:
        return int(wanted.group(1) if wanted else key)
    ids = list(
        session.scalars(
            select(Person.id)
            .where(Person.account_id == account_id, func.lower(Person.full_name) == key.lower())
            .order_by(Person.id)
            .limit(9)
        )
    )
    if not ids:
        raise BadInputError(f"{name} {key!r}: nobody of that name at this account")
    if len(ids) > 1:
        listed = ", ".join(f"#{i}" for i in ids)
        raise AmbiguousError(f"{name} {key!r} names {len(ids)} people ({listed}): pick one")
    return ids[0]


@dataclass(frozen=True)
class Corrected:
    """A correction made from the account page: whose, and the manager it named (if any)."""

    name: str
    manager: str | None


def correct_at_account(
    session: Session,
    actor: Actor,
    account_id: int,
    person_id: int,
    *,
    manager: str,
    values: Mapping[str, str],
) -> Corrected:
    """Record what our people know of someone at an account, as the account page's row editor
    sends it: ``values`` by field (blank clears one), ``manager`` as the "reports to" field holds
    it (a name at the account, a suggestion's ``Name #id``, an id, or blank). Flushes; the
    caller commits."""
    resolve_account(session, actor, str(account_id))
    name = name_at(session, account_id, person_id)
    manager_id = person_key(session, account_id, manager, name="reports to")
    changes: dict[str, str | int | None] = {
        **values,
        "manager_id": str(manager_id) if manager_id is not None else "",
    }
    assess_person(session, actor, person_id, changes=changes)
    boss = name_at(session, account_id, manager_id) if manager_id is not None else None
    return Corrected(name, boss)


def _someone(session: Session, account_id: int, key: str, field: str) -> int:
    """The person a form's required person field names."""
    found = person_key(session, account_id, key, name=field)
    if found is None:
        raise BadInputError(f"{field}: name someone at this account (a name or #id)")
    return found


@dataclass(frozen=True)
class RoleAtAccount:
    """A buying role recorded from the account page: whose, and the role as recorded."""

    name: str
    role: str


def role_at_account(
    session: Session, actor: Actor, account_id: int, opportunity_id: int, *, person: str, role: str
) -> RoleAtAccount:
    """Record ``person``'s buying role on one of the account's opportunities, as the account
    page's form sends it: ``person`` is a name at the account, a suggestion's ``Name #id`` or an
    id. Flushes; the caller commits."""
    resolve_account(session, actor, str(account_id))
    person_id = _someone(session, account_id, person, "person")
    name = name_at(session, account_id, person_id)
    recorded = set_role(session, actor, opportunity_id, person_id, role).role
    return RoleAtAccount(name, recorded)


@dataclass(frozen=True)
class InfluenceAtAccount:
    """An influence line added or removed from the account page: who sways whom, how much."""

    source: str
    target: str
    strength: str | None = None


def influence_at_account(
    session: Session,
    actor: Actor,
    account_id: int,
    *,
    source: str,
    target: str,
    strength: str,
    note: str,
) -> InfluenceAtAccount:
    """Record that ``source`` sways ``target`` (both named as a person field holds them: a name
    at the account, ``Name #id`` or an id), as the account page's influence form sends it; a
    blank note is none. Flushes; the caller commits."""
    resolve_account(session, actor, str(account_id))
    source_id = _someone(session, account_id, source, "who")
    target_id = _someone(session, account_id, target, "sways whom")
    source_name = name_at(session, account_id, source_id)
    line = add_influence(
        session, actor, source_id, target_id, strength=strength, note=note.strip() or None
    )
    return InfluenceAtAccount(source_name, name_at(session, account_id, target_id), line.strength)


def remove_influence_at_account(
    session: Session, actor: Actor, account_id: int, from_id: int, to_id: int
) -> InfluenceAtAccount:
    """Remove the influence line from ``from_id`` to ``to_id``, both at the account. Flushes; the
    caller commits."""
    resolve_account(session, actor, str(account_id))
    source, target = name_at(session, account_id, from_id), name_at(session, account_id, to_id)
    remove_influence(session, actor, from_id, to_id)
    return InfluenceAtAccount(source, target)


# --- the same corrections, as the command line names people: an id, an e-mail or an exact name


@dataclass(frozen=True)
class AssessedByKey:
    name: str
    assessment: Assessment


def assess_by_key(
    session: Session, actor: Actor, person: str, *, changes: dict[str, str | int | None]
) -> AssessedByKey:
    """Record what our people know of ``person`` (an id, e-mail or exact name). Flushes."""
    found = resolve_person(session, actor, person)
    return AssessedByKey(found.full_name, assess_person(session, actor, found.id, changes=changes))


@dataclass(frozen=True)
class RoleByKey:
    name: str
    recorded: RoleRecorded


def role_by_key(
    session: Session, actor: Actor, person: str, opportunity_id: int, role: str
) -> RoleByKey:
    """Record ``person``'s buying role on an opportunity of their account. Flushes."""
    found = resolve_person(session, actor, person)
    return RoleByKey(found.full_name, set_role(session, actor, opportunity_id, found.id, role))


@dataclass(frozen=True)
class InfluenceByKey:
    source: str
    target: str
    recorded: InfluenceRecorded | None = None  # the line as recorded, when one was added
    removed: bool | None = None  # with remove: whether there was a line to remove


def influence_by_key(
    session: Session,
    actor: Actor,
    person: str,
    on: str,
    *,
    strength: str = "medium",
    note: str | None = None,
    remove: bool = False,
) -> InfluenceByKey:
    """Record that ``person`` sways ``on`` (both an id, e-mail or exact name), or remove that
    line: removing one that is not there is said, not refused. Flushes."""
    source = resolve_person(session, actor, person)
    target = resolve_person(session, actor, on)
    if remove:
        try:
            remove_influence(session, actor, source.id, target.id)
        except NotFoundError:
            return InfluenceByKey(source.full_name, target.full_name, removed=False)
        return InfluenceByKey(source.full_name, target.full_name, removed=True)
    recorded = add_influence(session, actor, source.id, target.id, strength=strength, note=note)
    return InfluenceByKey(source.full_name, target.full_name, recorded=recorded)


@dataclass(frozen=True)
class AccountShown:
    """One account as ``crestline account show`` prints it: facts, people, who decides."""

    detail: AccountDetail
    decision_makers: DecisionMakers


def account_shown(
    session: Session, actor: Actor, account: str, *, as_of: dt.date | None = None
) -> AccountShown:
    detail = get_account(session, actor, account)
    ranked = decision_makers(session, actor, str(detail.account.id), as_of=as_of)
    return AccountShown(detail, ranked)
