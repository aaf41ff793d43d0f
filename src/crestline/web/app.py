"""The web app: HTML pages for people and /api/v1 JSON for programs, under one login.

Built by :func:`create_app` from settings; nothing is opened at import time. Errors Crestline
raises on purpose are mapped to an HTTP status and one JSON shape (``{"error": {"kind",
"message"}}``) in :func:`_crestline_error`.
"""

import logging
import math
import os
import shutil
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from anyio import to_thread
from fastapi import Depends, FastAPI, Form, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from crestline import __version__
from crestline.config import Settings
from crestline.errors import (
    BadInputError,
    CrestlineError,
    NotFoundError,
    NotSignedInError,
    TooLargeError,
    TooManyAttemptsError,
)
from crestline.services.accounts.accounts import get_account, list_accounts
from crestline.services.accounts.overview import overview
from crestline.services.auth.auth import (
    Actor,
    audit,
    authenticate,
    end_session,
    record_sign_in,
    session_actor,
    sign_in_refusal,
    start_session,
)
from crestline.services.decisions.insights import resolve_as_of
from crestline.services.demo.setup import Database, open_db, schema_revision
from crestline.services.memo import share_in
from crestline.services.paths.graph_cache import GraphCache
from crestline.services.paths.graph_snapshot import store_for
from crestline.web import session as cookies
from crestline.web.account_page import add_account_routes
from crestline.web.decisions_api import add_decision_api
from crestline.web.imports import add_import_routes
from crestline.web.paths_api import add_paths_api
from crestline.web.paths_page import add_paths_routes
from crestline.web.person_page import add_person_routes
from crestline.web.schemas import (
    AccountDetailPublic,
    AccountPagePublic,
    ErrorPublic,
    HealthPublic,
)
from crestline.web.security import Guard, check_form, csrf_token

HERE = Path(__file__).parent
REQUEST_THREADS = 10  # pages and API calls answered at once by one process (see lifespan)
SWITCH_INTERVAL_S = 0.001  # how long a thread computes before another may take its turn
MAX_BODY = 1 << 20  # bytes a request may carry (forms, JSON), but for uploads
PAGES = "pages"  # beside the graph's snapshots: panels and drawings the workers share
log = logging.getLogger(__name__)


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


def _first_problem(exc: RequestValidationError) -> str:
    """A request FastAPI could not parse, as one line: where, and what is wrong."""
    errors = exc.errors()
    if not errors:
        return "the request is not valid"
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where or 'request'}: {first.get('msg', 'not valid')}{more}"


def _read_graph(app: FastAPI) -> None:
    """Read the relationship graph into the app's cache when it starts (seconds on a large
    database), so that the first request for paths finds it ready — or waits for this read
    rather than starting another."""
    try:
        with app.state.db.reader() as session:
            conn = session.connection()
            app.state.graph_cache.graph(conn, as_of=resolve_as_of(conn, None))
    except Exception:  # then the first request reads it again, and says what failed
        log.warning("the relationship graph was not read at start", exc_info=True)


def client_address(request: Request) -> str:
    """The address a request came from (behind a proxy, the one it forwarded, as uvicorn reads
    it from a proxy it trusts)."""
    return request.client.host if request.client else "unknown"


def forget_pages(settings: Settings) -> None:
    """Remove the panels and drawings an earlier server kept for this database (they may have
    been drawn by another version of Crestline); the graph's snapshots stay."""
    folder = store_for(settings.graph_dir, settings.database_url).folder / PAGES
    shutil.rmtree(folder, ignore_errors=True)


def create_app(settings: Settings, *, database: Database | None = None) -> FastAPI:
    """The app for ``settings``; pass ``database`` to share one already open."""
    writer = threading.Lock()  # writes go one at a time: SQLite has one writer

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # requests at once in this process: more threads than the pool's connections only wait
        # for one, and on a few cores more threads only take turns
        to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        # a thread back from a query waits for the interpreter lock while another computes: hand
        # it over sooner (Python's default is 5 ms, paid again after every query of a page)
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        owned = database is None
        app.state.db = database or open_db(settings.database_url)
        warm_up = threading.Thread(
            target=_read_graph, args=(app,), name="crestline-graph", daemon=True
        )
        warm_up.start()  # the first paths panel should not wait for the whole graph
        try:
            yield
        finally:
            warm_up.join(timeout=1.0)
            if owned:
                app.state.db.close()

    app = FastAPI(
        title="Crestline",
        version=__version__,
        description="Top-down B2B sales: accounts, decision-makers, paths, priorities, plans.",
        lifespan=lifespan,
        docs_url="/api/docs",
        openapi_url="/api/v1/openapi.json",
        redoc_url=None,
    )
    # one relationship graph for every paths request, mapped from a snapshot every worker shares
    store = store_for(settings.graph_dir, settings.database_url)
    app.state.graph_cache = GraphCache(store=store)
    share_in(store.folder / PAGES)  # panels and drawings one worker made serve the others
    # changes from other sites refused, bodies bounded (the Import page sets its own), headers
    app.add_middleware(Guard, max_body=MAX_BODY, uploads=frozenset({"/import"}))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["money"] = _money
    templates.env.filters["thousands"] = lambda n: "–" if n is None else f"{n:,}"
    templates.env.globals["version"] = __version__
    app.state.templates = templates

    def db_session(request: Request) -> Iterator[Session]:
        db: Database = request.app.state.db
        with db.reader() as session:
            yield session

    @contextmanager
    def writing(request: Request) -> Iterator[Session]:
        """One write transaction at a time (SQLite has one writer), rolled back on any error."""
        db: Database = request.app.state.db
        with writer, db.transaction() as session:
            yield session

    def cookie_actor(request: Request) -> Actor | None:
        """The session cookie's user: pages take no other credentials."""
        token = request.cookies.get(cookies.COOKIE)
        if not token:
            return None
        db: Database = request.app.state.db
        with db.reader() as session:
            return session_actor(session, token)

    def current_actor(request: Request) -> Actor | None:
        """The session cookie's user, else (programs) HTTP Basic's: for the API. Wrong Basic
        credentials count towards the same lockout as the sign-in form's."""
        if request.cookies.get(cookies.COOKIE):
            return cookie_actor(request)
        creds = cookies.basic_credentials(request)
        if creds is None:
            return None
        db: Database = request.app.state.db
        address = client_address(request)
        with db.reader() as session:
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

    SessionDep = Annotated[Session, Depends(db_session)]
    ApiActor = Annotated[Actor, Depends(api_actor)]
    PageActor = Annotated[Actor, Depends(page_actor)]

    def form_actor(request: Request, actor: PageActor, csrf: Annotated[str, Form()] = "") -> Actor:
        """The signed-in user of a page's form, once its token is this session's."""
        check_form(request, csrf)
        return actor

    def render(request: Request, name: str, actor: Actor | None, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(
            request, name, {"actor": actor, "csrf": csrf_token(request), **context}
        )

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(CrestlineError)
    async def _crestline_error(request: Request, exc: CrestlineError) -> Response:
        status = exc.http_status  # NotSignedInError: 401; other permission errors: 403
        if request.url.path.startswith("/api/"):
            body = ErrorPublic.model_validate({"error": {"kind": exc.kind, "message": exc.message}})
            headers = {"WWW-Authenticate": 'Basic realm="crestline"'} if status == 401 else None
            return JSONResponse(body.model_dump(), status_code=status, headers=headers)
        response = render(request, "error.html", None, status=status, message=exc.message)
        response.status_code = status
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        return await _crestline_error(request, BadInputError(_first_problem(exc)))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """Starlette's own refusals (no such route, a method not allowed, a body over its
        limit) in Crestline's error shape."""
        error: CrestlineError
        if exc.status_code == 404:
            error = NotFoundError(f"no such page: {request.url.path}")
        elif exc.status_code == 413:
            error = TooLargeError("the request is larger than this address takes")
        else:
            error = CrestlineError(str(exc.detail))
            error.http_status = exc.status_code
        response = await _crestline_error(request, error)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    # a number or a date beyond what the database or Python's dates hold (an id above 2^63,
    # page=10^30, as_of=0001-01-01): bad input, in the error shape, not an internal error
    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, _exc: Exception) -> Response:
        return await _crestline_error(
            request, BadInputError("a number or a date in the request is out of range")
        )

    # --- pages -----------------------------------------------------------------------------

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, next: str = "/") -> HTMLResponse:
        return render(request, "login.html", None, next=next, failed=False)

    @app.post("/login", include_in_schema=False)
    def login(
        request: Request,
        login: Annotated[str, Form()],
        password: Annotated[str, Form()],
        next: Annotated[str, Form()] = "/",
    ) -> Response:
        db: Database = request.app.state.db
        address = client_address(request)
        with db.reader() as session:  # the password's hash is slow by design: not while
            refusal = sign_in_refusal(session, login, address)  # holding the write lock
            actor = None if refusal else authenticate(session, login.strip(), password)
        token = None
        if refusal is None:
            with writing(request) as session:
                record_sign_in(session, login, address, ok=actor is not None)
                if actor is not None:
                    token = start_session(session, actor)
        else:
            audit.warning("sign-in refused: %r from %s (%s)", login, address, refusal)
        if token is None:
            refused = render(request, "login.html", None, next=next, failed=True, refusal=refusal)
            refused.status_code = 429 if refusal else 401
            return refused
        target = next if next.startswith("/") and not next.startswith("//") else "/"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            cookies.COOKIE,
            token,
            httponly=True,
            samesite="lax",
            max_age=cookies.LIFETIME,
            # sent back over HTTPS only when the app is reached over HTTPS (behind nginx: the
            # X-Forwarded-Proto uvicorn trusts from 127.0.0.1)
            secure=request.url.scheme == "https",
        )
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        check_form(request, csrf)  # another site may not sign anyone out
        token = request.cookies.get(cookies.COOKIE)
        if token:
            with writing(request) as session:
                end_session(session, token)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(cookies.COOKIE)
        return response

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, session: SessionDep, actor: PageActor) -> HTMLResponse:
        return render(request, "home.html", actor, view=overview(session, actor))

    @app.get("/accounts", response_class=HTMLResponse, include_in_schema=False)
    def accounts_page(
        request: Request,
        session: SessionDep,
        actor: PageActor,
        q: str = "",
        page: Annotated[int, Query(ge=1)] = 1,
    ) -> HTMLResponse:
        size = settings.page_size
        result = list_accounts(
            session, actor, search=q or None, limit=size, offset=(page - 1) * size
        )
        pages = max(1, math.ceil(result.total / size))
        return render(request, "accounts.html", actor, result=result, q=q, page=page, pages=pages)

    add_account_routes(
        app,
        render,
        session_dep=Depends(db_session),
        page_actor=Depends(page_actor),
        form_actor=Depends(form_actor),
        writing=writing,
    )
    pages = {"session_dep": Depends(db_session), "page_actor": Depends(page_actor)}
    add_paths_routes(app, render, **pages)
    add_person_routes(app, render, **pages)
    add_import_routes(
        app, settings, render, Depends(page_actor), Depends(form_actor), writer=writer
    )

    # --- API -------------------------------------------------------------------------------

    @app.get("/healthz", response_model=HealthPublic, tags=["system"])
    def health(request: Request) -> HealthPublic:
        """Liveness and database check; needs no login."""
        db: Database = request.app.state.db
        return HealthPublic(
            status="ok",
            database=db.backend,
            schema_revision=schema_revision(db),
            worker=os.getpid(),
        )

    @app.get(
        "/api/v1/accounts",
        response_model=AccountPagePublic,
        tags=["accounts"],
        responses={401: {"model": ErrorPublic}},
    )
    def api_accounts(
        session: SessionDep,
        actor: ApiActor,
        search: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> AccountPagePublic:
        """The accounts you may see, by name; ``search`` matches name, domain or industry."""
        page = list_accounts(session, actor, search=search, limit=limit, offset=offset)
        return AccountPagePublic.model_validate(page, from_attributes=True)

    @app.get(
        "/api/v1/accounts/{account_id}",
        response_model=AccountDetailPublic,
        tags=["accounts"],
        responses={401: {"model": ErrorPublic}, 404: {"model": ErrorPublic}},
    )
    def api_account(session: SessionDep, actor: ApiActor, account_id: int) -> AccountDetailPublic:
        """One account: its facts, its deals, and its people with their reporting lines."""
        detail = get_account(session, actor, str(account_id))
        return AccountDetailPublic.model_validate(detail.as_dict())

    add_decision_api(
        app, session_dep=Depends(db_session), api_actor=Depends(api_actor), writing=writing
    )
    add_paths_api(app, session_dep=Depends(db_session), api_actor=Depends(api_actor))
    return app
