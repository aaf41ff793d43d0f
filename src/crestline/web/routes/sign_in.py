"""Signing in and out: the login page, its form, and the sign-out button.

The session lives in the database (services/auth); the browser holds its token in a cookie
(web/session). Wrong passwords count towards a lockout per login and address.
"""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from crestline.services.auth.auth import (
    audit,
    authenticate,
    end_session,
    record_sign_in,
    sign_in_refusal,
    start_session,
)
from crestline.web import session as cookies
from crestline.web.deps import client_address, database, render, writing
from crestline.web.security import check_form

router = APIRouter()


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", None, next=next, failed=False)


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    login: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    address = client_address(request)
    with database(request).reader() as session:  # the password's hash is slow by design: not
        refusal = sign_in_refusal(session, login, address)  # while holding the write lock
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


@router.post("/logout", include_in_schema=False)
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    check_form(request, csrf)  # another site may not sign anyone out
    token = request.cookies.get(cookies.COOKIE)
    if token:
        with writing(request) as session:
            end_session(session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(cookies.COOKIE)
    return response
