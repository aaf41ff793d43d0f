"""Breaking reporting cycles: whatever the links, the result is a forest."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crestline.services.imports.importing import break_cycles


def has_cycle(parent: dict[int, int | None]) -> bool:
    for start in parent:
        seen = set()
        node: int | None = start
        while node is not None:
            if node in seen:
                return True
            seen.add(node)
            node = parent.get(node)
    return False


@given(st.dictionaries(st.integers(0, 30), st.one_of(st.none(), st.integers(0, 30)), max_size=31))
def test_the_result_has_no_cycle(links: dict[int, int | None]) -> None:
    parent = dict(links)
    cycles = break_cycles(parent)
    assert not has_cycle(parent)
    cut = [n for n in links if links[n] is not None and parent[n] is None]
    assert len(cut) == len(cycles)  # one link cut a cycle, no more
    assert all(parent[c[-1]] is None for c in cycles)


@given(
    st.dictionaries(st.integers(0, 30), st.integers(0, 30), max_size=31),
    st.sets(st.integers(0, 30)),
)
def test_a_cut_prefers_the_new_links(links: dict[int, int], new: set[int]) -> None:
    parent: dict[int, int | None] = dict(links)
    for cycle in break_cycles(parent, prefer=new):
        if new & set(cycle):
            assert cycle[-1] in new


def test_a_two_person_cycle() -> None:
    parent: dict[int, int | None] = {1: 2, 2: 1, 3: 1}
    assert break_cycles(parent, starts=[3]) == [[1, 2]]  # 2 reported to 1, who reports to 2
    assert parent == {1: 2, 2: None, 3: 1}
