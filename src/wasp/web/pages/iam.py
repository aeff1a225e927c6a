"""IAM: escalation paths and risk categories from the IAM engine's findings."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from wasp.web.graphs import escalation_graph, escalation_paths, risk_table
from wasp.web.site import Web


def router(web: Web) -> APIRouter:
    r = APIRouter()
    store = web.store

    @r.get("/iam", response_class=HTMLResponse)
    def iam_page(request: Request) -> HTMLResponse:
        ctx = web.context(request)
        if (info := ctx.info) is None:
            return web.empty(request, ctx)
        _, items = store.findings(info.scan_id, status="FAIL")
        paths = escalation_paths(items)
        columns, risks = risk_table(items)
        return web.page(request, "iam.html", ctx=ctx, info=info, paths=paths,
                        graph=escalation_graph(paths) if paths else "", columns=columns, risks=risks)

    return r
