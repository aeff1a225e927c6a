"""History of the scans of one source, and the diff between two scans."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from wasp.web.site import Web, trend


def router(web: Web) -> APIRouter:
    r = APIRouter()
    store = web.store

    @r.get("/history", response_class=HTMLResponse)
    def history_page(request: Request) -> HTMLResponse:
        ctx = web.context(request)
        scans = (store.scans(limit=200, account=ctx.account or None, source=ctx.source)
                 if store.path.exists() else [])
        chart = trend(list(reversed(scans[:50])))
        return web.page(request, "history.html", ctx=ctx, scans=scans, chart=chart, before=neighbours(scans))

    @r.get("/diff", response_class=HTMLResponse)
    def diff_page(request: Request, a: str | None = None, b: str | None = None) -> HTMLResponse:
        ctx = web.context(request)
        if ctx.info is None:
            return web.empty(request, ctx)
        if a or b:
            d = store.diff(a or None, b or None)
        else:
            old = store.previous(ctx.info.scan_id)
            if old is None:
                return web.page(request, "diff.html", ctx=ctx, d=None, a="", b=ctx.info.scan_id)
            d = store.diff_ids(old, ctx.info.scan_id)
        return web.page(request, "diff.html", ctx=ctx, d=d, a=d.old, b=d.new)

    @r.get("/api/scans")
    def api_scans() -> JSONResponse:
        return JSONResponse([s.to_json() for s in store.scans(limit=200)] if store.path.exists() else [])

    return r


def neighbours(scans: list[Any]) -> dict[str, str]:
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
