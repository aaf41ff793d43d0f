"""Uploads on the Import page: size limits as the file arrives, zip bombs and look-alike names
refused, and an errors file a spreadsheet will not run."""

from __future__ import annotations

import csv
import html
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crestline.config import load_settings
from crestline.services.imports.importing import inert_cell
from crestline.web.app import create_app
from tests.web.forms import form_token


@pytest.fixture
def client(tmp_path: Path, small_sqlite_world: Path) -> Iterator[TestClient]:
    db = tmp_path / "crestline.db"
    db.write_bytes(small_sqlite_world.read_bytes())
    settings = load_settings(
        {"database_url": str(db), "data_dir": str(tmp_path / "data"), "max_upload_mb": 1}
    )
    with TestClient(create_app(settings)) as client:
        client.post("/login", data={"login": "admin", "password": "crestline"})
        yield client


def upload(client: TestClient, name: str, content: bytes, source: str = "salesforce") -> object:
    return client.post(
        "/import",
        data={"csrf": form_token(client), "source": source},
        files={"upload": (name, content, "application/octet-stream")},
    )


def kept(tmp_path: Path) -> list[Path]:
    uploads = tmp_path / "data" / "uploads"
    return sorted(uploads.rglob("*")) if uploads.exists() else []


def test_an_upload_over_the_limit_is_refused_and_nothing_kept(
    client: TestClient, tmp_path: Path
) -> None:
    page = upload(client, "Account.csv", b"Id,Name\n" + b"x" * (2 << 20))
    assert page.status_code == 413, page.text[:300]  # type: ignore[attr-defined]
    assert kept(tmp_path) == []
    api = client.post("/api/v1/people/1/influence", content=b"{" + b" " * (2 << 20) + b"}")
    assert api.status_code == 413 and api.json()["error"]["kind"] == "too_large"
    # sent in chunks, without saying its length: refused once it shows more
    chunks = iter([b'{"to": 1, "note": "', *([b"x" * 65_536] * 40), b'"}'])
    streamed = client.post(
        "/api/v1/people/1/influence",
        content=chunks,
        headers={"Content-Type": "application/json"},
    )
    assert streamed.status_code == 413 and streamed.json()["error"]["kind"] == "too_large"


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused(client: TestClient, tmp_path: Path) -> None:
    bomb = zipped({"Account.csv": b"Id,Name\n" + bytes(110 << 20)})  # 110 MB of zeros
    assert len(bomb) < 1 << 20
    page = upload(client, "export.zip", bomb)
    assert page.status_code == 400 and "over the limit" in page.text  # type: ignore[attr-defined]
    assert kept(tmp_path) == []


def test_a_zip_of_too_many_files_is_refused(client: TestClient) -> None:
    many = zipped({f"part{i}.csv": b"Id\n1\n" for i in range(1_001)})
    page = upload(client, "export.zip", many)
    assert page.status_code == 400 and "1,001 files inside" in page.text  # type: ignore[attr-defined]


def test_two_files_of_one_name_in_a_zip_are_refused(client: TestClient) -> None:
    twins = zipped({"eu/Contact.csv": b"Id\n1\n", "us/Contact.csv": b"Id\n2\n"})
    page = upload(client, "export.zip", twins)
    text = page.text  # type: ignore[attr-defined]
    assert page.status_code == 400 and "two files named Contact.csv" in text  # type: ignore[attr-defined]
    assert "eu/Contact.csv" in text and "us/Contact.csv" in text


def test_cells_that_start_like_a_formula_are_inert_in_the_errors_file(
    client: TestClient,
) -> None:
    formula = '=HYPERLINK("http://example.com/x","click")'
    rows = "name,email,title,manager_email,role,territory\n"
    rows += f'"{formula.replace(chr(34), chr(34) * 2)}",not-an-email,CEO,,,\n'
    page = upload(client, "sellers.csv", rows.encode(), source="sellers")
    text = page.text  # type: ignore[attr-defined]
    assert page.status_code == 200, text[:500]  # type: ignore[attr-defined]
    token = text.split("/import/")[1].split("/")[0]
    errors = client.get(f"/import/{token}/errors.csv")
    assert errors.status_code == 200
    table = list(csv.reader(io.StringIO(errors.text)))
    cells = [cell for row in table[1:] for cell in row]
    assert "'" + formula in cells and formula not in cells


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("Acme", "Acme"),
        (12, 12),
        ("", ""),
    ],
)
def test_inert_cell(value: object, shown: object) -> None:
    assert inert_cell(value) == shown


@pytest.mark.parametrize(
    ("name", "content", "source", "said"),
    [
        ("sellers.csv", b"who,what\n1,2\n", "sellers", "sellers.csv: no 'email' column"),
        ("Contact.csv", b"Nope\n1\n", "hubspot", "the upload: no HubSpot exports"),
    ],
)
def test_an_import_refused_names_the_upload_not_the_servers_folders(
    client: TestClient, tmp_path: Path, name: str, content: bytes, source: str, said: str
) -> None:
    page = upload(client, name, content, source=source)
    text = html.unescape(page.text)  # type: ignore[attr-defined]
    assert page.status_code == 400  # type: ignore[attr-defined]
    assert said in text and 'id="import-form"' in text  # back on the form, with the reason
    assert str(tmp_path) not in text and "/uploads/" not in text
    assert kept(tmp_path) == []
