"""Drawing an account's org chart: JSON for programs, SVG or PNG through Graphviz ``dot``.

Seniority is the fill colour; a line the CRM did not record (inferred) is dashed and labelled with
its confidence; influence outside the hierarchy is a dotted blue arrow; people engaged in the last
90 days have a thick border, and the five most powerful people carry their rank. A large chart is
collapsed by branch: whole levels are shown from the top while they fit in :data:`NODE_BUDGET`
people, and a collapsed person shows how many are below them ("+12"); ``expand`` opens chosen
branches.

It takes plain data: anything shaped as :class:`Chart` (the decision-makers use case's
``DecisionMakers`` is), and imports nothing of storage or services.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from crestline.errors import BadInputError, UnavailableError
from crestline.vocab import NODE_BUDGET as NODE_BUDGET

FORMATS = ("svg", "png", "json")
COLOURS = {
    "board": "#3b1f5e",
    "c_suite": "#5b2a86",
    "evp": "#7b3fa8",
    "vp": "#2f5da8",
    "director": "#2f8fa8",
    "manager": "#3fa87a",
    "individual_contributor": "#9fb86a",
    "entry": "#c9c97a",
    "unknown": "#9a9a9a",
}
LIGHT_TEXT = {"board", "c_suite", "evp", "vp", "director", "manager"}
RANKED = 5


class ChartPerson(Protocol):
    """A person as the chart draws them: level, line to their manager, power and rank."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def seniority(self) -> str: ...
    @property
    def function(self) -> str: ...
    @property
    def level_source(self) -> str: ...
    @property
    def manager_id(self) -> int | None: ...
    @property
    def line_source(self) -> str | None: ...
    @property
    def line_confidence(self) -> float | None: ...
    @property
    def line_reason(self) -> str | None: ...
    @property
    def below(self) -> int: ...
    @property
    def power(self) -> float: ...
    @property
    def rank(self) -> int: ...
    @property
    def reasons(self) -> Sequence[str]: ...
    @property
    def engaged(self) -> bool: ...


class ChartInfluence(Protocol):
    """Influence outside the hierarchy: ``from`` sways ``to``."""

    @property
    def from_id(self) -> int: ...
    @property
    def from_name(self) -> str: ...
    @property
    def to_id(self) -> int: ...
    @property
    def to_name(self) -> str: ...
    @property
    def strength(self) -> str: ...
    @property
    def note(self) -> str | None: ...


class Chart(Protocol):
    """An account's chart: its people (strongest first) and influence lines."""

    @property
    def account_id(self) -> int: ...
    @property
    def account_name(self) -> str: ...
    @property
    def top_id(self) -> int | None: ...
    @property
    def depth(self) -> int: ...
    @property
    def hierarchy_index(self) -> float: ...
    @property
    def people(self) -> Sequence[ChartPerson]: ...
    @property
    def influence(self) -> Sequence[ChartInfluence]: ...


@dataclass(frozen=True)
class ChartView:
    """The people shown, and who is collapsed with how many below them."""

    shown: list[ChartPerson]
    collapsed: dict[int, int]  # person id → people hidden below


def visible(dm: Chart, *, expand: Iterable[int] = (), budget: int = NODE_BUDGET) -> ChartView:
    by_id = {p.id: p for p in dm.people}
    reports: dict[int | None, list[int]] = defaultdict(list)
    for p in dm.people:
        reports[p.manager_id].append(p.id)
    for ids in reports.values():
        ids.sort(key=lambda i: (by_id[i].rank, i))
    opened = set(expand)
    shown: list[int] = []
    frontier = list(reports[None])
    while frontier:  # level by level while the whole level fits
        if len(shown) + len(frontier) > budget and shown:
            break
        shown.extend(frontier)
        frontier = [c for p in frontier for c in reports[p]]
    shown_set = set(shown)
    stack = [i for i in shown if i in opened]
    while stack:  # opened branches: their reports, and theirs if opened too
        i = stack.pop()
        for c in reports[i]:
            if c not in shown_set:
                shown_set.add(c)
                shown.append(c)
                if c in opened:
                    stack.append(c)
    collapsed = {
        p: by_id[p].below for p in shown if by_id[p].below and not set(reports[p]) & shown_set
    }
    partly = {
        p: sum(1 + by_id[c].below for c in reports[p] if c not in shown_set)
        for p in shown
        if p not in collapsed and any(c not in shown_set for c in reports[p])
    }
    collapsed.update(partly)
    return ChartView([by_id[p] for p in shown], collapsed)


def parse_ids(value: str, *, name: str = "expand") -> frozenset[int]:
    """``"1,5,9"`` → {1, 5, 9}; anything but person ids is a one-line error."""
    ids = [part.strip() for part in value.split(",") if part.strip()]
    if not all(part.isdigit() for part in ids):
        raise BadInputError(f"{name} {value!r} is not a comma-separated list of person ids")
    return frozenset(int(part) for part in ids)


def _quote(text: str) -> str:
    """A Graphviz string; a new line in ``text`` becomes a line break of the label."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


def _short(text: str | None, limit: int = 38) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_dot(
    dm: Chart,
    *,
    expand: Iterable[int] = (),
    link: Callable[[int], str] | None = None,
    budget: int = NODE_BUDGET,
) -> str:
    """The chart in Graphviz's language; ``link(person_id)`` makes each box a link."""
    view = visible(dm, expand=expand, budget=budget)
    shown = {p.id for p in view.shown}
    lines = [
        "digraph orgchart {",
        '  graph [rankdir=TB, nodesep=0.25, ranksep=0.45, fontname="DejaVu Sans", '
        'bgcolor="transparent"];',
        '  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=10, '
        'margin="0.12,0.06"];',
        '  edge [color="#555555", arrowhead=none];',
    ]
    for p in view.shown:
        level = p.seniority if p.seniority in COLOURS else "unknown"
        head = f"#{p.rank} " if p.rank <= RANKED else ""
        label = f"{head}{p.name}\n{_short(p.title) or '(no title)'}\n{level.replace('_', ' ')}"
        if p.id in view.collapsed:
            label += f"  +{view.collapsed[p.id]}"
        attrs = {
            "label": label,
            "fillcolor": COLOURS[level],
            "fontcolor": "white" if level in LIGHT_TEXT else "#1a1a1a",
            "penwidth": "3" if p.engaged else "1",
            "color": "#e8a317" if p.engaged else "#333333",
            "tooltip": f"{p.name}: power {p.power:.2f} — " + "; ".join(p.reasons),
            "id": f"person-{p.id}",
        }
        if link is not None:
            attrs["URL"] = link(p.id)
            attrs["target"] = "_top"
        body = ", ".join(f"{k}={_quote(v)}" for k, v in attrs.items())
        lines.append(f"  p{p.id} [{body}];")
    for p in view.shown:
        if p.manager_id is None or p.manager_id not in shown:
            continue
        if p.line_source == "inferred":
            conf = p.line_confidence or 0.0
            tip = _quote(f"inferred ({conf:.0%}): {p.line_reason or ''}")
            lines.append(
                f'  p{p.manager_id} -> p{p.id} [style=dashed, color="#b03030", '
                f'label="{conf:.0%}", fontsize=8, fontcolor="#b03030", tooltip={tip}];'
            )
        else:
            lines.append(f"  p{p.manager_id} -> p{p.id};")
    for i in dm.influence:  # influence outside the hierarchy: dotted, not part of the layout
        if i.from_id in shown and i.to_id in shown:
            tip = _quote(f"{i.from_name} influences {i.to_name} ({i.strength})")
            width = {"low": "1", "medium": "1.6", "high": "2.4"}.get(i.strength, "1.6")
            lines.append(
                f'  p{i.from_id} -> p{i.to_id} [style=dotted, color="#1f6fb2", '
                f"constraint=false, arrowhead=normal, penwidth={width}, tooltip={tip}];"
            )
    lines.append("}")
    return "\n".join(lines)


def to_json(dm: Chart) -> dict[str, Any]:
    return {
        "account": {"id": dm.account_id, "name": dm.account_name},
        "top_id": dm.top_id,
        "depth": dm.depth,
        "hierarchy_index": dm.hierarchy_index,
        "nodes": [
            {
                "id": p.id,
                "name": p.name,
                "title": p.title,
                "seniority": p.seniority,
                "function": p.function,
                "level_source": p.level_source,
                "power": p.power,
                "rank": p.rank,
                "engaged": p.engaged,
            }
            for p in dm.people
        ],
        "edges": [
            {
                "manager": p.manager_id,
                "person": p.id,
                "source": p.line_source,
                "confidence": p.line_confidence,
                "reason": p.line_reason,
            }
            for p in dm.people
            if p.manager_id is not None
        ],
        "influence": [
            {"from": i.from_id, "to": i.to_id, "strength": i.strength, "note": i.note}
            for i in dm.influence
        ],
    }


def render(
    dm: Chart,
    fmt: str,
    *,
    expand: Iterable[int] = (),
    link: Callable[[int], str] | None = None,
    budget: int = NODE_BUDGET,
) -> bytes:
    """The chart as SVG or PNG (through Graphviz ``dot``)."""
    if fmt not in ("svg", "png"):
        raise BadInputError(f"cannot draw an org chart as {fmt!r}: use svg or png")
    dot = shutil.which("dot")
    if dot is None:
        raise UnavailableError(
            "Graphviz is not installed (`dot` not found): install it, e.g. apt-get install graphviz"
        )
    source = to_dot(dm, expand=expand, link=link, budget=budget)
    done = subprocess.run(
        [dot, f"-T{fmt}"], input=source.encode(), capture_output=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise UnavailableError(f"Graphviz failed: {done.stderr.decode(errors='replace')[:200]}")
    return done.stdout


def write_output(path: Path, data: bytes) -> None:
    """Write a drawing, with a one-line error when the place is not writable."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise BadInputError(f"{path}: cannot write ({exc.strerror})") from None
