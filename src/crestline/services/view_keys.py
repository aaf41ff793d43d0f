"""What a page or panel is drawn from, as a key: the web app keeps what it drew by it (see
web/page_cache) and draws again only when the key changes."""

from __future__ import annotations

from collections.abc import Hashable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crestline.db.models import InfluenceLine, PersonAssessment
from crestline.services.auth.auth import Actor
from crestline.services.auth.policy import visible_owner_ids
from crestline.services.decisions.insights import resolve_as_of
from crestline.services.paths.graph_cache import data_stamp

# corrections the graph's stamp does not follow: a line drawn or removed, an assessment undone
# (a count falls when a row goes, the largest id or date moves when one comes)
_CORRECTIONS = select(
    select(func.count()).select_from(InfluenceLine).scalar_subquery(),
    select(func.max(InfluenceLine.id)).scalar_subquery(),
    select(func.max(InfluenceLine.created_at)).scalar_subquery(),
    select(func.count()).select_from(PersonAssessment).scalar_subquery(),
)


def view_key(session: Session, actor: Actor, *what: Hashable) -> tuple[Hashable, ...]:
    """``what`` (route, id, filters, page), the database's data stamp (the largest ids and latest
    writes of the tables pages are read from, and the corrections' counts: every import and
    correction moves it), the day, and whose accounts the actor sees (a relay at an account they
    do not see is unnamed)."""
    conn = session.connection()
    owners = visible_owner_ids(session, actor)
    scope = None if owners is None else frozenset(owners)
    corrections = tuple(conn.execute(_CORRECTIONS).one())
    return (*what, data_stamp(conn), corrections, resolve_as_of(conn, None), scope)
