"""The import page: upload, dry-run preview with rejected rows, confirm; admins only."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crestline.config import load_settings
from crestline.web.app import create_app
from tests.web.forms import form_token

QUIRKS = Path(__file__).resolve().parent.parent / "data" / "salesforce" / "quirks"


def quirks_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(QUIRKS.iterdir()):
            zf.write(path, f"export-2026-11-20/{path.name}")
        zf.writestr("__MACOSX/._Account.csv", b"junk")
    return buffer.getvalue()


@pytest.fixture
def client(tmp_path: Path, small_sqlite_world: Path) -> Iterator[TestClient]:
    db = tmp_path / "crestline.db"
    db.write_bytes(small_sqlite_world.read_bytes())
    settings = load_settings({"database_url": str(db), "data_dir": str(tmp_path / "data")})
    with TestClient(create_app(settings)) as client:
        yield client


def sign_in(client: TestClient, login: str) -> None:
    client.post("/login", data={"login": login, "password": "crestline"})


def test_upload_preview_confirm(client: TestClient, tmp_path: Path) -> None:
    sign_in(client, "admin")
    before = client.get("/api/v1/accounts").json()["total"]
    page = client.post(
        "/import",
        data={"csrf": form_token(client), "source": "salesforce"},
        files={"upload": ("export.zip", quirks_zip(), "application/zip")},
    )
    assert page.status_code == 200, page.text
    assert "Import preview" in page.text and "Nothing has been written yet" in page.text
    assert page.text.count("<tr>") >= 7 + 5  # the counts, and the five rejected rows
    assert "required value is empty" in page.text
    # the warnings by kind, each with an example; every one of them in the errors file
    assert "11, by kind" in page.text
    assert "1 ×</strong> Contact.csv, field Email: … is not an email address; left empty" in (
        page.text.replace("&#39;", "'")
    )
    assert client.get("/api/v1/accounts").json()["total"] == before  # a dry run
    token = page.text.split("/import/")[1].split("/")[0]
    errors = client.get(f"/import/{token}/errors.csv")
    assert errors.status_code == 200 and errors.text.startswith("file,row,field,severity,message")
    assert errors.text.count(",warning,") == 11 and errors.text.count(",error,") == 5
    done = client.post(f"/import/{token}/confirm", data={"csrf": form_token(client)})
    assert done.status_code == 200 and "Imported · salesforce" in done.text
    assert client.get("/api/v1/accounts").json()["total"] == before + 3
    assert not (tmp_path / "data" / "uploads" / token).exists()
    again = client.post(f"/import/{token}/confirm", data={"csrf": form_token(client)})
    assert again.status_code == 404


def test_a_single_linkedin_file_needs_a_seller(client: TestClient) -> None:
    sign_in(client, "admin")
    content = Path(__file__).resolve().parent.parent / "data" / "linkedin" / "Connections.csv"
    missing = client.post(
        "/import",
        data={"csrf": form_token(client), "source": "linkedin"},
        files={"upload": ("Connections.csv", content.read_bytes(), "text/csv")},
    )
    assert missing.status_code == 400 and "needs the seller" in missing.text


def test_only_admins_import(client: TestClient) -> None:
    sign_in(client, "seller")
    assert client.get("/import").status_code == 403
    assert "Import" not in client.get("/accounts").text.split("<main")[0]


def test_unsafe_zip_is_refused(client: TestClient) -> None:
    sign_in(client, "admin")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("../../etc/Account.csv", "Id,Name\n")
    page = client.post(
        "/import",
        data={"csrf": form_token(client), "source": "salesforce"},
        files={"upload": ("evil.zip", buffer.getvalue(), "application/zip")},
    )
    assert page.status_code == 400 and "unsafe path" in page.text


def test_an_event_list_is_imported_from_the_page(client: TestClient, tmp_path: Path) -> None:
    sign_in(client, "admin")
    listing = Path(__file__).resolve().parent.parent / "data" / "events" / "attendees.csv"
    page = client.post(
        "/import",
        data={"csrf": form_token(client), "source": "events"},
        files={"upload": ("attendees.csv", listing.read_bytes(), "text/csv")},
    )
    assert page.status_code == 200, page.text
    assert "Import preview" in page.text and "Nothing has been written yet" in page.text
    token = page.text.split("/import/")[1].split("/")[0]
    done = client.post(f"/import/{token}/confirm", data={"csrf": form_token(client)})
    assert done.status_code == 200 and "Imported · events" in done.text
    with sqlite3.connect(tmp_path / "crestline.db") as conn:
        events, attendees = conn.execute(
            "SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM event_attendees)"
        ).fetchone()
    assert events >= 2 and attendees >= 10
