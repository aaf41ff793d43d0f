"""Setting a database up: opening and migrating it, and loading the demo world."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, text

from crestline.db.database import Database as Database
from crestline.db.database import display_url, open_database
from crestline.db.migrate import current_revision
from crestline.db.models import Account, Base, DemoFact
from crestline.demo.load import LoadSummary, Progress, write_world
from crestline.demo.scales import SCALES, Scale
from crestline.errors import BadInputError, ConflictError
from crestline.services.auth.auth import Actor, hash_password
from crestline.services.auth.policy import require_admin
from crestline.services.collector import collector_paused
from crestline.services.decisions.insights import refresh_insights


def open_db(db: str, *, create: bool = True) -> Database:
    """Open (and migrate) the database named by a path or URL."""
    return open_database(db, create=create)


@dataclass(frozen=True)
class DatabaseInfo:
    url: str
    backend: str
    revision: str | None
    accounts: int


def database_info(database: Database) -> DatabaseInfo:
    with database.reader() as session:
        accounts = session.scalar(select(func.count()).select_from(Account)) or 0
    return DatabaseInfo(
        url=display_url(database.url),
        backend=database.backend,
        revision=current_revision(database.engine),
        accounts=accounts,
    )


def scale_named(name: str) -> Scale:
    try:
        return SCALES[name]
    except KeyError:
        raise BadInputError(
            f"--scale {name!r}: unknown scale (choose {', '.join(SCALES)})"
        ) from None


def world_facts(database: Database) -> dict[str, object] | None:
    with database.reader() as session:
        fact = session.get(DemoFact, "world")
        return dict(fact.value) if fact is not None else None


@dataclass(frozen=True)
class DemoResult:
    generated: bool
    scale: str
    seed: int
    rows: dict[str, int]


def build_demo_world(
    database: Database,
    actor: Actor,
    *,
    scale: Scale,
    seed: int,
    fresh: bool = False,
    progress: Progress | None = None,
) -> DemoResult:
    """Load the demo world in one transaction; an existing identical world is kept as it is.

    A database that holds other data is refused unless ``fresh``, which replaces everything.
    """
    require_admin(actor, "load the demo world")
    facts = world_facts(database)
    with database.reader() as session:
        has_data = bool(session.scalar(select(func.count()).select_from(Account)))
    if has_data and not fresh:
        if facts and facts.get("scale") == scale.name and facts.get("seed") == seed:
            return DemoResult(False, scale.name, seed, {})
        what = (
            f"a demo world (scale {facts.get('scale')}, seed {facts.get('seed')})"
            if facts
            else "data"
        )
        raise ConflictError(
            f"{display_url(database.url)} already holds {what}; add --fresh to replace it"
        )
    summary: LoadSummary
    with collector_paused(), database.write_connection() as conn:
        if has_data or facts:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(Base.metadata.sorted_tables):
                    conn.execute(delete(table))
        summary = write_world(conn, scale, seed, password_hasher=hash_password, progress=progress)
        refresh_insights(conn)
    if database.backend == "sqlite":
        with database.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA optimize")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return DemoResult(True, scale.name, seed, summary.rows)


def schema_revision(database: Database) -> str | None:
    return current_revision(database.engine)
