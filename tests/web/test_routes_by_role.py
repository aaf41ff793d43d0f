"""Every registered route, for every role, on an account of the seller's and on one outside their
scope: who may see and change what. A new route is walked too (its path's parameters must be
known here, or this test fails and asks for them)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from tests.web.forms import form_token

PUBLIC = {"/login", "/healthz", "/api/v1/openapi.json", "/api/docs", "/docs/oauth2-redirect"}
ADMIN_ONLY = re.compile(r"^/import")
ROLES = ("anonymous", "seller", "leader", "admin")


def signed_in(app: Any, role: str) -> TestClient:
    client = TestClient(app)
    if role != "anonymous":
        answer = client.post("/login", data={"login": role, "password": "crestline"})
        assert answer.status_code == 200, answer.text[:200]
    return client


def targets(client: TestClient) -> dict[str, dict[str, Any]]:
    """Ids at an account the seller sees ("mine") and at one they do not ("theirs")."""
    admin, seller = signed_in(client.app, "admin"), signed_in(client.app, "seller")
    everyone = {a["id"] for a in admin.get("/api/v1/accounts?limit=1000").json()["items"]}
    mine = {a["id"] for a in seller.get("/api/v1/accounts?limit=1000").json()["items"]}
    out = {}
    for name, pool in (("mine", mine), ("theirs", everyone - mine)):
        for account in sorted(pool):
            detail = admin.get(f"/api/v1/accounts/{account}/decision-makers").json()
            people = [p["id"] for p in detail["people"]]
            deals = [o["id"] for o in detail.get("opportunities", [])]
            if len(people) >= 2 and deals:
                out[name] = {
                    "account_id": account,
                    "person_id": people[0],
                    "from_id": people[0],
                    "to_id": people[1],
                    "opportunity_id": deals[0],
                    "token": "A" * 24,  # an upload that is not there
                }
                break
    assert set(out) == {"mine", "theirs"}, "the small world has both"
    return out


def routes(app: Any) -> list[tuple[str, str]]:
    found = []
    for route in iter_route_contexts(app.routes):  # the app's own and its routers' (web/routes)
        if route.methods and route.path:
            for method in sorted(route.methods - {"HEAD"}):
                found.append((method, route.path))
    return sorted(found, key=lambda r: r[1] == "/logout")  # signing out last


def ask(client: TestClient, method: str, path: str, role: str) -> int:
    if method == "GET":
        return client.get(path, follow_redirects=False).status_code
    if path.startswith("/api/"):
        body = {"to": 1, "support": "mentor", "strength": "high"}
        return client.request(method, path, json=body, follow_redirects=False).status_code
    form = {"support": "mentor", "to_id": "1", "from_id": "1", "person_id": "1", "role": "User"}
    if role != "anonymous":
        form["csrf"] = form_token(client)  # the session's own: what is tested is the role
    return client.request(method, path, data=form, follow_redirects=False).status_code


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(client: TestClient, role: str) -> None:
    ids = targets(client)
    walked = 0
    problems: list[str] = []
    as_role = signed_in(client.app, role)
    for method, template in routes(client.app):
        names = set(re.findall(r"{(\w+)}", template))
        assert names <= set(ids["mine"]), f"{template}: unknown parameters {names}"
        for target in ("mine", "theirs") if names else ("none",):
            path = template.format(**ids.get(target, {}))
            status = ask(as_role, method, path, role)
            walked += 1
            where = f"{role} {method} {path} ({target}): {status}"
            if status >= 500:
                problems.append(where + " — a server error")
            elif role == "anonymous":
                if template not in PUBLIC and status not in (303, 401, 403):
                    problems.append(where + " — answered without a sign-in")
            elif ADMIN_ONLY.match(template) and role != "admin":
                if status != 403:
                    problems.append(where + " — the import is for admins")
            elif role == "seller" and target == "theirs":
                if status < 400:
                    problems.append(where + " — outside the seller's scope")
                elif status not in (404, 400):
                    problems.append(where + " — out of scope is answered as not there")
            elif method == "GET" and names and target in ("mine", "theirs"):
                expected = 404 if "{token}" in template else 200
                if status != expected:
                    problems.append(where + f" — expected {expected}")
    assert walked >= 40
    assert problems == [], "\n".join(problems)
