"""How the web app answers an error: one JSON shape on ``/api/`` (``{"error": {"kind",
"message"}}``), the error page elsewhere, and the login page for a page asked for without a
session.

Errors Crestline raises on purpose carry their HTTP status (crestline.errors); FastAPI's and
Starlette's own refusals (a request it cannot parse, no such route, a body over its limit) and a
number or a date beyond what the database holds are answered in the same shape.
"""

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from crestline.errors import BadInputError, CrestlineError, NotFoundError, TooLargeError
from crestline.web.deps import LoginRequired, render
from crestline.web.schemas import ErrorPublic

# what the /api/v1 routes document they may answer, in the error shape
READ_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorPublic},
    403: {"model": ErrorPublic},
    400: {"model": ErrorPublic},
    404: {"model": ErrorPublic},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {**READ_ERRORS, 409: {"model": ErrorPublic}}


def first_problem(exc: RequestValidationError) -> str:
    """A request FastAPI could not parse, as one line: where, and what is wrong."""
    errors = exc.errors()
    if not errors:
        return "the request is not valid"
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where or 'request'}: {first.get('msg', 'not valid')}{more}"


async def login_required(request: Request, _exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


async def crestline_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CrestlineError)
    status = exc.http_status  # NotSignedInError: 401; other permission errors: 403
    if request.url.path.startswith("/api/"):
        body = ErrorPublic.model_validate({"error": {"kind": exc.kind, "message": exc.message}})
        headers = {"WWW-Authenticate": 'Basic realm="crestline"'} if status == 401 else None
        return JSONResponse(body.model_dump(), status_code=status, headers=headers)
    response = render(request, "error.html", None, status=status, message=exc.message)
    response.status_code = status
    return response


async def invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return await crestline_error(request, BadInputError(first_problem(exc)))


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such route, a method not allowed, a body over its limit) in
    Crestline's error shape."""
    assert isinstance(exc, StarletteHTTPException)
    error: CrestlineError
    if exc.status_code == 404:
        error = NotFoundError(f"no such page: {request.url.path}")
    elif exc.status_code == 413:
        error = TooLargeError("the request is larger than this address takes")
    else:
        error = CrestlineError(str(exc.detail))
        error.http_status = exc.status_code
    response = await crestline_error(request, error)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def out_of_range(request: Request, _exc: Exception) -> Response:
    """A number or a date beyond what the database or Python's dates hold (an id above 2^63,
    page=10^30, as_of=0001-01-01): bad input, in the error shape, not an internal error."""
    return await crestline_error(
        request, BadInputError("a number or a date in the request is out of range")
    )


HANDLERS = {
    LoginRequired: login_required,
    CrestlineError: crestline_error,
    RequestValidationError: invalid_request,
    StarletteHTTPException: http_error,
    OverflowError: out_of_range,
    DataError: out_of_range,
}


def add_error_handlers(app: FastAPI) -> None:
    """Answer every error above in Crestline's shape, and say so in the OpenAPI schema: a
    request FastAPI cannot parse is answered 400 in the error shape, so the 422 "validation
    error" it documents by itself is taken out."""
    for kind, handler in HANDLERS.items():
        app.add_exception_handler(kind, handler)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    operation.get("responses", {}).pop("422", None)
            shapes = schema.get("components", {}).get("schemas", {})
            for name in ("HTTPValidationError", "ValidationError"):
                shapes.pop(name, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
