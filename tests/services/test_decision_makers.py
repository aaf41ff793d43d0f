"""Decision-makers on SQLite and PostgreSQL: stored insights, incremental refresh, corrections,
and accuracy floors against the small demo world's hidden truth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, update

from crestline.db.database import Database, open_database
from crestline.db.models import (
    Account,
    AccountInsight,
    ContactRole,
    Opportunity,
    Person,
    PersonAssessment,
    PersonInsight,
    Seller,
    User,
)
from crestline.demo.scales import SCALES
from crestline.errors import BadInputError, ConflictError, NotFoundError
from crestline.reports.orgchart import to_dot
from crestline.services.auth.auth import LOCAL_ADMIN, Actor
from crestline.services.decisions.decision_makers import (
    add_influence,
    assess_person,
    decision_makers,
    remove_influence,
    set_role,
)
from crestline.services.decisions.insights import refresh_insights
from crestline.services.demo.setup import build_demo_world
from crestline.services.demo.truth_scores import score_against_truth


@pytest.fixture
def world(db_url: str) -> Iterator[Database]:
    """A small demo world of one's own, to write to."""
    db = open_database(db_url)
    build_demo_world(db, LOCAL_ADMIN, scale=SCALES["small"], seed=7)
    yield db
    db.close()


def test_the_demo_world_comes_with_insights_for_everyone(small_world: Database) -> None:
    with small_world.reader() as session:
        people = session.scalar(select(func.count()).select_from(Person))
        assert session.scalar(select(func.count()).select_from(PersonInsight)) == people
        accounts = session.scalar(select(func.count()).select_from(Account))
        assert session.scalar(select(func.count()).select_from(AccountInsight)) == accounts
        inferred = session.scalars(
            select(PersonInsight).where(PersonInsight.line_source == "inferred")
        ).all()
        assert inferred and all(0 < i.line_confidence < 1 and i.line_reason for i in inferred)
        ranks = session.execute(
            select(PersonInsight.account_id, func.min(PersonInsight.power_rank)).group_by(
                PersonInsight.account_id
            )
        ).all()
        assert {r for _, r in ranks} == {1}
        factors = session.scalars(select(PersonInsight.power_factors).limit(1)).one()
        assert {name for name, _, _ in factors} >= {"seniority", "reach", "engagement"}


def test_refresh_recomputes_only_the_accounts_that_changed(world: Database) -> None:
    with world.transaction() as session:
        conn = session.connection()
        assert refresh_insights(conn).refreshed == 0
        person = session.scalars(select(Person).order_by(Person.id).limit(1)).one()
        before = session.get(PersonInsight, person.id)
        assert before is not None
        session.execute(
            update(Person).where(Person.id == person.id).values(title="Chief Executive Officer")
        )
        summary = refresh_insights(conn)
        assert (summary.refreshed, summary.accounts) == (1, 25)
        session.expire_all()
        after = session.get(PersonInsight, person.id)
        assert after is not None and after.title_seniority == "c_suite"
        assert refresh_insights(conn).refreshed == 0


def test_corrections_are_kept_apart_and_shown_beside_the_inferred_value(world: Database) -> None:
    with world.transaction() as session:
        inferred = session.scalars(
            select(PersonInsight).where(PersonInsight.line_source == "inferred").limit(1)
        ).one()
        pid, account = inferred.person_id, inferred.account_id
        top = session.get(AccountInsight, account)
        assert top is not None and top.top_person_id is not None
        title_level = inferred.title_seniority
        new_level = "c_suite" if title_level != "c_suite" else "evp"
        assess_person(
            session,
            LOCAL_ADMIN,
            pid,
            changes={"seniority": new_level, "manager_id": top.top_person_id, "support": "Mentor"},
        )
    with world.reader() as session:
        dm = decision_makers(session, LOCAL_ADMIN, str(account))
        p = dm.person(pid)
        assert (p.seniority, p.title_seniority, p.level_source) == (
            new_level,
            title_level,
            "confirmed",
        )
        assert (p.manager_id, p.line_source, p.support) == (
            top.top_person_id,
            "confirmed",
            "mentor",
        )
        # what Crestline would infer, and what the CRM says (nothing), stay visible beside it
        assert p.inferred_manager_id is not None and p.inferred_line_reason
        assert p.crm_manager_id is None
        stored = session.get(PersonInsight, pid)
        assert stored is not None and stored.level_source == "confirmed"
        assert stored.line_source == "confirmed"
    with world.transaction() as session:  # an empty value clears the correction
        assess_person(session, LOCAL_ADMIN, pid, changes={"seniority": "", "manager_id": None})
    with world.reader() as session:
        p = decision_makers(session, LOCAL_ADMIN, str(account)).person(pid)
        assert p.level_source != "confirmed" and p.line_source == "inferred"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"support": "fan"}, "support 'fan' is not one of"),
        ({"seniority": "king"}, "seniority 'king' is not one of"),
        ({"manager_id": "x"}, "manager 'x' is not a person id"),
        ({"colour": "red"}, "cannot set colour on a person"),
    ],
)
def test_bad_corrections_are_refused_with_nothing_written(
    small_world: Database, changes: dict[str, str], message: str
) -> None:
    with small_world.reader() as session:
        pid = session.scalars(select(Person.id).limit(1)).one()
    with pytest.raises(BadInputError, match=message), small_world.transaction() as session:
        assess_person(session, LOCAL_ADMIN, pid, changes=dict(changes))
    with small_world.reader() as session:
        assert session.get(PersonAssessment, pid) is None


def test_a_manager_from_another_account_is_refused(small_world: Database) -> None:
    with small_world.reader() as session:
        a = session.scalars(select(Person).order_by(Person.id.desc()).limit(1)).one()
        other = session.scalars(
            select(Person.id).where(Person.account_id != a.account_id).limit(1)
        ).one()
    refused = pytest.raises(BadInputError, match="not at the same account")
    with refused, small_world.transaction() as session:
        assess_person(session, LOCAL_ADMIN, a.id, changes={"manager_id": other})


def test_a_recorded_role_fills_the_committee(world: Database) -> None:
    with world.reader() as session:
        opp = session.scalars(
            select(Opportunity).where(Opportunity.is_closed.is_(False)).order_by(Opportunity.id)
        ).first()
        assert opp is not None
        person = session.scalars(
            select(Person.id).where(Person.account_id == opp.account_id).limit(1)
        ).one()
    with world.transaction() as session:
        set_role(session, LOCAL_ADMIN, opp.id, person, "executive sponsor")
        set_role(session, LOCAL_ADMIN, opp.id, person, "Executive Sponsor")  # replaces, no twin
    with world.reader() as session:
        rows = session.scalars(
            select(ContactRole).where(
                ContactRole.opportunity_id == opp.id, ContactRole.source == "crestline"
            )
        ).all()
        assert [r.role for r in rows] == ["Executive Sponsor"]
        dm = decision_makers(session, LOCAL_ADMIN, str(opp.account_id))
        coverage = next(o for o in dm.opportunities if o.id == opp.id).committee
        assert person in {i for i, _ in coverage.role("executive_sponsor").people}
    refused = pytest.raises(BadInputError, match="role 'king' is not one of")
    with refused, world.transaction() as session:
        set_role(session, LOCAL_ADMIN, opp.id, person, "king")


def test_a_seller_cannot_correct_outside_their_scope(small_world: Database) -> None:
    with small_world.reader() as session:
        user = session.scalars(select(User).where(User.role == "seller").limit(1)).one()
        seller = session.get(Seller, user.seller_id)
        assert seller is not None
        outside = session.scalars(
            select(Person.id)
            .join(Account, Account.id == Person.account_id)
            .where(Account.owner_id != seller.id)
            .limit(1)
        ).one()
    actor = Actor(login=user.login, role="seller", seller_id=seller.id)
    # answered as a person who is not there: ids outside one's scope cannot be probed
    missing = f"no person with id {outside} at an account"
    with pytest.raises(NotFoundError, match=missing), small_world.transaction() as session:
        assess_person(session, actor, outside, changes={"support": "mentor"})


def test_accuracy_floors_on_the_small_world(small_world: Database) -> None:
    """Floors a little under what is measured; the demo-scale figures are in the benchmark."""
    with small_world.engine.connect() as conn:
        scores = score_against_truth(conn)
    assert scores.opportunities > 100 and scores.inferred_lines > 100
    # blind: the deal's own recorded roles and touches hidden (measured 66 % here, 80 % at demo
    # scale); with them the engine would only be reading back the answer the generator wrote
    assert scores.buyer_top3_blind >= 0.6
    assert scores.buyer_top3_with_crm_roles > scores.buyer_top3_blind
    assert scores.true_ancestor >= scores.exact_manager >= 0.2


def test_influence_lines_outside_the_hierarchy(world: Database) -> None:
    with world.reader() as session:
        account = session.scalars(select(Account.id).order_by(Account.id).limit(1)).one()
        a, b = session.scalars(
            select(Person.id).where(Person.account_id == account).order_by(Person.id).limit(2)
        ).all()
        elsewhere = session.scalars(
            select(Person.id).where(Person.account_id != account).limit(1)
        ).one()
    with world.transaction() as session:
        add_influence(session, LOCAL_ADMIN, b, a, strength="high", note="old friends")
        add_influence(session, LOCAL_ADMIN, b, a, strength="Low")  # updates, no twin
    with world.reader() as session:
        dm = decision_makers(session, LOCAL_ADMIN, str(account))
        (line,) = dm.influence
        assert (line.from_id, line.to_id, line.strength, line.note) == (b, a, "low", None)
        assert dm.as_dict()["influence_lines"][0]["to_name"] == dm.person(a).name
        drawn = to_dot(dm, budget=500)
        assert f"p{b} -> p{a} [style=dotted" in drawn
    for args, message in (
        ((a, a), "cannot influence themself"),
        ((a, elsewhere), "not at the same account"),
    ):
        with pytest.raises(BadInputError, match=message), world.transaction() as session:
            add_influence(session, LOCAL_ADMIN, *args)
    with world.transaction() as session:
        remove_influence(session, LOCAL_ADMIN, b, a)
        with pytest.raises(NotFoundError, match="no influence line"):
            remove_influence(session, LOCAL_ADMIN, b, a)


def test_a_person_who_moves_to_another_account_is_refreshed_in_both(world: Database) -> None:
    with world.transaction() as session:
        conn = session.connection()
        first, second = session.scalars(select(Account.id).order_by(Account.id).limit(2)).all()
        mover = session.scalars(
            select(Person.id).where(Person.account_id == first).order_by(Person.id.desc())
        ).first()
        session.execute(update(Person).where(Person.id == mover).values(account_id=second))
        summary = refresh_insights(conn)
        assert summary.refreshed == 2  # the account they joined and the one they left
        session.expire_all()
        moved = session.get(PersonInsight, mover)
        assert moved is not None and moved.account_id == second
        left = session.scalars(
            select(func.count()).select_from(PersonInsight).where(PersonInsight.account_id == first)
        ).one()
        there = session.scalars(
            select(func.count()).select_from(Person).where(Person.account_id == first)
        ).one()
        assert left == there


def test_engagement_is_measured_on_the_day_asked(small_world: Database) -> None:
    with small_world.reader() as session:
        account = session.scalars(select(Account.id).order_by(Account.id).limit(1)).one()
        today = decision_makers(session, LOCAL_ADMIN, str(account))
        early = decision_makers(session, LOCAL_ADMIN, str(account), as_of=dt.date(2022, 1, 1))
        assert early.as_of == dt.date(2022, 1, 1)
        assert all(p.last_touch is None or p.last_touch <= "2022-01-01" for p in early.people)
        assert sum(p.engaged for p in today.people) >= sum(p.engaged for p in early.people)


def test_a_confirmed_line_that_would_make_a_cycle_is_refused(world: Database) -> None:
    with world.reader() as session:
        person = session.scalars(
            select(Person).where(Person.reports_to_id.is_not(None)).order_by(Person.id).limit(1)
        ).one()
        pid, manager = person.id, person.reports_to_id
    refused = pytest.raises(ConflictError, match="would make a cycle")
    with refused, world.transaction() as session:
        assess_person(session, LOCAL_ADMIN, manager, changes={"manager_id": pid})
    with world.reader() as session:
        assert session.get(PersonAssessment, manager) is None


def test_a_correction_as_the_account_page_sends_it(small_world: Database) -> None:
    from crestline.services.accounts.people import correct_at_account

    with small_world.reader() as session:
        account = session.scalars(select(Account.id).order_by(Account.id).limit(1)).one()
        person, boss = session.execute(
            select(Person.id, Person.full_name)
            .where(Person.account_id == account)
            .order_by(Person.id)
            .limit(2)
        ).all()
    with small_world.transaction() as session:
        done = correct_at_account(
            session,
            LOCAL_ADMIN,
            account,
            person[0],
            manager=f"{boss[1]} #{boss[0]}",
            values={"support": "mentor", "seniority": ""},
        )
    assert done.manager == boss[1] and done.name == person[1]
    with small_world.reader() as session:
        found = decision_makers(session, LOCAL_ADMIN, str(account))
    mine = next(p for p in found.people if p.id == person[0])
    assert (mine.support, mine.manager_id) == ("mentor", boss[0])
    with pytest.raises(NotFoundError), small_world.transaction() as session:
        correct_at_account(session, LOCAL_ADMIN, account + 10_000, person[0], manager="", values={})
