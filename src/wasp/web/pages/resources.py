"""One collected resource with its findings."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from wasp.errors import InputError
from wasp.web.site import Web


def router(web: Web) -> APIRouter:
    r = APIRouter()
    store = web.store

    @r.get("/resource", response_class=HTMLResponse)
    def resource_page(request: Request, key: str) -> HTMLResponse:
        ctx = web.context(request)
        if (info := ctx.info) is None:
            return web.empty(request, ctx)
        res = store.resource(info.scan_id, key)
        total, items = store.findings(info.scan_id, resource_key=key)
        if res is None and not items:
            raise InputError(f"no resource {key!r} in scan {info.scan_id}")
        return web.page(request, "resource.html", ctx=ctx, form_action="/", info=info,
                        res=res or items[0]["resource"], findings=items, total=total, key=key)

    return r
