"""The web app's defences against other sites: forged forms, framing, sniffing.

- **Requests that change something come from Crestline's own pages.** A POST, PUT, PATCH or DELETE
  whose ``Origin`` names another site — another host, or another port of the same host — or whose
  ``Sec-Fetch-Site`` says it was sent from another site, is refused (403) before it reaches a
  route. Programs (curl, scripts) send neither header and are let through: they authenticate on
  every request.
- **Every form carries a token** tied to the session (``csrf``): a keyed hash of the session's
  cookie, which a page on another site cannot read, so it cannot fill the field in. A form posted
  without it, or with another session's, is refused. HTML kept for many readers (the account page,
  see web/page_cache) holds a mark that each response replaces by its reader's token.
- **Bodies within bounds**: a request may carry 1 MB (forms, JSON), refused as 413 as soon as it
  says or shows more; the Import page's route sets its own, larger limit.
- **Security headers** on every response: a content security policy (scripts and styles from
  Crestline only; the API's documentation page may load Swagger UI from its CDN), no framing, no
  content sniffing, the referrer kept on the site.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
from urllib.parse import urlsplit

from fastapi import Request
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crestline.errors import PermissionDeniedError
from crestline.web.session import COOKIE

CSRF_FIELD = "csrf"
CSRF_MARK = "crestline-form-token-mark"  # stands for the reader's token in HTML kept for many
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SAME_SITE_FETCH = frozenset({"same-origin", "none"})  # "none": typed in, or a bookmark

_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# FastAPI's documentation page: Swagger UI from its CDN, started by an inline script
_DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; object-src 'none'; "
    "frame-ancestors 'none'"
)
_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
FOREIGN = (
    "refused: this request was sent from another site (open the page in Crestline and send it "
    "again)"
)


def csrf_token(request: Request) -> str:
    """The form token of the session the request's cookie names ("" without one)."""
    session = request.cookies.get(COOKIE, "")
    if not session:
        return ""
    return hmac.new(session.encode(), b"crestline form", hashlib.sha256).hexdigest()


def check_form(request: Request, sent: str) -> None:
    """Refuse a form whose token is missing or not this session's."""
    expected = csrf_token(request)
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise PermissionDeniedError(
            "this form is out of date or was sent from another site: open the page again and "
            "send it from there"
        )


def with_token(html: str, request: Request) -> str:
    """HTML kept for many readers, with this reader's form token in place of the mark."""
    return html.replace(CSRF_MARK, csrf_token(request))


def _foreign(scope: Scope) -> bool:
    """Whether an unsafe request says it was sent from another site."""
    headers = {k.lower(): v for k, v in scope.get("headers", ())}
    origin = headers.get(b"origin", b"").decode("latin-1").strip()
    if origin:
        if origin == "null":  # a sandboxed frame, a file, a redirect across sites
            return True
        host = headers.get(b"host", b"").decode("latin-1").strip().lower()
        return bool(urlsplit(origin).netloc.lower() != host)
    fetch_site = headers.get(b"sec-fetch-site", b"").decode("latin-1").strip().lower()
    return bool(fetch_site) and fetch_site not in SAME_SITE_FETCH


class BodyTooLarge(HTTPException):
    """A request body past its limit, found while it is read (the app answers it as 413)."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="the request is larger than this address takes")


class Guard:
    """ASGI middleware: refuses changes sent from other sites, bodies over ``max_body`` bytes
    (except on the paths of ``uploads``, whose routes set their own limit), and adds the security
    headers."""

    def __init__(
        self, app: ASGIApp, *, max_body: int, uploads: frozenset[str] = frozenset()
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        policy = (_DOCS_POLICY if path == "/api/docs" else _POLICY).encode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    *_HEADERS,
                    (b"content-security-policy", policy),
                ]
            await send(message)

        if scope.get("method") in UNSAFE and _foreign(scope):
            await _refuse(path, send_with_headers, 403, "permission_denied", FOREIGN)
            return
        if path in self.uploads:
            await self.app(scope, receive, send_with_headers)
            return
        limit = self.max_body
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            message = f"the request is larger than this address takes ({limit:,} bytes)"
            await _refuse(path, send_with_headers, 413, "too_large", message)
            return
        counted = 0

        async def receive_within_limit() -> Message:
            nonlocal counted
            message = await receive()
            if message["type"] == "http.request":
                counted += len(message.get("body", b""))
                if counted > limit:
                    raise BodyTooLarge()
            return message

        await self.app(scope, receive_within_limit, send_with_headers)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(path: str, send: Send, status: int, kind_of: str, message: str) -> None:
    if path.startswith("/api/"):
        body = json.dumps({"error": {"kind": kind_of, "message": message}}).encode()
        kind = b"application/json"
    else:
        body = f"<!doctype html><title>Refused</title><p>{html.escape(message)}</p>".encode()
        kind = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
