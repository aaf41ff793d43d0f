"""The migrations make the schema the models describe, on SQLite and PostgreSQL, both ways."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from crestline.db.database import Database
from crestline.db.migrate import alembic_config, current_revision, head_revision
from crestline.db.models import Base


def _alembic(engine: Engine, action: str, revision: str) -> None:
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, revision)


def test_the_migrated_schema_is_the_models(database: Database) -> None:
    assert current_revision(database.engine) == head_revision()
    with database.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_events_migrate_down_and_up_again(database: Database) -> None:
    _alembic(database.engine, "downgrade", "0004")
    tables = set(inspect(database.engine).get_table_names())
    assert "accounts" in tables and not {"events", "event_attendees"} & tables
    _alembic(database.engine, "upgrade", "head")
    inspector = inspect(database.engine)
    assert {"events", "event_attendees"} <= set(inspector.get_table_names())
    uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("events")}
    assert ("name_key", "starts_on") in uniques
    keys = {
        fk["referred_table"]: fk["options"].get("ondelete")
        for fk in inspector.get_foreign_keys("event_attendees")
    }
    assert keys == {
        "events": "CASCADE",
        "people": "SET NULL",
        "sellers": "SET NULL",
        "accounts": "SET NULL",
    }
