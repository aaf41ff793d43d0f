"""Signed session cookies and HTTP Basic for programs: who is calling."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time

from fastapi import Request

from crestline.services.auth import Actor

COOKIE = "crestline_session"
LIFETIME = 12 * 3600


def _sign(secret: bytes, payload: bytes) -> str:
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()


def make_cookie(secret: bytes, actor: Actor, *, now: float | None = None) -> str:
    body = {
        "login": actor.login,
        "role": actor.role,
        "seller_id": actor.seller_id,
        "user_id": actor.user_id,
        "exp": int((now or time.time()) + LIFETIME),
    }
    payload = base64.urlsafe_b64encode(json.dumps(body).encode())
    return payload.decode() + "." + _sign(secret, payload)


def read_cookie(secret: bytes, value: str, *, now: float | None = None) -> Actor | None:
    try:
        payload, signature = value.rsplit(".", 1)
        if not hmac.compare_digest(_sign(secret, payload.encode()), signature):
            return None
        body = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except (ValueError, binascii.Error, json.JSONDecodeError):
        return None
    if body.get("exp", 0) < (now or time.time()):
        return None
    return Actor(
        login=body["login"], role=body["role"], seller_id=body["seller_id"], user_id=body["user_id"]
    )


def basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        login, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return login, password
