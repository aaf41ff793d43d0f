"""Org charts of target accounts: depth and span vary with size and industry.

The people a CRM holds are a sample of the real organisation: more of the top, fewer of the base.
A tall bank has many narrow levels (C-suite, EVPs, VPs, directors, managers …); a flat software firm
has few, wide ones. Levels are filled as a geometric series whose ratio is the span of control,
lowered when the CRM's sample is too small to fill the real span.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

LADDERS = {
    "tall": (
        "c_suite",
        "c_suite",
        "evp",
        "vp",
        "director",
        "manager",
        "manager",
        "individual_contributor",
    ),
    "medium": ("c_suite", "c_suite", "evp", "vp", "director", "manager", "individual_contributor"),
    "medium_small": ("c_suite", "c_suite", "vp", "director", "manager", "individual_contributor"),
    "flat": ("c_suite", "c_suite", "vp", "director", "manager", "individual_contributor"),
    "flat_small": ("c_suite", "c_suite", "director", "manager", "individual_contributor"),
}

C_SUITE_ORDER = {
    "default": (
        "finance",
        "technology",
        "operations",
        "sales",
        "human_resources",
        "marketing",
        "legal",
        "strategy",
        "data",
        "communications",
        "procurement",
    ),
    "banking": ("finance", "technology", "risk_compliance", "operations", "human_resources"),
    "insurance": ("finance", "technology", "risk_compliance", "operations", "sales"),
    "software": ("finance", "technology", "product", "sales", "marketing", "customer_success"),
    "manufacturing": ("finance", "operations", "supply_chain", "technology", "sales"),
    "automotive": ("finance", "operations", "supply_chain", "technology", "research"),
    "pharmaceuticals": ("finance", "research", "operations", "technology", "legal"),
    "chemicals": ("finance", "operations", "research", "supply_chain", "technology"),
    "retail": ("finance", "operations", "marketing", "supply_chain", "technology"),
    "consumer_goods": ("finance", "marketing", "supply_chain", "operations", "sales"),
    "logistics": ("finance", "operations", "technology", "sales", "supply_chain"),
    "public_sector": ("finance", "operations", "technology", "legal", "human_resources"),
}

SUB_FUNCTIONS = {
    "technology": ("security", "data", "technology", "technology"),
    "finance": ("procurement", "risk_compliance", "finance"),
    "operations": ("supply_chain", "procurement", "customer_success"),
    "sales": ("customer_success", "sales"),
    "marketing": ("communications", "data"),
    "general_management": ("strategy", "communications", "administration"),
    "human_resources": ("administration", "human_resources"),
    "legal": ("risk_compliance", "legal"),
    "product": ("technology", "data", "product"),
}


# Share of a CRM's people at an account who are individual contributors (no reports).
IC_SHARE = {"tall": 0.22, "medium": 0.28, "flat": 0.35}


@dataclass(slots=True)
class OrgNode:
    manager: int  # local index, -1 for a top
    seniority: str
    function: str
    depth: int


def _ratio(levels: int, people: int, span: float) -> float:
    """The ratio r with 1 + r + … + r^levels ≈ people, capped at the span of control."""
    lo, hi = 1.0, span
    for _ in range(40):
        mid = (lo + hi) / 2
        total = sum(mid**d for d in range(levels + 1))
        lo, hi = (mid, hi) if total < people else (lo, mid)
    return lo


def ladder_for(hierarchy: str, employees: int) -> tuple[str, ...]:
    if hierarchy == "medium" and employees < 10_000:
        return LADDERS["medium_small"]
    if hierarchy == "flat" and employees < 1_000:
        return LADDERS["flat_small"]
    return LADDERS[hierarchy]


def build_org(
    rng: random.Random, *, people: int, hierarchy: str, span: float, employees: int, industry: str
) -> list[OrgNode]:
    """A forest of ``people`` nodes: board members (tops), then the CEO's tree."""
    board = rng.randint(2, 5) if employees >= 1_000 and people >= 40 else 0
    assistant = people >= 40 and rng.random() < 0.6  # an assistant to the CEO
    tree_people = people - board - int(assistant)
    ladder = ladder_for(hierarchy, employees)
    ic_count = round(IC_SHARE[hierarchy] * tree_people) if tree_people >= 12 else 0
    levels = len(ladder) - 2  # levels below the CEO that have reports
    ratio = _ratio(levels, tree_people - ic_count, span)
    sizes = [1]
    remaining = tree_people - 1 - ic_count
    for depth in range(1, levels + 1):
        if remaining <= 0:
            break
        if depth == 1:
            size = max(3, min(9, round(2 + 1.3 * math.log10(max(employees, 100) / 100))))
        elif depth == levels:
            size = remaining
        else:
            size = max(1, round(sizes[-1] * ratio * rng.uniform(0.85, 1.15)))
        size = min(size, remaining)
        sizes.append(size)
        remaining -= size
    ic_count += remaining
    seniorities = [ladder[min(d, len(ladder) - 2)] for d in range(len(sizes))]
    if ic_count:
        sizes.append(ic_count)
        seniorities.append("individual_contributor")

    nodes: list[OrgNode] = [OrgNode(-1, "c_suite", "general_management", 0)]
    order = C_SUITE_ORDER.get(industry, C_SUITE_ORDER["default"])
    extra = [f for f in C_SUITE_ORDER["default"] if f not in order]
    chiefs = list(order) + extra
    previous = [0]
    for depth, size in enumerate(sizes[1:], start=1):
        seniority = seniorities[depth]
        last_level = depth == len(sizes) - 1
        capacity = [rng.lognormvariate(0, 0.6) for _ in previous]
        shuffled = previous[:]
        rng.shuffle(shuffled)
        current = []
        for j in range(size):
            if depth == 1:
                manager, function = 0, chiefs[j % len(chiefs)]
            else:
                manager = shuffled[j] if j < len(shuffled) else rng.choices(previous, capacity)[0]
                function = nodes[manager].function
                if rng.random() < 0.15:
                    function = rng.choice(SUB_FUNCTIONS.get(function, (function,)))
            node_seniority = seniority
            if last_level and seniority == "individual_contributor" and rng.random() < 0.08:
                node_seniority = "entry"
            nodes.append(OrgNode(manager, node_seniority, function, depth))
            current.append(len(nodes) - 1)
        previous = current
    if assistant:
        nodes.append(OrgNode(0, "individual_contributor", "administration", 1))
    for _ in range(board):
        nodes.append(OrgNode(-1, "board", "general_management", 0))
    return nodes
