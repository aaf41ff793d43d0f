"""What the account page shows: facts, people, the org chart, the power map and the buying
committees (its routes are in web/routes/accounts.py).

One :func:`decision_makers` call per request feeds the chart, the table and the committees; it
reads the stored insights, kept per worker by their fingerprint. The chart is Graphviz SVG drawn
on the server and inlined, so each person's box is a link: a collapsed person opens their branch,
an opened one closes it (``?expand=1,5,9`` keeps the opened branches), anyone else jumps to their
row. A drawing is kept per worker by what it is drawn from (the account's fingerprint, the day,
its influence lines and the opened branches), so a correction draws anew and nothing else does.
Long lists come a page at a time (``?page=`` for the power map, ``?tree=`` for the people by
reporting line), and a form's person field suggests people as one types (``/people/search``),
so a page weighs the same at 50 people and at 5,000.
"""

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy.orm import Session

from crestline.reports.orgchart import COLOURS, render, visible
from crestline.services.accounts.accounts import (
    PersonNode,
    TreeRow,
    account_facts,
    reporting_rows,
    reporting_trees,
    resolve_account,
)
from crestline.services.auth.auth import Actor
from crestline.services.decisions.decision_makers import (
    COVERAGE,
    CRM_ROLES,
    FUNCTIONS,
    INFLUENCE_STRENGTH,
    LEVELS,
    RELATIONSHIP,
    SUPPORT,
    DecisionMakers,
    decision_makers,
)
from crestline.services.memo import Memo
from crestline.services.view_keys import view_key
from crestline.web.page_cache import PAGES
from crestline.web.security import CSRF_MARK

TOP_PEOPLE = 25  # rows of the power map a page
TREE_PAGE = 100  # people by reporting line a page
SUGGESTED = 25  # people a person field offers before anything is typed: the most powerful
CHART_BUDGET = 60  # people drawn before branches are collapsed


@dataclass(frozen=True)
class PageState:
    """What the account page's address holds: opened branches, the person in focus, the person
    being corrected, and the page of the power map and of the people by reporting line."""

    account_id: int
    expand: frozenset[int] = frozenset()
    focus: int | None = None
    edit: int | None = None
    page: int = 1
    tree: int = 1

    def url(self, fragment: str | None = None, **changes: Any) -> str:
        state = replace(self, **changes)
        params = []
        if state.expand:
            params.append("expand=" + ",".join(map(str, sorted(state.expand))))
        if state.focus is not None:
            params.append(f"focus={state.focus}")
        if state.page > 1:
            params.append(f"page={state.page}")
        if state.tree > 1:
            params.append(f"tree={state.tree}")
        if state.edit is not None:
            params.append(f"edit={state.edit}")
        query = ("?" + "&".join(params)) if params else ""
        return f"/accounts/{state.account_id}{query}" + (f"#{fragment}" if fragment else "")


@dataclass(frozen=True)
class Pager:
    """One page of a long list: which page, of how many, and the rows' numbers on it."""

    page: int
    pages: int
    first: int  # 1-based number of the page's first row
    last: int
    total: int

    @classmethod
    def of(cls, page: int, total: int, size: int) -> "Pager":
        pages = max(1, math.ceil(total / size))
        page = min(max(1, page), pages)
        return cls(page, pages, (page - 1) * size + 1, min(total, page * size), total)

    def rows(self, items: list[Any]) -> list[Any]:
        return items[self.first - 1 : self.last]


@dataclass(frozen=True)
class Drawing:
    """The chart as Graphviz drew it, with how many branches it folds and whom it shows."""

    svg: bytes
    folded: int
    shown: frozenset[int]

    def encode(self) -> bytes:
        """The drawing as the workers share it: a line of JSON, then the SVG."""
        head = {"format": 1, "folded": self.folded, "shown": sorted(self.shown)}
        return json.dumps(head).encode() + b"\n" + self.svg

    @classmethod
    def decode(cls, data: bytes) -> "Drawing":
        head, _, svg = data.partition(b"\n")
        found = json.loads(head)
        if not isinstance(found, dict) or found.get("format") != 1:
            raise ValueError("not a drawing of this version")
        return cls(svg, int(found["folded"]), frozenset(int(i) for i in found["shown"]))


# Every key holds the account's fingerprint (see services/memo), so no worker ever shows a
# drawing or a tree from before a change. Drawings are shared by the workers (Graphviz is the
# slow part of a first visit). Bounded per worker: 8 MB of drawings (30-50 KB each; the rest
# are read from the shelf), 50,000 people by reporting line (some 20 MB).
_DRAWINGS: Memo[Drawing] = Memo(
    max_items=256,
    max_size=8 << 20,
    size=lambda d: len(d.svg),
    shared="drawings",
    encode=Drawing.encode,
    decode=Drawing.decode,
)
_TREES: Memo[list[TreeRow]] = Memo(max_items=256, max_size=50_000, size=len)


def _below(dm: DecisionMakers, person_id: int) -> set[int]:
    reports: dict[int, list[int]] = {}
    for p in dm.people:
        if p.manager_id is not None:
            reports.setdefault(p.manager_id, []).append(p.id)
    found: set[int] = set()
    stack = list(reports.get(person_id, ()))
    while stack:
        pid = stack.pop()
        if pid not in found:
            found.add(pid)
            stack.extend(reports.get(pid, ()))
    return found


def chart_links(
    dm: DecisionMakers, expand: frozenset[int], collapsed: set[int] | dict[int, int]
) -> Callable[[int], str]:
    """Where a click on a person's box goes: open their branch, close it, or their row (on the
    power map's page that holds it). The links hold nothing but the opened branches, so one
    drawing serves every page of the lists."""
    chart = PageState(dm.account_id, expand)
    ranks = {p.id: p.rank for p in dm.people}

    def link(person_id: int) -> str:
        if person_id in collapsed:
            return chart.url("orgchart", expand=expand | {person_id}, focus=person_id)
        if person_id in expand:
            closed = expand - {person_id} - _below(dm, person_id)
            return chart.url("orgchart", expand=closed, focus=person_id)
        page = (ranks[person_id] - 1) // TOP_PEOPLE + 1
        return f"#row-{person_id}" if page == 1 else chart.url(f"row-{person_id}", page=page)

    return link


def drawing(dm: DecisionMakers, expand: frozenset[int]) -> Drawing:
    """The chart with ``expand``'s branches open, drawn once per worker for what it shows."""
    influence = tuple((i.from_id, i.to_id, i.strength) for i in dm.influence)
    key = (dm.account_id, dm.fingerprint, dm.as_of, influence, expand, CHART_BUDGET)

    def draw() -> Drawing:
        view = visible(dm, expand=expand, budget=CHART_BUDGET)
        link = chart_links(dm, expand, view.collapsed)
        svg = render(dm, "svg", expand=expand, link=link, budget=CHART_BUDGET)
        return Drawing(svg, len(view.collapsed), frozenset(p.id for p in view.shown))

    return _DRAWINGS.get_or_make(key, draw)


def chart_svg(dm: DecisionMakers, state: PageState) -> bytes:
    return drawing(dm, state.expand).svg


def inline_svg(dm: DecisionMakers, svg: bytes) -> Markup:
    """The chart as SVG markup to inline in the page (Graphviz escapes names and titles)."""
    drawn = svg.decode()
    body = drawn[drawn.index("<svg") :]
    label = Markup('<svg class="orgchart" role="img" aria-label="Org chart of {}" ').format(
        dm.account_name
    )
    return Markup(body.replace("<svg ", str(label), 1))


def people_tree(dm: DecisionMakers) -> list[TreeRow]:
    """The account's people by reporting line as the CRM has it (read once per fingerprint)."""

    def build() -> list[TreeRow]:
        nodes = sorted(
            (
                PersonNode(p.id, p.name, p.title, p.seniority, p.function, None, p.crm_manager_id)
                for p in dm.people
            ),
            key=lambda n: n.name,
        )
        return reporting_rows(reporting_trees(nodes))

    return _TREES.get_or_make((dm.account_id, dm.fingerprint, dm.as_of), build)


def account_context(session: Session, actor: Actor, state: PageState) -> dict[str, Any]:
    """What the account page shows: one ``decision_makers`` call and the account's facts."""
    dm = decision_makers(session, actor, str(state.account_id))
    facts = account_facts(session, actor, str(dm.account_id))
    drawn = drawing(dm, state.expand)
    page = state.page
    if state.edit is not None:  # the power map's page that holds the person being corrected
        page = next(((p.rank - 1) // TOP_PEOPLE + 1 for p in dm.people if p.id == state.edit), 1)
    power = Pager.of(page, len(dm.people), TOP_PEOPLE)
    rows = people_tree(dm)
    tree = Pager.of(state.tree, len(rows), TREE_PAGE)
    state = replace(state, page=power.page, tree=tree.page)
    names = {p.id: p.name for p in dm.people}
    shown_tree = tree.rows(rows)
    return {
        "detail": facts,
        "dm": dm,
        "state": state,
        "svg": inline_svg(dm, drawn.svg),
        "folded": drawn.folded,
        "focus": state.focus if state.focus in drawn.shown else dm.top_id,
        "ranked": power.rows(dm.people),
        "power": power,
        "tree": shown_tree,
        "tree_pager": tree,
        "tree_above": [names[i] for i in shown_tree[0].above] if shown_tree else [],
        "suggested": dm.people[:SUGGESTED],
        "names": names,
        "confirmed": dm.confirmed,
        "colours": COLOURS,
        "choices": {
            "seniority": LEVELS,
            "function": FUNCTIONS,
            "support": SUPPORT,
            "coverage": COVERAGE,
            "relationship": RELATIONSHIP,
            "role": CRM_ROLES,
            "strength": INFLUENCE_STRENGTH,
        },
    }


def account_body(
    env: Environment, session: Session, actor: Actor, state: PageState
) -> tuple[str, Markup]:
    """The account's name and its page below the header, as HTML: drawn once for what it shows
    (the account, the page's state, the data stamp, the day, the actor's scope) and kept."""
    account = resolve_account(session, actor, str(state.account_id))  # may they see it at all
    key = view_key(session, actor, "account", state)
    kept = PAGES.get(key)
    if kept is None:
        context = account_context(session, actor, state)
        # its forms hold a mark for the token: each reader's is put in when it is shown
        html = env.get_template("_account_body.html").render(context, csrf=CSRF_MARK)
        kept = PAGES.put(key, " ".join(account.name.split()).encode() + b"\n" + html.encode())
    name, _, drawn = kept.partition(b"\n")
    return name.decode(), Markup(drawn.decode())
