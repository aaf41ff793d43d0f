"""Alembic, driven from code: the schema is brought to the newest revision when a database opens."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from crestline.errors import BadInputError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> bool:
    """Apply the migrations the database lacks; True when anything was applied.

    A database that holds tables but no Crestline revision is refused untouched.
    """
    current = current_revision(engine)
    if current == head_revision():
        return False
    if current is None:
        foreign = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
        if foreign:
            raise BadInputError(
                f"{engine.url.render_as_string(hide_password=True)}: holds tables that are not "
                f"Crestline's ({', '.join(sorted(foreign)[:3])}…); use another database"
            )
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return True
