"""The review web app: FastAPI with server-rendered pages; every route but /login and /static needs a user."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractContextManager, asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from review import auth, routes_document, routes_queue, routes_users
from review.auth import CsrfRejected, LoginRequired, login_redirect, wants_json
from review.ratelimit import LoginRateLimiter
from review.rendering import STATIC_DIR, render
from review.security import SessionSigner, load_secret_key
from review.services import ReviewServices

# No inline script or style anywhere: a customer's HTML that slipped past the sanitiser still could not run.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _security_headers(response: Response, path: str) -> None:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not path.startswith("/static/"):
        # Pages hold customers' data: no shared or back-button caches.
        response.headers.setdefault("Cache-Control", "no-store")


def create_app(
    open_services: Callable[[], AbstractContextManager[ReviewServices]],
    rate_limiter: LoginRateLimiter | None = None,
) -> FastAPI:
    """The app; `open_services` is entered for the app's lifetime (it opens the runtime the flows need)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with open_services() as services:
            app.state.services = services
            app.state.signer = SessionSigner(load_secret_key(services.settings))
            yield

    app = FastAPI(title="intake review", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.rate_limiter = rate_limiter or LoginRateLimiter()

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        _security_headers(response, request.url.path)
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        if wants_json(request):
            return JSONResponse({"error": "login required"}, status_code=401)
        return login_redirect(request)

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, _exc: CsrfRejected) -> Response:
        message = (
            "보안 토큰이 맞지 않습니다. 페이지를 새로 고치세요. / Security token missing or stale; reload the page."
        )
        if wants_json(request):
            return JSONResponse({"error": "csrf token missing or invalid"}, status_code=403)
        return render(request, "error.html", {"message": message}, 403)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if wants_json(request):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        return render(request, "error.html", {"message": str(exc.detail)}, exc.status_code)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(auth.router)
    app.include_router(routes_queue.router)
    app.include_router(routes_document.router)
    app.include_router(routes_users.router)
    return app
