"""The org chart engine: forest, cycles, the top, inferred managers, measures."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crestline.engines.orgchart import LEVELS, Member, build_orgchart, hierarchy_index


def chain(orgchart_managers: dict[int, int | None], person: int) -> list[int]:
    out, seen, current = [], {person}, orgchart_managers[person]
    while current is not None:
        assert current not in seen, "cycle"
        out.append(current)
        seen.add(current)
        current = orgchart_managers[current]
    return out


def test_known_lines_are_kept_and_measured() -> None:
    chart = build_orgchart(
        [
            Member(1, None, "c_suite", "general_management"),
            Member(2, 1, "c_suite", "finance"),
            Member(3, 1, "c_suite", "technology"),
            Member(4, 2, "vp", "finance"),
            Member(5, 4, "manager", "finance"),
        ]
    )
    assert chart.top == 1 and not chart.inferred and not chart.broken
    assert chart.positions[5].depth == 3 and chart.positions[1].subtree == 5
    assert chart.positions[1].span == 2 and chart.depth == 3
    assert chart.chain(5) == [4, 2, 1]


def test_missing_manager_is_the_same_function_one_level_up_who_manages_peers() -> None:
    chart = build_orgchart(
        [
            Member(1, None, "c_suite", "general_management"),
            Member(2, 1, "c_suite", "sales"),
            Member(3, 2, "vp", "sales"),
            Member(4, 2, "vp", "sales"),
            Member(5, 3, "director", "sales"),
            Member(6, 3, "director", "sales"),
            Member(7, 4, "director", "marketing"),
            Member(8, None, "director", "sales"),  # line unknown
        ]
    )
    (line,) = chart.inferred
    assert line.person_id == 8 and line.manager_id == 3
    assert "already manages 2 peers" in line.reason and 0 < line.confidence < 1
    assert chart.positions[8].inferred and chart.positions[8].manager_id == 3


def test_no_related_function_above_goes_under_the_top() -> None:
    chart = build_orgchart(
        [
            Member(1, None, "c_suite", "general_management"),
            Member(2, 1, "c_suite", "finance"),
            Member(3, None, "individual_contributor", "unknown"),
            Member(4, None, "unknown", "unknown"),
        ]
    )
    lines = {line.person_id: line for line in chart.inferred}
    assert lines[4].manager_id == 1 and "placed under the top" in lines[4].reason


def test_board_members_stay_beside_the_line_and_do_not_become_the_top() -> None:
    chart = build_orgchart(
        [
            Member(1, None, "board", "general_management"),
            Member(2, None, "c_suite", "general_management"),
            Member(3, 2, "c_suite", "finance"),
        ]
    )
    assert chart.top == 2
    assert chart.positions[1].manager_id is None and not chart.inferred


def test_a_cycle_is_cut_at_its_most_senior_member() -> None:
    chart = build_orgchart(
        [
            Member(1, 3, "c_suite", "general_management"),
            Member(2, 1, "vp", "finance"),
            Member(3, 2, "director", "finance"),
        ]
    )
    (broken,) = chart.broken
    assert broken.person_id == 1 and "cycle of 3" in broken.reason
    assert chart.top == 1 and chart.positions[3].depth == 2


def test_lines_outside_the_account_are_dropped() -> None:
    chart = build_orgchart(
        [Member(1, None, "c_suite", "general_management"), Member(2, 99, "vp", "sales")]
    )
    assert chart.dropped[0].manager_id == 99
    assert chart.positions[2].manager_id == 1


def test_a_director_over_vice_presidents_is_read_one_level_above_them() -> None:
    chart = build_orgchart(
        [
            Member(1, None, "c_suite", "general_management"),
            Member(2, 1, "director", "finance"),  # a UK "Finance Director"
            Member(3, 2, "vp", "finance"),
        ]
    )
    assert chart.positions[2].seniority == "evp" and chart.positions[2].level_inferred


def test_an_untitled_manager_takes_a_level_above_their_reports() -> None:
    chart = build_orgchart(
        [
            Member(1, None, "c_suite", "general_management"),
            Member(2, 1, "unknown", "unknown"),
            Member(3, 2, "director", "technology"),
        ]
    )
    assert chart.positions[2].seniority == "vp" and chart.positions[2].function == "technology"


def test_hierarchy_index_orders_flat_small_below_tall_large() -> None:
    assert hierarchy_index(2, 9.0, 200) == 0.0
    assert hierarchy_index(7, 2.0, 200_000) == 1.0
    assert hierarchy_index(3, 5.0, 2_000) < hierarchy_index(5, 3.0, 20_000)


LEVEL = st.sampled_from([*LEVELS, "unknown"])
FUNCTION = st.sampled_from(["finance", "sales", "technology", "security", "unknown"])


@st.composite
def accounts(draw: st.DrawFn) -> list[Member]:
    n = draw(st.integers(1, 40))
    members = []
    for i in range(n):
        manager = draw(st.one_of(st.none(), st.integers(0, n + 2)))  # may be outside or self
        members.append(Member(i, manager, draw(LEVEL), draw(FUNCTION)))
    return members


@settings(max_examples=200, deadline=None)
@given(accounts())
def test_the_completed_chart_is_a_forest_with_one_management_tree(members: list[Member]) -> None:
    chart = build_orgchart(members)
    managers = {p: pos.manager_id for p, pos in chart.positions.items()}
    assert set(managers) == {m.id for m in members}
    for person in managers:
        chain(managers, person)  # asserts there is no cycle
    roots = [p for p, m in managers.items() if m is None]
    # everyone outside the board hangs under the top; the top and board members are the roots
    assert chart.top in roots
    assert all(p == chart.top or chart.positions[p].seniority == "board" for p in roots)
    for line in chart.inferred:
        assert managers[line.person_id] == line.manager_id and 0 < line.confidence <= 1
    for p, pos in chart.positions.items():
        assert pos.subtree == 1 + sum(chart.positions[r].subtree for r in chart.reports(p))


def test_an_individual_contributor_over_a_senior_vice_president_is_raised() -> None:
    chart = build_orgchart(
        [
            Member(1, None, "c_suite", "general_management"),
            Member(2, 1, "individual_contributor", "risk_compliance"),  # "Chief Audit Executive"
            Member(3, 2, "evp", "risk_compliance"),
            Member(4, 1, "manager", "finance"),
            Member(5, 4, "manager", "finance"),  # tall ladders repeat the manager level
        ]
    )
    assert chart.positions[2].seniority == "c_suite" and chart.positions[2].level_inferred
    assert chart.positions[4].seniority == "manager" and not chart.positions[4].level_inferred
