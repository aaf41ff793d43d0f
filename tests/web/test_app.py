"""The web app through its HTTP interface: login, pages, the JSON API and its error shape."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crestline.config import load_settings
from crestline.web.account_view import TREE_PAGE
from crestline.web.app import create_app


@pytest.fixture
def client(tmp_path: Path, small_sqlite_world: Path) -> Iterator[TestClient]:
    db = tmp_path / "crestline.db"  # a copy: signing in writes (sessions, the sign-in trail)
    db.write_bytes(small_sqlite_world.read_bytes())
    settings = load_settings({"database_url": str(db), "page_size": 10})
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def signed_in(client: TestClient) -> TestClient:
    response = client.post(
        "/login", data={"login": "admin", "password": "crestline", "next": "/accounts"}
    )
    assert response.status_code == 200 and response.url.path == "/accounts"
    return client


def test_health_needs_no_login(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["database"] == "sqlite" and body["schema_revision"]


def test_pages_send_strangers_to_the_login(client: TestClient) -> None:
    response = client.get("/accounts?q=bank", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/accounts%3Fq%3Dbank"
    wrong = client.post("/login", data={"login": "admin", "password": "nope"})
    assert wrong.status_code == 401 and "do not match" in wrong.text


def test_accounts_page_lists_searches_and_pages(signed_in: TestClient) -> None:
    page1 = signed_in.get("/accounts")
    assert page1.status_code == 200
    total = signed_in.get("/api/v1/accounts").json()["total"]
    assert f"{total} accounts" in page1.text and page1.text.count('<a href="/accounts/') == 10
    page3 = signed_in.get("/accounts?page=3")
    assert page3.status_code == 200 and page3.text.count('<a href="/accounts/') == total - 20
    first = signed_in.get("/api/v1/accounts?limit=1").json()["items"][0]
    found = signed_in.get("/accounts", params={"q": first["domain"]})
    assert first["name"] in found.text
    assert "No account matches" in signed_in.get("/accounts?q=zzzz-nothing").text


def test_account_page_lists_people_by_reporting_line_a_page_at_a_time(
    signed_in: TestClient,
) -> None:
    items = signed_in.get("/api/v1/accounts?limit=100").json()["items"]
    biggest = max(items, key=lambda a: a["people"])
    assert biggest["people"] > TREE_PAGE  # so that the list takes more than one page
    crm = {
        p["id"]: p["reports_to_id"]
        for p in signed_in.get(f"/api/v1/accounts/{biggest['id']}").json()["people"]
    }
    rows: list[tuple[int, int]] = []  # (person, depth) in the order the pages list them
    url: str | None = f"/accounts/{biggest['id']}"
    pages = 0
    while url:
        page = signed_in.get(url)
        assert page.status_code == 200 and biggest["name"] in page.text
        listed = [
            (int(pid), int(depth))
            for depth, pid in re.findall(
                r'style="--depth: (\d+)"><a class="pname" href="/people/(\d+)"', page.text
            )
        ]
        assert len(listed) == min(TREE_PAGE, biggest["people"] - len(rows))
        if pages and listed[0][1] > 0:  # a page that starts inside a branch names it
            assert 'id="tree-context"' in page.text
        rows += listed
        pages += 1
        following = re.search(r'href="([^"]+)" rel="next" id="tree-next"', page.text)
        url = html.unescape(following.group(1)) if following else None
    assert pages == -(-biggest["people"] // TREE_PAGE)
    assert sorted(pid for pid, _ in rows) == sorted(crm)  # everyone, once
    depth: dict[int, int] = {}
    for pid, level in rows:  # under their manager (listed just before their branch), or on top
        if level:
            assert depth.get(crm[pid]) == level - 1, (pid, crm[pid])
        depth[pid] = level
    assert "<details" in signed_in.get(f"/accounts/{biggest['id']}").text  # power factors fold


def test_api_accounts_and_detail(signed_in: TestClient) -> None:
    page = signed_in.get("/api/v1/accounts", params={"limit": 5, "offset": 5}).json()
    assert set(page) == {"items", "total", "limit", "offset"}
    assert len(page["items"]) == 5 and page["offset"] == 5
    one = page["items"][0]
    detail = signed_in.get(f"/api/v1/accounts/{one['id']}").json()
    assert detail["account"]["name"] == one["name"]
    assert len(detail["people"]) == one["people"]
    assert set(detail["deals"]) >= {"open", "won", "lost"}


def test_api_errors_have_one_shape(client: TestClient, signed_in: TestClient) -> None:
    missing = signed_in.get("/api/v1/accounts/999999")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"kind": "not_found", "message": missing.json()["error"]["message"]}
    }
    signed_in.cookies.clear()
    anonymous = client.get("/api/v1/accounts")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["kind"] == "permission_denied"


def test_api_accepts_http_basic(client: TestClient) -> None:
    ok = client.get("/api/v1/accounts?limit=1", auth=("leader", "crestline"))
    assert ok.status_code == 200 and ok.json()["total"] > 0
    assert client.get("/api/v1/accounts", auth=("leader", "bad")).status_code == 401


def test_openapi_schema_describes_the_api(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/accounts", "/api/v1/accounts/{account_id}", "/healthz"} <= set(schema["paths"])
    assert "AccountPublic" in schema["components"]["schemas"]


def test_bad_values_are_400_in_the_error_shape_and_documented_so(client: TestClient) -> None:
    client.post("/login", data={"login": "admin", "password": "crestline"})
    answer = client.get("/api/v1/accounts?limit=0")
    assert answer.status_code == 400
    assert answer.json()["error"]["kind"] == "bad_input"
    schema = client.get("/api/v1/openapi.json").json()
    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    assert not [op["operationId"] for op in operations if "422" in op["responses"]]
    assert all("400" in op["responses"] for op in operations if op.get("parameters"))
    assert "HTTPValidationError" not in schema["components"]["schemas"]
