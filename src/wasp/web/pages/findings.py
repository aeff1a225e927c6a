"""The findings list (filtered, paged), one finding, and the findings API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from wasp.catalog import questions
from wasp.model import Area
from wasp.respond.finding import suggestion
from wasp.web.site import PAGE, Web, respond_command


def router(web: Web) -> APIRouter:
    r = APIRouter()
    store = web.store

    @r.get("/findings", response_class=HTMLResponse)
    def findings_page(request: Request, status: str = "", severity: str = "", service: str = "",
                      area: str = "", question: str = "", practice: str = "", check: str = "", q: str = "",
                      muted: str = "", page_no: int = 1, resource: str = "") -> HTMLResponse:
        ctx = web.context(request)
        if (info := ctx.info) is None:
            return web.empty(request, ctx)
        muted_flag = {"1": True, "0": False}.get(muted)
        offset = max(0, page_no - 1) * PAGE
        total, items = store.findings(info.scan_id, status=status or None, severity=severity or None,
                                      service=service or None, area=area or None, question=question or None,
                                      practice=practice or None, check_id=check or None, text=q or None,
                                      muted=muted_flag, resource_key=resource or None, limit=PAGE, offset=offset)
        params = {"status": status, "severity": severity, "service": service, "area": area, "question": question,
                  "practice": practice, "check": check, "q": q, "muted": muted, "resource": resource}
        pages = max(1, (total + PAGE - 1) // PAGE)
        return web.page(request, "findings.html", ctx=ctx, info=info, findings=items, total=total, params=params,
                        page_no=min(page_no, pages), pages=pages,
                        prev_url=ctx.link("/findings", **params, page_no=page_no - 1) if page_no > 1 else "",
                        next_url=ctx.link("/findings", **params, page_no=page_no + 1) if page_no < pages else "",
                        areas=[(a.value, a.title) for a in Area], questions=sorted(questions().items()))

    @r.get("/findings/{finding_id}", response_class=HTMLResponse)
    def finding_page(request: Request, finding_id: str, scan: str | None = None) -> HTMLResponse:
        ctx = web.context(request)
        data, hist = store.finding(finding_id, scan or None, None if scan else ctx.source)
        if ctx.info is None or ctx.info.scan_id != data["scan_id"]:
            ctx = web.context(request, data["scan_id"])
        key = data["resource"].get("arn") or "|".join(data["resource"].get(k, "") for k in ("type", "account",
                                                                                           "region", "id"))
        suggested = suggestion(data) if data.get("status") != "PASS" else None
        return web.page(request, "finding.html", ctx=ctx, form_action="/", f=data, history=hist, resource_key=key,
                        respond=respond_command(suggested))

    @r.get("/api/findings")
    def api_findings(scan: str | None = None, status: str = "", area: str = "", limit: int = PAGE,
                     offset: int = 0) -> JSONResponse:
        info = store.scan(scan, None if scan else web.source)
        total, items = store.findings(info.scan_id, status=status or None, area=area or None,
                                      limit=max(1, min(limit, 1000)), offset=max(0, offset))
        return JSONResponse({"scan_id": info.scan_id, "total": total, "findings": items})

    return r
