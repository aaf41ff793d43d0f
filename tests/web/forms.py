"""A page's form as a browser sends it: with the session's token, read from a page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

TOKEN = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def form_token(client: TestClient, page: str = "/") -> str:
    """The form token on ``page`` (every signed-in page has one: the sign-out form's)."""
    found = TOKEN.search(client.get(page).text)
    assert found, f"{page} holds no form token"
    return found[1]
