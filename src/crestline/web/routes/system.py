"""The app itself: the home page (the overview of the accounts one sees) and the health check."""

import os

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crestline.services.accounts.overview import overview
from crestline.services.demo.setup import schema_revision
from crestline.web.deps import PageActor, Reading, database, render
from crestline.web.schemas import HealthPublic

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, session: Reading, actor: PageActor) -> HTMLResponse:
    return render(request, "home.html", actor, view=overview(session, actor))


@router.get("/healthz", response_model=HealthPublic, tags=["system"])
def health(request: Request) -> HealthPublic:
    """Liveness and database check; needs no login."""
    db = database(request)
    return HealthPublic(
        status="ok",
        database=db.backend,
        schema_revision=schema_revision(db),
        worker=os.getpid(),
    )
