"""Who is asking: the session cookie, the user behind it, CSRF checks, and the login and logout pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from review.rendering import render, services_of
from review.roles import role_label
from review.security import (
    SESSION_COOKIE,
    SessionData,
    SessionSigner,
    csrf_matches,
    new_csrf_token,
    password_fingerprint,
    verify_password,
)
from store import users
from store.audit import append_event
from store.db import session_scope

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class CurrentUser:
    name: str
    role: str

    @property
    def role_label(self) -> str:
        return role_label(self.role)


class LoginRequired(Exception):
    """No valid session: pages redirect to /login, the JSON API answers 401."""


class CsrfRejected(Exception):
    """A state-changing request without the session's CSRF token."""


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _signer(request: Request) -> SessionSigner:
    return request.app.state.signer


def read_session(request: Request) -> SessionData | None:
    return _signer(request).loads(request.cookies.get(SESSION_COOKIE))


def set_session_cookie(request: Request, response: Response, session: SessionData) -> None:
    signer = _signer(request)
    response.set_cookie(
        SESSION_COOKIE,
        signer.dumps(session),
        max_age=signer.max_age_seconds,
        httponly=True,
        samesite="lax",
        # Behind a TLS proxy (uvicorn --proxy-headers) the cookie never travels over plain HTTP.
        secure=request.url.scheme == "https",
        path="/",
    )


def require_user(request: Request) -> CurrentUser:
    """The logged-in, active user whose password has not changed since the session began."""
    session = read_session(request)
    if session is None or session.user is None:
        raise LoginRequired
    with session_scope(services_of(request).engine) as db:
        row = users.get_user(db, session.user)
        if row is None or not row.active or password_fingerprint(row.password_hash) != session.fingerprint:
            raise LoginRequired
        user = CurrentUser(name=row.name, role=row.role.value)
    request.state.session = session
    request.state.user = user
    return user


async def require_csrf(request: Request) -> None:
    """Every POST carries the session's token: a form field, or the X-CSRF-Token header for JSON."""
    if request.method in SAFE_METHODS:
        return
    session = getattr(request.state, "session", None) or read_session(request)
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        token = str((await request.form()).get(CSRF_FIELD) or "")
    if session is None or not csrf_matches(session.csrf, token):
        raise CsrfRejected


def safe_next(target: str | None) -> str:
    """Only a path on this site: an absolute or protocol-relative URL would make /login an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    current = read_session(request)
    if current is not None and current.user is not None:
        try:
            require_user(request)
            return RedirectResponse(safe_next(next), status_code=303)
        except LoginRequired:
            pass
    session = current if current is not None and current.user is None else SessionData(csrf=new_csrf_token())
    request.state.session = session
    response = render(request, "login.html", {"next": safe_next(next), "error": None, "name": ""})
    set_session_cookie(request, response, session)
    return response


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
def login(
    request: Request,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    name = name.strip()
    target = safe_next(next)
    address = _client_address(request)
    services = services_of(request)
    limiter = request.app.state.rate_limiter
    request.state.session = read_session(request)

    def refuse(message: str, status_code: int) -> Response:
        return render(request, "login.html", {"next": target, "error": message, "name": name}, status_code)

    if limiter.is_blocked(name, address):
        with session_scope(services.engine) as db:
            append_event(db, actor=name or "anonymous", action="auth.login_blocked", data={"address": address})
        minutes = max(1, round(limiter.retry_after_seconds(name, address) / 60))
        return refuse(
            f"로그인 실패가 너무 많습니다. {minutes}분 후에 다시 시도하세요. / Too many failed logins; "
            f"try again in {minutes} min.",
            429,
        )
    with session_scope(services.engine) as db:
        row = users.get_user(db, name) if name else None
        stored_hash = row.password_hash if row is not None and row.active else None
    password_ok = verify_password(stored_hash, password)  # also run for unknown names: same time either way
    if row is None or not password_ok:
        limiter.record_failure(name, address)
        with session_scope(services.engine) as db:
            append_event(db, actor=name or "anonymous", action="auth.login_failed", data={"address": address})
        return refuse("이름 또는 비밀번호가 맞지 않습니다. / Wrong name or password.", 401)
    limiter.reset(name, address)
    # A fresh token at login: a token planted before login (session fixation) is worth nothing after it.
    session = SessionData(csrf=new_csrf_token(), user=row.name, fingerprint=password_fingerprint(row.password_hash))
    with session_scope(services.engine) as db:
        append_event(db, actor=row.name, action="auth.login", data={"address": address, "role": row.role.value})
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, session)
    return response


@router.post("/logout", dependencies=[Depends(require_user), Depends(require_csrf)])
def logout(request: Request) -> Response:
    with session_scope(services_of(request).engine) as db:
        append_event(db, actor=request.state.user.name, action="auth.logout")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
