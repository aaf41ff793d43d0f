"""What every command shares: the settings, and the database opened once, on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer

from crestline.config import Settings

if TYPE_CHECKING:  # the storage stack loads when a command opens the database, not for --help
    from crestline.services.demo.setup import Database


@dataclass
class AppState:
    settings: Settings
    _database: Database | None = field(default=None, repr=False)

    def database(self, *, create: bool = True) -> Database:
        if self._database is None:
            from crestline.services.demo.setup import open_db

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
