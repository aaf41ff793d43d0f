"""The web app against other sites: forged forms refused, pages by cookie only, security headers."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from crestline.web.session import COOKIE
from tests.web.forms import form_token

HOST = "testserver"  # the Host the test client sends
OTHER_SITE = {"Origin": "http://127.0.0.1:9999"}  # another port of the same machine


def sign_in(client: TestClient, login: str = "seller") -> TestClient:
    answer = client.post("/login", data={"login": login, "password": "crestline"})
    assert answer.status_code == 200, answer.text
    return client


def someone(client: TestClient) -> tuple[int, dict[str, Any]]:
    """An account the seller sees and the first person of its power map."""
    account = client.get("/api/v1/accounts?limit=1").json()["items"][0]
    people = client.get(f"/api/v1/accounts/{account['id']}/decision-makers").json()["people"]
    return int(account["id"]), people[0]


def support_of(client: TestClient, account: int, person: int) -> str | None:
    people = client.get(f"/api/v1/accounts/{account}/decision-makers").json()["people"]
    found: str | None = next(p["support"] for p in people if p["id"] == person)
    return found


def test_a_form_posted_from_another_site_is_refused(client: TestClient) -> None:
    sign_in(client)
    account, person = someone(client)
    url = f"/accounts/{account}/people/{person['id']}/assessment"
    form = {"support": "enemy", "csrf": form_token(client)}
    forged = client.post(url, data=form, headers=OTHER_SITE, follow_redirects=False)
    assert forged.status_code == 403 and "another site" in forged.text
    fetched = client.post(
        url, data=form, headers={"Sec-Fetch-Site": "same-site"}, follow_redirects=False
    )
    assert fetched.status_code == 403  # no Origin, but the browser says where it came from
    null = client.post(url, data=form, headers={"Origin": "null"}, follow_redirects=False)
    assert null.status_code == 403
    assert support_of(client, account, person["id"]) != "enemy"  # nothing saved
    ours = client.post(url, data=form, headers={"Origin": f"http://{HOST}"}, follow_redirects=False)
    assert ours.status_code == 303
    assert support_of(client, account, person["id"]) == "enemy"


def test_a_form_needs_the_sessions_token(client: TestClient) -> None:
    sign_in(client)
    account, person = someone(client)
    url = f"/accounts/{account}/people/{person['id']}/assessment"
    missing = client.post(url, data={"support": "mentor"}, follow_redirects=False)
    assert missing.status_code == 403 and "open the page again" in missing.text
    theirs = TestClient(client.app)
    sign_in(theirs)  # another session of the same user: another token
    stolen = client.post(
        url, data={"support": "mentor", "csrf": form_token(theirs)}, follow_redirects=False
    )
    assert stolen.status_code == 403
    assert support_of(client, account, person["id"]) != "mentor"
    page = client.get(f"/accounts/{account}")
    assert 'name="csrf"' in page.text and "crestline-form-token-mark" not in page.text
    saved = client.post(
        url, data={"support": "mentor", "csrf": form_token(client)}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert support_of(client, account, person["id"]) == "mentor"


def test_the_kept_account_page_carries_each_readers_own_token(client: TestClient) -> None:
    one, two = sign_in(client), sign_in(TestClient(client.app))
    account, _ = someone(one)
    first, second = one.get(f"/accounts/{account}").text, two.get(f"/accounts/{account}").text
    mine, theirs = form_token(one, f"/accounts/{account}"), form_token(two, f"/accounts/{account}")
    assert mine != theirs
    assert f'value="{mine}"' in first and theirs not in first
    assert f'value="{theirs}"' in second and mine not in second


def test_signing_out_needs_the_token(client: TestClient) -> None:
    sign_in(client)
    refused = client.post("/logout", follow_redirects=False)
    assert refused.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200  # still signed in
    done = client.post("/logout", data={"csrf": form_token(client)}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_api_refuses_changes_from_another_site(client: TestClient) -> None:
    sign_in(client)
    account, person = someone(client)
    url = f"/api/v1/people/{person['id']}/assessment"
    forged = client.patch(url, json={"support": "enemy"}, headers=OTHER_SITE)
    assert forged.status_code == 403
    assert forged.json()["error"]["kind"] == "permission_denied"
    assert support_of(client, account, person["id"]) != "enemy"
    reads = client.get("/api/v1/accounts?limit=1", headers=OTHER_SITE)
    assert reads.status_code == 200  # reading is no change (and no other site can read it)
    program = TestClient(client.app)  # a script: HTTP Basic, no Origin
    done = program.patch(url, json={"support": "enemy"}, auth=("seller", "crestline"))
    assert done.status_code == 200
    assert support_of(client, account, person["id"]) == "enemy"


def test_pages_take_the_session_cookie_only(client: TestClient) -> None:
    page = client.get("/accounts", auth=("admin", "crestline"), follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    api = client.get("/api/v1/accounts?limit=1", auth=("admin", "crestline"))
    assert api.status_code == 200
    assert COOKIE not in client.cookies


@pytest.mark.parametrize("path", ["/login", "/accounts", "/api/v1/accounts", "/nowhere"])
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    sign_in(client, "admin")
    answer = client.get(path, follow_redirects=False)
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/accounts/99999999999999999999",
        "/api/v1/accounts/9223372036854775808/decision-makers",
        "/api/v1/accounts?offset=99999999999999999999",
        "/api/v1/accounts?limit=10&offset=9223372036854775808",
        "/api/v1/people/99999999999999999999/paths",
        "/api/v1/accounts/1/paths?as_of=0001-01-01",
        "/api/v1/accounts/1/decision-makers?as_of=0001-01-01",
        "/api/v1/accounts/1/paths?as_of=9999-12-31",
    ],
)
def test_out_of_range_input_is_never_an_internal_error(client: TestClient, path: str) -> None:
    sign_in(client, "admin")
    answer = client.get(path)
    assert answer.status_code in (200, 404, 400), (answer.status_code, answer.text[:300])
    if answer.status_code != 200:
        assert answer.json()["error"]["kind"] in ("bad_input", "not_found")


@pytest.mark.parametrize(
    "path",
    ["/accounts/99999999999999999999", "/accounts?page=1000000000000000000000000000000"],
)
def test_out_of_range_input_on_a_page_is_a_page(client: TestClient, path: str) -> None:
    sign_in(client, "admin")
    answer = client.get(path)
    assert answer.status_code in (200, 404, 400), (answer.status_code, answer.text[:300])
    assert "<html" in answer.text.lower()


def test_a_huge_number_in_a_json_body_is_bad_input(client: TestClient) -> None:
    sign_in(client, "admin")
    _, person = someone(client)
    answer = client.post(
        f"/api/v1/people/{person['id']}/influence",
        json={"to": 10**30, "strength": "high"},
        headers={"Origin": f"http://{HOST}"},
    )
    assert answer.status_code in (404, 400), (answer.status_code, answer.text[:300])
    assert answer.json()["error"]["kind"] in ("bad_input", "not_found")


def test_percent_and_underscore_in_a_search_are_letters(client: TestClient) -> None:
    sign_in(client, "admin")
    every = client.get("/api/v1/accounts", params={"limit": 1000}).json()["items"]
    texts = [
        " ".join(str(a.get(k) or "") for k in ("name", "domain", "industry")).lower() for a in every
    ]
    assert texts and not any("%" in t for t in texts)
    for needle in ("%", "_", "%%", "a_c%", "s_s"):
        found = client.get("/api/v1/accounts", params={"search": needle, "limit": 1}).json()
        # as many as hold the text itself ("_" is in industries such as financial_services)
        expected = sum(
            any(needle in str(a.get(k) or "").lower() for k in ("name", "domain", "industry"))
            for a in every
        )
        assert found["total"] == expected, (needle, found["total"], expected)
    assert client.get("/api/v1/accounts", params={"search": "%"}).json()["total"] == 0
    page = client.get("/accounts", params={"q": "%"})
    assert page.status_code == 200


def test_the_session_cookie_is_secure_over_https(client: TestClient) -> None:
    plain = client.post(
        "/login", data={"login": "seller", "password": "crestline"}, follow_redirects=False
    )
    assert "secure" not in plain.headers["set-cookie"].lower()
    https = TestClient(client.app, base_url="https://testserver")
    secured = https.post(
        "/login", data={"login": "seller", "password": "crestline"}, follow_redirects=False
    )
    assert secured.status_code == 303
    cookie = secured.headers["set-cookie"].lower()
    assert "; secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
