"""Trail detections on a timeline."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from wasp.web.graphs import detections_timeline, trail_events
from wasp.web.site import Web


def router(web: Web) -> APIRouter:
    r = APIRouter()
    store = web.store

    @r.get("/detections", response_class=HTMLResponse)
    def detections_page(request: Request) -> HTMLResponse:
        ctx = web.context(request)
        if (info := ctx.info) is None:
            return web.empty(request, ctx)
        _, items = store.findings(info.scan_id, status="FAIL")
        events = trail_events(items)
        return web.page(request, "detections.html", ctx=ctx, info=info, events=events,
                        timeline=detections_timeline(events) if events else "")

    return r
