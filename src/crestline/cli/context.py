"""What every command shares: the settings, and the database opened once, on first use."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer

from crestline.config import Settings
from crestline.services.setup import Database, open_db


@dataclass
class AppState:
    settings: Settings
    _database: Database | None = field(default=None, repr=False)

    def database(self, *, create: bool = True) -> Database:
        if self._database is None:
            self._database = open_db(self.settings.database_url, create=create)
        return self._database

    def close(self) -> None:
        if self._database is not None:
            self._database.close()
            self._database = None


def state(ctx: typer.Context) -> AppState:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppState)
    return obj
