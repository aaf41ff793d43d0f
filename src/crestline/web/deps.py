"""What the routes depend on: the database session, the one write path, the caller, pages.

Every dependency reads what it needs from ``request.app.state``, which :func:`create_app` fills
(``settings``, ``db``, ``writer``, ``templates``, ``graph_cache``), so a router imports these
instead of being handed them. The ``Annotated`` aliases are what a route's parameters name:

- ``Reading``: a read-only session for the request (``Database.reader()``);
- ``PageActor``: the signed-in user of a page (else the browser is sent to the login page);
- ``FormActor``: the same, once the form's token is this session's (web/security);
- ``ApiActor``: the caller of ``/api/v1``, by session cookie or HTTP Basic (else 401);
- ``AppSettings``: the app's settings.

Writes go through :func:`writing`, a context manager a route opens around its use case, so that
it can turn the use case's refusal into a page.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from crestline import __version__
from crestline.config import Settings
from crestline.errors import NotSignedInError, TooManyAttemptsError
from crestline.services.auth.auth import (
    Actor,
    authenticate,
    record_sign_in,
    session_actor,
    sign_in_refusal,
)
from crestline.services.demo.setup import Database
from crestline.web import session as cookies
from crestline.web.security import check_form, csrf_token

TEMPLATES = Path(__file__).parent / "templates"


class LoginRequired(Exception):
    """A page was asked for without a session: send the browser to the login page."""


def _money(minor: int | None, currency: str | None = "USD") -> str:
    if minor is None:
        return "–"
    value = minor / 100
    for unit, size in (("bn", 1e9), ("m", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"{value / size:,.1f}{unit} {currency or ''}".strip()
    return f"{value:,.0f} {currency or ''}".strip()


def page_templates() -> Jinja2Templates:
    """The pages' templates, with the filters they use."""
    templates = Jinja2Templates(directory=TEMPLATES)
    templates.env.filters["money"] = _money
    templates.env.filters["thousands"] = lambda n: "–" if n is None else f"{n:,}"
    templates.env.globals["version"] = __version__
    return templates


def render(request: Request, name: str, actor: Actor | None, **context: Any) -> HTMLResponse:
    """The page ``name``, for ``actor``, with this session's form token."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, name, {"actor": actor, "csrf": csrf_token(request), **context}
    )


def client_address(request: Request) -> str:
    """The address a request came from (behind a proxy, the one it forwarded, as uvicorn reads
    it from a proxy it trusts)."""
    return request.client.host if request.client else "unknown"


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def db_session(request: Request) -> Iterator[Session]:
    """A read-only session for the request."""
    with database(request).reader() as session:
        yield session


@contextmanager
def writing(request: Request) -> Iterator[Session]:
    """One write transaction at a time (SQLite has one writer), rolled back on any error."""
    with request.app.state.writer, database(request).transaction() as session:
        yield session


def cookie_actor(request: Request) -> Actor | None:
    """The session cookie's user: pages take no other credentials."""
    token = request.cookies.get(cookies.COOKIE)
    if not token:
        return None
    with database(request).reader() as session:
        return session_actor(session, token)


def current_actor(request: Request) -> Actor | None:
    """The session cookie's user, else (programs) HTTP Basic's: for the API. Wrong Basic
    credentials count towards the same lockout as the sign-in form's."""
    if request.cookies.get(cookies.COOKIE):
        return cookie_actor(request)
    creds = cookies.basic_credentials(request)
    if creds is None:
        return None
    address = client_address(request)
    with database(request).reader() as session:
        refusal = sign_in_refusal(session, creds[0], address)
        if refusal:
            raise TooManyAttemptsError(refusal)
        actor = authenticate(session, *creds)
    if actor is None:
        with writing(request) as session:
            record_sign_in(session, creds[0], address, ok=False)
    return actor


def api_actor(actor: Annotated[Actor | None, Depends(current_actor)]) -> Actor:
    if actor is None:
        raise NotSignedInError("sign in first: a session cookie or HTTP Basic credentials")
    return actor


def page_actor(actor: Annotated[Actor | None, Depends(cookie_actor)]) -> Actor:
    if actor is None:
        raise LoginRequired()
    return actor


Reading = Annotated[Session, Depends(db_session)]
ApiActor = Annotated[Actor, Depends(api_actor)]
PageActor = Annotated[Actor, Depends(page_actor)]
AppSettings = Annotated[Settings, Depends(app_settings)]


def form_actor(request: Request, actor: PageActor, csrf: Annotated[str, Form()] = "") -> Actor:
    """The signed-in user of a page's form, once its token is this session's."""
    check_form(request, csrf)
    return actor


FormActor = Annotated[Actor, Depends(form_actor)]
