"""The import page for admins: upload a file or a zip, read the dry run, confirm.

The upload's route takes more than the app's 1 MB: :func:`body_limit` is what ``create_app``
gives this router (the other routes here are still held to 1 MB by web/security's guard, which
lets only ``/import`` through).
"""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from crestline.config import Settings
from crestline.errors import CrestlineError, NotFoundError
from crestline.services.auth.auth import Actor
from crestline.services.auth.policy import require_admin
from crestline.services.imports.uploads import SOURCES, confirm, discard, preview, stage_upload
from crestline.web.deps import AppSettings, FormActor, PageActor, database, render

UPLOAD_PATH = "/import"  # the one path whose body may be larger than the app's limit

router = APIRouter()


def body_limit(settings: Settings) -> int:
    """Bytes the upload's request may carry: the upload's limit, and a little for the form
    around it (the app's is 1 MB)."""
    return upload_limit(settings) + (1 << 20)


def upload_limit(settings: Settings) -> int:
    return settings.max_upload_mb << 20


def admin(actor: Actor) -> Actor:
    require_admin(actor, "import data")  # the policy's answer, before any field is read
    return actor


def admin_form(actor: FormActor) -> Actor:
    """An admin's form: checked before the form's fields, so that anyone else is told "only an
    admin" rather than what the form lacks."""
    return admin(actor)


AdminForm = Annotated[Actor, Depends(admin_form)]


@router.get("/import", response_class=HTMLResponse, include_in_schema=False)
def import_form(request: Request, actor: PageActor) -> HTMLResponse:
    return render(request, "import.html", admin(actor), sources=SOURCES, error=None)


@router.post(UPLOAD_PATH, response_class=HTMLResponse, include_in_schema=False)
def import_upload(
    request: Request,
    actor: AdminForm,
    settings: AppSettings,
    source: Annotated[str, Form()],
    upload: Annotated[UploadFile, File()],
    seller: Annotated[str, Form()] = "",
) -> HTMLResponse:
    data_dir = Path(settings.data_dir)
    staged = stage_upload(
        data_dir,
        actor,
        source=source,
        filename=upload.filename or "upload",
        stream=upload.file,
        seller=seller or None,
        max_bytes=upload_limit(settings),
    )
    try:
        with request.app.state.writer:
            result = preview(database(request), actor, data_dir, staged.token)
    except CrestlineError as exc:  # shown on the form, naming the upload, not the folder
        discard(data_dir, actor, staged.token)
        shown = _without_folder(exc.message, data_dir / "uploads" / staged.token)
        page = render(request, "import.html", actor, sources=SOURCES, error=shown)
        page.status_code = exc.http_status
        return page
    except Exception:
        discard(data_dir, actor, staged.token)
        raise
    return render(request, "import_preview.html", actor, preview=result)


@router.post("/import/{token}/confirm", response_class=HTMLResponse, include_in_schema=False)
def import_confirm(
    request: Request, actor: AdminForm, settings: AppSettings, token: str
) -> HTMLResponse:
    with request.app.state.writer:
        summary = confirm(database(request), actor, Path(settings.data_dir), token)
    return render(request, "import_done.html", actor, summary=summary)


@router.post("/import/{token}/discard", include_in_schema=False)
def import_discard(actor: AdminForm, settings: AppSettings, token: str) -> Response:
    discard(Path(settings.data_dir), actor, token)
    return RedirectResponse("/import", status_code=303)


@router.get("/import/{token}/errors.csv", include_in_schema=False)
def import_errors(actor: PageActor, settings: AppSettings, token: str) -> Response:
    admin(actor)
    path = Path(settings.data_dir) / "uploads" / token / "errors.csv"
    if "/" in token or ".." in token or not path.exists():
        raise NotFoundError("no rejected rows for that upload")
    return FileResponse(path, media_type="text/csv", filename="rejected-rows.csv")


def _without_folder(message: str, folder: Path) -> str:
    """An import's message about a staged upload, with the server's folders left out: a file
    by its name, the unpacked zip as "the upload"."""
    files = folder / "files"
    message = message.replace(f"{files}/", "").replace(str(files), "the upload")
    return message.replace(f"{folder}/", "").replace(str(folder), "the upload")
