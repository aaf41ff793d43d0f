"""Power ranking and buying-committee coverage."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crestline.engines.committee import Participant, Suggestion, assess
from crestline.engines.influence import (
    DEFAULT_WEIGHTS,
    Stakeholder,
    likely_signers,
    rank_power,
)

AS_OF = dt.date(2026, 9, 30)
PEOPLE = [
    Stakeholder(1, "Ceo", "c_suite", "general_management", subtree=40),
    Stakeholder(2, "Cfo", "c_suite", "finance", subtree=8),
    Stakeholder(3, "Cio", "c_suite", "technology", subtree=20),
    Stakeholder(4, "Vp It", "vp", "technology", subtree=10),
    Stakeholder(5, "It Manager", "manager", "technology", subtree=3),
    Stakeholder(6, "Analyst", "individual_contributor", "technology"),
]


def test_every_score_is_the_weighted_sum_of_its_factors() -> None:
    for for_deal in (False, True):
        ranked = rank_power(PEOPLE, as_of=AS_OF, target_functions=["technology"], for_deal=for_deal)
        for score in ranked:
            total = sum(f.contribution for f in score.factors) / sum(
                f.weight for f in score.factors
            )
            assert score.score == pytest.approx(total, abs=1e-4)
            expected = set(DEFAULT_WEIGHTS) - (set() if for_deal else {"deal_role"})
            assert {f.name for f in score.factors} == expected
            assert all(0 <= f.value <= 1 and f.evidence for f in score.factors)


def test_a_large_deal_is_signed_by_the_chief_of_the_target_function() -> None:
    ranked = rank_power(PEOPLE, as_of=AS_OF, target_functions=["technology"], deal_amount=900_000)
    assert ranked[0].person_id == 3
    assert "chief of technology" in ranked[0].factors[0].evidence


def test_a_small_deal_is_signed_by_the_budget_holder_below_the_chief() -> None:
    ranked = rank_power(PEOPLE, as_of=AS_OF, target_functions=["technology"], deal_amount=40_000)
    assert ranked[0].person_id == 4
    assert "budget holder of technology" in ranked[0].reasons()[0]


def test_finance_signs_for_a_function_without_senior_people() -> None:
    signers = likely_signers(PEOPLE, ["procurement"], large=False)
    assert list(signers) == [2] and "finance signs" in signers[2]


def test_a_recorded_economic_buyer_role_lifts_a_person() -> None:
    plain = rank_power(PEOPLE, as_of=AS_OF, target_functions=["technology"], for_deal=True)
    with_role = [
        Stakeholder(5, "It Manager", "manager", "technology", 3, (("Economic Buyer", "this"),))
        if p.id == 5
        else p
        for p in PEOPLE
    ]
    lifted = rank_power(with_role, as_of=AS_OF, target_functions=["technology"], for_deal=True)

    def place(ranked: list, pid: int) -> int:  # type: ignore[type-arg]
        return [s.person_id for s in ranked].index(pid)

    assert place(lifted, 5) < place(plain, 5)
    assert "Economic Buyer on this deal" in next(s for s in lifted if s.person_id == 5).reasons()


def test_engagement_fades_with_time() -> None:
    recent = Stakeholder(1, "A", "vp", "sales", touches=(AS_OF - dt.timedelta(days=5),))
    old = Stakeholder(2, "B", "vp", "sales", touches=(AS_OF - dt.timedelta(days=400),))
    ranked = rank_power([recent, old], as_of=AS_OF)
    assert [s.person_id for s in ranked] == [1, 2]
    assert ranked[0].factors[-1].evidence == "1 touches, last 5 days ago"


@given(st.lists(st.sampled_from(["c_suite", "vp", "director", "manager", "unknown"]), max_size=12))
def test_scores_stay_between_zero_and_one(levels: list[str]) -> None:
    people = [Stakeholder(i, f"P{i}", s, "sales", subtree=1 + i) for i, s in enumerate(levels)]
    ranked = rank_power(people, as_of=AS_OF, target_functions=["sales"], deal_amount=10_000)
    assert all(0 <= s.score <= 1 for s in ranked)
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)


def recent(days: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days)


def test_a_well_covered_committee_is_green() -> None:
    committee = assess(
        [
            Participant(1, "Cio", "c_suite", ("Economic Buyer",), recent(10)),
            Participant(2, "Vp", "vp", ("Decision Maker",), recent(20), support="mentor"),
            Participant(3, "Arch", "individual_contributor", ("Technical Buyer",), recent(5)),
            Participant(4, "User", "individual_contributor", ("Business User",), recent(30)),
            Participant(5, "Sponsor", "evp", ("Executive Sponsor",), recent(60)),
        ],
        as_of=AS_OF,
    )
    assert committee.health == "green" and not committee.warnings
    assert committee.role("champion").people == ((2, "Vp"),)
    assert all(r.status == "engaged" for r in committee.roles)


@pytest.mark.parametrize(
    ("participants", "warning", "health"),
    [
        (
            [Participant(1, "Analyst", "individual_contributor", ("Evaluator",), recent(3))],
            "no power",
            "red",
        ),
        (
            [
                Participant(1, "Cio", "c_suite", ("Economic Buyer",), recent(3)),
                Participant(2, "Vp", "vp", ("Decision Maker",), recent(200)),
            ],
            "single-threaded",
            "red",
        ),
        (
            [
                Participant(1, "Vp", "vp", ("Decision Maker",), recent(3)),
                Participant(2, "Dir", "director", ("Evaluator",), recent(3)),
            ],
            "economic buyer not identified (likely Cfo)",
            "red",
        ),
        (
            [
                Participant(1, "Cio", "c_suite", ("Economic Buyer",), recent(120)),
                Participant(2, "Vp", "vp", ("Decision Maker",), recent(3)),
                Participant(3, "Dir", "director", ("Champion",), recent(3)),
            ],
            "economic buyer not engaged in 90 days",
            "amber",
        ),
        (
            [
                Participant(1, "Cio", "c_suite", ("Economic Buyer",), recent(3)),
                Participant(2, "Vp", "vp", ("Decision Maker",), recent(3), support="enemy"),
                Participant(3, "Dir", "director", ("Champion",), recent(3)),
            ],
            "opposition: Vp is marked enemy",
            "amber",
        ),
    ],
)
def test_committee_warnings(participants: list[Participant], warning: str, health: str) -> None:
    committee = assess(
        participants, as_of=AS_OF, likely_economic_buyer=Suggestion(9, "Cfo", "signs")
    )
    assert any(w.startswith(warning) for w in committee.warnings), committee.warnings
    assert committee.health == health
