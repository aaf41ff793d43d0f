"""The web app: HTML pages for people and /api/v1 JSON for programs, under one login.

Built by :func:`create_app` from settings; nothing is opened at import time. The routes are in
``web/routes/``, one ``APIRouter`` per capability; what they depend on (the database session, the
caller, the pages' templates) is in ``web/deps.py``, read from ``app.state``; how errors are
answered is in ``web/errors.py``.
"""

import logging
import shutil
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from crestline import __version__
from crestline.config import Settings
from crestline.services.decisions.insights import resolve_as_of
from crestline.services.demo.setup import Database, open_db
from crestline.services.memo import share_in
from crestline.services.paths.graph_cache import GraphCache
from crestline.services.paths.graph_snapshot import store_for
from crestline.web.deps import page_templates
from crestline.web.errors import add_error_handlers
from crestline.web.routes import accounts, imports, paths, people, sign_in, system
from crestline.web.security import Guard

HERE = Path(__file__).parent
REQUEST_THREADS = 10  # pages and API calls answered at once by one process (see lifespan)
SWITCH_INTERVAL_S = 0.001  # how long a thread computes before another may take its turn
MAX_BODY = 1 << 20  # bytes a request may carry (forms, JSON), but for uploads
PAGES = "pages"  # beside the graph's snapshots: panels and drawings the workers share
log = logging.getLogger(__name__)


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


def forget_pages(settings: Settings) -> None:
    """Remove the panels and drawings an earlier server kept for this database (they may have
    been drawn by another version of Crestline); the graph's snapshots stay."""
    folder = store_for(settings.graph_dir, settings.database_url).folder / PAGES
    shutil.rmtree(folder, ignore_errors=True)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the database (unless one was given), and start reading the graph."""
    # requests at once in this process: more threads than the pool's connections only wait for
    # one, and on a few cores more threads only take turns
    to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
    # a thread back from a query waits for the interpreter lock while another computes: hand it
    # over sooner (Python's default is 5 ms, paid again after every query of a page)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    given: Database | None = app.state.given_db
    app.state.db = given or open_db(app.state.settings.database_url)
    warm_up = threading.Thread(target=_read_graph, args=(app,), name="crestline-graph", daemon=True)
    warm_up.start()  # the first paths panel should not wait for the whole graph
    try:
        yield
    finally:
        warm_up.join(timeout=1.0)
        if given is None:
            app.state.db.close()


def create_app(settings: Settings, *, database: Database | None = None) -> FastAPI:
    """The app for ``settings``; pass ``database`` to share one already open."""
    app = FastAPI(
        title="Crestline",
        version=__version__,
        description="Top-down B2B sales: accounts, decision-makers, paths, priorities, plans.",
        lifespan=lifespan,
        docs_url="/api/docs",
        openapi_url="/api/v1/openapi.json",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.given_db = database
    app.state.writer = threading.Lock()  # writes go one at a time: SQLite has one writer
    app.state.templates = page_templates()
    # one relationship graph for every paths request, mapped from a snapshot every worker shares
    store = store_for(settings.graph_dir, settings.database_url)
    app.state.graph_cache = GraphCache(store=store)
    share_in(store.folder / PAGES)  # panels and drawings one worker made serve the others
    # changes from other sites refused, bodies bounded (the Import page sets its own), headers
    uploads = frozenset({imports.UPLOAD_PATH})
    app.add_middleware(Guard, max_body=MAX_BODY, uploads=uploads)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    add_error_handlers(app)
    for router in (sign_in.router, system.router, accounts.router, paths.router, people.router):
        app.include_router(router)
    app.include_router(imports.router, max_body_size=imports.body_limit(settings))
    return app
