"""The import page for admins: upload a file or a zip, read the dry run, confirm."""

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from crestline.config import Settings
from crestline.errors import CrestlineError, NotFoundError
from crestline.services.auth.auth import Actor
from crestline.services.auth.policy import require_admin
from crestline.services.demo.setup import Database
from crestline.services.imports.uploads import SOURCES, confirm, discard, preview, stage_upload

Render = Callable[..., HTMLResponse]


def add_import_routes(
    app: FastAPI,
    settings: Settings,
    render: Render,
    page_actor: Any,
    form_actor: Any,
    *,
    writer: threading.Lock,
) -> None:
    """Routes under /import; ``page_actor`` is the dependency that yields the signed-in actor,
    ``form_actor`` the same once a form's token is checked, ``writer`` the app's lock that lets
    one write at a time."""
    data_dir = Path(settings.data_dir)

    def admin(actor: Actor) -> Actor:
        require_admin(actor, "import data")  # the policy's answer, before any field is read
        return actor

    def admin_form(actor: Annotated[Actor, form_actor]) -> Actor:
        """An admin's form: checked before the form's fields, so that anyone else is told
        "only an admin" rather than what the form lacks."""
        return admin(actor)

    AdminForm = Annotated[Actor, Depends(admin_form)]

    @app.get("/import", response_class=HTMLResponse, include_in_schema=False)
    def import_form(request: Request, actor: Annotated[Actor, page_actor]) -> HTMLResponse:
        return render(request, "import.html", admin(actor), sources=SOURCES, error=None)

    limit = settings.max_upload_mb << 20

    # the upload's limit, and a little for the form around it (the app's is 1 MB)
    @app.post(
        "/import",
        response_class=HTMLResponse,
        include_in_schema=False,
        max_body_size=limit + (1 << 20),
    )
    def import_upload(
        request: Request,
        actor: AdminForm,
        source: Annotated[str, Form()],
        upload: Annotated[UploadFile, File()],
        seller: Annotated[str, Form()] = "",
    ) -> HTMLResponse:
        db: Database = request.app.state.db
        staged = stage_upload(
            data_dir,
            actor,
            source=source,
            filename=upload.filename or "upload",
            stream=upload.file,
            seller=seller or None,
            max_bytes=limit,
        )
        try:
            with writer:
                result = preview(db, actor, data_dir, staged.token)
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

    @app.post("/import/{token}/confirm", response_class=HTMLResponse, include_in_schema=False)
    def import_confirm(request: Request, actor: AdminForm, token: str) -> HTMLResponse:
        db: Database = request.app.state.db
        with writer:
            summary = confirm(db, actor, data_dir, token)
        return render(request, "import_done.html", actor, summary=summary)

    @app.post("/import/{token}/discard", include_in_schema=False)
    def import_discard(actor: AdminForm, token: str) -> Response:
        discard(data_dir, actor, token)
        return RedirectResponse("/import", status_code=303)

    @app.get("/import/{token}/errors.csv", include_in_schema=False)
    def import_errors(actor: Annotated[Actor, page_actor], token: str) -> Response:
        admin(actor)
        path = data_dir / "uploads" / token / "errors.csv"
        if "/" in token or ".." in token or not path.exists():
            raise NotFoundError("no rejected rows for that upload")
        return FileResponse(path, media_type="text/csv", filename="rejected-rows.csv")


def _without_folder(message: str, folder: Path) -> str:
    """An import's message about a staged upload, with the server's folders left out: a file
    by its name, the unpacked zip as "the upload"."""
    files = folder / "files"
    message = message.replace(f"{files}/", "").replace(str(files), "the upload")
    return message.replace(f"{folder}/", "").replace(str(folder), "the upload")
