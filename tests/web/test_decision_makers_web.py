"""Who decides, on the web: the account page's chart, power map and committees; corrections and
influence lines by form and by the JSON API; permissions and the one error shape."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crestline.config import load_settings
from crestline.db.database import open_database
from crestline.demo.scales import SCALES
from crestline.services.auth.auth import LOCAL_ADMIN
from crestline.services.demo.setup import build_demo_world
from crestline.web.account_view import TREE_PAGE
from crestline.web.app import create_app
from tests.web.forms import form_token


def sign_in(client: TestClient, login: str = "admin") -> TestClient:
    client.post("/login", data={"login": login, "password": "crestline"})
    return client


def decisions(client: TestClient, account_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/accounts/{account_id}/decision-makers")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def big_account_with_a_deal(client: TestClient) -> dict[str, Any]:
    """The account with the most people among those with an open opportunity."""
    items = client.get("/api/v1/accounts?limit=100").json()["items"]
    for account in sorted(items, key=lambda a: -a["people"]):
        if client.get(f"/api/v1/accounts/{account['id']}").json()["deals"]["open"]:
            return dict(account)
    raise AssertionError("the small world has an account with an open deal")


def chart_links(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'xlink:href="([^"]+)"', page)]


def drawn_people(svg: str) -> list[int]:
    """The people whose boxes the chart draws, in drawing order."""
    return [int(i) for i in re.findall(r'<g id="person&#45;(\d+)" class="node">', svg)]


def dotted_edge(svg: str, from_id: int, to_id: int) -> str | None:
    """The drawing of the edge ``from_id`` → ``to_id``, if the chart has one."""
    found = re.search(
        rf"<title>p{from_id}&#45;&gt;p{to_id}</title>(.*?)</g>\s*</g>", svg, flags=re.S
    )
    return found.group(1) if found else None


def bad_input(response: Any) -> str:
    """The one-line message of a 400 in the one JSON error shape."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert body == {"error": {"kind": "bad_input", "message": body["error"]["message"]}}
    return str(body["error"]["message"])


def one_line_error(page: str) -> str:
    error = re.search(r'<p class="alert" id="error" role="alert">([^<]*)</p>', page)
    assert error, "the page shows one error line"
    return html.unescape(error.group(1))


def test_account_page_shows_chart_power_map_and_committees(client: TestClient) -> None:
    sign_in(client)
    account = big_account_with_a_deal(client)
    page = client.get(f"/accounts/{account['id']}")
    assert page.status_code == 200
    text = page.text
    svg = text[text.index('<svg class="orgchart"') : text.index("</svg>")]
    assert 'class="node"' in svg and "stroke-dasharray" in svg  # inferred lines are dashed
    assert 'stroke="#e8a317"' in svg  # engaged people have the orange border
    assert "#1 " in svg and "+" in svg  # power ranks, and folded branches with their count
    assert text.count('<tr id="row-') == min(25, account["people"])
    assert "show the factors" in text and "× " in text  # the factor breakdown per row
    body = decisions(client, account["id"])
    first = body["people"][0]
    assert f'<tr id="row-{first["id"]}"' in text
    for opp in body["opportunities"]:
        assert f'id="opp-{opp["id"]}"' in text
        assert f'class="health health-{opp["health"]}"' in text
    assert "economic buyer" in text and ("status-missing" in text or "status-engaged" in text)
    # the people by reporting line, a page of them
    assert text.count('class="pname"') == min(TREE_PAGE, account["people"])


def test_chart_branches_open_and_close(client: TestClient) -> None:
    sign_in(client)
    account = big_account_with_a_deal(client)
    page = client.get(f"/accounts/{account['id']}").text
    opening = next(link for link in chart_links(page) if "expand=" in link)
    person = int(re.findall(r"expand=(\d+)", opening)[0])
    before = page.count('class="node"')
    opened = client.get(opening).text
    assert opened.count('class="node"') > before
    assert 'id="collapse-all"' in opened
    closing = f"/accounts/{account['id']}?focus={person}#orgchart"
    assert closing in chart_links(opened)  # a second click closes the branch
    assert client.get(f"/accounts/{account['id']}?expand=1,x").status_code == 400


def test_correction_round_trip_keeps_the_titles_reading(client: TestClient) -> None:
    sign_in(client)
    account = big_account_with_a_deal(client)
    people = decisions(client, account["id"])["people"]
    person = next(
        p for p in people if p["title_seniority"] == "director" and p["line_source"] == "inferred"
    )
    manager = next(p for p in people if p["id"] not in (person["id"], person["manager_id"]))
    form = client.get(f"/accounts/{account['id']}?edit={person['id']}")
    assert 'id="assess-form"' in form.text
    saved = client.post(
        f"/accounts/{account['id']}/people/{person['id']}/assessment",
        data={
            "csrf": form_token(client),
            "seniority": "vp",
            "function": "finance",
            "manager_id": str(manager["id"]),
            "support": "supporter",
            "coverage": "partial",
            "relationship": "trusted",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/accounts/{account['id']}#row-{person['id']}"
    page = client.get(saved.headers["location"]).text
    assert f"Saved for {html.escape(person['name'])}" in page
    row = page[page.index(f'<tr id="row-{person["id"]}"') :]
    row = row[: row.index("</tr>")]
    assert "confirmed" in row and "title says director" in row
    assert html.escape(manager["name"]) in row
    assert 'id="notice"' not in client.get(f"/accounts/{account['id']}").text  # shown once
    now = next(p for p in decisions(client, account["id"])["people"] if p["id"] == person["id"])
    # beside the confirmed line: what the CRM says (nothing) and what Crestline would infer
    assert now["crm_manager_id"] is None and now["inferred_manager_id"] is not None
    names = {p["id"]: p["name"] for p in people}
    beside = re.search(r'<div class="muted small line-beside">([^<]*)</div>', row)
    assert beside and html.unescape(beside.group(1)) == (
        f"CRM: none · Crestline infers: {names[now['inferred_manager_id']]}"
        f" — {now['inferred_line_reason']}"
    )
    assert (now["seniority"], now["level_source"], now["title_seniority"]) == (
        "vp",
        "confirmed",
        "director",
    )
    assert (now["function"], now["title_function"]) == ("finance", person["title_function"])
    assert (now["manager_id"], now["line_source"]) == (manager["id"], "confirmed")
    assert (now["support"], now["coverage"], now["relationship"]) == (
        "supporter",
        "partial",
        "trusted",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("seniority", "emperor", "seniority 'emperor' is not one of: board"),
        ("support", "fan", "support 'fan' is not one of: mentor"),
        ("manager_id", "999999", "person 999999 is not at the same account"),
    ],
)
def test_bad_correction_is_one_line_and_writes_nothing(
    client: TestClient, field: str, value: str, message: str
) -> None:
    sign_in(client)
    account = big_account_with_a_deal(client)
    before = decisions(client, account["id"])
    person = before["people"][3]
    page = client.post(
        f"/accounts/{account['id']}/people/{person['id']}/assessment",
        data={"csrf": form_token(client), "support": "mentor", field: value},
    )
    assert page.status_code == 400
    assert one_line_error(page.text).startswith(message)
    assert "Traceback" not in page.text and 'id="assess-form"' in page.text
    assert decisions(client, account["id"]) == before  # not even the valid support was kept
    api = client.patch(f"/api/v1/people/{person['id']}/assessment", json={field: value})
    assert bad_input(api).startswith(message)


def test_api_corrections_and_roles(client: TestClient) -> None:
    sign_in(client)
    account = big_account_with_a_deal(client)
    body = decisions(client, account["id"])
    opp = body["opportunities"][0]
    person = body["people"][-1]
    done = client.patch(
        f"/api/v1/people/{person['id']}/assessment", json={"seniority": "c_suite", "note": "CFO"}
    )
    assert done.status_code == 200
    assert done.json()["seniority"] == "c_suite" and done.json()["note"] == "CFO"
    assert done.json()["updated_by"] == "admin"
    kept = client.patch(f"/api/v1/people/{person['id']}/assessment", json={"support": "mentor"})
    assert kept.json()["seniority"] == "c_suite"  # a field left out is kept
    cleared = client.patch(f"/api/v1/people/{person['id']}/assessment", json={"seniority": None})
    assert cleared.json()["seniority"] is None and cleared.json()["support"] == "mentor"
    stray = client.patch(f"/api/v1/people/{person['id']}/assessment", json={"salary": 1})
    assert stray.status_code == 400 and stray.json()["error"]["message"].startswith("salary:")

    role = client.put(
        f"/api/v1/opportunities/{opp['id']}/roles/{person['id']}", json={"role": "champion"}
    )
    assert role.status_code == 200
    assert role.json() == {
        "opportunity_id": opp["id"],
        "person_id": person["id"],
        "role": "Champion",
        "source": "crestline",
    }
    after = decisions(client, account["id"])["opportunities"][0]
    champion = next(r for r in after["roles"] if r["role"] == "champion")
    assert person["id"] in [p["id"] for p in champion["people"]]
    bad = client.put(f"/api/v1/opportunities/{opp['id']}/roles/{person['id']}", json={"role": "x"})
    assert bad.status_code == 400 and "is not one of" in bad.json()["error"]["message"]

    form = client.post(
        f"/accounts/{account['id']}/opportunities/{opp['id']}/roles",
        data={
            "csrf": form_token(client),
            "person_id": str(person["id"]),
            "role": "Economic Buyer",
            "expand": "",
        },
    )
    assert form.status_code == 200 and "as Economic Buyer" in form.text


def test_orgchart_json_and_svg(client: TestClient) -> None:
    sign_in(client)
    account = big_account_with_a_deal(client)
    chart = client.get(f"/api/v1/accounts/{account['id']}/orgchart").json()
    assert len(chart["nodes"]) == account["people"]
    inferred = [e for e in chart["edges"] if e["source"] == "inferred"]
    assert inferred and all(0 < e["confidence"] < 1 and e["reason"] for e in inferred)
    svg = client.get(f"/accounts/{account['id']}/orgchart.svg")
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.lstrip().startswith("<?xml") and "stroke-dasharray" in svg.text


def test_a_seller_corrects_only_within_their_scope(client: TestClient) -> None:
    sign_in(client)
    everyone = {a["id"] for a in client.get("/api/v1/accounts?limit=100").json()["items"]}
    client.cookies.clear()
    sign_in(client, "seller")
    theirs = {a["id"] for a in client.get("/api/v1/accounts?limit=100").json()["items"]}
    outside = min(everyone - theirs)
    client.cookies.clear()
    person = decisions(sign_in(client), outside)["people"][0]
    client.cookies.clear()
    sign_in(client, "seller")
    refused = client.patch(f"/api/v1/people/{person['id']}/assessment", json={"support": "enemy"})
    assert refused.status_code == 404  # out of scope is answered as not there
    out_of_scope = {
        "error": {"kind": "not_found", "message": f"no person with id {person['id']} at an account"}
    }
    assert refused.json() == out_of_scope
    other = decisions(sign_in(client, "admin"), outside)["people"][1]  # as admin, for the id
    client.cookies.clear()
    sign_in(client, "seller")
    sway = client.post(f"/api/v1/people/{person['id']}/influence", json={"to": other["id"]})
    assert (sway.status_code, sway.json()) == (404, out_of_scope)
    unsway = client.delete(f"/api/v1/people/{person['id']}/influence/{other['id']}")
    assert (unsway.status_code, unsway.json()) == (404, out_of_scope)
    sway_form = client.post(
        f"/accounts/{outside}/influence",
        data={"csrf": form_token(client), "from_id": str(person["id"]), "to_id": str(other["id"])},
    )
    assert sway_form.status_code == 404
    out = client.get(f"/api/v1/accounts/{outside}/decision-makers")
    missing = client.get("/api/v1/accounts/999999/decision-makers")
    assert (out.status_code, missing.status_code) == (404, 404)
    assert out.json()["error"]["message"] == missing.json()["error"]["message"].replace(
        "999999", str(outside)
    )  # the same answer as for an account that is not there: ids cannot be probed
    form = client.post(
        f"/accounts/{outside}/people/{person['id']}/assessment",
        data={"csrf": form_token(client), "support": "enemy"},
    )
    assert form.status_code == 404
    inside = decisions(client, min(theirs))["people"][0]
    ok = client.patch(f"/api/v1/people/{inside['id']}/assessment", json={"support": "mentor"})
    assert ok.status_code == 200


def test_openapi_describes_the_decision_routes(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/accounts/{account_id}/decision-makers",
        "/api/v1/accounts/{account_id}/orgchart",
        "/api/v1/people/{person_id}/assessment",
        "/api/v1/opportunities/{opportunity_id}/roles/{person_id}",
        "/api/v1/people/{person_id}/influence",
        "/api/v1/people/{person_id}/influence/{to_id}",
    } <= set(schema["paths"])
    assert {
        "DecisionMakersPublic",
        "AssessmentUpdate",
        "RoleUpdate",
        "InfluenceCreate",
        "InfluencePublic",
        "InfluenceLinePublic",
    } <= set(schema["components"]["schemas"])


def test_correction_round_trip_on_each_backend(db_url: str) -> None:
    db = open_database(db_url)
    build_demo_world(db, LOCAL_ADMIN, scale=SCALES["small"], seed=7)
    db.close()
    with TestClient(create_app(load_settings({"database_url": db_url}))) as client:
        sign_in(client)
        account = big_account_with_a_deal(client)
        person = decisions(client, account["id"])["people"][2]
        done = client.patch(
            f"/api/v1/people/{person['id']}/assessment",
            json={"seniority": "board", "relationship": "advocate"},
        )
        assert done.status_code == 200, done.text
        now = next(p for p in decisions(client, account["id"])["people"] if p["id"] == person["id"])
        assert (now["seniority"], now["title_seniority"]) == ("board", person["title_seniority"])
        assert now["relationship"] == "advocate" and now["level_source"] == "confirmed"
        other = decisions(client, account["id"])["people"][0]
        path = f"/api/v1/people/{person['id']}/influence"
        added = client.post(path, json={"to": other["id"], "strength": "high"})
        assert added.status_code == 201, added.text
        (line,) = decisions(client, account["id"])["influence_lines"]
        assert (line["from_id"], line["to_id"], line["strength"]) == (
            person["id"],
            other["id"],
            "high",
        )
        assert client.delete(f"{path}/{other['id']}").status_code == 204
        assert decisions(client, account["id"])["influence_lines"] == []


def test_influence_lines_by_form(client: TestClient) -> None:
    sign_in(client)
    account = big_account_with_a_deal(client)
    page = client.get(f"/accounts/{account['id']}").text
    assert "influence outside the hierarchy" in page  # the chart's legend
    assert 'id="influence-form"' in page and 'id="influence-lines"' not in page
    top, other = drawn_people(page)[:2]
    names = {p["id"]: p["name"] for p in decisions(client, account["id"])["people"]}
    saved = client.post(
        f"/accounts/{account['id']}/influence",
        data={
            "csrf": form_token(client),
            "from_id": str(other),
            "to_id": str(top),
            "strength": "high",
            "note": "old friends",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/accounts/{account['id']}#influence"
    page = client.get(saved.headers["location"]).text
    assert f"Saved: {html.escape(names[other])} sways {html.escape(names[top])} (high)" in page
    row = page[page.index(f'<tr id="influence-{other}-{top}"') :]
    assert "old friends" in row[: row.index("</tr>")]
    edge = dotted_edge(page, other, top)  # a dotted blue arrow in the chart
    assert edge and 'stroke="#1f6fb2"' in edge and 'stroke-dasharray="1,5"' in edge
    svg = client.get(f"/accounts/{account['id']}/orgchart.svg").text
    assert dotted_edge(svg, other, top) == edge

    client.post(  # the same pair again updates the line
        f"/accounts/{account['id']}/influence",
        data={
            "csrf": form_token(client),
            "from_id": str(other),
            "to_id": str(top),
            "strength": "low",
            "note": "",
        },
    )
    assert decisions(client, account["id"])["influence_lines"] == [
        {
            "from_id": other,
            "from_name": names[other],
            "to_id": top,
            "to_name": names[top],
            "strength": "low",
            "note": None,
        }
    ]
    removed = client.post(
        f"/accounts/{account['id']}/influence/{other}/{top}/remove",
        follow_redirects=False,
        data={"csrf": form_token(client)},
    )
    assert removed.status_code == 303
    page = client.get(removed.headers["location"]).text
    assert f"Removed: {html.escape(names[other])} no longer sways" in page
    assert f'id="influence-{other}-{top}"' not in page and dotted_edge(page, other, top) is None
    again = client.post(
        f"/accounts/{account['id']}/influence/{other}/{top}/remove",
        data={"csrf": form_token(client)},
    )
    assert again.status_code == 404 and "no influence line" in again.text


@pytest.mark.parametrize(
    ("pair", "strength", "message"),
    [
        ("self", "high", "a person cannot influence themself"),
        ("elsewhere", "high", "is not at the same account as person"),
        ("peers", "huge", "strength 'huge' is not one of: low, medium, high"),
    ],
)
def test_bad_influence_line_is_one_line_and_writes_nothing(
    client: TestClient, pair: str, strength: str, message: str
) -> None:
    sign_in(client)
    account = big_account_with_a_deal(client)
    before = decisions(client, account["id"])
    a, b = (p["id"] for p in before["people"][:2])
    elsewhere = next(
        p["id"]
        for item in client.get("/api/v1/accounts?limit=2").json()["items"]
        if item["id"] != account["id"]
        for p in decisions(client, item["id"])["people"][:1]
    )
    to = {"self": a, "elsewhere": elsewhere, "peers": b}[pair]
    page = client.post(
        f"/accounts/{account['id']}/influence",
        data={
            "csrf": form_token(client),
            "from_id": str(a),
            "to_id": str(to),
            "strength": strength,
            "note": "n",
        },
    )
    assert page.status_code == 400 and "Traceback" not in page.text
    assert message in one_line_error(page.text)
    api = client.post(f"/api/v1/people/{a}/influence", json={"to": to, "strength": strength})
    assert message in bad_input(api)
    assert decisions(client, account["id"]) == before


def test_influence_lines_by_api(client: TestClient) -> None:
    sign_in(client)
    account = big_account_with_a_deal(client)
    a, b = (p["id"] for p in decisions(client, account["id"])["people"][:2])
    created = client.post(
        f"/api/v1/people/{a}/influence", json={"to": b, "strength": "High", "note": "board ally"}
    )
    assert created.status_code == 201
    assert created.json() == {
        "from_id": a,
        "to_id": b,
        "strength": "high",
        "note": "board ally",
        "created_by": "admin",
    }
    updated = client.post(f"/api/v1/people/{a}/influence", json={"to": b})
    assert updated.status_code == 201 and updated.json()["strength"] == "medium"
    chart = client.get(f"/api/v1/accounts/{account['id']}/orgchart").json()
    assert chart["influence"] == [{"from": a, "to": b, "strength": "medium", "note": None}]
    stray = client.post(f"/api/v1/people/{a}/influence", json={"to": b, "weight": 3})
    assert bad_input(stray).startswith("weight:")

    assert client.delete(f"/api/v1/people/{a}/influence/{b}").status_code == 204
    assert decisions(client, account["id"])["influence_lines"] == []
    gone = client.delete(f"/api/v1/people/{a}/influence/{b}")
    assert gone.status_code == 404
    assert gone.json() == {
        "error": {
            "kind": "not_found",
            "message": f"no influence line from person {a} to person {b}",
        }
    }
