"""The Starlette application: routes, sessions, security headers, the login gate, error pages.

Secure by default: every response carries a strict Content-Security-Policy (scripts only from
this server, no inline script, no framing by others), bodies are bounded, sessions are signed
cookies (SameSite=Strict, HttpOnly), every form needs the session's CSRF token, and on
loopback the Host header must name this machine (no DNS rebinding from a web page).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from ..resources import asset_path
from . import accounts, campaign, compose, deliver, recordings, review
from .core import STATIC, Settings, Workbench, actor, bench

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self'; "
       "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; "
       "object-src 'none'")
FONTS = ("NotoSansSC-Regular.otf", "NotoSansSC-Bold.otf", "OFL.txt")
OPEN_PATHS = ("/login", "/static/", "/fonts/", "/favicon.ico")
Message = MutableMapping[str, Any]


class SecurityHeaders:
    """Adds the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [(b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"same-origin"),
                            (b"x-frame-options", b"SAMEORIGIN")]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class LoginGate:
    """With accounts on, everything but the login page and static files needs a session."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not str(scope["path"]).startswith(OPEN_PATHS):
            request = Request(scope, receive)
            if bench(request).settings.accounts and not actor(request).signed_in:
                response: Response
                if request.headers.get("hx-request"):
                    response = Response(status_code=401, headers={"HX-Redirect": "/login"})
                else:
                    response = RedirectResponse("/login", status_code=303)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def font(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in FONTS:
        raise HTTPException(404, "没有这个字体文件")
    return FileResponse(asset_path("fonts", name),
                        headers={"Cache-Control": "public, max-age=604800"})


async def error_page(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "服务器内部错误"
    if status == 413:
        detail = "上传的内容过大，超过了工作台的上限，请换一个更小的文件"
    wb = bench(request)
    if request.headers.get("hx-request"):
        return wb.page(request, "_error.html", status=status, detail=detail)
    return wb.page(request, "error.html", status=status, detail=detail)


def create_app(settings: Settings) -> Starlette:
    """The workbench app for a workspace; ``settings.accounts`` turns on login."""
    workbench = Workbench(settings)
    routes = [
        *compose.ROUTES, *recordings.ROUTES, *review.ROUTES, *deliver.ROUTES, *campaign.ROUTES, *accounts.ROUTES,
        Route("/fonts/{name}", font),
        Mount("/static", app=StaticFiles(directory=Path(STATIC)), name="static"),
    ]
    hosts = ["127.0.0.1", "localhost", "[::1]", "::1"] if settings.loopback else ["*"]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(TrustedHostMiddleware, allowed_hosts=hosts),
        Middleware(SessionMiddleware, secret_key=workbench.secret, session_cookie="xfpush_session",
                   same_site="strict", max_age=12 * 3600),
        Middleware(LoginGate),
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        HTTPException: error_page, 500: error_page}
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=handlers,
                    max_body_size=settings.upload_limit)
    app.state.bench = workbench
    return app
