"""``wasp serve``: a read-only dashboard over the store.

Security of the dashboard itself:
- read-only: every route is GET; nothing here holds AWS credentials or calls AWS;
- loopback by default; off loopback an access token is mandatory (checked in constant time, given
  once as ``?token=`` and then kept in an HttpOnly SameSite=Strict cookie, or sent as a Bearer header);
- without a token the Host header must be a loopback name, which defeats DNS rebinding;
- a strict Content-Security-Policy (scripts and styles only from the app itself, no inline code, no
  frames), nosniff, no referrer, and Jinja2 autoescaping for every value from the store.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from wasp.errors import InputError
from wasp.store import Store
from wasp.web.pages import attack, cases, detections, findings, frameworks, history, iam, overview, resources
from wasp.web.pages import inventory as inventory_page
from wasp.web.pages import respond as respond_page
from wasp.web.queries.cases import CaseJournal
from wasp.web.site import HERE, Web

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
COOKIE = "wasp_token"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# every page family, in the order their routes are tried
PAGES = [
    overview,
    findings,
    resources,
    history,
    iam,
    detections,
    attack,
    cases,
    respond_page,
    inventory_page,
    frameworks,
]


def _host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def create_app(db: Path | str, token: str | None = None, source: str | None = None,
               journal: Path | str | None = None) -> FastAPI:
    """The dashboard; pages without ``?scan=`` show the newest complete scan of ``source`` (the store's rule).

    ``journal`` is the response journal the cases pages read (default: the store, where `wasp respond` writes).
    """
    web = Web.create(db, source)
    app = FastAPI(title="wasp", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.journal = CaseJournal.at(Path(journal or db))
    shared_css = (HERE.parent / "report" / "templates" / "report.css").read_text(encoding="utf-8")

    @app.get("/static/report.css")
    def report_css() -> Response:
        """The HTML report's stylesheet, served as is: the dashboard and the report look alike from one file."""
        return Response(shared_css, media_type="text/css")

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method not in ("GET", "HEAD"):
            return _secure(PlainTextResponse("wasp serve is read-only", status_code=405))
        if token is None:
            if _host_name(request.headers.get("host", "")) not in LOOPBACK_HOSTS:
                return _secure(PlainTextResponse("unexpected Host header", status_code=421))
        else:
            given = request.query_params.get("token") or request.cookies.get(COOKIE) or ""
            auth = request.headers.get("authorization", "")
            if auth.lower().startswith("bearer "):
                given = auth[7:].strip()
            if not hmac.compare_digest(given.encode(), token.encode()):
                return _secure(PlainTextResponse("access token required", status_code=401))
            if "token" in request.query_params:
                rest = {k: v for k, v in request.query_params.items() if k != "token"}
                target = request.url.path + (("?" + urlencode(rest)) if rest else "")
                redirect = RedirectResponse(target, status_code=303)
                redirect.set_cookie(COOKIE, token, httponly=True, samesite="strict")
                return _secure(redirect)
        return _secure(await call_next(request))

    @app.exception_handler(InputError)
    def not_found(request: Request, exc: InputError) -> Response:
        return web.templates.TemplateResponse(request, "error.html",
                                              {"message": str(exc), "ctx": web.error_context(request)},
                                              status_code=404)

    for module in PAGES:
        app.include_router(module.router(web))
    web.store.upgrade()  # typed columns for the overview's counts; a store that cannot be written is read as is
    app.add_middleware(OneConnection, store=web.store)

    @app.get("/healthz")
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    return app


class OneConnection:
    """Each request's store queries share one read-only connection (``Store.reading``), opened when a page first
    reads and closed once its response, streamed or not, is sent: a page makes a dozen queries, and each open of the
    file cost ~20 ms and a cold cache. Outermost, so it spans the whole response."""

    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with self.store.reading():
            await self.app(scope, receive, send)


def _secure(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    return response
