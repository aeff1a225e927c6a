"""The ATT&CK matrix of a scan's detections, with what the built-in rules cover but did not see."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from wasp.web.queries.attack import matrix, rule_techniques, technique_counts
from wasp.web.site import Web


def router(web: Web) -> APIRouter:
    r = APIRouter()

    @r.get("/attack", response_class=HTMLResponse)
    def attack_page(request: Request) -> HTMLResponse:
        ctx = web.context(request)
        if (info := ctx.info) is None:
            return web.empty(request, ctx)
        grid = matrix(technique_counts(web.store, info.scan_id), rule_techniques())
        return web.page(request, "attack.html", ctx=ctx, info=info, matrix=grid)

    return r
