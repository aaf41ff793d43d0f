"""The account page at any size: the ranking read from the stored insights (the same as a fresh
analysis), long lists a page at a time, person fields that search, pages that stay light at
5,000 people, and what is kept per worker — the chart's drawing, the paths panels — drawn again
once the data changes, and not before."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import insert, select

from crestline.config import load_settings
from crestline.db.database import open_database
from crestline.db.models import Account, Person
from crestline.demo.scales import SCALES
from crestline.services.auth.auth import LOCAL_ADMIN
from crestline.services.decisions import decision_makers as decisions_service
from crestline.services.decisions.decision_makers import decision_makers
from crestline.services.decisions.insights import refresh_insights
from crestline.services.demo.setup import build_demo_world
from crestline.services.paths import way_in
from crestline.services.paths.sellers import active_sellers
from crestline.web import account_view, page_cache
from crestline.web.account_view import SUGGESTED, TOP_PEOPLE, TREE_PAGE
from crestline.web.app import create_app
from tests.web.forms import form_token

LIGHT = 300 * 1024  # no page over 300 KB


@pytest.fixture(autouse=True)
def forget_kept() -> None:
    """Each test starts with nothing kept (the worlds of the tests share their fingerprints)."""
    for memo in (
        account_view._DRAWINGS,
        account_view._TREES,
        page_cache.PANELS,
        page_cache.PAGES,
        decisions_service._RANKINGS,
        decisions_service._DEAL_RANKINGS,
    ):
        memo.clear(shelf=True)


@pytest.fixture
def db_file(tmp_path: Path, small_sqlite_world: Path) -> Path:
    db = tmp_path / "crestline.db"  # a copy: these tests write
    db.write_bytes(small_sqlite_world.read_bytes())
    return db


@pytest.fixture
def client(db_file: Path) -> Iterator[TestClient]:
    with TestClient(create_app(load_settings({"database_url": str(db_file)}))) as client:
        client.post("/login", data={"login": "admin", "password": "crestline"})
        yield client


def accounts(client: TestClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/api/v1/accounts?limit=100").json()["items"]
    return items


def largest(client: TestClient) -> dict[str, Any]:
    return max(accounts(client), key=lambda a: a["people"])


def ranked(client: TestClient, account_id: int) -> list[dict[str, Any]]:
    people: list[dict[str, Any]] = client.get(
        f"/api/v1/accounts/{account_id}/decision-makers"
    ).json()["people"]
    return people


def rows(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="row-(\d+)"', page)]


def chart(page: str) -> str:
    return page[page.index('<svg class="orgchart"') : page.index("</svg>")]


def box(svg: str, person_id: int) -> str:
    """The text of a person's box in the drawing."""
    found = re.search(rf'<g id="person&#45;{person_id}" class="node">(.*?)</g>\s*</g>', svg, re.S)
    assert found, f"person {person_id} is drawn"
    return " ".join(html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", found[1]))


def compare_every_account(url: str) -> None:
    db = open_database(url)
    try:
        with db.reader() as session:
            for account in session.scalars(select(Account.id)):
                stored = decision_makers(session, LOCAL_ADMIN, str(account))
                fresh = decision_makers(session, LOCAL_ADMIN, str(account), recompute=True)
                assert stored.fingerprint == fresh.fingerprint, account
                assert stored.as_dict() == fresh.as_dict(), account
    finally:
        db.close()


def test_stored_reading_is_a_fresh_analysis(db_url: str) -> None:
    db = open_database(db_url)
    build_demo_world(db, LOCAL_ADMIN, scale=SCALES["small"], seed=7)
    db.close()
    compare_every_account(db_url)


def test_stored_reading_follows_corrections(client: TestClient, db_file: Path) -> None:
    account = largest(client)
    people = ranked(client, account["id"])
    person, manager = people[5], people[-1]
    client.patch(
        f"/api/v1/people/{person['id']}/assessment",
        json={"seniority": "board", "manager_id": manager["id"], "support": "mentor"},
    )
    now = next(p for p in ranked(client, account["id"]) if p["id"] == person["id"])
    assert (now["seniority"], now["manager_id"], now["support"]) == (
        "board",
        manager["id"],
        "mentor",
    )
    compare_every_account(str(db_file))


def test_another_day_is_analysed_once_per_worker(
    client: TestClient, db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    analysed: list[int] = []
    real = decisions_service.analyse

    def counting(*args: Any, **kwargs: Any) -> Any:
        analysed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(decisions_service, "analyse", counting)
    account = largest(client)
    api = f"/api/v1/accounts/{account['id']}/decision-makers"
    later = client.get(api + "?as_of=2026-12-24").json()
    assert later["as_of"] == "2026-12-24" and len(analysed) == 1
    assert client.get(api + "?as_of=2026-12-24").json() == later and len(analysed) == 1
    today = client.get(api).json()  # the stored insights' day: read, not analysed
    assert today["as_of"] != later["as_of"] and len(analysed) == 1
    db = open_database(str(db_file))
    try:
        with db.reader() as session:
            fresh = decision_makers(
                session,
                LOCAL_ADMIN,
                str(account["id"]),
                as_of=dt.date(2026, 12, 24),
                recompute=True,
            )
    finally:
        db.close()
    assert fresh.as_dict() == later


def test_power_map_comes_a_page_at_a_time(client: TestClient) -> None:
    account = largest(client)
    everyone = [p["id"] for p in ranked(client, account["id"])]
    seen: list[int] = []
    url: str | None = f"/accounts/{account['id']}"
    while url:
        page = client.get(url).text
        seen += rows(page)
        following = re.search(r'href="([^"]+)" rel="next" id="page-next"', page)
        url = html.unescape(following[1]) if following else None
    assert seen == everyone  # strongest first, each once, TOP_PEOPLE a page
    last = client.get(f"/accounts/{account['id']}?page=999").text  # past the end: the last
    assert rows(last) == everyone[-(len(everyone) % TOP_PEOPLE or TOP_PEOPLE) :]
    assert 'id="page-prev"' in last and 'id="page-next"' not in last
    assert client.get(f"/accounts/{account['id']}?page=0").status_code == 400


def test_correcting_someone_far_down_opens_their_page(client: TestClient) -> None:
    account = largest(client)
    person = ranked(client, account["id"])[TOP_PEOPLE + 3]
    page = client.get(f"/accounts/{account['id']}?edit={person['id']}").text
    assert person["id"] in rows(page) and 'id="assess-form"' in page
    assert f"Ranked {TOP_PEOPLE + 1}–" in page
    following = re.search(r'href="([^"]+)" rel="next" id="page-next"', page)
    assert following and "edit=" not in following[1]  # leaving the page leaves the form


def test_person_fields_search_and_take_a_name(client: TestClient) -> None:
    account = largest(client)
    page = client.get(f"/accounts/{account['id']}").text
    assert '<select name="from_id"' not in page and 'name="from_id" list="people-choices"' in page
    assert page.count("<option value=") <= SUGGESTED + 40  # the top few, and the fixed choices
    people = ranked(client, account["id"])
    someone = people[-1]
    fragment = someone["name"].split()[-1][:4]
    found = client.get(f"/accounts/{account['id']}/people/search", params={"q": fragment}).json()
    assert someone["id"] in [p["id"] for p in found] and len(found) <= 20
    assert all(
        fragment.lower() in p["name"].lower() or fragment.lower() in (p["title"] or "").lower()
        for p in found
    )
    assert found[0]["value"] == f"{found[0]['name']} #{found[0]['id']}"
    by_id = client.get(f"/accounts/{account['id']}/people/search?q=%23{someone['id']}").json()
    assert [p["id"] for p in by_id] == [someone["id"]]
    # a suggestion ("Name #id") and an exact name both name the person
    names = [p["name"] for p in people]
    unique = next(  # named by nobody else (SQLite lowers ASCII letters only)
        p
        for p in people
        if names.count(p["name"]) == 1 and p["name"].isascii() and p["id"] != someone["id"]
    )
    saved = client.post(
        f"/accounts/{account['id']}/influence",
        data={
            "csrf": form_token(client),
            "from_id": f"{someone['name']} #{someone['id']}",
            "to_id": unique["name"].upper(),
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    (line,) = client.get(f"/api/v1/accounts/{account['id']}/decision-makers").json()[
        "influence_lines"
    ]
    assert (line["from_id"], line["to_id"]) == (someone["id"], unique["id"])
    nobody = client.post(
        f"/accounts/{account['id']}/influence",
        data={"csrf": form_token(client), "from_id": "Nobody Here", "to_id": "1"},
    )
    assert nobody.status_code == 400 and "nobody of that name at this account" in nobody.text


def test_person_search_keeps_to_the_actors_accounts(client: TestClient) -> None:
    everyone = {a["id"] for a in accounts(client)}
    client.cookies.clear()
    client.post("/login", data={"login": "seller", "password": "crestline"})
    theirs = {a["id"] for a in accounts(client)}
    outside = min(everyone - theirs)
    assert client.get(f"/accounts/{outside}/people/search?q=a").status_code == 404
    assert client.get(f"/accounts/{min(theirs)}/people/search?q=a").status_code == 200


def add_people(db_file: Path, account_id: int, count: int) -> None:
    """``count`` more people at the account, each reporting to someone added before them (a
    broad, deep tree), and the account's insights refreshed as an import would."""
    db = open_database(str(db_file))
    try:
        with db.transaction() as session:
            top = session.scalar(select(Person.id).order_by(Person.id.desc()).limit(1)) or 0
            titles = ("Vice President Sales", "Director of IT", "Engineering Manager", "Analyst")
            people = [
                {
                    "id": top + n,
                    "account_id": account_id,
                    "full_name": f"Added Person {n:05d}",
                    "title": titles[min(3, n.bit_length() // 4)],
                    "reports_to_id": top + max(1, n // 6) if n > 1 else None,
                    "source": "test",
                    "external_id": f"added-{n}",
                }
                for n in range(1, count + 1)
            ]
            session.execute(insert(Person), people)
            refresh_insights(session.connection(), account_ids=[account_id])
    finally:
        db.close()


def test_pages_stay_light_at_five_thousand_people(client: TestClient, db_file: Path) -> None:
    account = largest(client)
    add_people(db_file, account["id"], 5_000)
    people = ranked(client, account["id"])
    assert len(people) == account["people"] + 5_000
    deep = people[-1]["id"]
    for url in (
        f"/accounts/{account['id']}",
        f"/accounts/{account['id']}?page=999&tree=999",
        f"/accounts/{account['id']}?edit={deep}",
        f"/accounts/{account['id']}?expand={people[0]['id']},{people[1]['id']}",
        f"/accounts/{account['id']}/orgchart.svg",
        f"/people/{deep}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert len(response.content) <= LIGHT, (url, len(response.content))
    page = client.get(f"/accounts/{account['id']}").text
    assert len(rows(page)) == TOP_PEOPLE and page.count('class="pname"') == TREE_PAGE
    assert page.count("<option") <= SUGGESTED + 40


def test_every_page_of_the_largest_account_is_light(client: TestClient) -> None:
    account = largest(client)
    people = ranked(client, account["id"])
    for url in (
        f"/accounts/{account['id']}",
        f"/accounts/{account['id']}?edit={people[-1]['id']}",
        f"/accounts/{account['id']}/paths?part=paths",
        f"/accounts/{account['id']}/paths?part=pairs",
        f"/accounts/{account['id']}/paths",
        f"/accounts/{account['id']}/orgchart.svg",
        f"/people/{people[0]['id']}",
        f"/people/{people[0]['id']}/paths?part=paths",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert len(response.content) <= LIGHT, (url, len(response.content))


def test_the_drawing_is_kept_until_a_correction_changes_it(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[int] = []
    real = account_view.render

    def counting(*args: Any, **kwargs: Any) -> bytes:
        drawn.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(account_view, "render", counting)
    account = largest(client)
    url = f"/accounts/{account['id']}"
    first = client.get(url).text
    assert client.get(url).text == first and client.get(url + "?page=2").status_code == 200
    assert client.get(url + "/orgchart.svg").status_code == 200
    assert len(drawn) == 1  # one drawing served them all
    person = next(
        int(i)
        for i in re.findall(r'<g id="person&#45;(\d+)" class="node">', chart(first))
        if "c suite" not in box(chart(first), int(i))
    )
    saved = client.post(
        f"{url}/people/{person}/assessment",
        data={"csrf": form_token(client), "seniority": "c_suite"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    after = client.get(url).text
    assert len(drawn) == 2 and "c suite" in box(chart(after), person)  # drawn again, as corrected
    client.get(url)
    assert len(drawn) == 2


def test_panels_are_kept_until_the_data_changes(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    found: list[int] = []
    real = way_in.warm_paths

    def counting(*args: Any, **kwargs: Any) -> Any:
        found.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(way_in, "warm_paths", counting)
    account = largest(client)
    panel = f"/accounts/{account['id']}/paths?part=paths"
    first = client.get(panel)
    assert first.status_code == 200 and client.get(panel).text == first.text
    assert len(found) == 1
    client.get(panel + "&execs_only=true")  # other filters: another panel
    assert len(found) == 2
    person = ranked(client, account["id"])[0]
    client.patch(f"/api/v1/people/{person['id']}/assessment", json={"support": "mentor"})
    client.get(panel)  # the database moved on: found again
    assert len(found) == 3
    client.cookies.clear()
    client.post("/login", data={"login": "leader", "password": "crestline"})
    theirs = min(a["id"] for a in accounts(client))
    client.cookies.clear()
    client.post("/login", data={"login": "admin", "password": "crestline"})
    assert client.get(f"/accounts/{theirs}/paths?part=paths").status_code == 200
    before = len(found)
    client.cookies.clear()
    client.post("/login", data={"login": "leader", "password": "crestline"})
    assert client.get(f"/accounts/{theirs}/paths?part=paths").status_code == 200
    assert len(found) == before + 1  # the leader sees fewer accounts: not the admin's panel


def test_the_paths_panel_searches_ours_instead_of_listing_them(
    client: TestClient, db_file: Path
) -> None:
    account = largest(client)
    panel = client.get(f"/accounts/{account['id']}/paths?part=paths").text
    offered = re.findall(r'<option value="[^"]* #(\d+)">', panel)
    assert 0 < len(offered) <= way_in.SUGGESTED and '<select name="from">' not in panel
    db = open_database(str(db_file))
    try:
        with db.reader() as session:
            ours = active_sellers(session)
    finally:
        db.close()
    assert len(ours) > way_in.SUGGESTED  # so that the panel does not list them all
    someone = ours[-1]
    fragment = someone.name.split()[-1][:4]
    found = client.get("/sellers/search", params={"q": fragment}).json()
    assert someone.id in [s["id"] for s in found] and len(found) <= 20
    by_suggestion = client.get(
        f"/accounts/{account['id']}/paths",
        params={"part": "paths", "from": f"{someone.name} #{someone.id}", "max_hops": 2},
    )
    by_id = client.get(
        f"/accounts/{account['id']}/paths",
        params={"part": "paths", "from": str(someone.id), "max_hops": 2},
    )
    assert by_suggestion.status_code == 200 and by_suggestion.text == by_id.text
    assert f'value="{escape(someone.name)} #{someone.id}"' in by_id.text  # the field says who
