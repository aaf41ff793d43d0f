"""Who is calling: the session cookie of a signed-in browser, or HTTP Basic for programs.

The cookie holds a random token; the session itself lives in the database
(``services/auth/auth.py``), so every worker of the web app knows it and signing out ends it.
"""

from __future__ import annotations

import base64
import binascii

from fastapi import Request

from crestline.services.auth.auth import SESSION_LIFETIME

COOKIE = "crestline_session"
LIFETIME = int(SESSION_LIFETIME.total_seconds())


def basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        login, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return login, password
