"""A way in, as the account and person pages show it: the warm paths to the targets, our
executives paired with theirs, and who of ours a path may start from — one use case per panel,
so a page gets its data from one call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from crestline.services.accounts.accounts import resolve_account
from crestline.services.accounts.people import person_paths
from crestline.services.auth.auth import Actor
from crestline.services.paths.relationship_graph import RelationshipGraph
from crestline.services.paths.sellers import SellerChoice, active_sellers
from crestline.services.paths.warm_paths import (
    ExecutivePair,
    TargetPaths,
    executive_pairs,
    warm_paths,
)

SUGGESTED = 25  # of ours the "From" field offers before anything is typed


@dataclass(frozen=True)
class PathOptions:
    """Which paths: from our executives only, from one of ours, how many, how long."""

    execs_only: bool = False
    from_seller: str | None = None
    k: int = 3
    max_hops: int = 4

    def as_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`warm_paths` and :func:`person_paths`."""
        return {
            "execs_only": self.execs_only,
            "from_seller": self.from_seller,
            "k": self.k,
            "max_hops": self.max_hops,
        }


@dataclass(frozen=True)
class WayIn:
    as_of: dt.date
    account_id: int | None = None  # the account's panel; None for a person's
    account_name: str | None = None
    targets: list[TargetPaths] | None = None  # None: not asked for
    pairs: list[ExecutivePair] | None = None
    sellers: list[SellerChoice] = field(default_factory=list)  # the first SUGGESTED
    chosen: SellerChoice | None = None  # the one of ours the paths are from, when one is


def _starts(
    session: Session, options: PathOptions
) -> tuple[list[SellerChoice], SellerChoice | None]:
    sellers = active_sellers(session)  # executives first
    chosen = next((s for s in sellers if str(s.id) == options.from_seller), None)
    return sellers[:SUGGESTED], chosen


def account_way_in(
    session: Session,
    actor: Actor,
    account: str,
    *,
    graph: RelationshipGraph,
    options: PathOptions,
    paths: bool = True,
    pairs: bool = True,
) -> WayIn:
    """The account's warm paths (``paths``) and executive pairing (``pairs``), as the actor may
    see them."""
    found = resolve_account(session, actor, account)
    key = str(found.id)
    sellers, chosen = _starts(session, options) if paths else ([], None)
    return WayIn(
        account_id=found.id,
        account_name=found.name,
        as_of=graph.as_of,
        targets=warm_paths(session, actor, key, graph=graph, **options.as_kwargs())
        if paths
        else None,
        pairs=executive_pairs(session, actor, key, graph=graph) if pairs else None,
        sellers=sellers,
        chosen=chosen,
    )


def person_way_in(
    session: Session,
    actor: Actor,
    person_id: int,
    *,
    graph: RelationshipGraph,
    options: PathOptions,
) -> WayIn:
    """The warm paths to one person, with who of ours they may start from."""
    found = person_paths(session, actor, person_id, graph=graph, **options.as_kwargs())
    sellers, chosen = _starts(session, options)
    return WayIn(
        as_of=graph.as_of,
        targets=[found],
        sellers=sellers,
        chosen=chosen,
    )


def search_sellers(session: Session, text: str, *, limit: int = 20) -> list[SellerChoice]:
    """Ours whose name or title holds ``text`` (any case), executives first: what the "From"
    field suggests as one types."""
    wanted = text.strip().lower()
    return [
        s
        for s in active_sellers(session)
        if wanted in s.name.lower() or wanted in (s.title or "").lower()
    ][:limit]
