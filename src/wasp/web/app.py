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
import shlex
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup

from wasp.catalog import best_practices, questions
from wasp.errors import InputError
from wasp.model import Area
from wasp.report.charts import score_bars, status_donut, trend_line
from wasp.report.html import responsibility_table
from wasp.report.summary import Tally
from wasp.respond.finding import suggestion
from wasp.store import SOURCES, Store
from wasp.web.context import Context, resolve
from wasp.web.graphs import detections_timeline, escalation_graph, escalation_paths, risk_table, trail_events

HERE = Path(__file__).resolve().parent
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
COOKIE = "wasp_token"
PAGE = 50
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def create_app(db: Path | str, token: str | None = None, source: str | None = None) -> FastAPI:
    """The dashboard; pages without ``?scan=`` show the newest complete scan of ``source`` (the store's rule)."""
    store = Store(db, lock_timeout=30.0)

    app = FastAPI(title="wasp", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(svg=Markup, nav={"db": str(store.path)},
                                 area_title=lambda a: Area(a).title if a in Area._value2member_map_ else a)
    templates.env.globals["link"] = _link
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
        q = request.query_params
        ctx = Context(q.get("source", "") if q.get("source") in SOURCES else "", q.get("account", ""))
        return templates.TemplateResponse(request, "error.html", {"message": str(exc), "ctx": ctx}, status_code=404)

    def page(request: Request, name: str, **ctx: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, ctx)

    def context(request: Request, scan: str | None = None) -> Context:
        q = request.query_params
        return resolve(store, q.get("scan") if scan is None else scan, q.get("source"), q.get("account"), source)

    def empty(request: Request, ctx: Context) -> HTMLResponse:
        return page(request, "empty.html", ctx=ctx, db=str(store.path), source=ctx.source)

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> HTMLResponse:
        ctx = context(request)
        info = ctx.info
        if info is None:
            return empty(request, ctx)
        summary = store.summary(info.scan_id)
        special = store.special_counts(info.scan_id)
        trend = store.trend(account=info.account or None, source=info.source)
        previous = store.previous(info.scan_id)
        areas = [(a, summary.areas.get(a)) for a in Area if a in summary.areas]
        return page(
            request, "overview.html", ctx=ctx, info=info, total=summary.total.counts, score=summary.total.score,
            areas=[(a.value, a.title, t) for a, t in areas], questions=_question_rows(summary),
            donut=status_donut(dict(summary.total.counts)),
            area_chart=score_bars([(a.title, t.score, f"{a.title}") for a, t in areas], title="Score per area"),
            trend_chart=_trend(trend), breakdown=store.breakdown(info.scan_id),
            previous=previous, diff=store.diff_ids(previous, info.scan_id) if previous else None,
            escalations=special["escalations"], detections=special["detections"],
            responsibility=responsibility_table(*store.responsibility(info.scan_id)), gaps=store.gaps(info.scan_id))

    @app.get("/areas/{area}", response_class=HTMLResponse)
    def area_page(request: Request, area: str) -> HTMLResponse:
        if area not in Area._value2member_map_:
            raise InputError(f"no pillar area {area!r}")
        ctx = context(request)
        if (info := ctx.info) is None:
            return empty(request, ctx)
        summary = store.summary(info.scan_id)
        rows = [q for q in _question_rows(summary) if q["area"] == area]
        total, items = store.findings(info.scan_id, area=area, status="FAIL", limit=PAGE)
        return page(request, "area.html", ctx=ctx, info=info, area=Area(area),
                    tally=summary.areas.get(Area(area), Tally()), questions=rows, failing=items, failing_total=total,
                    chart=score_bars([(f"{q['id']} {q['title'][:28]}", q["tally"].score, q["title"]) for q in rows],
                                     title="Score per question"))

    @app.get("/questions/{qid}", response_class=HTMLResponse)
    def question_page(request: Request, qid: str) -> HTMLResponse:
        q = questions().get(qid)
        if q is None:
            raise InputError(f"no Well-Architected question {qid!r}")
        ctx = context(request)
        if (info := ctx.info) is None:
            return empty(request, ctx)
        summary = store.summary(info.scan_id)
        bps = best_practices()
        practices = [(bp, bps[bp].title, summary.practices.get(bp, Tally())) for bp in sorted(bps)
                     if bps[bp].question_id == qid]
        total, items = store.findings(info.scan_id, question=qid, limit=PAGE)
        return page(request, "question.html", ctx=ctx, info=info, q=q, tally=summary.questions.get(qid, Tally()),
                    practices=practices, findings=items, total=total)

    @app.get("/findings", response_class=HTMLResponse)
    def findings_page(request: Request, status: str = "", severity: str = "", service: str = "",
                      area: str = "", question: str = "", practice: str = "", check: str = "", q: str = "",
                      muted: str = "", page_no: int = 1) -> HTMLResponse:
        ctx = context(request)
        if (info := ctx.info) is None:
            return empty(request, ctx)
        muted_flag = {"1": True, "0": False}.get(muted)
        offset = max(0, page_no - 1) * PAGE
        total, items = store.findings(info.scan_id, status=status or None, severity=severity or None,
                                      service=service or None, area=area or None, question=question or None,
                                      practice=practice or None, check_id=check or None, text=q or None,
                                      muted=muted_flag, limit=PAGE, offset=offset)
        params = {"status": status, "severity": severity, "service": service, "area": area, "question": question,
                  "practice": practice, "check": check, "q": q, "muted": muted}
        pages = max(1, (total + PAGE - 1) // PAGE)
        return page(request, "findings.html", ctx=ctx, info=info, findings=items, total=total, params=params,
                    page_no=min(page_no, pages), pages=pages,
                    prev_url=ctx.link("/findings", **params, page_no=page_no - 1) if page_no > 1 else "",
                    next_url=ctx.link("/findings", **params, page_no=page_no + 1) if page_no < pages else "",
                    areas=[(a.value, a.title) for a in Area], questions=sorted(questions().items()))

    @app.get("/findings/{finding_id}", response_class=HTMLResponse)
    def finding_page(request: Request, finding_id: str, scan: str | None = None) -> HTMLResponse:
        ctx = context(request)
        data, hist = store.finding(finding_id, scan or None, None if scan else ctx.source)
        if ctx.info is None or ctx.info.scan_id != data["scan_id"]:
            ctx = context(request, data["scan_id"])
        key = data["resource"].get("arn") or "|".join(data["resource"].get(k, "") for k in ("type", "account",
                                                                                           "region", "id"))
        suggested = suggestion(data) if data.get("status") != "PASS" else None
        return page(request, "finding.html", ctx=ctx, form_action="/", f=data, history=hist, resource_key=key,
                    respond=_respond_command(suggested))

    @app.get("/resource", response_class=HTMLResponse)
    def resource_page(request: Request, key: str) -> HTMLResponse:
        ctx = context(request)
        if (info := ctx.info) is None:
            return empty(request, ctx)
        res = store.resource(info.scan_id, key)
        total, items = store.findings(info.scan_id, resource_key=key)
        if res is None and not items:
            raise InputError(f"no resource {key!r} in scan {info.scan_id}")
        return page(request, "resource.html", ctx=ctx, form_action="/", info=info,
                    res=res or items[0]["resource"], findings=items, total=total, key=key)

    @app.get("/history", response_class=HTMLResponse)
    def history_page(request: Request) -> HTMLResponse:
        ctx = context(request)
        scans = (store.scans(limit=200, account=ctx.account or None, source=ctx.source)
                 if store.path.exists() else [])
        chart = _trend(list(reversed(scans[:50])))
        return page(request, "history.html", ctx=ctx, scans=scans, chart=chart, before=_neighbours(scans))

    @app.get("/diff", response_class=HTMLResponse)
    def diff_page(request: Request, a: str | None = None, b: str | None = None) -> HTMLResponse:
        ctx = context(request)
        if ctx.info is None:
            return empty(request, ctx)
        if a or b:
            d = store.diff(a or None, b or None)
        else:
            old = store.previous(ctx.info.scan_id)
            if old is None:
                return page(request, "diff.html", ctx=ctx, d=None, a="", b=ctx.info.scan_id)
            d = store.diff_ids(old, ctx.info.scan_id)
        return page(request, "diff.html", ctx=ctx, d=d, a=d.old, b=d.new)

    @app.get("/iam", response_class=HTMLResponse)
    def iam_page(request: Request) -> HTMLResponse:
        ctx = context(request)
        if (info := ctx.info) is None:
            return empty(request, ctx)
        _, items = store.findings(info.scan_id, status="FAIL")
        paths = escalation_paths(items)
        columns, risks = risk_table(items)
        return page(request, "iam.html", ctx=ctx, info=info, paths=paths,
                    graph=escalation_graph(paths) if paths else "", columns=columns, risks=risks)

    @app.get("/detections", response_class=HTMLResponse)
    def detections_page(request: Request) -> HTMLResponse:
        ctx = context(request)
        if (info := ctx.info) is None:
            return empty(request, ctx)
        _, items = store.findings(info.scan_id, status="FAIL")
        events = trail_events(items)
        return page(request, "detections.html", ctx=ctx, info=info, events=events,
                    timeline=detections_timeline(events) if events else "")

    @app.get("/api/scans")
    def api_scans() -> JSONResponse:
        return JSONResponse([s.to_json() for s in store.scans(limit=200)] if store.path.exists() else [])

    @app.get("/api/findings")
    def api_findings(scan: str | None = None, status: str = "", area: str = "", limit: int = PAGE,
                     offset: int = 0) -> JSONResponse:
        info = store.scan(scan, None if scan else source)
        total, items = store.findings(info.scan_id, status=status or None, area=area or None,
                                      limit=max(1, min(limit, 1000)), offset=max(0, offset))
        return JSONResponse({"scan_id": info.scan_id, "total": total, "findings": items})

    @app.get("/healthz")
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    return app


def _secure(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    return response


def _trend(scans: list[Any]) -> str:
    return trend_line([(s.started[:16].replace("T", " "), s.score, s.counts.get("FAIL", 0)) for s in scans])


@pass_context
def _link(jinja: Any, path: str, **extra: Any) -> str:
    """``path`` carrying the page's context (source, scan, account): every link of every page goes through it."""
    ctx = jinja.get("ctx")
    return ctx.link(path, **extra) if ctx is not None and ctx.source else path


def _neighbours(scans: list[Any]) -> dict[str, str]:
    """For each listed scan, the complete scan just before it of the same source, account and targets.

    History's per-row diff compares only these: a template check is never diffed against a trail run.
    """
    out: dict[str, str] = {}
    for i, s in enumerate(scans):
        older = next((o for o in scans[i + 1:] if o.state == "complete" and o.source == s.source
                      and o.account == s.account and o.targets == s.targets), None)
        if older is not None:
            out[s.scan_id] = older.scan_id
    return out


def _respond_command(suggested: tuple[str, str, str] | None) -> str:
    if suggested is None:
        return ""
    name, target, region = suggested
    return f"wasp respond {name} --target {shlex.quote(target)}" + (f" --region {region}" if region else "")


def _question_rows(summary: Any) -> list[dict[str, Any]]:
    qs = questions()
    return [{"id": qid, "title": qs.get(qid, {}).get("title", ""), "area": qs.get(qid, {}).get("area", ""),
             "tally": summary.questions[qid]} for qid in sorted(summary.questions)]
