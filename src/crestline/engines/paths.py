"""Warm paths: the best ways from our people to a target person through known relationships.

The graph is undirected; each edge has a strength in (0, 1] (``engines/relationships.py``). A
path's cost is Σ (−log strength + ``hop_penalty``) over its hops, so a strong two-hop path can beat
a weak direct one and every extra introduction has a price; its strength is the product of its
hops' strengths. :func:`best_paths` returns up to ``k`` paths from any of the ``sources`` (our
people) to the target, at most ``max_hops`` hops, each through a *different introducer* — the
first person of theirs after our side — so the team gets several people to ask, not one path
with small variations. Our people never relay a path (a path through another of ours starts
there instead).

This module is the reference implementation: a hop-bounded search backwards from the target
(layer h holds, for every node reached, the cheapest way to the target in at most h hops), then
every edge out of our side is tried as the first hop. Pure.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

HOP_PENALTY = 0.1
MAX_HOPS = 4
K = 3


@dataclass(frozen=True)
class Path:
    nodes: tuple[int, ...]  # from one of ours to the target
    strengths: tuple[float, ...]  # one per hop
    cost: float

    @property
    def strength(self) -> float:
        return math.prod(self.strengths)

    @property
    def introducer(self) -> int:
        return self.nodes[1]


class Graph:
    """An undirected graph of relationships; a pair keeps its strongest edge."""

    def __init__(self) -> None:
        self.adj: dict[int, dict[int, float]] = {}

    def add(self, a: int, b: int, strength: float) -> None:
        if a == b:
            return
        if not 0.0 < strength <= 1.0:
            raise ValueError(f"strength {strength} is not in (0, 1]")
        for u, v in ((a, b), (b, a)):
            edges = self.adj.setdefault(u, {})
            if strength > edges.get(v, 0.0):
                edges[v] = strength

    def neighbours(self, node: int) -> Mapping[int, float]:
        return self.adj.get(node, {})

    def strength(self, a: int, b: int) -> float | None:
        return self.adj.get(a, {}).get(b)


def _weight(strength: float, hop_penalty: float) -> float:
    return -math.log(strength) + hop_penalty


def best_paths(
    graph: Graph,
    sources: Iterable[int],
    target: int,
    *,
    k: int = K,
    max_hops: int = MAX_HOPS,
    hop_penalty: float = HOP_PENALTY,
    ours: Iterable[int] | None = None,
    source_cost: Mapping[int, float] | None = None,
) -> list[Path]:
    """Up to ``k`` cheapest paths from ``sources`` to ``target``, each with its own introducer.

    ``ours``: all of our people, who never relay a path (default: the sources). ``source_cost``:
    an extra cost for starting from a source (to prefer peers of the target's level).
    """
    extra = source_cost or {}
    starts = set(sources)
    ours = starts | set(ours or ())
    if target in ours or max_hops < 1 or k < 1:
        return []
    # layers[h][v] = (cost of v → target in at most h hops, the next node on that way)
    layers: list[dict[int, tuple[float, int | None]]] = [{target: (0.0, None)}]
    changed = {target}
    for _ in range(1, max_hops):
        previous = layers[-1]
        layer = dict(previous)
        moved: set[int] = set()
        for u in changed:
            cost_u = previous[u][0]
            for v, s in graph.neighbours(u).items():
                if v in ours:
                    continue
                cost = cost_u + _weight(s, hop_penalty)
                if cost < layer.get(v, (math.inf, None))[0]:
                    layer[v] = (cost, u)
                    moved.add(v)
        layers.append(layer)
        changed = moved
        if not changed:
            break
    last = layers[-1]
    best: dict[int, tuple[float, int]] = {}  # introducer → (cost, our person)
    for source in sorted(starts):
        for first, s in graph.neighbours(source).items():
            if first in ours or first not in last:
                continue
            cost = extra.get(source, 0.0) + _weight(s, hop_penalty) + last[first][0]
            if cost < best.get(first, (math.inf, 0))[0]:
                best[first] = (cost, source)
    ranked = sorted(best.items(), key=lambda item: (item[1][0], item[0]))[:k]
    return [_walk(graph, layers, source, first, cost) for first, (cost, source) in ranked]


def _walk(
    graph: Graph,
    layers: list[dict[int, tuple[float, int | None]]],
    source: int,
    first: int,
    cost: float,
) -> Path:
    nodes = [source, first]
    h = len(layers) - 1
    node: int | None = first
    while node is not None:
        # the layer that gave this node its cost: the smallest h with the same cost
        while h > 0 and layers[h - 1].get(node, (math.inf, None))[0] == layers[h][node][0]:
            h -= 1
        node = layers[h][node][1]
        h -= 1
        if node is not None:
            nodes.append(node)
    strengths = []
    for a, b in itertools.pairwise(nodes):
        s = graph.strength(a, b)
        assert s is not None
        strengths.append(s)
    return Path(tuple(nodes), tuple(strengths), cost)
