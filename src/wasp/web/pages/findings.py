"""The findings list (filtered, sorted, paged, its columns chosen), its exports, one finding, and the findings API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse

from wasp.catalog import questions
from wasp.errors import InputError
from wasp.model import Area
from wasp.respond.finding import suggestion
from wasp.web.findings_export import EXPORTS, asff_possible, export, fetch_page
from wasp.web.findings_query import COLUMNS, DEFAULT_COLUMNS, PAGE_SIZES, FindingsQuery
from wasp.web.site import PAGE, Web, respond_command


def router(web: Web) -> APIRouter:
    r = APIRouter()
    store = web.store

    @r.get("/findings", response_class=HTMLResponse)
    def findings_page(request: Request) -> HTMLResponse:
        ctx = web.context(request)
        query = FindingsQuery.parse(request.query_params)
        if (info := ctx.info) is None:
            return web.empty(request, ctx)
        page = fetch_page(store, info.scan_id, query)
        query.page_no = page.page_no
        params = query.params()
        formats = [f for f in EXPORTS if f != "asff" or asff_possible(store, info, query, page.total)]
        return web.page(request, "findings.html", ctx=ctx, info=info, findings=page.rows, total=page.total,
                        params=query.filters, query=query, page_no=page.page_no, pages=page.pages,
                        prev_url=ctx.link("/findings", **query.params(page_no=page.page_no - 1))
                        if page.page_no > 1 else "",
                        next_url=ctx.link("/findings", **query.params(page_no=page.page_no + 1))
                        if page.page_no < page.pages else "",
                        columns=COLUMNS, default_columns=DEFAULT_COLUMNS, page_sizes=PAGE_SIZES,
                        page_exports=[(f, ctx.link("/findings/export", **params, format=f)) for f in formats],
                        all_exports=[(f, ctx.link("/findings/export", **query.params(page_no=""), format=f,
                                                  scope="all")) for f in formats],
                        areas=[(a.value, a.title) for a in Area], questions=sorted(questions().items()))

    @r.get("/findings/export")
    def findings_export(request: Request, format: str = "csv", scope: str = "page") -> StreamingResponse:
        """The page shown (or every finding matching it, ``scope=all``) as ``wasp report`` would write it."""
        ctx = web.context(request)
        query = FindingsQuery.parse(request.query_params)
        if (info := ctx.info) is None:
            raise InputError("no complete scan to export: run `wasp scan` first")
        out = export(store, info, query, format, scope)
        return StreamingResponse(out.body, media_type=out.media_type,
                                 headers={"Content-Disposition": f'attachment; filename="{out.filename}"'})

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
