"""An account's org chart: the forest of known reporting lines, completed by inference.

Input is what a CRM knows: each person's level and function (from the title classifier, or
confirmed by a user) and a reporting line where one was recorded. The engine

1. drops lines to people outside the account and to oneself;
2. breaks cycles, cutting the line of the most senior person in each cycle (a cycle's most senior
   member is the likeliest to sit at its top);
3. fills in unknown levels and functions from the chart itself: one level above a person's most
   senior report, one below the manager; the function most of the reports share;
4. finds the top: the root whose tree is largest, the most senior on a tie;
5. gives every other root (a person with no known manager) the most plausible manager, most senior
   people first, so that their trees are in place before their reports need a manager:
   someone one level up in the same function (or a parent function: a security director reports
   into technology) is preferred, and among those the one who already manages people like them
   (same function and level: the "peers" vote); failing that the function's head; failing that
   the top. Each inferred line has a confidence (the winner's share of the candidates' weights,
   times how sure the evidence is) and a reason in words;
6. measures the completed chart: depth, span of control and subtree size per person, and a
   hierarchy index per account (tall and narrow, 1, versus small and flat, 0).

Board members are not given a manager: the board sits beside the management line, not in it.
Pure: plain data in, frozen dataclasses out.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from crestline.vocab import LEVELS

RANK = {level: i for i, level in enumerate(LEVELS)}
UNKNOWN = "unknown"
# A sub-function's usual home: where its people report when nobody of their own function is above.
PARENT_FUNCTIONS: Mapping[str, tuple[str, ...]] = {
    "security": ("technology", "risk_compliance"),
    "data": ("technology", "product", "marketing"),
    "product": ("technology", "general_management"),
    "procurement": ("finance", "operations", "supply_chain"),
    "risk_compliance": ("finance", "legal"),
    "legal": ("general_management", "risk_compliance"),
    "supply_chain": ("operations",),
    "customer_success": ("sales", "operations"),
    "communications": ("marketing", "general_management"),
    "strategy": ("general_management",),
    "administration": ("general_management", "human_resources"),
    "research": ("technology", "general_management"),
}
# Weights of the evidence for a candidate manager (documented in docs/decision-makers.md).
W_SAME_FUNCTION = 3.0
W_PARENT_FUNCTION = 1.5
W_GENERAL = 0.6
W_OTHER = 0.1
W_PEERS = 2.0  # per peer (same function and level) the candidate already manages, up to 4
W_DEPARTMENT = 1.5
GAP_DECAY = 0.35  # weight kept per extra level between a person and the candidate


@dataclass(frozen=True)
class Member:
    """One person of the account as the org chart needs them."""

    id: int
    manager_id: int | None
    seniority: str = UNKNOWN
    function: str = UNKNOWN
    department: str | None = None
    line_confirmed: bool = False  # a user confirmed this line: never cut it in a cycle


@dataclass(frozen=True)
class InferredLine:
    person_id: int
    manager_id: int
    confidence: float
    reason: str


@dataclass(frozen=True)
class BrokenLine:
    person_id: int
    manager_id: int
    reason: str


@dataclass(frozen=True)
class Position:
    """A person's place in the completed chart."""

    manager_id: int | None
    inferred: bool
    depth: int
    span: int  # direct reports
    subtree: int  # the person and everyone below
    seniority: str  # as given, or inferred from the chart when unknown
    function: str
    level_inferred: bool


@dataclass(frozen=True)
class OrgChart:
    top: int | None
    positions: Mapping[int, Position]
    inferred: tuple[InferredLine, ...]
    broken: tuple[BrokenLine, ...]
    dropped: tuple[BrokenLine, ...]  # lines to people outside the account or to oneself
    depth: int  # levels below the top of the deepest person
    mean_span: float  # of people who manage someone
    hierarchy_index: float

    def inferred_line(self, person_id: int) -> InferredLine | None:
        return self.inferred_by_person.get(person_id)

    @cached_property
    def inferred_by_person(self) -> dict[int, InferredLine]:
        return {line.person_id: line for line in self.inferred}

    def reports(self, person_id: int) -> list[int]:
        return [p for p, pos in self.positions.items() if pos.manager_id == person_id]

    def chain(self, person_id: int) -> list[int]:
        """The person's managers, nearest first."""
        out: list[int] = []
        seen = {person_id}
        current = self.positions[person_id].manager_id
        while current is not None and current not in seen:
            out.append(current)
            seen.add(current)
            current = self.positions[current].manager_id
        return out


def hierarchy_index(depth: int, mean_span: float, size: int) -> float:
    """How top-down an account is: 0 for a small, flat one, 1 for a large, tall and narrow one.

    Half from the depth of the chart (3 levels below the top or fewer: 0; 7 or more: 1) nudged by
    a narrow span of control, half from the organisation's size (300 people: 0; 100,000: 1).
    """
    tall = min(1.0, max(0.0, (depth + 1 - 3) / 4))
    if mean_span > 0:
        narrow = min(1.0, max(0.0, (8.0 - mean_span) / 6.0))
        tall = 0.8 * tall + 0.2 * narrow
    big = min(1.0, max(0.0, (math.log10(max(size, 1)) - 2.5) / 2.5))
    return round(0.5 * tall + 0.5 * big, 4)


def _rank(level: str) -> int | None:
    return RANK.get(level)


class _Builder:
    def __init__(self, members: Iterable[Member]) -> None:
        self.members: dict[int, Member] = {m.id: m for m in members}
        self.manager: dict[int, int | None] = {}
        self.dropped: list[BrokenLine] = []
        self.broken: list[BrokenLine] = []
        for m in self.members.values():
            mid = m.manager_id
            if mid is not None and (mid == m.id or mid not in self.members):
                why = "reports to themself" if mid == m.id else "manager is not at this account"
                self.dropped.append(BrokenLine(m.id, mid, why))
                mid = None
            self.manager[m.id] = mid
        self.level: dict[int, str] = {i: m.seniority for i, m in self.members.items()}
        self.function: dict[int, str] = {i: m.function for i, m in self.members.items()}
        self.level_inferred: set[int] = set()

    # --- cycles -------------------------------------------------------------------------------

    def break_cycles(self) -> None:
        state: dict[int, int] = {}  # 1 = on the current walk, 2 = done
        for start in self.members:
            if start in state:
                continue
            walk: list[int] = []
            node: int | None = start
            while node is not None and node not in state:
                state[node] = 1
                walk.append(node)
                node = self.manager[node]
            if node is not None and state[node] == 1:
                cycle = walk[walk.index(node) :]
                self._cut(cycle)
            for n in walk:
                state[n] = 2

    def _cut(self, cycle: list[int]) -> None:
        def key(i: int) -> tuple[int, int, int]:
            confirmed = 1 if self.members[i].line_confirmed else 0
            rank = _rank(self.level[i])
            return (confirmed, rank if rank is not None else 99, i)

        victim = min(cycle, key=key)
        names = len(cycle)
        manager = self.manager[victim]
        assert manager is not None
        self.broken.append(
            BrokenLine(
                victim,
                manager,
                f"cycle of {names}: cut the line of its most senior member",
            )
        )
        self.manager[victim] = None

    # --- levels and functions the titles did not give --------------------------------------

    def fill_levels(self) -> None:
        reports: dict[int, list[int]] = defaultdict(list)
        for p, m in self.manager.items():
            if m is not None:
                reports[m].append(p)
        for p in self.members:  # a "Finance Director" over vice presidents is above them
            own = _rank(self.level[p])
            if own is None or own < RANK["c_suite"]:
                continue
            known = (_rank(self.members[c].seniority) for c in reports[p])
            ranks = [r for r in known if r is not None and r > RANK["board"]]
            if not ranks:
                continue
            # over someone more senior: read one level above them (equal levels are common:
            # a senior director over directors, a manager over managers)
            raised = LEVELS[max(RANK["c_suite"], min(ranks) - 1)]
            if min(ranks) < own and RANK[raised] < own:
                self.level[p] = raised
                self.level_inferred.add(p)
        for _ in range(3):  # a few passes let inferences flow along chains
            changed = False
            for p in self.members:
                if _rank(self.level[p]) is None:
                    level = self._level_from_chart(p, reports[p])
                    if level is not None:
                        self.level[p] = level
                        self.level_inferred.add(p)
                        changed = True
                if self.function[p] == UNKNOWN:
                    fn = self._function_from_chart(p, reports[p])
                    if fn is not None:
                        self.function[p] = fn
                        changed = True
            if not changed:
                break

    def _level_from_chart(self, p: int, reports: list[int]) -> str | None:
        ranks = [r for r in (_rank(self.level[c]) for c in reports) if r is not None]
        if ranks:
            return LEVELS[max(RANK["c_suite"], min(ranks) - 1)]
        m = self.manager[p]
        if m is not None:
            r = _rank(self.level[m])
            if r is not None:
                return LEVELS[min(RANK["individual_contributor"], r + 1)]
        return None

    def _function_from_chart(self, p: int, reports: list[int]) -> str | None:
        fns = Counter(self.function[c] for c in reports if self.function[c] != UNKNOWN)
        if fns:
            return fns.most_common(1)[0][0]
        m = self.manager[p]
        if m is not None and self.function[m] not in (UNKNOWN, "general_management"):
            return self.function[m]
        return None

    # --- the top and the missing lines ---------------------------------------------------------

    def find_roots(self) -> tuple[dict[int, int], dict[int, int]]:
        """Each person's root, and each root's tree size."""
        root: dict[int, int] = {}
        for p in self.members:
            path = []
            node = p
            while node not in root and self.manager[node] is not None:
                path.append(node)
                node = self.manager[node]  # type: ignore[assignment]
            r = root.get(node, node)
            root[node] = r
            for n in path:
                root[n] = r
        sizes = Counter(root.values())
        return root, dict(sizes)

    def choose_top(self, sizes: Mapping[int, int]) -> int | None:
        if not sizes:
            return None

        def key(r: int) -> tuple[int, int, int, int]:
            rank = _rank(self.level[r])
            board = 1 if self.level[r] == "board" else 0
            gm = 0 if self.function[r] == "general_management" else 1
            return (-sizes[r], board, rank if rank is not None else 99, gm * 100_000 + r)

        return min(sizes, key=key)

    def infer(self, top: int | None, root: dict[int, int]) -> list[InferredLine]:
        if top is None:
            return []
        parent = {r: r for r in set(root.values())}

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        peers: dict[int, Counter[tuple[str, str]]] = defaultdict(Counter)
        for p, m in self.manager.items():
            if m is not None:
                peers[m][(self.function[p], self.level[p])] += 1
        by_level: dict[tuple[int, str], list[int]] = defaultdict(list)
        for p in self.members:
            r = _rank(self.level[p])
            if r is not None and self.level[p] != "board":
                by_level[(r, self.function[p])].append(p)

        orphans = [r for r in parent if r != top and self.level[r] != "board"]
        orphans.sort(key=lambda r: (_rank(self.level[r]) or 99, r))
        out: list[InferredLine] = []
        for p in orphans:
            own = find(p)

            def in_tree(c: int, own: int = own) -> bool:
                return find(root[c]) == own

            line = self._best_manager(p, top, by_level, peers, in_tree)
            self.manager[p] = line.manager_id
            parent[find(p)] = find(root[line.manager_id])
            peers[line.manager_id][(self.function[p], self.level[p])] += 1
            out.append(line)
        return out

    def _best_manager(
        self,
        p: int,
        top: int,
        by_level: Mapping[tuple[int, str], list[int]],
        peers: Mapping[int, Counter[tuple[str, str]]],
        in_tree: Callable[[int], bool],
    ) -> InferredLine:
        rank = _rank(self.level[p])
        fn = self.function[p]
        if rank is None and fn == UNKNOWN:
            return InferredLine(p, top, 0.2, "no level or function known: placed under the top")
        if rank is None:
            rank = RANK["individual_contributor"]
        dept = (self.members[p].department or "").strip().lower()
        parents = PARENT_FUNCTIONS.get(fn, ())
        scored: list[tuple[float, float, int, str]] = []  # weight, base weight, candidate, why
        functions = [f for f in dict.fromkeys((fn, *parents, "general_management")) if f != UNKNOWN]
        for r in range(rank - 1, RANK["board"], -1):
            gap = rank - 1 - r
            decay = GAP_DECAY**gap
            candidates = [c for f in functions for c in by_level.get((r, f), ())]
            for c in candidates:
                if c == p or in_tree(c):
                    continue
                cf = self.function[c]
                if cf == fn and fn != UNKNOWN:
                    w, why = W_SAME_FUNCTION, f"in {fn.replace('_', ' ')} like them"
                elif cf in parents:
                    w, why = W_PARENT_FUNCTION, f"in {cf.replace('_', ' ')}, where it reports"
                elif cf == "general_management":
                    w, why = W_GENERAL, "in general management"
                else:
                    w, why = W_OTHER, "in another function"
                base = w
                known = peers.get(c)
                n_peers = min(4, known[(fn, self.level[p])]) if known else 0
                if n_peers:
                    w += W_PEERS * n_peers
                    why += f", already manages {n_peers} {'peer' if n_peers == 1 else 'peers'}"
                cdept = (self.members[c].department or "").strip().lower()
                if dept and cdept == dept:
                    w += W_DEPARTMENT
                    why += f", same department ({self.members[c].department})"
                level = self.level[c].replace("_", " ")
                where = "one level up" if gap == 0 else f"{gap + 1} levels up"
                scored.append((w * decay, base, c, f"{level} {where}, {why}"))
            if scored and max(s[0] for s in scored) >= W_SAME_FUNCTION * decay:
                break  # a good candidate at this level: higher levels only dilute
        if not scored or max(s[1] for s in scored) < W_GENERAL:
            return InferredLine(p, top, 0.3, "nobody of a related function above: under the top")
        scored.sort(key=lambda s: (-s[0], s[2]))
        best, _, cand, why = scored[0]
        total = sum(s[0] for s in scored[:12])
        share = best / total if total else 0.0
        strength = min(1.0, best / (W_SAME_FUNCTION + W_PEERS))
        confidence = round(max(0.05, min(0.95, share * (0.5 + 0.5 * strength))), 3)
        return InferredLine(p, cand, confidence, why)

    # --- measures --------------------------------------------------------------------------------

    def measure(self, inferred: set[int]) -> dict[int, Position]:
        reports: dict[int, list[int]] = defaultdict(list)
        for p, m in self.manager.items():
            if m is not None:
                reports[m].append(p)
        depth: dict[int, int] = {}
        subtree: dict[int, int] = {}
        roots = [p for p, m in self.manager.items() if m is None]
        order: list[int] = []
        for r in roots:
            depth[r] = 0
            stack = [r]
            while stack:
                n = stack.pop()
                order.append(n)
                for c in reports[n]:
                    depth[c] = depth[n] + 1
                    stack.append(c)
        for n in reversed(order):
            subtree[n] = 1 + sum(subtree[c] for c in reports[n])
        return {
            p: Position(
                manager_id=self.manager[p],
                inferred=p in inferred,
                depth=depth.get(p, 0),
                span=len(reports[p]),
                subtree=subtree.get(p, 1),
                seniority=self.level[p],
                function=self.function[p],
                level_inferred=p in self.level_inferred,
            )
            for p in self.members
        }


def build_orgchart(members: Iterable[Member], *, employees: int | None = None) -> OrgChart:
    """The completed org chart of one account (see the module's documentation)."""
    b = _Builder(members)
    b.break_cycles()
    b.fill_levels()
    root, sizes = b.find_roots()
    top = b.choose_top(sizes)
    lines = b.infer(top, root)
    positions = b.measure({line.person_id for line in lines})
    depth = max((pos.depth for pos in positions.values()), default=0)
    spans = [pos.span for pos in positions.values() if pos.span]
    mean_span = sum(spans) / len(spans) if spans else 0.0
    size = employees if employees else len(positions)
    return OrgChart(
        top=top,
        positions=positions,
        inferred=tuple(lines),
        broken=tuple(b.broken),
        dropped=tuple(b.dropped),
        depth=depth,
        mean_span=round(mean_span, 2),
        hierarchy_index=hierarchy_index(depth, mean_span, size),
    )
