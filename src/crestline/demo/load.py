"""Writing a generated world through the storage room, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection

from crestline.db.bulk import bulk_insert, reset_sequences
from crestline.db.models import Base
from crestline.demo.scales import Scale
from crestline.demo.world import COLUMNS, TABLE_ORDER, WorldGenerator

Progress = Callable[[int, int], None]


@dataclass
class LoadSummary:
    scale: str
    seed: int
    rows: dict[str, int] = field(default_factory=dict)

    def count(self, table: str) -> int:
        return self.rows.get(table, 0)


def write_world(
    conn: Connection,
    scale: Scale,
    seed: int,
    *,
    password_hasher: Callable[[str], str],
    progress: Progress | None = None,
) -> LoadSummary:
    """Generate the world and insert it on ``conn``; the caller owns the transaction."""
    generator = WorldGenerator(scale, seed, password_hasher=password_hasher)
    summary = LoadSummary(scale.name, seed)
    tables = Base.metadata.tables
    total = len(generator.companies)
    for batch in generator.batches():
        for name in TABLE_ORDER:
            rows = batch.rows.get(name)
            if rows:
                summary.rows[name] = summary.rows.get(name, 0) + bulk_insert(
                    conn, tables[name], COLUMNS[name], rows
                )
        if progress is not None:
            progress(batch.accounts_done, total)
    reset_sequences(conn, tables.values())
    return summary
