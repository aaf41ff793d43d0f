"""Our own people as choices: who a warm path may start from."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crestline.db.models import Seller
from crestline.services.paths.warm_paths import EXECUTIVE_ROLES


@dataclass(frozen=True)
class SellerChoice:
    id: int
    name: str
    title: str | None
    executive: bool


def active_sellers(session: Session) -> list[SellerChoice]:
    """Every active seller, our executives first, then by name."""
    rows = session.execute(
        select(Seller.id, Seller.full_name, Seller.title, Seller.role).where(
            Seller.active.is_(True)
        )
    )
    found = [SellerChoice(i, name, title, role in EXECUTIVE_ROLES) for i, name, title, role in rows]
    return sorted(found, key=lambda s: (not s.executive, s.name.lower(), s.id))
