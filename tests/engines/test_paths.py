"""Warm paths and the strength model: properties against an exhaustive search."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import threading
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crestline.engines.csr_paths import CsrGraph
from crestline.engines.csr_paths import best_paths as csr_best_paths
from crestline.engines.paths import HOP_PENALTY, Graph, Path, best_paths
from crestline.engines.relationships import (
    Evidence,
    StrengthModel,
    describe,
    piece_array,
)

AS_OF = dt.date(2026, 9, 30)


def cost_of(nodes: list[int], graph: Graph) -> float:
    total = 0.0
    for a, b in itertools.pairwise(nodes):
        s = graph.strength(a, b)
        assert s is not None
        total += -math.log(s) + HOP_PENALTY
    return total


def hop_strengths(nodes: Sequence[int], graph: Graph) -> tuple[float, ...]:
    """The graph's strength of each hop of a path (None where two nodes are not connected)."""
    return tuple(graph.strength(a, b) or math.nan for a, b in itertools.pairwise(nodes))


def strength_of(nodes: Sequence[int], graph: Graph) -> float:
    return math.prod(hop_strengths(nodes, graph))


def every_path(graph: Graph, ours: set[int], target: int, max_hops: int) -> list[list[int]]:
    """All simple paths from one of ours to the target, ours never relaying."""
    out: list[list[int]] = []

    def walk(path: list[int]) -> None:
        node = path[-1]
        if node == target:
            out.append(list(path))
            return
        if len(path) > max_hops:
            return
        for nxt in graph.neighbours(node):
            if nxt not in path and nxt not in ours:
                walk([*path, nxt])

    for source in ours:
        walk([source])
    return out


@st.composite
def graphs(draw: st.DrawFn) -> tuple[Graph, set[int], int]:
    n = draw(st.integers(3, 11))
    graph = Graph()
    for a in range(n):
        for b in range(a + 1, n):
            if draw(st.booleans()):
                graph.add(a, b, draw(st.floats(0.05, 1.0)))
    ours = set(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3)))
    target = draw(st.integers(0, n - 1).filter(lambda t: t not in ours))
    return graph, ours, target


@settings(max_examples=300, deadline=None)
@given(graphs(), st.integers(1, 4), st.integers(1, 4))
def test_paths_are_connected_optimal_and_distinct_in_their_first_hop(
    drawn: tuple[Graph, set[int], int], max_hops: int, k: int
) -> None:
    graph, ours, target = drawn
    found = best_paths(graph, ours, target, k=k, max_hops=max_hops)
    every = every_path(graph, ours, target, max_hops)
    assert bool(found) == bool(every)
    assert len(found) <= k
    assert len({p.introducer for p in found}) == len(found)  # different introducers
    for p in found:
        assert p.nodes[0] in ours and p.nodes[-1] == target
        assert len(p.nodes) - 1 <= max_hops and len(set(p.nodes)) == len(p.nodes)
        assert all(graph.strength(a, b) for a, b in zip(p.nodes, p.nodes[1:], strict=False))
        assert p.strengths == hop_strengths(p.nodes, graph)  # each hop is the graph's edge
        assert p.strength == pytest.approx(math.prod(hop_strengths(p.nodes, graph)))
        assert p.cost == pytest.approx(cost_of(list(p.nodes), graph))
        # no path through the same introducer is cheaper
        same = [q for q in every if q[1] == p.introducer]
        assert p.cost <= min(cost_of(q, graph) for q in same) + 1e-9
    if every:
        assert found[0].cost == pytest.approx(min(cost_of(q, graph) for q in every))
    costs = [p.cost for p in found]
    assert costs == sorted(costs)


@settings(max_examples=300, deadline=None)
@given(graphs(), st.integers(1, 4))
def test_the_best_path_is_at_least_as_strong_as_any_path_of_an_exhaustive_search(
    drawn: tuple[Graph, set[int], int], max_hops: int
) -> None:
    """Without a price per hop the best path is the strongest of all; with it, at least as
    strong as every path of no more hops (a longer one must be clearly stronger to win). Both
    searches."""
    graph, ours, target = drawn
    every = every_path(graph, ours, target, max_hops)
    n = 1 + max([target, *ours, *graph.adj])
    edges = [(a, b, s) for a, row in graph.adj.items() for b, s in row.items() if a < b]
    a, b, s = (list(x) for x in zip(*edges, strict=True)) if edges else ([], [], [])
    for penalty in (0.0, HOP_PENALTY):
        reference = best_paths(graph, ours, target, k=1, max_hops=max_hops, hop_penalty=penalty)
        csr = CsrGraph.from_edges(n, a, b, s, hop_penalty=penalty)
        fast = csr_best_paths(csr, ours, target, k=1, max_hops=max_hops)
        assert bool(reference) == bool(fast) == bool(every)
        for found in (reference, fast):
            if not found:
                continue
            best = found[0]
            rivals = [q for q in every if penalty == 0 or len(q) <= len(best.nodes)]
            assert best.strength >= max(strength_of(q, graph) for q in rivals) * (1 - 1e-5)
            assert best.strength == pytest.approx(strength_of(best.nodes, graph), rel=1e-5)


def test_a_strong_introduction_beats_a_weak_direct_tie() -> None:
    graph = Graph()
    graph.add(1, 9, 0.1)  # ours (1) barely knows the target (9)
    graph.add(1, 5, 0.9)  # but knows 5 well
    graph.add(5, 9, 0.9)  # who reports to the target
    paths = best_paths(graph, {1}, 9)
    assert [p.nodes for p in paths] == [(1, 5, 9), (1, 9)]
    assert paths[0].strength == pytest.approx(0.81)


def test_our_people_never_relay_and_hops_are_bounded() -> None:
    graph = Graph()
    graph.add(1, 2, 0.9)  # 1 and 2 are both ours
    graph.add(2, 3, 0.9)
    graph.add(3, 4, 0.9)
    graph.add(4, 5, 0.9)
    graph.add(5, 6, 0.9)
    assert [p.nodes for p in best_paths(graph, {1, 2}, 6, max_hops=4)] == [(2, 3, 4, 5, 6)]
    assert best_paths(graph, {1, 2}, 6, max_hops=3) == []
    assert best_paths(graph, {1}, 6) == []  # 2 is not ours here, but 1 → 6 is five hops


def test_strength_model_rewards_recent_frequent_two_way_contact() -> None:
    model = StrengthModel()
    fresh = Evidence("meeting", last=AS_OF - dt.timedelta(days=10), count=6, both_ways=True)
    stale = Evidence("meeting", last=AS_OF - dt.timedelta(days=900), count=6)
    once = Evidence("meeting", last=AS_OF - dt.timedelta(days=10), count=1)
    assert model.strength([fresh], AS_OF) > model.strength([once], AS_OF)
    assert model.strength([once], AS_OF) > model.strength([stale], AS_OF) > 0
    both = model.strength([fresh, Evidence("linkedin")], AS_OF)
    assert model.strength([fresh], AS_OF) < both <= model.cap
    assert 0 < model.strength([], AS_OF) < 0.001
    assert describe(fresh, AS_OF) == "met 6 times, last 10 days ago, both ways"


@given(
    st.lists(
        st.builds(
            Evidence,
            source=st.sampled_from(["linkedin", "meeting", "email", "peer", "unknown"]),
            last=st.one_of(st.none(), st.dates(dt.date(2015, 1, 1), dt.date(2030, 1, 1))),
            count=st.integers(0, 500),
            both_ways=st.booleans(),
        ),
        max_size=6,
    )
)
def test_strength_stays_in_the_open_unit_interval(evidence: list[Evidence]) -> None:
    s = StrengthModel().strength(evidence, AS_OF)
    assert 0 < s <= 0.95


def test_graph_refuses_strengths_outside_the_unit_interval() -> None:
    with pytest.raises(ValueError, match="not in"):
        Graph().add(1, 2, 0.0)
    assert isinstance(best_paths(Graph(), {1}, 2), list) and not best_paths(Graph(), {1}, 1)
    assert Path((1, 2), (0.5,), 1.0).introducer == 2


def as_csr(graph: Graph, n: int) -> CsrGraph:
    edges = [(a, b, s) for a, row in graph.adj.items() for b, s in row.items() if a < b]
    a, b, s = zip(*edges, strict=True) if edges else ((), (), ())
    return CsrGraph.from_edges(n, list(a), list(b), list(s))


@settings(max_examples=300, deadline=None)
@given(
    graphs(),
    st.integers(1, 4),
    st.integers(1, 4),
    st.sets(st.integers(0, 10), max_size=3),
    st.dictionaries(st.integers(0, 10), st.floats(0.0, 2.0), max_size=3),
)
def test_the_array_search_finds_what_the_reference_finds(
    drawn: tuple[Graph, set[int], int],
    max_hops: int,
    k: int,
    others: set[int],
    extra: dict[int, float],
) -> None:
    graph, ours, target = drawn
    n = 1 + max([target, *ours, *others, *graph.adj])
    others = others - {target}  # more of our people: they never relay either
    mask = np.zeros(n, dtype=bool)
    mask[list(others)] = True
    fast = csr_best_paths(
        as_csr(graph, n), ours, target, k=k, max_hops=max_hops, ours=mask, source_cost=extra
    )
    reference = best_paths(
        graph, ours, target, k=k, max_hops=max_hops, ours=others, source_cost=extra
    )
    assert all(not set(p.nodes[1:]) & (ours | others) for p in reference)
    assert [p.cost for p in fast] == pytest.approx([p.cost for p in reference], rel=1e-5)
    assert len({p.introducer for p in fast}) == len(fast)
    for p in fast:
        assert p.nodes[0] in ours and p.nodes[-1] == target and len(p.nodes) - 1 <= max_hops
        assert len(set(p.nodes)) == len(p.nodes)
        expected = cost_of(list(p.nodes), graph) + extra.get(p.nodes[0], 0.0)
        assert p.cost == pytest.approx(expected, rel=1e-5)
        assert p.strengths == pytest.approx(hop_strengths(p.nodes, graph), rel=1e-6)
        assert p.strength == pytest.approx(math.prod(hop_strengths(p.nodes, graph)), rel=1e-5)


def test_the_array_graph_keeps_the_strongest_edge_of_a_pair() -> None:
    g = CsrGraph.from_edges(4, [0, 1, 0, 2], [1, 0, 2, 2], [0.2, 0.6, 0.5, 0.9])
    assert g.strength(0, 1) == pytest.approx(0.6) and g.strength(1, 0) == pytest.approx(0.6)
    assert g.strength(2, 2) is None and g.edges == 2
    with pytest.raises(ValueError, match="in \\(0, 1\\]"):
        CsrGraph.from_edges(2, [0], [1], [1.5])


def test_the_array_model_equals_the_model_piece_by_piece() -> None:
    model = StrengthModel()
    ages = np.array([10.0, 400.0, np.nan])
    counts = np.array([1, 7, 3])
    both = np.array([False, True, False])
    pieces = piece_array(model, "meeting", age_days=ages, counts=counts, both_ways=both)
    for i in range(3):
        last = None if np.isnan(ages[i]) else AS_OF - dt.timedelta(days=int(ages[i]))
        one = Evidence("meeting", last=last, count=int(counts[i]), both_ways=bool(both[i]))
        assert pieces[i] == pytest.approx(model.piece(one, AS_OF))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.floats(0.001, 0.999)), max_size=30)
)
def test_pieces_combine_like_the_model(pieces: list[tuple[int, int, float]]) -> None:
    """The graph from pieces: one edge per pair (either order), 1 − Π(1 − pᵢ), capped; none
    from a node to itself."""
    model = StrengthModel()
    a, b, p = (list(x) for x in zip(*pieces, strict=True)) if pieces else ([], [], [])
    graph = CsrGraph.from_pieces(6, a, b, p, cap=model.cap)
    for x, y in itertools.product(range(6), repeat=2):
        mine = [q for (i, j, q) in pieces if {i, j} == {x, y} and i != j]
        expected = (
            max(1e-6, min(model.cap, 1 - math.prod(1 - min(q, 0.999999) for q in mine)))
            if mine
            else None
        )
        got = graph.strength(x, y)
        assert (got is None) == (expected is None)
        if got is not None:
            assert got == pytest.approx(expected, rel=1e-5)


@st.composite
def dense_around_the_target(draw: st.DrawFn) -> tuple[Graph, set[int], int]:
    """Their side dense, ours with a few edges: the array search meets in the middle."""
    graph = Graph()
    for a in range(10):
        for b in range(a + 1, 10):
            if draw(st.floats(0, 1)) < 0.7:
                graph.add(a, b, draw(st.floats(0.05, 1.0)))
    for source in (10, 11):
        for near in draw(st.lists(st.integers(1, 9), min_size=1, max_size=2)):
            graph.add(source, near, draw(st.floats(0.05, 1.0)))
    return graph, {10, 11}, 0


@st.composite
def ours_at_the_hubs(draw: st.DrawFn) -> tuple[Graph, set[int], int]:
    """Our people know their best-connected people (hubs): the last layer is taken from the
    target's side, keeping only our people's neighbours."""
    graph = Graph()
    hubs = (1, 2)
    for hub in hubs:
        for other in range(3, 16):
            if draw(st.floats(0, 1)) < 0.8:
                graph.add(hub, other, draw(st.floats(0.05, 1.0)))
    for a in range(3, 16):
        for b in range(a + 1, 16):
            if draw(st.floats(0, 1)) < 0.15:
                graph.add(a, b, draw(st.floats(0.05, 1.0)))
    graph.add(0, draw(st.integers(3, 15)), draw(st.floats(0.05, 1.0)))
    for source in (16, 17):
        for near in draw(st.lists(st.sampled_from(hubs), min_size=1, max_size=2)):
            graph.add(source, near, draw(st.floats(0.05, 1.0)))
    return graph, {16, 17}, 0


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(dense_around_the_target(), ours_at_the_hubs()), st.integers(2, 4), st.integers(1, 4)
)
def test_meeting_in_the_middle_finds_what_the_reference_finds(
    drawn: tuple[Graph, set[int], int], max_hops: int, k: int
) -> None:
    """The last layer from either side — our people's neighbours, or the target's side keeping
    only those — finds what the reference finds."""
    graph, ours, target = drawn
    fast = csr_best_paths(as_csr(graph, 18), ours, target, k=k, max_hops=max_hops)
    reference = best_paths(graph, ours, target, k=k, max_hops=max_hops)
    assert [p.cost for p in fast] == pytest.approx([p.cost for p in reference], rel=1e-5)
    for p in fast:
        assert p.cost == pytest.approx(cost_of(list(p.nodes), graph), rel=1e-5)
        assert len(p.nodes) - 1 <= max_hops and len(set(p.nodes)) == len(p.nodes)


def test_queries_from_many_threads_find_what_one_thread_finds() -> None:
    """The web app answers requests on several threads from one graph: its queries share a
    scratch array and must take turns, never mix their costs."""
    rng = np.random.default_rng(5)
    n = 400
    a = rng.integers(0, n, 3000)
    b = rng.integers(0, n, 3000)
    graph = CsrGraph.from_edges(n, a, b, rng.uniform(0.05, 1.0, 3000))
    queries = [(sorted({int(x) for x in rng.integers(300, n, 3)}), int(t)) for t in range(60)]

    def answer(query: tuple[list[int], int]) -> list[tuple[tuple[int, ...], float]]:
        sources, target = query
        return [(p.nodes, p.cost) for p in csr_best_paths(graph, sources, target, k=3)]

    alone = [answer(q) for q in queries]
    together: list[list[tuple[tuple[int, ...], float]]] = [[] for _ in queries]
    start = threading.Barrier(8)

    def worker(w: int) -> None:
        start.wait()
        for _ in range(3):
            for i in range(w, len(queries), 8):
                together[i] = answer(queries[i])

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert any(alone) and together == alone
    assert np.isinf(graph._best).all()  # the scratch is left clean
