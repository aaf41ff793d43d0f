"""Warm paths at scale: the search of ``engines/paths.py`` on compressed sparse rows, with NumPy.

The graph is three arrays — for node ``u`` its neighbours are ``indices[indptr[u]:indptr[u+1]]``
with the hop weights −log(strength) + penalty beside them — built once from edge lists (both
directions, a pair keeping its strongest edge). A query works backwards from the target one
layer of hops at a time, each layer a handful of vectorised gathers over the frontier's edges;
our people never relay, so the layers stay within the target's own world (its colleagues, their
colleagues …) however many connections our sellers have. Then the first hop is tried from
whichever side has fewer edges: our people's, or the reached nodes'. Results equal the reference
implementation's (costs and introducers; paths of equal cost may differ). A query keeps a
scratch array per graph: queries on one graph take turns (a lock).
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Iterable, Mapping
from dataclasses import InitVar, dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from crestline.engines.paths import HOP_PENALTY, MAX_HOPS, K, Path

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass
class CsrGraph:
    indptr: Ints  # n + 1
    indices: npt.NDArray[np.int32]
    strengths: npt.NDArray[np.float32]
    hop_penalty: float = HOP_PENALTY
    # the hop weights when already known (a graph mapped from a snapshot): computed otherwise
    known_weights: InitVar[npt.NDArray[np.float32] | None] = None
    weights: npt.NDArray[np.float32] = field(init=False)
    _best: Floats = field(init=False, repr=False)  # scratch: best cost so far, inf elsewhere
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self, known_weights: npt.NDArray[np.float32] | None) -> None:
        if known_weights is None:
            weights = np.log(self.strengths, dtype=np.float32)  # float32: half the memory; a
            np.negative(weights, out=weights)  # path's cost still adds up in float64
            weights += np.float32(self.hop_penalty)
            known_weights = weights
        self.weights = known_weights
        self._best = np.full(self.nodes, np.inf)

    @property
    def nodes(self) -> int:
        return len(self.indptr) - 1

    @property
    def edges(self) -> int:
        return len(self.indices) // 2

    @classmethod
    def from_edges(
        cls,
        nodes: int,
        a: npt.ArrayLike,
        b: npt.ArrayLike,
        strength: npt.ArrayLike,
        *,
        hop_penalty: float = HOP_PENALTY,
    ) -> CsrGraph:
        """An undirected graph of ``nodes`` nodes from edges ``a[i] — b[i]``."""
        left = np.asarray(a, dtype=np.int64)
        right = np.asarray(b, dtype=np.int64)
        s = np.asarray(strength, dtype=np.float32)
        if len(s) and (s.min() <= 0 or s.max() > 1):
            raise ValueError("every strength must be in (0, 1]")
        src = np.concatenate([left, right])
        dst = np.concatenate([right, left])
        st = np.concatenate([s, s])
        keep = src != dst
        src, dst, st = src[keep], dst[keep], st[keep]
        order = np.lexsort((-st, dst, src))  # by node, neighbour, strongest first
        src, dst, st = src[order], dst[order], st[order]
        first = np.ones(len(src), dtype=bool)
        first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
        src, dst, st = src[first], dst[first], st[first]
        indptr = np.zeros(nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=nodes), out=indptr[1:])
        return cls(indptr, dst.astype(np.int32), st, hop_penalty)

    @classmethod
    def from_pieces(
        cls,
        nodes: int,
        a: npt.ArrayLike,
        b: npt.ArrayLike,
        pieces: npt.ArrayLike,
        *,
        cap: float = 0.95,
        hop_penalty: float = HOP_PENALTY,
    ) -> CsrGraph:
        """An undirected graph from pieces of evidence ``a[i] — b[i]`` worth ``pieces[i]``:
        the pieces of a pair (either order) combine as 1 − Π(1 − pᵢ), capped at ``cap``."""
        return cls.from_upper(upper_misses(nodes, a, b, pieces), cap=cap, hop_penalty=hop_penalty)

    @classmethod
    def from_upper(
        cls, upper: sp.csr_array, *, cap: float = 0.95, hop_penalty: float = HOP_PENALTY
    ) -> CsrGraph:
        """The graph from :func:`upper_misses`' matrix (each pair once, Σ log(1 − pᵢ))."""
        both = (upper + upper.T).tocsr()
        both.sort_indices()
        strengths = np.asarray(both.data, dtype=np.float32)
        np.expm1(strengths, out=strengths)  # 1 − e^x, precise for weak ties; in place: the
        np.negative(strengths, out=strengths)  # graph is the largest thing we hold
        np.clip(strengths, 1e-6, cap, out=strengths)
        return cls._of(both, strengths, hop_penalty)

    @classmethod
    def _of(
        cls, matrix: sp.csr_array, strengths: npt.NDArray[np.float32], hop_penalty: float
    ) -> CsrGraph:
        return cls(
            matrix.indptr.astype(np.int64),
            matrix.indices.astype(np.int32, copy=False),
            strengths,
            hop_penalty,
        )

    def replaced(self, nodes: npt.ArrayLike, other: CsrGraph) -> CsrGraph:
        """This graph with every edge of ``nodes`` taken from ``other`` instead (an update: the
        edges of the people whose data changed, read again), the rest kept as it is.

        Linear in the edges and without a sort: every row keeps its other edges in place and
        gets the new ones after them (a row's neighbours need no order)."""
        if other.nodes != self.nodes:
            raise ValueError("graphs of different sizes")
        n = self.nodes
        changed = np.zeros(n, dtype=bool)
        changed[np.asarray(nodes, dtype=np.int64)] = True
        rows = np.repeat(np.arange(n, dtype=np.int32), np.diff(self.indptr))
        keep = ~(changed[rows] | changed[self.indices])
        kept_rows = rows[keep]
        del rows
        o_rows = np.repeat(np.arange(n, dtype=np.int32), np.diff(other.indptr))
        take = changed[o_rows] | changed[other.indices]
        new_rows = o_rows[take]  # ascending, as the rows come
        kept_count = np.bincount(kept_rows, minlength=n)
        new_count = np.bincount(new_rows, minlength=n)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(kept_count + new_count, out=indptr[1:])
        indices = np.empty(int(indptr[-1]), dtype=np.int32)
        strengths = np.empty(int(indptr[-1]), dtype=np.float32)
        at = (
            indptr[kept_rows]
            + np.arange(len(kept_rows))
            - (np.cumsum(kept_count) - kept_count)[kept_rows]
        )
        indices[at] = self.indices[keep]
        strengths[at] = self.strengths[keep]
        del at, kept_rows, keep
        at = (
            indptr[new_rows]
            + kept_count[new_rows]
            + np.arange(len(new_rows))
            - (np.cumsum(new_count) - new_count)[new_rows]
        )
        indices[at] = other.indices[take]
        strengths[at] = other.strengths[take]
        return CsrGraph(indptr, indices, strengths, self.hop_penalty)

    def _edges_of(self, frontier: Ints) -> tuple[Ints, Ints]:
        """The edge positions of the frontier's nodes, and for each, the frontier index."""
        starts = self.indptr[frontier]
        counts = self.indptr[frontier + 1] - starts
        total = int(counts.sum())
        owner = np.repeat(np.arange(len(frontier)), counts)
        offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        return np.repeat(starts, counts) + offsets, owner

    def strength(self, a: int, b: int) -> float | None:
        row = self.indices[self.indptr[a] : self.indptr[a + 1]]
        hit = np.nonzero(row == b)[0]
        return float(self.strengths[self.indptr[a] + hit[0]]) if len(hit) else None


def best_paths(
    graph: CsrGraph,
    sources: Iterable[int],
    target: int,
    *,
    k: int = K,
    max_hops: int = MAX_HOPS,
    ours: npt.NDArray[np.bool_] | None = None,
    source_cost: Mapping[int, float] | None = None,
) -> list[Path]:
    """Up to ``k`` cheapest paths from ``sources`` to ``target``, each with its own introducer.

    ``ours``: a mask of all our people, who never relay a path (default: the sources).
    ``source_cost``: an extra cost for starting from a source (to prefer peers of the target's
    level).
    Queries on one graph from several threads take turns (they share the graph's scratch).
    """
    with graph._lock:
        return _best_paths(graph, sources, target, k, max_hops, ours, source_cost)


def _best_paths(
    graph: CsrGraph,
    sources: Iterable[int],
    target: int,
    k: int,
    max_hops: int,
    ours: npt.NDArray[np.bool_] | None,
    source_cost: Mapping[int, float] | None,
) -> list[Path]:
    starts = distinct(np.fromiter(sources, dtype=np.int64))
    if not len(starts) or max_hops < 1 or k < 1:
        return []
    is_ours = np.zeros(graph.nodes, dtype=bool) if ours is None else ours.copy()
    is_ours[starts] = True
    if is_ours[target]:
        return []
    is_source = np.zeros(graph.nodes, dtype=bool)
    is_source[starts] = True
    best = graph._best
    layers: list[tuple[Ints, Floats, Ints]] = [
        (np.array([target], dtype=np.int64), np.zeros(1), np.array([-1], dtype=np.int64))
    ]
    best[target] = 0.0
    reached = [np.array([target], dtype=np.int64)]
    frontier = layers[0][0]
    try:
        for hop in range(1, max_hops):
            if not len(frontier):
                break
            if hop == max_hops - 1 and hop > 1:
                v, u, cost = _last_layer(graph, starts, frontier, is_ours)
            else:
                eids, owner = graph._edges_of(frontier)
                v = graph.indices[eids].astype(np.int64)
                u = frontier[owner]
                cost = best[u] + graph.weights[eids]
            keep = ~is_ours[v]
            v, u, cost = v[keep], u[keep], cost[keep]
            order = np.lexsort((u, cost, v))  # per neighbour: cheapest first (ties: lower id)
            v, u, cost = v[order], u[order], cost[order]
            first = np.ones(len(v), dtype=bool)
            first[1:] = v[1:] != v[:-1]
            v, u, cost = v[first], u[first], cost[first]
            better = cost < best[v]
            v, u, cost = v[better], u[better], cost[better]
            best[v] = cost
            layers.append((v, cost, u))
            reached.append(v)
            frontier = v
        return _first_hops(graph, starts, is_source, is_ours, layers, k, source_cost or {})
    finally:
        for nodes in reached:
            best[nodes] = np.inf


def _last_layer(
    graph: CsrGraph, starts: Ints, frontier: Ints, is_ours: npt.NDArray[np.bool_]
) -> tuple[Ints, Ints, Floats]:
    """The last backward layer only matters for our people's neighbours (the introducers): when
    they have fewer edges than the frontier, relax from their side — the search meets in the
    middle — else expand the frontier as every other layer does. Returns (v, u, cost)."""
    best = graph._best
    frontier_degree = int((graph.indptr[frontier + 1] - graph.indptr[frontier]).sum())
    ours_degree = int((graph.indptr[starts + 1] - graph.indptr[starts]).sum())
    candidates = None
    if ours_degree < frontier_degree:
        eids, _ = graph._edges_of(starts)
        near = graph.indices[eids].astype(np.int64)
        candidates = distinct(near[~is_ours[near]])
        degree = int((graph.indptr[candidates + 1] - graph.indptr[candidates]).sum())
        if degree < frontier_degree:
            eids, owner = graph._edges_of(candidates)
            u = graph.indices[eids].astype(np.int64)
            keep = np.isfinite(best[u]) & ~is_ours[u]
            eids, owner, u = eids[keep], owner[keep], u[keep]
            return _cheapest_per_owner(candidates, owner, u, best[u] + graph.weights[eids])
    eids, owner = graph._edges_of(frontier)
    v = graph.indices[eids].astype(np.int64)
    if candidates is not None:  # only our people's neighbours can be the introducers
        wanted = np.zeros(graph.nodes, dtype=bool)
        wanted[candidates] = True
        keep = wanted[v]
        eids, owner, v = eids[keep], owner[keep], v[keep]
    return v, frontier[owner], best[frontier[owner]] + graph.weights[eids]


def _cheapest_per_owner(
    nodes: Ints, owner: Ints, u: Ints, cost: Floats
) -> tuple[Ints, Ints, Floats]:
    """Rows grouped by ``owner`` (ascending, as ``_edges_of`` gives them) reduced to one per
    node: the cheapest, ties to the lower ``u`` — what sorting by (node, cost, u) and keeping
    the first of each node gives, in linear time (no sort of a hundred thousand rows)."""
    if not len(owner):
        return owner, u, cost
    start = np.ones(len(owner), dtype=bool)
    start[1:] = owner[1:] != owner[:-1]
    at = np.flatnonzero(start)
    sizes = np.diff(np.append(at, len(owner)))
    low = np.minimum.reduceat(cost, at)
    tied = cost == np.repeat(low, sizes)
    first = np.minimum.reduceat(np.where(tied, u, np.iinfo(np.int64).max), at)
    return nodes[owner[at]], first, low


def _first_hops(
    graph: CsrGraph,
    ours: Ints,
    is_source: npt.NDArray[np.bool_],
    is_ours: npt.NDArray[np.bool_],
    layers: list[tuple[Ints, Floats, Ints]],
    k: int,
    source_cost: Mapping[int, float],
) -> list[Path]:
    best = graph._best
    reached = distinct(np.concatenate([layer[0] for layer in layers]))
    ours_degree = int((graph.indptr[ours + 1] - graph.indptr[ours]).sum())
    reached_degree = int((graph.indptr[reached + 1] - graph.indptr[reached]).sum())
    if ours_degree <= reached_degree:  # from our side: our edges into the reached set
        eids, owner = graph._edges_of(ours)
        first = graph.indices[eids].astype(np.int64)
        source = ours[owner]
    else:  # from their side: the reached set's edges to our people
        eids, owner = graph._edges_of(reached)
        source = graph.indices[eids].astype(np.int64)
        first = reached[owner]
    keep = is_source[source] & ~is_ours[first] & np.isfinite(best[first])
    first, source, eids = first[keep], source[keep], eids[keep]
    cost = graph.weights[eids] + best[first]
    if source_cost:
        cost = cost + np.array([source_cost.get(int(x), 0.0) for x in source], dtype=np.float64)
    order = np.lexsort((source, cost, first))
    first, source, cost = first[order], source[order], cost[order]
    one = np.ones(len(first), dtype=bool)
    one[1:] = first[1:] != first[:-1]
    first, source, cost = first[one], source[one], cost[one]
    pick = np.lexsort((first, cost))[:k]
    return [_walk(graph, layers, int(source[i]), int(first[i]), float(cost[i])) for i in pick]


def _walk(
    graph: CsrGraph,
    layers: list[tuple[Ints, Floats, Ints]],
    source: int,
    first: int,
    cost: float,
) -> Path:
    """Follow the next pointers down the layers, from the introducer to the target."""
    nodes = [source, first]
    node, h = first, len(layers) - 1
    while h >= 0:
        # the last layer at or below h that improved this node holds its way on
        while h >= 0 and not np.any(layers[h][0] == node):
            h -= 1
        if h < 0:
            break
        at = int(np.nonzero(layers[h][0] == node)[0][0])
        nxt = int(layers[h][2][at])
        if nxt < 0:
            break
        nodes.append(nxt)
        node, h = nxt, h - 1
    strengths = []
    for a, b in itertools.pairwise(nodes):
        s = graph.strength(a, b)
        assert s is not None
        strengths.append(s)
    return Path(tuple(nodes), tuple(strengths), cost)


def path_cost(strengths: Iterable[float], hop_penalty: float = HOP_PENALTY) -> float:
    return sum(-math.log(s) + hop_penalty for s in strengths)


def upper_misses(
    nodes: int, a: npt.ArrayLike, b: npt.ArrayLike, pieces: npt.ArrayLike
) -> sp.csr_array:
    """Pieces of evidence ``a[i] — b[i]`` worth ``pieces[i]`` as one sparse upper triangle:
    each pair once (lower id first), holding Σ log(1 − pᵢ) over its pieces.

    SciPy sums the duplicates in compiled code while it converts the coordinate list to sparse
    rows: no Python per edge and no full sort of the list.
    """
    left = np.asarray(a, dtype=np.int32)  # no copy when already compact
    right = np.asarray(b, dtype=np.int32)
    p = np.asarray(pieces, dtype=np.float32)
    keep = (left != right) & (p > 0)
    lo = np.minimum(left[keep], right[keep])
    hi = np.maximum(left[keep], right[keep])
    miss = np.log1p(-np.minimum(p[keep], np.float32(0.999999)))
    del left, right, p, keep
    return sp.coo_array((miss, (lo, hi)), shape=(nodes, nodes)).tocsr()


def distinct(values: Ints) -> Ints:
    """The distinct values, sorted (one sort of plain integers: faster than ``np.unique``'s hash
    table on large arrays)."""
    ordered = np.sort(values)
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return ordered[first]
