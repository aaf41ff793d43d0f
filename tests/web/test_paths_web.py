"""Warm paths on the web: the API's shapes and statuses, the panels of the account page and the
person page with their hops drawn, and the one relationship graph the app keeps between requests."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crestline.config import load_settings
from crestline.db.database import open_database
from crestline.services.auth.auth import LOCAL_ADMIN
from crestline.services.paths.sellers import active_sellers
from crestline.services.paths.warm_paths import TargetPaths, warm_paths
from crestline.web.app import create_app
from tests.web.forms import form_token


@pytest.fixture
def db_file(tmp_path: Path, small_sqlite_world: Path) -> Path:
    db = tmp_path / "crestline.db"  # a copy: a test imports into it
    db.write_bytes(small_sqlite_world.read_bytes())
    return db


@pytest.fixture
def client(tmp_path: Path, db_file: Path) -> Iterator[TestClient]:
    settings = load_settings({"database_url": str(db_file), "data_dir": str(tmp_path / "data")})
    with TestClient(create_app(settings)) as client:
        client.post("/login", data={"login": "admin", "password": "crestline"})
        yield client


def largest_account(client: TestClient) -> dict[str, Any]:
    items = client.get("/api/v1/accounts?limit=1000").json()["items"]
    return dict(max(items, key=lambda a: a["people"]))


def service_paths(db_file: Path, account_id: int, **options: Any) -> list[TargetPaths]:
    """What the service finds, straight from the database (no web app)."""
    db = open_database(str(db_file))
    try:
        with db.reader() as session:
            return warm_paths(session, LOCAL_ADMIN, str(account_id), **options)
    finally:
        db.close()


def known_path(db_file: Path, account_id: int) -> tuple[TargetPaths, str]:
    """A target of the account with a path of two hops or more (else one), and that path as
    the drawing's label says it: ``Our Person (ours) → Introducer → Target``."""
    found = [(t, p) for t in service_paths(db_file, account_id) for p in t.paths]
    target, path = max(found, key=lambda tp: min(len(tp[1].hops), 2))
    return target, " → ".join([path.hops[0].source, *(h.target for h in path.hops)])


def chains(fragment: str) -> list[str]:
    """The paths a panel draws, each as its label says it."""
    return [
        html.unescape(c) for c in re.findall(r'<ol class="chain" aria-label="([^"]+)"', fragment)
    ]


def test_account_paths_api_is_the_services_json(client: TestClient, db_file: Path) -> None:
    account = largest_account(client)
    response = client.get(f"/api/v1/accounts/{account['id']}/paths?k=2")
    assert response.status_code == 200, response.text
    expected = [t.as_dict() for t in service_paths(db_file, account["id"], k=2)]
    for target in expected:  # the API always says the note (null when there is none) and events
        target["paths"] = [{"note": None, **p} for p in target["paths"]]
        target.setdefault("events", [])
    assert response.json() == expected
    assert len(expected) == 5 and any(t["paths"] for t in expected)
    pairs = client.get(f"/api/v1/accounts/{account['id']}/pairs")
    assert pairs.status_code == 200
    assert pairs.json() and {"ours", "theirs", "match", "path", "events"} == set(pairs.json()[0])
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/accounts/{account_id}/paths" in schema["paths"]
    assert "HopPublic" in schema["components"]["schemas"]


def test_person_paths_api_and_filters(client: TestClient, db_file: Path) -> None:
    account = largest_account(client)
    target, _ = known_path(db_file, account["id"])
    one = client.get(f"/api/v1/people/{target.id}/paths").json()
    assert len(one) == 1 and one[0]["target"]["id"] == target.id
    assert [p["strength"] for p in one[0]["paths"]] == [round(p.strength, 4) for p in target.paths]
    first = target.paths[0].hops[0].source.removesuffix(" (ours)")
    seller = next(s for s in active_sellers_of(db_file) if s.name == first)
    mine = client.get(f"/api/v1/people/{target.id}/paths?from={seller.id}&max_hops=2").json()
    assert mine[0]["paths"], "the seller who starts the best path still has one"
    assert all(p["hops"][0]["from"] == f"{first} (ours)" for p in mine[0]["paths"])
    assert all(len(p["hops"]) <= 2 for p in mine[0]["paths"])
    execs = {s.name for s in active_sellers_of(db_file) if s.executive}
    theirs = client.get(f"/api/v1/accounts/{account['id']}/paths?execs_only=true").json()
    starts = {p["hops"][0]["from"].removesuffix(" (ours)") for t in theirs for p in t["paths"]}
    assert starts and starts <= execs


def active_sellers_of(db_file: Path) -> list[Any]:
    db = open_database(str(db_file))
    try:
        with db.reader() as session:
            return list(active_sellers(session))
    finally:
        db.close()


@pytest.mark.parametrize(
    ("route", "status", "message"),
    [
        ("/api/v1/accounts/999999/paths", 404, "no account"),
        ("/api/v1/people/999999/paths", 404, "no person"),
        ("/api/v1/accounts/999999/pairs", 404, "no account"),
        ("/api/v1/accounts/{account}/paths?k=0", 400, "k: Input should be greater than"),
        ("/api/v1/accounts/{account}/paths?max_hops=7", 400, "max_hops"),
        ("/api/v1/accounts/{account}/paths?execs_only=perhaps", 400, "execs_only"),
        ("/api/v1/accounts/{account}/paths?from=nobody@nowhere.example", 404, "no seller"),
        ("/api/v1/accounts/{account}/paths?to={elsewhere}", 400, "is not at"),
    ],
)
def test_paths_api_errors_are_one_line(
    client: TestClient, route: str, status: int, message: str
) -> None:
    items = client.get("/api/v1/accounts?limit=2").json()["items"]
    other = client.get(f"/api/v1/accounts/{items[1]['id']}").json()["people"][0]["id"]
    response = client.get(route.format(account=items[0]["id"], elsewhere=other))
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and message in body["error"]["message"]
    assert "\n" not in body["error"]["message"]


def test_paths_need_a_login_and_the_scope(client: TestClient) -> None:
    everything = {a["id"] for a in client.get("/api/v1/accounts?limit=1000").json()["items"]}
    client.post("/logout", data={"csrf": form_token(client)})
    for route in ("/api/v1/accounts/1/paths", "/api/v1/people/1/paths", "/api/v1/accounts/1/pairs"):
        denied = client.get(route)
        assert denied.status_code == 401 and denied.json()["error"]["kind"] == "permission_denied"
    client.post("/login", data={"login": "seller", "password": "crestline"})
    mine = {a["id"] for a in client.get("/api/v1/accounts?limit=1000").json()["items"]}
    outside = min(everything - mine)
    person = client.get(f"/api/v1/accounts/{min(mine)}").json()["people"][0]["id"]
    assert client.get(f"/api/v1/accounts/{min(mine)}/paths?k=1").status_code == 200
    assert client.get(f"/api/v1/people/{person}/paths").status_code == 200
    for route in (
        f"/api/v1/accounts/{outside}/paths",
        f"/api/v1/accounts/{outside}/pairs",
        f"/accounts/{outside}/paths?part=paths",
    ):
        assert client.get(route).status_code == 404, route  # as if not there
    assert refreshes(client.app.state.graph_cache) == (1, 0)  # type: ignore[attr-defined]


def test_the_account_page_draws_the_hops_of_a_known_path(client: TestClient, db_file: Path) -> None:
    account = largest_account(client)
    target, drawn = known_path(db_file, account["id"])
    page = client.get(f"/accounts/{account['id']}").text
    assert f'data-src="/accounts/{account["id"]}/paths?part=paths"' in page  # loaded after
    assert f'data-src="/accounts/{account["id"]}/paths?part=pairs"' in page
    assert f'href="/people/{target.id}"' in page  # names in the power map link to their page
    panel = client.get(f"/accounts/{account['id']}/paths?part=paths")
    assert panel.status_code == 200 and "<html" not in panel.text  # a fragment
    assert drawn in chains(panel.text)
    assert f'id="paths-{target.id}"' in panel.text
    hop = next(
        p
        for p in target.paths
        if " → ".join([p.hops[0].source, *(h.target for h in p.hops)]) == drawn
    ).hops[-1]
    assert html.escape(hop.evidence) in panel.text  # the evidence under the arrow
    assert re.search(rf"· {hop.strength:.2f}</span>", panel.text)  # tie and strength
    pairs = client.get(f"/accounts/{account['id']}/paths?part=pairs").text
    assert "Executive pairing" in pairs and "↔" in pairs and 'class="chain"' in pairs
    whole = client.get(f"/accounts/{account['id']}/paths").text  # the page without JavaScript
    assert "<html" in whole and drawn in chains(whole) and "Executive pairing" in whole
    narrowed = client.get(f"/accounts/{account['id']}/paths?part=paths&k=1").text
    assert all(
        narrowed.count(f'id="paths-{t.id}"') == 1 for t in service_paths(db_file, account["id"])
    )
    assert len(chains(narrowed)) <= 5


def test_the_person_page(client: TestClient, db_file: Path) -> None:
    account = largest_account(client)
    target, drawn = known_path(db_file, account["id"])
    decided = client.get(f"/api/v1/accounts/{account['id']}/decision-makers").json()
    ranked = next(p for p in decided["people"] if p["id"] == target.id)
    page = client.get(f"/people/{target.id}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert f"<h1>{target.name}</h1>" in text and (target.title or "(no title)") in text
    assert f'href="/accounts/{account["id"]}' in text
    if ranked["manager_id"]:
        assert f'href="/people/{ranked["manager_id"]}"' in text
    reports = [p["id"] for p in decided["people"] if p["manager_id"] == target.id]
    assert all(f'href="/people/{r}"' in text for r in reports)
    for factor in ranked["factors"]:  # the power factors, as on the power map
        assert f"{factor['value']:.2f} × {factor['weight']:.2f}" in text
    assert f'data-src="/people/{target.id}/paths?part=paths"' in text
    panel = client.get(f"/people/{target.id}/paths?part=paths").text
    assert drawn in chains(panel) and 'class="target-head"' not in panel
    assert "Warm paths to" in client.get(f"/people/{target.id}/paths").text
    assert client.get("/people/999999").status_code == 404


def refreshes(cache: Any) -> tuple[int, int]:
    """How often the app's graph was read in full, and how often brought up to date."""
    return cache.builds, getattr(cache, "updates", 0)


def linkedin_csv(person: dict[str, Any], company: str) -> bytes:
    first, _, last = person["name"].partition(" ")
    return (
        'Notes:\n"Exported from LinkedIn"\n\n'
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        f'{first},{last},,{person["email"]},"{company}",{person["title"] or ""},15 Jan 2024\n'
    ).encode()


def test_one_graph_between_requests_and_new_data_seen_after_an_import(
    client: TestClient, db_file: Path
) -> None:
    account = largest_account(client)
    people = client.get(f"/api/v1/accounts/{account['id']}").json()["people"]
    target = next(
        p
        for t in client.get(f"/api/v1/accounts/{account['id']}/paths").json()
        for p in people
        if p["id"] == t["target"]["id"] and p["email"]
    )
    direct = f"/api/v1/people/{target['id']}/paths?max_hops=1&from="
    seller = next(
        s
        for s in active_sellers_of(db_file)
        if not client.get(direct + str(s.id)).json()[0]["paths"]
    )
    alone = client.get(f"/people/{target['id']}/paths?part=paths&max_hops=1&from={seller.id}")
    assert "No warm path" in alone.text and not chains(alone.text)
    assert "targeted outreach" in alone.text or "Meet them at an event" in alone.text
    cache = client.app.state.graph_cache  # type: ignore[attr-defined]
    assert refreshes(cache) == (1, 0)  # every request so far used the one graph, read once

    preview = client.post(
        "/import",
        data={"csrf": form_token(client), "source": "linkedin", "seller": str(seller.id)},
        files={"upload": ("Connections.csv", linkedin_csv(target, account["name"]), "text/csv")},
    )
    assert preview.status_code == 200, preview.text
    token = preview.text.split("/import/")[1].split("/")[0]
    assert (
        client.post(f"/import/{token}/confirm", data={"csrf": form_token(client)}).status_code
        == 200
    )

    (found,) = client.get(direct + str(seller.id)).json()
    assert [[(h["from"], h["to"], h["via"]) for h in p["hops"]] for p in found["paths"]] == [
        [(f"{seller.name} (ours)", target["name"], "linkedin")]
    ]
    assert "connected on LinkedIn, since 2024" in found["paths"][0]["hops"][0]["evidence"]
    once_more = refreshes(cache)
    assert once_more in ((2, 0), (1, 1))  # read again, or brought up to date: once
    client.get(f"/accounts/{account['id']}/paths?part=paths")
    assert refreshes(cache) == once_more
