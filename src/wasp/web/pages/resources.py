"""One resource: what the inventory knows of it, its findings in the scan and its history across scans."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from wasp.errors import InputError
from wasp.web.queries import inventory
from wasp.web.site import Web

FINDINGS_SHOWN = 100  # the rest is one link away (/findings?resource=)


def router(web: Web) -> APIRouter:
    r = APIRouter()
    store = web.store

    @r.get("/resource", response_class=HTMLResponse)
    def resource_page(request: Request, key: str = "") -> HTMLResponse:
        if not key.strip():
            raise InputError("give the resource with ?key= (its ARN, or type|account|region|id)")
        ctx = web.context(request)
        if (info := ctx.info) is None:
            return web.empty(request, ctx)
        row = inventory.one(store, info.scan_id, key)
        if row is None:
            raise InputError(f"no resource {key!r} in scan {info.scan_id}")
        total, items = store.findings(info.scan_id, resource_key=key, limit=FINDINGS_SHOWN)
        return web.page(request, "resource.html", ctx=ctx, form_action="/", info=info, res=row, key=key,
                        findings=items, total=total, shown_count=len(items),
                        evidence=inventory.evidence(items), history=inventory.history(store, info.scan_id, key),
                        data_store=row.type in inventory.data_store_types())

    return r
