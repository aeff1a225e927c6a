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
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from wasp.catalog import best_practices, questions
from wasp.errors import InputError
from wasp.model import Area
from wasp.report.charts import score_bars, status_donut, trend_line
from wasp.report.html import responsibility_table
from wasp.report.summary import Tally
from wasp.store import Store
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

    def pick(ref: str | None) -> Any:
        return store.scan(ref, None if ref else source)

    app = FastAPI(title="wasp", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(svg=Markup, nav={"db": str(store.path)},
                                 area_title=lambda a: Area(a).title if a in Area._value2member_map_ else a)
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
        return templates.TemplateResponse(request, "error.html", {"message": str(exc)}, status_code=404)

    def page(request: Request, name: str, **ctx: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, ctx)

    def scan_or_none(ref: str | None) -> Any:
        if not store.path.exists():
            return None
        try:
            return pick(ref)
        except InputError:
            if ref:
                raise
            return None

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request, scan: str | None = None) -> HTMLResponse:
        info = scan_or_none(scan)
        if info is None:
            return page(request, "empty.html", db=str(store.path), source=source)
        summary = store.summary(info.scan_id)
        special = store.special_counts(info.scan_id)
        trend = store.trend(account=info.account or None, source=info.source)
        previous = store.previous(info.scan_id)
        areas = [(a, summary.areas.get(a)) for a in Area if a in summary.areas]
        return page(
            request, "overview.html", info=info, total=summary.total.counts, score=summary.total.score,
            areas=[(a.value, a.title, t) for a, t in areas], questions=_question_rows(summary),
            donut=status_donut(dict(summary.total.counts)),
            area_chart=score_bars([(a.title, t.score, f"{a.title}") for a, t in areas], title="Score per area"),
            trend_chart=_trend(trend),
            previous=previous, diff=store.diff_ids(previous, info.scan_id) if previous else None,
            escalations=special["escalations"], detections=special["detections"],
            responsibility=responsibility_table(*store.responsibility(info.scan_id)), gaps=store.gaps(info.scan_id))

    @app.get("/areas/{area}", response_class=HTMLResponse)
    def area_page(request: Request, area: str, scan: str | None = None) -> HTMLResponse:
        if area not in Area._value2member_map_:
            raise InputError(f"no pillar area {area!r}")
        info = pick(scan)
        summary = store.summary(info.scan_id)
        rows = [q for q in _question_rows(summary) if q["area"] == area]
        total, items = store.findings(info.scan_id, area=area, status="FAIL", limit=PAGE)
        return page(request, "area.html", info=info, area=Area(area), tally=summary.areas.get(Area(area), Tally()),
                    questions=rows, failing=items, failing_total=total,
                    chart=score_bars([(f"{q['id']} {q['title'][:28]}", q["tally"].score, q["title"]) for q in rows],
                                     title="Score per question"))

    @app.get("/questions/{qid}", response_class=HTMLResponse)
    def question_page(request: Request, qid: str, scan: str | None = None) -> HTMLResponse:
        q = questions().get(qid)
        if q is None:
            raise InputError(f"no Well-Architected question {qid!r}")
        info = pick(scan)
        summary = store.summary(info.scan_id)
        bps = best_practices()
        practices = [(bp, bps[bp].title, summary.practices.get(bp, Tally())) for bp in sorted(bps)
                     if bps[bp].question_id == qid]
        total, items = store.findings(info.scan_id, question=qid, limit=PAGE)
        return page(request, "question.html", info=info, q=q, tally=summary.questions.get(qid, Tally()),
                    practices=practices, findings=items, total=total)

    @app.get("/findings", response_class=HTMLResponse)
    def findings_page(request: Request, scan: str | None = None, status: str = "", severity: str = "",
                      area: str = "", question: str = "", practice: str = "", check: str = "", q: str = "",
                      muted: str = "", page_no: int = 1) -> HTMLResponse:
        info = pick(scan)
        muted_flag = {"1": True, "0": False}.get(muted)
        offset = max(0, page_no - 1) * PAGE
        total, items = store.findings(info.scan_id, status=status or None, severity=severity or None,
                                      area=area or None, question=question or None, practice=practice or None,
                                      check_id=check or None, text=q or None, muted=muted_flag, limit=PAGE,
                                      offset=offset)
        params = {"scan": scan or "", "status": status, "severity": severity, "area": area, "question": question,
                  "practice": practice, "check": check, "q": q, "muted": muted}
        keep = {k: v for k, v in params.items() if v}
        pages = max(1, (total + PAGE - 1) // PAGE)
        return page(request, "findings.html", info=info, findings=items, total=total, params=params,
                    page_no=min(page_no, pages), pages=pages,
                    prev_url=f"/findings?{urlencode({**keep, 'page_no': page_no - 1})}" if page_no > 1 else "",
                    next_url=f"/findings?{urlencode({**keep, 'page_no': page_no + 1})}" if page_no < pages else "",
                    areas=[(a.value, a.title) for a in Area], questions=sorted(questions().items()))

    @app.get("/findings/{finding_id}", response_class=HTMLResponse)
    def finding_page(request: Request, finding_id: str, scan: str | None = None) -> HTMLResponse:
        data, hist = store.finding(finding_id, scan)
        key = data["resource"].get("arn") or "|".join(data["resource"].get(k, "") for k in ("type", "account",
                                                                                           "region", "id"))
        return page(request, "finding.html", f=data, history=hist, resource_key=key)

    @app.get("/resource", response_class=HTMLResponse)
    def resource_page(request: Request, key: str, scan: str | None = None) -> HTMLResponse:
        info = pick(scan)
        res = store.resource(info.scan_id, key)
        total, items = store.findings(info.scan_id, resource_key=key)
        if res is None and not items:
            raise InputError(f"no resource {key!r} in scan {info.scan_id}")
        return page(request, "resource.html", info=info, res=res or items[0]["resource"], findings=items,
                    total=total, key=key)

    @app.get("/history", response_class=HTMLResponse)
    def history_page(request: Request, account: str | None = None, source: str | None = None) -> HTMLResponse:
        scans = store.scans(limit=200, account=account, source=source) if store.path.exists() else []
        chart = _trend(list(reversed(scans[:50])))
        return page(request, "history.html", scans=scans, chart=chart)

    @app.get("/diff", response_class=HTMLResponse)
    def diff_page(request: Request, a: str | None = None, b: str | None = None) -> HTMLResponse:
        d = store.diff(a or None, b or None, None if (a or b) else source)
        return page(request, "diff.html", d=d)

    @app.get("/iam", response_class=HTMLResponse)
    def iam_page(request: Request, scan: str | None = None) -> HTMLResponse:
        info = pick(scan)
        _, items = store.findings(info.scan_id, status="FAIL")
        paths = escalation_paths(items)
        columns, risks = risk_table(items)
        return page(request, "iam.html", info=info, paths=paths, graph=escalation_graph(paths) if paths else "",
                    columns=columns, risks=risks)

    @app.get("/detections", response_class=HTMLResponse)
    def detections_page(request: Request, scan: str | None = None) -> HTMLResponse:
        info = pick(scan)
        _, items = store.findings(info.scan_id, status="FAIL")
        events = trail_events(items)
        return page(request, "detections.html", info=info, events=events,
                    timeline=detections_timeline(events) if events else "")

    @app.get("/api/scans")
    def api_scans() -> JSONResponse:
        return JSONResponse([s.to_json() for s in store.scans(limit=200)] if store.path.exists() else [])

    @app.get("/api/findings")
    def api_findings(scan: str | None = None, status: str = "", area: str = "", limit: int = PAGE,
                     offset: int = 0) -> JSONResponse:
        info = pick(scan)
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


def _question_rows(summary: Any) -> list[dict[str, Any]]:
    qs = questions()
    return [{"id": qid, "title": qs.get(qid, {}).get("title", ""), "area": qs.get(qid, {}).get("area", ""),
             "tally": summary.questions[qid]} for qid in sorted(summary.questions)]
