"""Trail detections on a timeline, all of them or those reporting one ATT&CK technique, paged in SQL."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from wasp.errors import InputError
from wasp.trail.metadata import ATTACK_ID
from wasp.web.graphs import detections_timeline, trail_events
from wasp.web.queries.attack import detections, is_technique, technique_title
from wasp.web.site import PAGE, Web


def router(web: Web) -> APIRouter:
    r = APIRouter()
    store = web.store

    @r.get("/detections", response_class=HTMLResponse)
    def detections_page(request: Request, technique: str = "", page_no: int = 1) -> HTMLResponse:
        ctx = web.context(request)
        if (info := ctx.info) is None:
            return web.empty(request, ctx)
        technique = technique.strip().upper()
        if technique and not ATTACK_ID.match(technique):
            raise InputError(f"technique {technique[:40]!r} is not an ATT&CK technique id (T1098 or T1098.001)")
        total, items = detections(store, info.scan_id, technique or None, limit=PAGE,
                                  offset=max(0, page_no - 1) * PAGE)
        pages = max(1, (total + PAGE - 1) // PAGE)
        page_no = max(1, min(page_no, pages))
        events = trail_events(items)
        return web.page(request, "detections.html", ctx=ctx, info=info, events=events, items=items, total=total,
                        technique=technique, technique_name=technique_title(technique) if technique else "",
                        timeline=detections_timeline(events) if events else "", page_no=page_no, pages=pages,
                        is_technique=is_technique,
                        prev_url=ctx.link("/detections", technique=technique, page_no=page_no - 1)
                        if page_no > 1 else "",
                        next_url=ctx.link("/detections", technique=technique, page_no=page_no + 1)
                        if page_no < pages else "")

    return r
