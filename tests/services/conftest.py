"""Fixtures the service tests share."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crestline.db.database import Database
from crestline.services.auth.auth import LOCAL_ADMIN
from crestline.services.imports.import_salesforce import import_salesforce

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def crm(database: Database, tmp_path: Path) -> Database:
    """A database holding the Salesforce quirks export (tests/data/salesforce/quirks)."""
    folder = tmp_path / "sf"
    shutil.copytree(DATA / "salesforce" / "quirks", folder)
    import_salesforce(database, LOCAL_ADMIN, folder)
    return database
