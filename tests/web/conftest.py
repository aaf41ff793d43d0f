"""The web tests' default client: the app on a copy of the small demo world (tests write)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crestline.config import load_settings
from crestline.web.app import create_app


@pytest.fixture
def client(tmp_path: Path, small_sqlite_world: Path) -> Iterator[TestClient]:
    """Modules with other needs define their own ``client``."""
    db = tmp_path / "crestline.db"  # a copy: these tests write
    db.write_bytes(small_sqlite_world.read_bytes())
    with TestClient(create_app(load_settings({"database_url": str(db)}))) as client:
        yield client
