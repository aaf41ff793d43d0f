"""Alembic environment: runs on the connection handed over by crestline.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from crestline.db.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # the alembic command line, for writing new revisions
        url = config.get_main_option("sqlalchemy.url") or "sqlite:///alembic-dev.db"
        with create_engine(url).begin() as conn:
            context.configure(
                connection=conn, target_metadata=target_metadata, render_as_batch=True
            )
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
